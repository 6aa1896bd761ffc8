"""The studio's working state for one person, with no UI in it: the pages only read it and call it.

A ``Studio`` is one project in progress: the topic form, the draft script being edited and the
accepted one, and per scene (by a stable id that survives reordering) the voice and clip made for it
together with the cache key they were made under. A scene's asset is *ready* when the key its scene
would get now equals the key it was made under, so editing one narration makes only that scene's
voice stale, and changing the voice speed makes every voice stale; nothing needs to be tracked by hand.

Slow work (script, voices, clips, render) runs as a ``Job`` in a background thread, through a fresh
``Pipeline`` whose progress events the job collects; the page polls the job and shows its progress.
A job never touches the studio: when it is done, ``Studio.poll()`` (called by the page, in the page's
own thread) applies its result. Each studio has its own project id and each render its own video id,
so two sessions working at once never write the same file::

    studio = Studio(Settings.from_env(), cache, StudioConfig.from_env(os.environ))
    studio.form.topic = "Why do cats purr?"
    studio.start_script().wait()
    studio.poll()
    studio.accept_script()
    studio.start_voices(); studio.start_clips()
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import providers
from .cache import AssetCache
from .captions import build_cues, burn_captions, estimate_word_timings
from .config import REPO_ROOT, ApiKeys, CaptionStyle, Settings
from .errors import BadInput, ViralReelError
from .models import Clip, ProgressEvent, Project, Scene, Script, VoiceTrack, estimate_seconds
from .pipeline import Pipeline, RunTally, validate_topic
from .projects import ProjectStore, list_renders, new_project_id, record_render
from .uploads import UPLOAD_PROVIDER, UPLOAD_TYPES, store_upload

__all__ = [
    "STEPS", "TONES", "FRAME_SIZES", "MAX_SCENES", "Job", "Made", "SceneState", "Studio", "StudioConfig",
    "TopicForm", "audio_format", "caption_preview", "describe_error", "scenes_for_length",
]

_LOGGER = logging.getLogger(__name__)

STEPS = ("topic", "script", "voice", "clips", "assemble")
TONES = ("viral", "funny", "serious", "inspiring", "educational")
#: output sizes a person can pick (width, height); 9:16 throughout
FRAME_SIZES = ((1080, 1920), (720, 1280), (540, 960))
MAX_SCENES = 12  # a person may add scenes beyond the writer's 3–6
OPENAI_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse")
SECONDS_PER_SCENE = 8  # how a target length turns into a scene count
#: the settings a person changes in the studio (saved with the project; never the keys)
OPTION_NAMES = ("script_provider", "voice_provider", "clip_provider", "voice_speed", "openai_voice",
                "elevenlabs_voice_id", "piper_voice_path", "transitions", "width", "height", "fps")


def scenes_for_length(seconds: float) -> int:
    """How many scenes (3–6) suit a video of about ``seconds``."""
    return int(min(6, max(3, round(float(seconds) / SECONDS_PER_SCENE))))


def describe_error(exc: BaseException) -> str:
    """What to tell the person about a failure: our errors' own message and hint, else a short summary."""
    if isinstance(exc, ViralReelError):
        return str(exc)
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Try again; if it keeps happening, " \
           f"report it with the steps that led here."


def audio_format(path: str | Path) -> str:
    """The MIME type of an audio file from its first bytes (cache files have no telling suffix)."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[:4] == b"RIFF":
        return "audio/wav"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:4] == b"OggS":
        return "audio/ogg"
    return "audio/mpeg"  # ID3 tag or a bare MPEG frame


@dataclass(frozen=True)
class StudioConfig:
    """Where the studio keeps projects, and the default frame size (tests ask for tiny frames)."""

    projects_dir: Path = REPO_ROOT / "projects"
    frame: tuple[int, int] | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> StudioConfig:
        """``VIRALREEL_PROJECTS_DIR`` and ``VIRALREEL_STUDIO_SIZE`` (e.g. ``180x320``) from a mapping."""
        frame = None
        size = str(environ.get("VIRALREEL_STUDIO_SIZE", "")).lower().strip()
        if size:
            try:
                w, h = (int(v) for v in size.split("x"))
            except ValueError:
                raise BadInput(f"VIRALREEL_STUDIO_SIZE={size!r} is not WIDTHxHEIGHT.",
                               hint="Use e.g. 720x1280.") from None
            frame = (w, h)
        projects = environ.get("VIRALREEL_PROJECTS_DIR")
        return cls(projects_dir=Path(projects) if projects else cls.projects_dir, frame=frame)


@dataclass
class TopicForm:
    """What the person asked for on the Topic page."""

    topic: str = ""
    scenes: int | None = None  # None: chosen from the target length
    tone: str = "viral"
    target_seconds: int = 30

    def scene_count(self) -> int:
        return self.scenes or scenes_for_length(self.target_seconds)

    def problem(self) -> str | None:
        """Why the topic cannot be used yet (None when it can)."""
        try:
            validate_topic(self.topic)
        except BadInput as exc:
            return str(exc)
        return None


@dataclass(frozen=True)
class Made:
    """A voice or clip made for a scene, with the cache key it was made under."""

    key: str
    asset: VoiceTrack | Clip
    take: int = 0
    seconds: float | None = None  # clips: the length asked for
    uploaded: bool = False

    def exists(self) -> bool:
        path = self.asset.audio_path if isinstance(self.asset, VoiceTrack) else self.asset.video_path
        return Path(path).is_file()

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "asset": self.asset.to_dict(), "take": self.take, "seconds": self.seconds,
                "uploaded": self.uploaded}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], kind: type[VoiceTrack] | type[Clip]) -> Made:
        return cls(key=str(data["key"]), asset=kind.from_dict(data["asset"]), take=int(data.get("take", 0)),
                   seconds=data.get("seconds"), uploaded=bool(data.get("uploaded", False)))


@dataclass(frozen=True)
class SceneState:
    """One scene's asset for a step as the page shows it."""

    uid: str
    scene: Scene
    status: str  # "ready" | "stale" | "missing" | "working"
    made: Made | None = None

    @property
    def usable(self) -> bool:
        return self.status == "ready"


class Job:
    """Work running in a background thread for one step, and how far it has got (thread-safe)."""

    def __init__(self, step: str, label: str, scenes: Iterable[int] = (), *, per_scene: bool = False) -> None:
        self.step = step
        self.label = label
        self.per_scene = per_scene  # events report each scene's own fraction (rendering), not the total
        self.started = time.monotonic()
        self.finished: float | None = None
        self.fraction = 0.0
        self.message = "Starting…"
        self.scenes: dict[int, float] = dict.fromkeys(scenes, 0.0)
        self.uids: tuple[str, ...] = ()
        self.result: Any = None
        self.error: BaseException | None = None
        self.apply: Callable[[Any], None] = lambda result: None
        self.redact: Callable[[str], str] = lambda text: text  # keeps keys out of the log
        self.stop: Callable[[], None] | None = None  # set when the work can be stopped (a paid job in flight)
        self.stopping = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def report(self, event: ProgressEvent) -> None:
        """Take a progress event from the pipeline (called from worker threads)."""
        with self._lock:
            if event.message:
                self.message = event.message
            if event.scene is not None and event.scene in self.scenes:
                self.scenes[event.scene] = max(self.scenes[event.scene], 1.0 if not self.per_scene
                                               else min(1.0, event.fraction))
            if self.per_scene and self.scenes:
                self.fraction = max(self.fraction, 0.95 * sum(self.scenes.values()) / len(self.scenes))
                if event.scene is None and event.fraction >= 1.0:
                    self.fraction = 1.0
            else:
                self.fraction = max(self.fraction, min(1.0, event.fraction))

    def start(self, work: Callable[[Job], Any]) -> Job:
        """Run ``work(self)`` in a daemon thread; its return value becomes ``result``."""
        def run() -> None:
            try:
                self.result = work(self)
            except BaseException as exc:  # handed to the page, never lost in a thread
                if not isinstance(exc, ViralReelError):
                    _LOGGER.error("studio %s job failed:\n%s", self.step,
                                  self.redact("".join(traceback.format_exception(exc))))
                self.error = exc
            finally:
                self.finished = time.monotonic()

        self._thread = threading.Thread(target=run, name=f"viralreel-{self.step}", daemon=True)
        self._thread.start()
        return self

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def wait(self, timeout: float | None = None) -> Job:
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of the progress for the page to draw."""
        with self._lock:
            return {"label": self.label, "fraction": self.fraction, "message": self.message,
                    "scenes": dict(self.scenes), "elapsed": self.elapsed, "done": self.done}


def caption_preview(style: CaptionStyle, background: str | Path | None = None, width: int = 360,
                    height: int = 640, text: str = "Your captions look like this") -> np.ndarray:
    """An RGB frame showing ``style`` over ``background`` (an image file) or a dark gradient."""
    if background:
        from PIL import Image

        with Image.open(background) as image:
            frame = np.asarray(image.convert("RGB").resize((width, height)), dtype=np.uint8).copy()
    else:
        ramp = np.linspace(30, 90, height, dtype=np.uint8)[:, None]
        frame = np.dstack([np.broadcast_to(ramp // 2, (height, width)), np.broadcast_to(ramp // 3, (height, width)),
                           np.broadcast_to(ramp, (height, width))]).astype(np.uint8)
    words = estimate_word_timings(text, 2.0)
    cues = build_cues(words, style, width, height)
    return burn_captions(frame, (words[1].start + words[1].end) / 2 if len(words) > 1 else 0.1, cues)


class Studio:
    """One person's project in progress: topic, script, voices, clips, renders, and the work running."""

    def __init__(self, base: Settings, cache: AssetCache, config: StudioConfig | None = None,
                 project_id: str | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.base = base.with_(keys=ApiKeys())  # keys live only in ``keys``, set from the edge
        self.cache = cache
        self.config = config or StudioConfig()
        self.keys = base.keys
        self.sleep = sleep  # how retries wait (tests pass a no-op)
        self.id = project_id or new_project_id()
        self.name = ""
        self.form = TopicForm()
        self.draft: Script | None = None
        self.draft_uids: list[str] = []
        self.script: Script | None = None  # the accepted script: what every later step works from
        self.uids: list[str] = []
        self.voices: dict[str, Made] = {}
        self.clips: dict[str, Made] = {}
        self.options: dict[str, Any] = {name: getattr(base, name) for name in OPTION_NAMES}
        self.options["captions"] = base.captions.to_dict()
        if self.config.frame:
            self.options["width"], self.options["height"] = self.config.frame
        self.tally = RunTally()
        self.last_render: dict[str, Any] | None = None
        self.script_attempt = 0
        self.rewrites: dict[str, int] = {}
        self.editor_version = 0  # bumped whenever the draft is replaced, so the table redraws
        self.jobs: dict[str, Job] = {}
        self.errors: dict[str, list[str]] = {}
        self.notices: list[str] = []
        self._voice_list: tuple[Any, list[tuple[str, str]]] = (None, [])

    # -- settings --------------------------------------------------------------------------------
    def settings(self) -> Settings:
        """The settings every action runs with: the edge's, the person's choices, and the keys."""
        opts = {k: v for k, v in self.options.items() if k in OPTION_NAMES}
        return self.base.with_(**opts, captions=CaptionStyle(**self.options.get("captions", {})),
                               tone=self.form.tone.strip(), keys=self.keys)

    def pipeline(self, on_progress: Callable[[ProgressEvent], None] | None = None) -> Pipeline:
        return Pipeline(self.settings(), self.cache, on_progress, self.sleep)

    def provider_names(self) -> dict[str, str]:
        """Per step, the provider actually used (``auto`` resolved)."""
        settings = self.settings()
        chosen = {"script": settings.script_provider, "voice": settings.voice_provider,
                  "clips": settings.clip_provider}
        names = {}
        for step, name in chosen.items():
            try:
                names[step] = providers.resolve_name(step, name, settings)
            except ViralReelError:
                names[step] = name
        return names

    def provider_problem(self, step: str) -> str | None:
        """Why the chosen provider for ``step`` cannot run (e.g. its key is missing), else None."""
        try:
            self.pipeline().provider(step)
        except ViralReelError as exc:
            return self._redact(str(exc))
        return None

    def is_offline(self, step: str) -> bool:
        try:
            return bool(providers.provider_class(step, self.provider_names()[step]).offline)
        except ViralReelError:
            return False

    def voice_choices(self) -> list[tuple[str, str]]:
        """(id, label) of the voices the chosen voice service offers; asked once per session and key.

        Empty when the service has no list (or it could not be fetched: the reason is in ``errors``).
        """
        name = self.provider_names()["voice"]
        if name == "openai":
            return [(v, v.capitalize()) for v in OPENAI_VOICES]
        if name != "elevenlabs" or not self.keys.elevenlabs:
            return []
        remembered = (name, hash(self.keys.elevenlabs))  # the key itself is not kept here
        if self._voice_list[0] != remembered:
            try:
                listed = self.pipeline().provider("voice").voices()  # type: ignore[attr-defined]
            except ViralReelError as exc:
                self.errors["voice"] = [self._redact(f"Could not list the voices: {exc}")]
                listed = []
            labels = [(str(v["voice_id"]), f"{v.get('name') or v['voice_id']}"
                       + (f" · {v['category']}" if v.get("category") else "")) for v in listed]
            self._voice_list = (remembered, labels)
        return list(self._voice_list[1])

    def _secrets(self) -> list[str]:
        return [v for v in (getattr(self.keys, f.name) for f in fields(ApiKeys)) if v]

    def _redact(self, text: str) -> str:
        """``text`` with any key the person gave replaced (a provider's error should never hold one)."""
        for key in self._secrets():
            text = text.replace(key, "•••")
        return text

    # -- jobs ------------------------------------------------------------------------------------
    def busy(self, step: str | None = None) -> bool:
        """Whether work for ``step`` (any step when None) is running."""
        return any(not job.done for s, job in self.jobs.items() if step is None or s == step)

    def _start(self, job: Job, work: Callable[[Job], Any], apply: Callable[[Any], None]) -> Job:
        if self.busy(job.step):
            raise BadInput(f"The {job.step} step is already working.", hint="Wait for it to finish.")
        self.errors.pop(job.step, None)
        job.apply, job.redact = apply, self._redact
        self.jobs[job.step] = job
        return job.start(work)

    def stop(self, step: str) -> bool:
        """Ask the step's running job to stop (paid tasks are cancelled); the scenes already made stay."""
        job = self.jobs.get(step)
        if job is None or job.done or job.stop is None:
            return False
        job.stopping = True
        job.message = "Stopping…"
        job.stop()
        return True

    def poll(self) -> list[str]:
        """Apply the results of finished jobs (call from the page's thread); returns their steps."""
        applied = []
        for step, job in list(self.jobs.items()):
            if not job.done:
                continue
            del self.jobs[step]
            if job.error is not None:
                self.errors.setdefault(step, []).insert(0, self._redact(describe_error(job.error)))
            else:
                try:
                    job.apply(job.result)
                except ViralReelError as exc:
                    self.errors.setdefault(step, []).insert(0, self._redact(describe_error(exc)))
            applied.append(step)
        return applied

    def wait(self, timeout: float | None = None) -> list[str]:
        """Wait for every running job, then apply them (for scripts and tests)."""
        for job in list(self.jobs.values()):
            job.wait(timeout)
        return self.poll()

    def _counted(self, pipeline: Pipeline) -> None:
        self.tally.add(pipeline.tally)

    # -- script ----------------------------------------------------------------------------------
    def start_script(self, new_version: bool = False) -> Job:
        """Write the script for the topic form in the background (``new_version``: another take)."""
        topic = validate_topic(self.form.topic)
        count = self.form.scene_count()
        attempt = self.script_attempt + 1 if new_version else self.script_attempt
        pipeline = self.pipeline()
        job = Job("script", f"Writing a {count}-scene script")
        pipeline.on_progress = job.report
        seed = pipeline.settings.seed + attempt

        def apply(script: Script) -> None:
            self._counted(pipeline)
            self.script_attempt = attempt
            self.set_draft(script, [uuid.uuid4().hex[:8] for _ in script.scenes])

        return self._start(job, lambda j: pipeline.write_script(topic, count, seed=seed), apply)

    def start_rewrite(self, uid: str) -> Job:
        """Rewrite one scene of the draft in the background, keeping the others as they are."""
        if self.draft is None or uid not in self.draft_uids:
            raise BadInput("That scene is not in the script.", hint="Pick a scene from the table.")
        script = self.draft
        number = self.draft_uids.index(uid) + 1
        attempt = self.rewrites.get(uid, 0) + 1
        pipeline = self.pipeline()
        job = Job("script", f"Rewriting scene {number}")
        pipeline.on_progress = job.report

        def apply(scene: Scene) -> None:
            self._counted(pipeline)
            self.rewrites[uid] = attempt
            if self.draft is None or uid not in self.draft_uids:
                return  # the scene was deleted meanwhile
            at = self.draft_uids.index(uid)
            scenes = list(self.draft.scenes)
            scenes[at] = replace(scene, number=at + 1)
            self.set_draft(replace(self.draft, scenes=tuple(scenes)), self.draft_uids)

        return self._start(job, lambda j: pipeline.rewrite_scene(script, number, attempt), apply)

    def set_draft(self, script: Script, uids: Sequence[str]) -> None:
        """Replace the draft (the table redraws)."""
        self.draft = script.renumbered()
        self.draft_uids = list(uids)
        self.editor_version += 1

    def draft_rows(self) -> list[dict[str, Any]]:
        """The draft as table rows: scene number, visuals, narration, estimated seconds and words, uid."""
        if self.draft is None:
            return []
        return [{"scene": s.number, "visuals": s.visuals, "narration": s.narration,
                 "seconds": estimate_seconds(s.narration) if s.narration.strip() else 0.0,
                 "words": len(s.narration.split()), "uid": uid}
                for s, uid in zip(self.draft.scenes, self.draft_uids, strict=True)]

    def edit_draft(self, rows: Iterable[Mapping[str, Any]]) -> bool:
        """Take the table as edited (rows added, deleted, renumbered to reorder); True if the draft changed.

        A row whose scene number was changed moves to that place; new rows go last.
        """
        if self.draft is None:
            self.draft, self.draft_uids = Script(self.form.topic, "", ()), []
        old_numbers = dict(zip(self.draft_uids, range(1, len(self.draft_uids) + 1), strict=True))
        entries = []
        for pos, row in enumerate(rows):
            if not _text(row.get("uid")) and not _text(row.get("visuals")) and not _text(row.get("narration")):
                # a row just added and not filled in yet: not a scene until it has some text. Taking it
                # now would redraw the table under the person's cursor and lose what they type next.
                continue
            uid = _text(row.get("uid")) or uuid.uuid4().hex[:8]
            number = _number(row.get("scene"))
            moved = number is not None and old_numbers.get(uid) not in (None, number)
            place = number if number is not None else (old_numbers.get(uid) or MAX_SCENES + pos + 1)
            entries.append(((place, 0 if moved else 1, pos), uid, _text(row.get("visuals")),
                            _text(row.get("narration"))))
        entries.sort(key=lambda e: e[0])
        scenes = tuple(Scene(i, visuals, narration) for i, (_, _, visuals, narration) in enumerate(entries, 1))
        uids = [uid for _, uid, _, _ in entries]
        if scenes == self.draft.scenes and uids == self.draft_uids:
            return False
        self.set_draft(replace(self.draft, scenes=scenes), uids)
        return True

    def script_problems(self) -> list[str]:
        """What keeps the draft from being accepted (empty when it can be)."""
        if self.draft is None or not self.draft.scenes:
            return ["There is no script yet: write one from the topic, or add scenes to the table."]
        problems = []
        if len(self.draft.scenes) > MAX_SCENES:
            problems.append(f"The script has {len(self.draft.scenes)} scenes; the limit is {MAX_SCENES}.")
        for scene in self.draft.scenes:
            missing = [what for what, text in (("visuals", scene.visuals), ("narration", scene.narration))
                       if not text.strip()]
            if missing:
                problems.append(f"Scene {scene.number} has no {' and no '.join(missing)}.")
        return problems

    @property
    def draft_pending(self) -> bool:
        """Whether the draft differs from the accepted script."""
        if self.draft is None:
            return False
        return self.script is None or self.draft.scenes != self.script.scenes or self.draft_uids != self.uids

    def accept_script(self) -> None:
        """Make the draft the script the later steps work from; BadInput listing what is wrong."""
        problems = self.script_problems()
        if problems:
            raise BadInput(" ".join(problems), hint="Fix the table, then accept the script.")
        assert self.draft is not None
        self.script = self.draft
        self.uids = list(self.draft_uids)
        # assets of deleted scenes are forgotten; the cache still has them should the scene come back
        self.voices = {u: m for u, m in self.voices.items() if u in self.uids}
        self.clips = {u: m for u, m in self.clips.items() if u in self.uids}

    def scenes(self) -> list[tuple[str, Scene]]:
        """The accepted script's scenes with their ids."""
        if self.script is None:
            return []
        return list(zip(self.uids, self.script.scenes, strict=True))

    # -- voices and clips ------------------------------------------------------------------------
    def states(self, step: str) -> list[SceneState]:
        """Each accepted scene's voice (``step="voice"``) or clip (``"clips"``): ready, stale, missing, working."""
        made_by_uid = self.voices if step == "voice" else self.clips
        job = self.jobs.get(step)
        working = set(job.uids) if job is not None and not job.done else set()
        try:
            pipeline = self.pipeline()
            pipeline.provider(step)
        except ViralReelError:
            pipeline = None  # the provider cannot run (no key): nothing made with it can be checked
        states = []
        for uid, scene in self.scenes():
            made = made_by_uid.get(uid)
            if uid in working:
                status = "working"
            elif made is None or not made.exists():
                status = "missing"
            elif made.uploaded:
                status = "ready"
            elif pipeline is None:
                status = "stale"
            else:
                key = (pipeline.voice_key(scene, made.take) if step == "voice"
                       else pipeline.clip_key(scene, made.seconds, made.take))
                status = "ready" if key == made.key else "stale"
            states.append(SceneState(uid, scene, status, made))
        return states

    def needs(self, step: str) -> list[str]:
        """Ids of the scenes whose voice / clip must be made (stale or missing)."""
        return [s.uid for s in self.states(step) if s.status in ("stale", "missing")]

    def estimate_cost(self, step: str, uids: Iterable[str]) -> float:
        """Dollars making ``step`` for these scenes would cost (0 for offline providers)."""
        wanted = set(uids)
        return self.pipeline().estimate_cost(step, [s for u, s in self.scenes() if u in wanted])

    def start_voices(self, uids: Iterable[str] | None = None, fresh: bool = False) -> Job:
        """Make the voices of ``uids`` (default: every scene that needs one); ``fresh``: a new take."""
        return self._start_media("voice", uids, fresh)

    def start_clips(self, uids: Iterable[str] | None = None, fresh: bool = False) -> Job:
        """Make the clips of ``uids`` (default: every scene that needs one); ``fresh``: a new take."""
        return self._start_media("clips", uids, fresh)

    def _start_media(self, step: str, uids: Iterable[str] | None, fresh: bool) -> Job:
        if self.script is None:
            raise BadInput("Accept the script first.", hint="Go to the Script step.")
        wanted = self.needs(step) if uids is None else list(uids)
        chosen = [(u, s) for u, s in self.scenes() if u in wanted]
        if not chosen:
            raise BadInput(f"Every scene's {'voice' if step == 'voice' else 'clip'} is ready already.")
        made_by_uid = self.voices if step == "voice" else self.clips
        pipeline = self.pipeline()
        pipeline.provider(step)  # fail here, on the page, if the provider cannot run
        takes, uid_of = {}, {}
        for uid, scene in chosen:
            uid_of[scene.number] = uid
            made = made_by_uid.get(uid)
            if fresh and made is not None and not made.uploaded:
                takes[scene.number] = made.take + 1
        sub = replace(self.script, scenes=tuple(s for _, s in chosen))
        noun = "voice" if step == "voice" else "clip"
        job = Job(step, f"Making the {noun} of {len(chosen)} scene{'s' * (len(chosen) > 1)}",
                  [s.number for _, s in chosen])
        job.uids = tuple(uid_of.values())
        pipeline.on_progress = job.report
        if pipeline.can_abort(step):
            job.stop = pipeline.abort

        def work(job: Job):
            voices, clips, skipped = pipeline.make_media(sub, voices=step == "voice", clips=step == "clips",
                                                         takes=takes)
            made: dict[str, Made] = {}
            for scene in sub.scenes:
                take = takes.get(scene.number, 0)
                if scene.number in voices:
                    made[uid_of[scene.number]] = Made(pipeline.voice_key(scene, take), voices[scene.number], take)
                elif scene.number in clips:
                    seconds = pipeline.clip_seconds(scene)
                    made[uid_of[scene.number]] = Made(pipeline.clip_key(scene, seconds, take), clips[scene.number],
                                                      take, seconds)
            return made, skipped

        def apply(result) -> None:
            made, skipped = result
            self._counted(pipeline)
            made_by_uid.update(made)
            if skipped:
                self.errors[step] = [self._redact(message) for message in _grouped(skipped)]

        return self._start(job, work, apply)

    def use_upload(self, uid: str, filename: str, data: bytes) -> Clip:
        """Use the person's own video file as the scene's clip (validated by probing; BadInput if unusable)."""
        if uid not in self.uids:
            raise BadInput("That scene is not in the accepted script.")
        clip = store_upload(self.cache, filename, data)
        self.clips[uid] = Made(key=f"{UPLOAD_PROVIDER}:{Path(clip.video_path).name}", asset=clip, uploaded=True)
        self.errors.pop("clips", None)
        return clip

    def forget_clip(self, uid: str) -> None:
        """Drop the scene's clip (e.g. an upload), so the provider makes one again."""
        self.clips.pop(uid, None)

    # -- assembly --------------------------------------------------------------------------------
    def render_plan(self) -> tuple[list[tuple[str, Scene]], list[str]]:
        """The scenes that can go in the video, and what keeps the others out."""
        voices = {s.uid: s for s in self.states("voice")}
        clips = {s.uid: s for s in self.states("clips")}
        usable, missing = [], []
        for uid, scene in self.scenes():
            lacks = [("an up-to-date " if state.status == "stale" else "a ") + noun
                     for noun, state in (("voice", voices[uid]), ("clip", clips[uid])) if not state.usable]
            if lacks:
                missing.append(f"Scene {scene.number} needs {' and '.join(lacks)}.")
            else:
                usable.append((uid, scene))
        return usable, missing

    def start_render(self) -> Job:
        """Assemble the usable scenes into a new MP4 in the output folder, in the background."""
        usable, _ = self.render_plan()
        if not usable:
            raise BadInput("No scene has both a voice and a clip yet.",
                           hint="Make them on the Voice and Clips steps first.")
        assert self.script is not None
        script = replace(self.script, scenes=tuple(s for _, s in usable)).renumbered()
        voices = {i: self.voices[u].asset for i, (u, _) in enumerate(usable, 1)}
        clips = {i: self.clips[u].asset for i, (u, _) in enumerate(usable, 1)}
        skipped = [n for n in range(1, len(self.uids) + 1) if self.uids[n - 1] not in dict(usable)]
        pipeline = self.pipeline()
        video_id = uuid.uuid4().hex[:8]
        extra = {"project_id": self.id, "project_name": self.display_name, "title": self.script.title}
        job = Job("assemble", f"Rendering {len(usable)} scenes", range(1, len(usable) + 1), per_scene=True)
        pipeline.on_progress = job.report

        def work(job: Job) -> dict[str, Any]:
            started = time.perf_counter()
            path = pipeline.assemble(script, voices, clips, pipeline.settings.output_dir, video_id)  # type: ignore[arg-type]
            seconds = round(time.perf_counter() - started, 2)
            credits = sorted({c.credit for c in clips.values() if c.credit})  # type: ignore[union-attr]
            result = {"success": True, "video_path": str(path), "video_id": video_id, "scenes_count": len(usable),
                      "message": f"Made {len(usable)} scenes", "skipped_scenes": skipped, "seconds": seconds,
                      "credits": credits, "segments_rendered": pipeline.tally.segments_rendered,
                      "segments_reused": pipeline.tally.segments_reused,
                      "assets_cost_usd": round(sum(a.cost_usd for a in [*voices.values(), *clips.values()]), 6)}
            record = record_render(path, result, **extra)
            return {**result, **_load_json(record)}

        def apply(result: dict[str, Any]) -> None:
            self._counted(pipeline)
            self.last_render = {**result, "session_tally": self.tally.to_dict()}

        return self._start(job, work, apply)

    def renders(self) -> list:
        """This project's finished videos, newest first."""
        return list_renders(self.settings().output_dir, self.id)

    # -- projects --------------------------------------------------------------------------------
    @property
    def display_name(self) -> str:
        if self.name.strip():
            return self.name.strip()
        topic = (self.script or self.draft).topic if (self.script or self.draft) else self.form.topic
        return (topic or "Untitled project")[:60]

    def to_document(self, clips: Mapping[str, Made] | None = None) -> dict[str, Any]:
        """The project as a JSON-ready document: script, public settings and asset references, never keys.

        ``clips``: the clips to record instead of the studio's own (``save`` points uploads at their copies).
        """
        clips = self.clips if clips is None else clips
        script = self.script or self.draft or Script(self.form.topic, "", ())
        numbers = dict(zip(self.uids, range(1, len(self.uids) + 1), strict=True))
        project = Project(id=self.id, script=script,
                          voices={numbers[u]: m.asset for u, m in self.voices.items() if u in numbers},  # type: ignore[misc]
                          clips={numbers[u]: m.asset for u, m in clips.items() if u in numbers},  # type: ignore[misc]
                          settings=self.settings().public_dict())
        return {
            "id": self.id, "name": self.display_name, "topic": self.form.topic, "project": project.to_dict(),
            "studio": {
                "form": asdict(self.form), "options": dict(self.options),
                "draft": self.draft.to_dict() if self.draft else None, "draft_uids": self.draft_uids,
                "script": self.script.to_dict() if self.script else None, "uids": self.uids,
                "voices": {u: m.to_dict() for u, m in self.voices.items()},
                "clips": {u: m.to_dict() for u, m in clips.items()},
                "script_attempt": self.script_attempt, "rewrites": self.rewrites,
                "tally": self.tally.to_dict(), "last_render": self.last_render,
            },
        }

    def save(self, store: ProjectStore) -> Path:
        """Save to ``store``; the person's own clips are copied into the project's folder.

        The saved document points at those copies (nothing could make an upload again), while the open
        project keeps using the cache's file: deleting the saved project never takes a clip from under it.
        """
        clips = dict(self.clips)
        for uid, made in clips.items():
            if made.uploaded:
                kept = store.keep_file(self.id, made.asset.video_path, f"upload_{made.key.split(':')[-1]}")  # type: ignore[union-attr]
                clips[uid] = replace(made, asset=replace(made.asset, video_path=str(kept)))
        return store.save(self.to_document(clips), secrets=self._secrets())

    def open(self, document: Mapping[str, Any]) -> None:
        """Replace this studio's project with a saved one; assets the cache has lost are listed in ``notices``."""
        studio = document.get("studio") or {}
        self.id = str(document["id"])
        self.name = str(document.get("name") or "")
        form = {f.name: studio.get("form", {}).get(f.name) for f in fields(TopicForm)
                if f.name in studio.get("form", {})}
        self.form = TopicForm(**form)
        self.options.update({k: v for k, v in (studio.get("options") or {}).items()
                             if k in OPTION_NAMES or k == "captions"})
        self.draft = Script.from_dict(studio["draft"]) if studio.get("draft") else None
        self.draft_uids = list(studio.get("draft_uids") or [])
        self.script = Script.from_dict(studio["script"]) if studio.get("script") else None
        self.uids = list(studio.get("uids") or [])
        self.voices = {u: Made.from_dict(m, VoiceTrack) for u, m in (studio.get("voices") or {}).items()}
        self.clips = {u: Made.from_dict(m, Clip) for u, m in (studio.get("clips") or {}).items()}
        self.script_attempt = int(studio.get("script_attempt", 0))
        self.rewrites = dict(studio.get("rewrites") or {})
        self.last_render = studio.get("last_render")
        self.tally = RunTally()
        saved = studio.get("tally") or {}
        self.tally.hits, self.tally.misses = int(saved.get("hits", 0)), int(saved.get("misses", 0))
        self.tally.spent_usd, self.tally.saved_usd = float(saved.get("spent_usd", 0)), float(saved.get("saved_usd", 0))
        self.jobs, self.errors, self.notices = {}, {}, []
        self.editor_version += 1
        self._reconnect_assets()

    def _reconnect_assets(self) -> None:
        """Point assets at their cache files again; forget the ones the cache evicted (made again later)."""
        lost = []
        for noun, made_by_uid in (("voice", self.voices), ("clip", self.clips)):
            for uid, made in list(made_by_uid.items()):
                if made.exists() and made.uploaded:
                    made_by_uid[uid] = self._upload_from_cache(made)
                    continue
                if made.exists():
                    continue
                found = None if made.uploaded else self.cache.get(made.key)
                if found is not None and found.files:
                    path = str(next(iter(found.files.values())))
                    asset = (replace(made.asset, audio_path=path) if isinstance(made.asset, VoiceTrack)
                             else replace(made.asset, video_path=path))
                    made_by_uid[uid] = replace(made, asset=asset)
                else:
                    del made_by_uid[uid]
                    number = self.uids.index(uid) + 1 if uid in self.uids else "?"
                    lost.append(f"scene {number}'s {noun}")
        if lost:
            self.notices.append(f"The cache no longer has {', '.join(lost)}: "
                                f"{'it' if len(lost) == 1 else 'they'} will be made again on "
                                f"{'its' if len(lost) == 1 else 'their'} step.")


    def _upload_from_cache(self, made: Made) -> Made:
        """An uploaded clip kept in a project's folder, used from the cache again (stored there if it must
        be), so deleting the saved project leaves the open one whole."""
        path = Path(made.asset.video_path)  # type: ignore[union-attr]
        # the cache names its files by content (``.val``); the suffix only names the probed file
        name = path.name if path.suffix.lower().lstrip(".") in UPLOAD_TYPES else f"{path.stem}.mp4"
        try:
            clip = store_upload(self.cache, name, path.read_bytes())
        except (ViralReelError, OSError) as exc:
            _LOGGER.warning("kept using %s: %s", path, exc)
            return made
        return replace(made, asset=replace(made.asset, video_path=clip.video_path))


def _grouped(skipped: Iterable[Mapping[str, Any]]) -> list[str]:
    """One message per reason ("Scenes 1, 2 and 4: …"), not the same sentence once for every scene."""
    by_reason: dict[str, list[int]] = {}
    for item in skipped:
        by_reason.setdefault(str(item["reason"]), []).append(int(item["scene"]))
    messages = []
    for reason, numbers in by_reason.items():
        numbers = sorted(set(numbers))
        which = (f"Scene {numbers[0]}" if len(numbers) == 1
                 else f"Scenes {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}")
        messages.append(f"{which}: {reason}")
    return messages


def _text(value: Any) -> str:
    """A table cell as clean text (empty for missing values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) else None


def _load_json(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))

