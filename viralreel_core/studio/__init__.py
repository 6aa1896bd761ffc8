"""The studio's working state for one person, with no UI in it: the pages only read it and call it.

A ``Studio`` is one project in progress. The package splits its jobs:

- ``jobs``: slow work in a background thread (``StepJob``) and one job per step (``JobBoard``);
- ``draft``: the topic form, and the script as drafted, edited and accepted, each scene with a stable id;
- ``assets``: each scene's voice and clip with the cache key it was made under (ready / stale / missing);
- ``render``: which scenes can go into the video, and the render;
- ``document``: the project as a saved document (save, open, reconnect to the cache);
- ``studio``: the ``Studio`` facade tying them to the settings and the cache.

Each studio has its own project id and each render its own video id, so two sessions working at once
never write the same file::

    studio = Studio(settings_from_env(), cache, StudioConfig.from_env(os.environ))
    studio.form.topic = "Why do cats purr?"
    studio.start_script().wait()
    studio.poll()
    studio.accept_script()
    studio.start_voices(); studio.start_clips()
"""

from viralreel_core.studio.assets import Made, SceneState
from viralreel_core.studio.draft import TONES, TopicForm, scenes_for_length
from viralreel_core.studio.step_jobs import StepJob, describe_error
from viralreel_core.studio.studio import Studio
from viralreel_core.studio.studio_config import StudioConfig, option_names

__all__ = [
    "TONES", "StepJob", "Made", "SceneState", "Studio", "StudioConfig", "TopicForm",
    "describe_error", "option_names", "scenes_for_length",
]
