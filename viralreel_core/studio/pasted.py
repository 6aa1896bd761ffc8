"""The studio's "Paste my own script": the person's narration becomes the draft on the Script page, word for word.

``PastedScript`` is the part of ``Studio`` that takes it: the text is read at once (one paragraph a scene,
or the script JSON; a problem is one line on the Topic page, before anything starts), then a script job
writes visuals for the scenes that have none (``run/own_script.py``: offline from the narration's nouns,
or one call to the chosen writer, cached) and puts the script in the editable table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from viralreel_core.models import Script
from viralreel_core.run.own_script import fill_visuals, visuals_plan
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.studio.draft import Draft, TopicForm, new_uid
from viralreel_core.studio.step_jobs import StepJob
from viralreel_core.text.script_text import script_from_text

__all__ = ["PastedScript"]


class PastedScript:
    """Mixed into ``Studio``: a draft from the person's own text."""

    # provided by Studio
    form: TopicForm
    story: Draft
    wallet: Any
    _job_pipeline: Callable[[str], Pipeline]
    check_provider: Callable[..., None]
    _start: Callable[..., StepJob]

    def start_own_script(self, text: str) -> StepJob:
        """Make ``text`` (one paragraph a scene, or the script JSON) the draft, in the background: the writer adds
        visuals where there are none. BadInput at once for text that cannot be a script."""
        own = script_from_text(text, topic=self.form.topic.strip() or None)
        pipeline = self._job_pipeline("script")
        self.check_provider("script", pipeline)  # a missing key is said on the page, before anything starts
        reserved = self.wallet.pay("script", pipeline, visuals_plan(pipeline, own)[1], True)  # a paid writer's call

        def apply(script: Script) -> None:
            if not self.form.topic.strip():  # the first sentence names the project
                self.form.topic = script.topic
            self.story.replace(script, [new_uid() for _ in script.scenes])

        count = len(own.scenes)
        return self._start(StepJob("script", f"Reading your {count}-scene script"), pipeline,
                           lambda: fill_visuals(pipeline, own), apply, reserved=reserved)
