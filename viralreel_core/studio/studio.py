"""``Studio``: one person's project in progress, the one object the pages read and call.

It holds the topic form, the draft and accepted script (``draft``), each scene's voice and clip
(``assets``), the person's choices (``options``, saved with the project; never the keys), the work
running (``jobs``) and what went wrong per step (``errors``). The work itself lives in the modules
beside this one; this class only ties them to the settings and the cache.

One ``Pipeline`` serves the checks a page makes (cache keys, provider problems, costs) for as long as
the settings stay the same; each job runs on a pipeline of its own (its progress and its tally) and
closes it when it ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viralreel_core.cache.store import AssetCache
from viralreel_core.config import ApiKeys, CaptionStyle, Settings, check_frame_size
from viralreel_core.errors import BadInput, Stopped, ViralReelError
from viralreel_core.jobs import local as local_jobs
from viralreel_core.media.aspect import aspect_of, frame_size
from viralreel_core.models import Clip, Scene, Script
from viralreel_core.post.kit import PostKit, edit_kit, load_kit
from viralreel_core.run.checks import validate_topic
from viralreel_core.run.language_check import check_languages, language_problem
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.run.steps import video_topic
from viralreel_core.run.tally import RunTally
from viralreel_core.studio import document, render
from viralreel_core.studio.assets import Made, SceneAssets, SceneState, cost_to_make, grouped, make_media
from viralreel_core.studio.choices import ProviderChoices
from viralreel_core.studio.draft import Draft, TopicForm, new_uid
from viralreel_core.studio.handoff import QueuedSteps
from viralreel_core.studio.lines import GATES
from viralreel_core.studio.live import LIVE, workspace_key
from viralreel_core.studio.money import Wallet
from viralreel_core.studio.pasted import PastedScript
from viralreel_core.studio.step_jobs import JobBoard, StepJob, describe_error
from viralreel_core.studio.studio_config import StudioConfig, option_names
from viralreel_core.studio.tasks import STEP_KINDS, media_params, render_params
from viralreel_core.text.placeholders import is_draft_warning
from viralreel_core.workspace.projects import ProjectStore, list_renders, new_project_id

if TYPE_CHECKING:
    from viralreel_core.studio.engine import StudioEngine

__all__ = ["Studio"]

#: what a step says, once, when the person stopped its work (not an error: nothing went wrong)
STOPPED = {"script": "Stopped.",
           "voice": "Stopped. The voices recorded before the stop are kept; record the others when you want.",
           "clips": "Stopped. The clips made before the stop are kept; make the others when you want.",
           "assemble": "Stopped. No video was written; the scenes already rendered are kept, so the next "
                       "render starts from there."}


class Studio(ProviderChoices, QueuedSteps, PastedScript):
    """One person's project in progress: topic, script, voices, clips, renders, and the work running."""

    def __init__(self, base: Settings, cache: AssetCache, config: StudioConfig | None = None,
                 project_id: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 engine: StudioEngine | None = None) -> None:
        self.base = base.with_(keys=ApiKeys())  # keys live only in ``keys``, set from the edge
        self.cache = cache
        self.config = config or StudioConfig()
        self.keys = base.keys
        self.sleep = sleep  # how retries wait (tests pass a no-op)
        self.id = project_id or new_project_id()
        self.name = ""
        self.form = TopicForm()
        self.story = Draft()
        self.assets = SceneAssets()
        self.options: dict[str, Any] = {name: base.option(name) for name in option_names()}
        self.options["captions"] = base.captions.to_dict()
        if self.config.frame:
            self.options["width"], self.options["height"] = self.config.frame
        self.tally = RunTally()
        self.last_render: dict[str, Any] | None = None
        self.script_attempt = 0
        self.rewrites: dict[str, int] = {}
        self.jobs = JobBoard(self._redact)
        self.errors: dict[str, list[str]] = {}
        self.notices: list[str] = []
        self.news: list[str] = []  # said once, then forgotten (``take_news``): e.g. that a stop took effect
        self._poll_lock = threading.Lock()
        self.max_jobs = 0  # jobs this workspace may run at once (0: no limit); set at the edge
        self.wallet = Wallet()  # the owner's budget and the paid starts waiting for a yes
        self._pipeline: Pipeline | None = None
        self._voice_list: tuple[Any, list[tuple[str, str]]] = (None, [])
        self.engine = engine  # the job queue, set at the edge; None: every job runs in this process's threads
        self.key_sources: dict[str, str] = {}
        self.visitor = False  # set at the edge: a visitor's missing key is explained in their terms
        self.queued: dict[str, str] = {}
        self.language_note: str | None = None  # why the voice cannot speak the accepted script (``accept_script``)

    # -- the script, as the pages read it ---------------------------------------------------------
    draft = property(lambda self: self.story.draft, doc="The script being edited (None before one is written).")
    draft_uids = property(lambda self: self.story.draft_uids, doc="The draft's scene ids, in order.")
    script = property(lambda self: self.story.script, doc="The accepted script: what every later step uses.")
    uids = property(lambda self: self.story.uids, doc="The accepted script's scene ids, in order.")
    editor_version = property(lambda self: self.story.version, doc="Goes up when the draft is replaced.")
    draft_pending = property(lambda self: self.story.pending, doc="Whether the draft differs from the script.")
    voices = property(lambda self: self.assets.voices, doc="Each accepted scene's voice, by scene id.")
    clips = property(lambda self: self.assets.clips, doc="Each accepted scene's clip, by scene id.")

    # -- settings and providers -------------------------------------------------------------------
    def settings(self) -> Settings:
        """The settings every action runs with: the edge's, the person's choices, and the keys."""
        names = set(option_names())
        opts = {k: v for k, v in self.options.items() if k in names}
        return self.base.with_(**opts, captions=CaptionStyle(**self.options.get("captions", {})),
                               tone=self.form.tone.strip(), language=self.form.language or "auto", keys=self.keys)

    @property
    def aspect(self) -> str | None:
        """The frame's named aspect (``"9:16"``…), from the saved width and height; None for another shape.

        Read from the size rather than saved beside it, so projects saved before aspects existed open
        with theirs (1080×1920 reads as 9:16) and the two can never disagree.
        """
        return aspect_of(int(self.options["width"]), int(self.options["height"]))

    def set_aspect(self, name: str, short_side: int | None = None) -> None:
        """Frame the video as ``name`` with ``short_side`` pixels on its short side (None: the current one, so a
        720×1280 project becomes 1280×720 at 16:9).

        Clips made for the old frame then read as stale: their cache keys hold the frame size.
        """
        short = short_side or min(int(self.options["width"]), int(self.options["height"]))
        width, height = frame_size(name, short)
        check_frame_size(width, height)
        self.options["width"], self.options["height"] = width, height

    def pipeline(self) -> Pipeline:
        """The pipeline for the current settings, made again only when they change."""
        settings = self.settings()
        if self._pipeline is None or self._pipeline.settings != settings:
            self.close()
            self._pipeline = Pipeline(settings, self.cache, sleep=self.sleep)
        return self._pipeline

    def close(self) -> None:
        """Close what the studio's pipeline opened (providers' HTTP sessions); running jobs close their own."""
        if self._pipeline is not None:
            self._pipeline.close()
            self._pipeline = None

    def _secrets(self) -> list[str]:
        return [key for key in self.keys.values() if key]

    def _redact(self, text: str) -> str:
        """``text`` with any key the person gave replaced (a provider's error should never hold one)."""
        for key in self._secrets():
            text = text.replace(key, "•••")
        return text

    # -- jobs -------------------------------------------------------------------------------------
    def busy(self, step: str | None = None) -> bool:
        """Whether work for ``step`` (any step when None) is running."""
        return self.jobs.busy(step)

    def _start(self, job: StepJob, pipeline: Pipeline, work: Callable[[], Any], apply: Callable[[Any], None],
               uids: Iterable[str] = (), reserved: float | None = None,
               params: Callable[[str], dict[str, Any]] | None = None) -> StepJob:
        """Run ``work`` as ``job`` on its own ``pipeline`` (closed when it ends); ``apply`` its result later.

        ``reserved``: dollars reserved in the budget, settled against what the job really spent.
        ``params(key_source)``: the same work as a queued job's params; it goes to the job queue when the
        studio has one and the work needs no typed key (``key_source``)."""
        source = self.key_source(pipeline, job.step) if params is not None else None
        if source is not None and params is not None:
            pipeline.close()
            return self._start_queued(job, STEP_KINDS[job.step], params(source), apply, uids, reserved)
        pipeline.on_progress = job.report
        pipeline.on_waiting = job.waiting  # its place in the server's memory line (admission.GATE)
        budget = self.wallet.budget if reserved is not None else None

        def run(job: StepJob) -> Any:
            try:
                with GATES.line_for(job.step).place(job):  # the server's limits: wait for a turn
                    return work()
            finally:
                pipeline.close()
                if budget is not None:
                    budget.settle(reserved or 0.0, pipeline.tally.spent_usd)
                # what the job's threads freed goes back to the OS when the StepJob ends (one collection)

        def applied(result: Any) -> None:
            self.tally.add(pipeline.tally)
            self.notices.extend(self._redact(w) for w in pipeline.warnings if not is_draft_warning(w))  # see handoff
            apply(result)

        self.errors.pop(job.step, None)
        record = {"project_id": self.id, "label": job.label, "workspace": self.workspace}  # never keys
        local = self.engine.local if self.engine is not None else None
        return self.jobs.start(job, local_jobs.recorded(job.step, pipeline, run, record, self._redact, local),
                               applied, uids)

    def _job_pipeline(self, step: str) -> Pipeline:
        """A pipeline of its own for a new job of ``step``; BadInput while that step is working."""
        if self.busy(step):
            raise BadInput(f"The {step} step is already working.", hint="Wait for it to finish.")
        LIVE.check_room(workspace_key(self.config.projects_dir), self.max_jobs)
        return Pipeline(self.settings(), self.cache, sleep=self.sleep)

    def confirm(self, step: str) -> StepJob:
        """Go ahead with the paid start waiting for the person's yes (``wallet.pending``)."""
        asked = self.wallet.pending.pop(step, None)
        if asked is None:
            raise BadInput("There is nothing waiting to be confirmed.")
        return self._start_media(step, asked["uids"], asked["fresh"], confirmed=True)

    def stop(self, step: str) -> bool:
        """Ask the step's running job to stop (paid tasks are cancelled); the scenes already made stay."""
        return self.jobs.stop(step)

    def poll(self) -> list[str]:
        """Apply the results of finished jobs (call from the page's thread); returns their steps."""
        applied = []
        with self._poll_lock:  # two sessions of one workspace may share this studio (a reload, a second tab)
            stopped = {step for step, job in self.jobs.items() if job.stopping}
            for step, error in self.jobs.poll():
                self.queued.pop(step, None)
                if step in stopped or isinstance(error, Stopped):
                    # the person's own stop: said once as news; what it left unmade is no failure to keep showing
                    self.errors.pop(step, None)
                    self.news.append(STOPPED.get(step, "Stopped."))
                elif error is not None:
                    self.errors.setdefault(step, []).insert(0, self._redact(describe_error(error)))
                applied.append(step)
        return applied

    def take_news(self) -> list[str]:
        """What to say once (e.g. that a stop took effect); emptied as it is taken."""
        news, self.news = self.news, []
        return news

    def wait(self, timeout: float | None = None) -> list[str]:
        """Wait for every running job, then apply them (for scripts and tests)."""
        self.jobs.wait(timeout)
        return self.poll()

    # -- script -----------------------------------------------------------------------------------
    def start_script(self, new_version: bool = False) -> StepJob:
        """Write the script for the topic form in the background (``new_version``: another take)."""
        topic = validate_topic(self.form.topic)
        count, length = self.form.scene_count(), self.form.target_seconds
        attempt = self.script_attempt + 1 if new_version else self.script_attempt
        pipeline = self._job_pipeline("script")
        pipeline.script_request(topic, count, length=length)  # a count the length cannot hold is said now
        self.check_provider("script", pipeline)  # a missing key is said on the page, before anything starts
        check_languages(pipeline.settings, topic, writer=False)  # so is a language no voice here speaks
        seed = pipeline.settings.seed + attempt
        reserved = self.wallet.pay("script", pipeline, 0.0, True)

        def apply(script: Script) -> None:
            self.script_attempt = attempt
            self.story.replace(script, [new_uid() for _ in script.scenes])

        return self._start(StepJob("script", f"Writing a {count}-scene script"), pipeline,
                           lambda: pipeline.write_script(topic, count, seed=seed, length=length), apply,
                           reserved=reserved)

    def start_rewrite(self, uid: str) -> StepJob:
        """Rewrite one scene of the draft in the background, keeping the others as they are."""
        if self.draft is None or uid not in self.draft_uids:
            raise BadInput("That scene is not in the script.", hint="Pick a scene from the table.")
        script = self.draft
        number = self.draft_uids.index(uid) + 1
        attempt = self.rewrites.get(uid, 0) + 1
        pipeline = self._job_pipeline("script")
        self.check_provider("script", pipeline)
        reserved = self.wallet.pay("script", pipeline, 0.0, True)

        def apply(scene: Scene) -> None:
            self.rewrites[uid] = attempt
            self.story.replace_scene(uid, scene)

        return self._start(StepJob("script", f"Rewriting scene {number}"), pipeline,
                           lambda: pipeline.rewrite_scene(script, number, attempt), apply, reserved=reserved)

    def draft_rows(self) -> list[dict[str, Any]]:
        """The draft as table rows: scene number, visuals, narration, seconds (at the voice's pace), words, uid."""
        return self.story.rows(self.pipeline().voice_pace())

    def edit_draft(self, rows: Iterable[Mapping[str, Any]]) -> bool:
        """Take the table as edited (see ``Draft.edit``); True if the draft changed."""
        return self.story.edit(rows, self.form.topic)

    def script_problems(self) -> list[str]:
        """What keeps the draft from being accepted (empty when it can be)."""
        return self.story.problems()

    def accept_script(self) -> None:
        """Make the draft the script the later steps work from; BadInput listing what is wrong."""
        self.story.accept()
        self.assets.keep_only(self.uids)
        # accepted all the same (the voice can be changed on the Voice step), but said now, not at recording
        self.language_note = language_problem(self.settings(), script=self.script)

    def scenes(self) -> list[tuple[str, Scene]]:
        """The accepted script's scenes with their ids."""
        return self.story.scenes()

    # -- voices and clips -------------------------------------------------------------------------
    def states(self, step: str) -> list[SceneState]:
        """Each accepted scene's voice (``step="voice"``) or clip (``"clips"``): ready, stale, missing, working."""
        pipeline: Pipeline | None = self.pipeline()
        try:
            pipeline.provider(step)  # type: ignore[union-attr]
        except ViralReelError:
            pipeline = None
        return self.assets.states(step, self.scenes(), pipeline, self.jobs.working_on(step), video_topic(self.script))

    def needs(self, step: str) -> list[str]:
        """Ids of the scenes whose voice / clip must be made (stale or missing)."""
        return [s.uid for s in self.states(step) if s.status in ("stale", "missing")]

    def estimate_cost(self, step: str, uids: Iterable[str]) -> float:
        """Dollars making ``step`` for these scenes would cost (0 for offline providers)."""
        wanted = set(uids)
        return self.pipeline().estimate_cost(step, [s for u, s in self.scenes() if u in wanted])

    def start_voices(self, uids: Iterable[str] | None = None, fresh: bool = False, confirmed: bool = False) -> StepJob:
        """Make the voices of ``uids`` (default: every scene that needs one); ``fresh``: a new take.

        Paid work estimated above ``confirm_above`` raises NeedsConfirmation until ``confirmed``."""
        return self._start_media("voice", uids, fresh, confirmed)

    def start_clips(self, uids: Iterable[str] | None = None, fresh: bool = False, confirmed: bool = False) -> StepJob:
        """Make the clips of ``uids`` (default: every scene that needs one); ``fresh``: a new take."""
        return self._start_media("clips", uids, fresh, confirmed)

    def _start_media(self, step: str, uids: Iterable[str] | None, fresh: bool, confirmed: bool = False) -> StepJob:
        if self.script is None:
            raise BadInput("Accept the script first.", hint="Go to the Script step.")
        wanted = self.needs(step) if uids is None else list(uids)
        chosen = [(u, s) for u, s in self.scenes() if u in wanted]
        noun = "voice" if step == "voice" else "clip"
        if not chosen:
            raise BadInput(f"Every scene's {noun} is ready already.")
        pipeline = self._job_pipeline(step)
        self.check_provider(step, pipeline)  # fail here, on the page, if the provider cannot run
        if step == "voice":  # or cannot speak a scene's language
            check_languages(pipeline.settings, script=replace(self.script, scenes=tuple(s for _, s in chosen)))
        takes = self.assets.next_takes(step, [u for u, _ in chosen], fresh)
        costs = cost_to_make(pipeline, self.cache, step, chosen, takes, video_topic(self.script))
        reserved = self.wallet.pay(step, pipeline, costs, confirmed,
                             {"uids": None if uids is None else [u for u, _ in chosen], "fresh": fresh})
        script = self.script
        job = StepJob(step, f"Making the {noun} of {len(chosen)} scene{'s' * (len(chosen) > 1)}",
                  [s.number for _, s in chosen], cancel=pipeline.abort)
        name = pipeline.provider(step).name  # "auto" decided here, with this visitor's keys

        def params(source: str) -> dict[str, Any]:
            settings = pipeline.settings.with_(**{f"{'voice' if step == 'voice' else 'clip'}_provider": name})
            return media_params(settings, option_names(), step, script, chosen, takes, self._who(job, source))

        return self._start(job, pipeline, lambda: make_media(pipeline, script, step, chosen, takes),
                           self._applier(step), uids=[u for u, _ in chosen], reserved=reserved, params=params)

    def _applier(self, step: str) -> Callable[[Any], None]:
        """What applies a finished job of ``step`` to the project (in-process and queued work alike)."""
        if step == "assemble":
            def render_done(result: dict[str, Any]) -> None:
                self.last_render = {**result, "session_tally": self.tally.to_dict()}

            return render_done

        def media_done(result: tuple[dict[str, Made], list[dict[str, Any]]]) -> None:
            made, skipped = result
            self.assets.of(step).update(made)
            if skipped:
                self.errors[step] = [self._redact(message) for message in grouped(skipped)]

        return media_done

    def use_upload(self, uid: str, filename: str, data: bytes) -> Clip:
        """Use the person's own video file as the scene's clip (validated by probing; BadInput if unusable)."""
        if uid not in self.uids:
            raise BadInput("That scene is not in the accepted script.")
        clip = self.assets.use_upload(uid, self.cache, filename, data)
        self.errors.pop("clips", None)
        return clip

    def forget_clip(self, uid: str) -> None:
        """Drop the scene's clip (e.g. an upload), so the provider makes one again."""
        self.clips.pop(uid, None)

    # -- assembly ---------------------------------------------------------------------------------
    def render_plan(self) -> tuple[list[tuple[str, Scene]], list[str]]:
        """The scenes that can go in the video, and what keeps the others out."""
        return render.plan(self.scenes(), self.states("voice"), self.states("clips"))

    def start_render(self) -> StepJob:
        """Assemble the usable scenes into a new MP4 in the output folder, in the background."""
        usable, _ = self.render_plan()
        if not usable:
            raise BadInput("No scene has both a voice and a clip yet.",
                           hint="Make them on the Voice and Clips steps first.")
        assert self.script is not None
        media = [(scene, self.voices[u].asset, self.clips[u].asset) for u, scene in usable]
        in_video = {u for u, _ in usable}
        skipped = [n for n, uid in enumerate(self.uids, 1) if uid not in in_video]
        extra = {"project_id": self.id, "project_name": self.display_name, "title": self.script.title}
        script, pipeline = self.script, self._job_pipeline("assemble")
        job = StepJob("assemble", f"Rendering {len(usable)} scenes", range(1, len(usable) + 1), per_scene=True,
                  cancel=pipeline.abort)

        def params(source: str) -> dict[str, Any]:
            return render_params(pipeline.settings, option_names(), script, media, skipped, extra,  # type: ignore[arg-type]
                                 self._who(job, source))

        return self._start(job, pipeline, lambda: render.render(pipeline, script, media, skipped, extra),  # type: ignore[arg-type]
                           self._applier("assemble"), params=params)

    def post_kit(self) -> PostKit | None:
        """The last render's post kit as saved beside it (with the person's edits), else as the render made it."""
        if not self.last_render:
            return None
        saved = load_kit(self.last_render["video_path"])
        made = self.last_render.get("post_kit")
        return saved or (PostKit.from_dict(made) if isinstance(made, dict) else None)

    def edit_post_kit(self, title: str, description: str, hashtags: str) -> PostKit:
        """Keep the person's own title, description and hashtags in the last render's kit (BadInput says what
        breaks the platforms' rules; nothing is changed then)."""
        kit = self.post_kit()
        if kit is None or self.last_render is None:
            raise BadInput("There is no render with a post kit yet.", hint="Render the video first.")
        edited = edit_kit(kit, title, description, hashtags)
        self.last_render = {**self.last_render, "post_kit": edited.to_dict()}
        return edited

    def renders(self) -> list:
        """This project's finished videos, newest first."""
        return list_renders(self.settings().output_dir, self.id)

    # -- projects ---------------------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        if self.name.strip():
            return self.name.strip()
        topic = (self.script or self.draft).topic if (self.script or self.draft) else self.form.topic
        return (topic or "Untitled project")[:60]

    def saved(self, assets: SceneAssets | None = None) -> document.SavedProject:
        """What saving the project keeps (``assets``: instead of the studio's own, e.g. uploads' copies)."""
        return document.SavedProject(
            id=self.id, name=self.display_name, form=self.form, options=self.options, draft=self.story,
            assets=assets or self.assets, tally=self.tally, last_render=self.last_render,
            script_attempt=self.script_attempt, rewrites=self.rewrites, jobs=dict(self.queued))

    def to_document(self, assets: SceneAssets | None = None) -> dict[str, Any]:
        """The project as a JSON-ready document: script, choices, asset references and tally, never keys."""
        return document.write_document(self.saved(assets), self.settings().public_dict())

    def save(self, store: ProjectStore) -> Path:
        """Save to ``store``; every voice and clip is copied into the project's folder (once).

        The saved document points at those copies, so it reopens whole whatever happens to the cache,
        while the open project keeps using the cache's files.
        """
        kept = document.keep_files(self.assets, store, self.id)
        return store.save(self.to_document(kept), secrets=self._secrets())

    def relink(self, store: ProjectStore) -> None:
        """Use the saved project's copies of assets whose cache files are gone (the cache was cleared)."""
        document.relink(self.assets, store, self.id)

    def save_copy(self, store: ProjectStore) -> Path:
        """Save as a new project (a new id), so the copy never overwrites the project it came from."""
        name = self.display_name
        self.id, self.name, self.last_render = new_project_id(), f"{name} (copy)", None
        return self.save(store)

    def open(self, saved: Mapping[str, Any]) -> None:
        """Replace this studio's project with a saved one; assets the cache has lost are listed in ``notices``."""
        opened = document.read_document(saved, option_names())
        self.id, self.name, self.form = opened.id, opened.name, opened.form
        self.options.update(opened.options)
        version = self.story.version
        self.story, self.assets = opened.draft, opened.assets
        self.story.version = version + 1  # the table redraws
        self.tally, self.last_render = opened.tally, opened.last_render
        self.script_attempt, self.rewrites = opened.script_attempt, opened.rewrites
        self.jobs.clear()
        self.errors, self.news = {}, []
        self.notices = document.reconnect(self.assets, self.story, self.cache)
        self._reattach(opened.jobs)  # its queued work still running, or finished while nobody watched
