"""The pipeline: topic → script → (voice ∥ clips, every scene at once) → assembled MP4.

Every provider call goes through the asset cache. Failure policy (DESIGN.md; the retries are the one
policy of ``providers/retry.py``, at most 3 requests per script or voice scene):
script — retried, then a clear error; voice — retried per scene, a scene whose voice still fails is
skipped and reported; clips — never retried automatically (expensive), the failed scene is skipped and
reported, the others are kept; assembly — a clear error, no half-written output. A disk that fills up
or turns read-only (``disk.py``) ends the run with one line naming the folder; scenes not started are not
started, and what was made stays in the cache. Money is counted as each service answers, kept or not. An
account-level failure (a rejected key, no credit) from any service stops the run's new paid work at once
(``paid_work``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from viralreel_core import providers
from viralreel_core.cache.store import AssetCache, cache_key
from viralreel_core.config import Settings, check_frame_size
from viralreel_core.errors import (
    AssemblyError,
    BadConfiguration,
    BadInput,
    DiskFault,
    ProviderError,
    Stopped,
    ViralReelError,
)
from viralreel_core.limits import MAX_SCENES, MAX_TOPIC_CHARS, MIN_SCENES, scene_role
from viralreel_core.media import disk, resources
from viralreel_core.media.music import check_music, loudness
from viralreel_core.models import Clip, ProgressEvent, RenderResult, Scene, Script, VoiceTrack
from viralreel_core.post.kit import PostKit, PostTexts
from viralreel_core.providers.base import ClipMaker, Provider, ScriptRequest, ScriptWriter, Voice
from viralreel_core.providers.http import retry
from viralreel_core.render.assembler import Assembler, SceneMedia, sweep_partials
from viralreel_core.render.early import EarlyRenders
from viralreel_core.render.fonts import coverage_problem
from viralreel_core.run.checks import check_space, space_needed
from viralreel_core.run.paid_work import PaidWorkHalt
from viralreel_core.run.post_kit import make_post_kit
from viralreel_core.text.clean import clean_text, reject_nul
from viralreel_core.text.languages import LANGUAGES, resolve_language
from viralreel_core.text.placeholders import draft_warning
from viralreel_core.text.timing import estimate_seconds

__all__ = ["Pipeline", "RunTally", "validate_topic"]

_LOGGER = logging.getLogger(__name__)
MIN_CLIP_SECONDS, MAX_CLIP_SECONDS = 4, 10
REWRITE_SEED_STEP = 1000
REWRITE_TRIES = 3


def validate_topic(topic: str) -> str:
    """The topic, trimmed and without control characters; BadInput if empty, over 500 characters or with a NUL."""
    cleaned = " ".join(clean_text(reject_nul(topic or "", "The topic")).split())
    if not cleaned:
        raise BadInput("The topic is empty.", hint="Type what the video should be about, e.g. 'The future of AI'.")
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise BadInput(f"The topic is {len(cleaned)} characters long; the limit is {MAX_TOPIC_CHARS}.",
                       hint="Shorten it to a sentence or two.")
    return cleaned


def _described(exc: BaseException) -> str:
    """An unexpected exception in a few words, for one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


def _take_loudness(track: VoiceTrack) -> float | None:
    """The take's integrated loudness, measured once as it is made, so that no render measures it again."""
    try:
        return loudness(Path(track.audio_path)).lufs
    except AssemblyError as exc:  # the render measures it again, and names the scene if it cannot
        _LOGGER.warning("The loudness of a new voice could not be measured: %s", exc)
        return None


def _with_take(text: str, take: int) -> Any:
    """A cache input for a fresh take: take 0 is the plain text, so existing entries keep their keys."""
    return {"text": text, "take": take} if take else text


@dataclass
class RunTally:
    """What one run asked of the cache and what it spent; safe to update from several threads."""

    hits: int = 0
    misses: int = 0
    spent_usd: float = 0.0
    saved_usd: float = 0.0
    provider_calls: dict[str, int] = field(default_factory=dict)
    segments_rendered: int = 0
    segments_reused: int = 0
    spent_by_scene: dict[int, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, step: str, hit: bool, cost: float, scene: int | None = None) -> None:
        with self._lock:
            if hit:
                self.hits += 1
                self.saved_usd += cost
            else:
                self.misses += 1
                self._spend(step, cost, scene)

    def count_failed(self, step: str, exc: BaseException, scene: int | None = None) -> None:
        """A call that failed after the service charged for it (``exc.spent_usd``): the money still counts."""
        spent = float(getattr(exc, "spent_usd", 0.0) or 0.0)
        if spent > 0:
            with self._lock:
                self._spend(step, spent, scene)

    def _spend(self, step: str, cost: float, scene: int | None) -> None:
        self.spent_usd += cost
        self.provider_calls[step] = self.provider_calls.get(step, 0) + 1
        if scene is not None:
            self.spent_by_scene[scene] = self.spent_by_scene.get(scene, 0.0) + cost

    def add(self, other: RunTally) -> None:
        """Add another tally's counts to this one (e.g. one studio action's into the session's)."""
        with self._lock:
            self.hits += other.hits
            self.misses += other.misses
            self.spent_usd += other.spent_usd
            self.saved_usd += other.saved_usd
            for step, calls in other.provider_calls.items():
                self.provider_calls[step] = self.provider_calls.get(step, 0) + calls
            self.segments_rendered += other.segments_rendered
            self.segments_reused += other.segments_reused
            for scene, spent in other.spent_by_scene.items():
                self.spent_by_scene[scene] = self.spent_by_scene.get(scene, 0.0) + spent

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunTally:
        """A tally saved with ``to_dict`` (missing counts are zero)."""
        return cls(hits=int(data.get("hits", 0)), misses=int(data.get("misses", 0)),
                   spent_usd=float(data.get("spent_usd", 0.0)), saved_usd=float(data.get("saved_usd", 0.0)),
                   provider_calls={str(k): int(v) for k, v in (data.get("provider_calls") or {}).items()},
                   segments_rendered=int(data.get("segments_rendered", 0)),
                   segments_reused=int(data.get("segments_reused", 0)))

    def to_dict(self) -> dict[str, Any]:
        return {"hits": self.hits, "misses": self.misses, "spent_usd": round(self.spent_usd, 6),
                "saved_usd": round(self.saved_usd, 6), "provider_calls": dict(self.provider_calls),
                "segments_rendered": self.segments_rendered, "segments_reused": self.segments_reused}


class _VoicePhase:
    """While offline voices are being made: one CPU slot is theirs and the model is loaded; ``close``
    (once the last voice is done, or on leaving) gives the slot back and unloads the model, so clips
    after the voices run without ~300 MB of model beside them."""

    def __init__(self, pipeline: Pipeline, offline: bool) -> None:
        self._pipeline = pipeline
        self._held = offline and pipeline._local_slots.acquire()

    @property
    def held(self) -> bool:
        return bool(self._held)

    def close(self) -> None:
        if self._held:
            self._held = False
            self._pipeline._release("voice")
            self._pipeline._local_slots.release()

    def __enter__(self) -> _VoicePhase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Pipeline:
    """Runs the steps for one settings object; the pages and the CLI both drive it."""

    def __init__(self, settings: Settings, cache: AssetCache | None = None,
                 on_progress: Callable[[ProgressEvent], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.cache = cache or AssetCache(settings.cache_dir, settings.cache_size_limit)
        self.on_progress = on_progress or (lambda event: None)
        self.tally = RunTally()
        self.warnings: list[str] = []  # this run's lines for the person (the cache's own: ``cache.warnings``)
        self._sleep = sleep
        self._providers: dict[str, Provider] = {}
        self._providers_lock = threading.Lock()
        self._stopped = threading.Event()
        self._fault: DiskFault | None = None  # a full or read-only disk met this run: no further scene starts
        self._space: dict[Path, float | None] = {}  # folder -> megabytes this run needs there (check_before_spending)
        self._halt = PaidWorkHalt(self._stop_paid_work)  # an account-level failure stops new paid work
        # offline makers run on this machine's CPUs and memory: no more at once than those allow, and
        # offline voices one at a time (the model serializes them anyway: a second would only hold a slot)
        self._local_slots = threading.BoundedSemaphore(resources.local_jobs())
        self._offline_voice = threading.Lock()

    # -- providers -------------------------------------------------------------------------------
    def provider(self, step: str) -> Provider:
        """The provider this pipeline uses for ``step`` (created once)."""
        with self._providers_lock:
            if step not in self._providers:
                made = providers.create(step, self.settings)
                if isinstance(made, ClipMaker):
                    made.use_cache(self.cache)  # e.g. an image maker keeps its paid images there
                self._providers[step] = made
            return self._providers[step]

    def abort(self) -> None:
        """Stop: scenes not started yet are not started, a render stops at its next frame, and every
        provider in use is asked to stop what it is doing (a Runway task is cancelled, not paid for)."""
        self._stopped.set()
        with self._providers_lock:
            in_use = list(self._providers.values())
        for provider in in_use:
            provider.abort()

    def _stop_paid_work(self) -> None:
        """Nothing paid can be used any more (``paid_work``): every paid provider stops what it is doing
        (Runway cancels its tasks); free work and the assembly of what was made go on."""
        with self._providers_lock:
            in_use = [p for p in self._providers.values() if not p.offline]
        for provider in in_use:
            provider.abort()

    @property
    def stopped_because(self) -> str:
        """The account-level failure that stopped this run's paid work ("" while it goes on)."""
        cause = self._halt.cause
        return str(cause) if cause is not None else ""

    def close(self) -> None:
        """Close the providers made so far (their HTTP sessions); a later call makes new ones."""
        with self._providers_lock:
            in_use, self._providers = list(self._providers.values()), {}
        for provider in in_use:
            provider.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _local_slot(self, provider: Provider) -> contextlib.AbstractContextManager:
        """Held while an offline provider works on this machine (see ``resources.local_jobs``).

        Offline voices take turns (the model serializes them anyway); their CPU slot is held for the
        whole voice phase by ``_offline_voice_phase``.
        """
        if not provider.offline:
            return contextlib.nullcontext()
        return self._offline_voice if provider.step == "voice" else self._local_slots

    def _starting_message(self, step: str, scenes: int, text: str = "") -> str:
        """What a step says as it starts: the offline voice names its model loading (about a second)."""
        try:
            provider = self.provider(step)
        except ViralReelError:
            return "Starting…"
        what = "voices" if step == "voice" else "clips"
        if step == "voice" and not provider.warm(text):
            return f"Loading the voice model, then {scenes} {what}…"
        return f"Starting {scenes} {what} with {provider.describe()}…"

    def _offline(self, step: str) -> bool:
        try:
            return self.provider(step).offline
        except ViralReelError:  # e.g. a missing key: the jobs report it
            return False

    def _offline_voice_phase(self, voices: bool) -> _VoicePhase:
        try:
            offline = voices and self.provider("voice").offline
        except ViralReelError:  # e.g. a missing key: the voice jobs report it
            offline = False
        return _VoicePhase(self, offline)

    def release_models(self) -> None:
        """Unload what the providers keep in memory (the offline voice model) and give the memory back.

        Called before assembly and before offline clips, so a full-HD render or clip encoder never has the
        voice model resident beside it, whichever pipeline loaded it (the studio warms it at start).
        """
        with self._providers_lock:
            in_use = list(self._providers)
        for step in in_use:
            self._release(step)
        if providers.release_resident():
            resources.trim_memory()

    def _release(self, step: str) -> None:
        with self._providers_lock:
            provider = self._providers.get(step)
        if provider is not None and provider.release():
            resources.trim_memory()  # only when something big was let go: a full collection costs ~0.1 s

    def key_for(self, provider: Provider, input: Any) -> str:
        """The cache key of ``provider`` making something from ``input`` under these settings."""
        params = {**provider.cache_params(), "provider_version": provider.version}
        return cache_key(provider.step, provider.name, params, input)

    def _check_stopped(self) -> None:
        if self._fault is not None:  # what a scene makes could not be kept: it is not paid for
            raise disk.fault(self._fault.folder, self._fault.kind, self._fault.needed_mb)
        if self._stopped.is_set():
            raise Stopped("Stopped before it was made.", hint="Make it again when you want it.")

    def _emit(self, step: str, fraction: float, message: str, scene: int | None = None) -> None:
        self.on_progress(ProgressEvent(step, fraction, message, scene))

    def _warn(self, line: str) -> None:
        """A line the person must see (e.g. a damaged cache entry paid for again): kept for the result, once."""
        if line not in self.warnings:
            self.warnings.append(line)

    def _counting_failures(self, step: str, call: Callable[[], Any], scene: int | None = None) -> Callable[[], Any]:
        """``call``, with the money a failed attempt already cost added to the tally before the error goes on."""
        def attempt() -> Any:
            try:
                return call()
            except Exception as exc:  # a ProviderError, or e.g. an answer that could not be written to a full disk
                self.tally.count_failed(step, exc, scene)
                self.cache.count_spent(float(getattr(exc, "spent_usd", 0.0) or 0.0))  # `cache stats` too
                raise
        return attempt

    # -- script ----------------------------------------------------------------------------------
    def script_request(self, topic: str, scenes: int | None = None, *, seed: int | None = None) -> ScriptRequest:
        """What the writer is asked for ``topic`` under these settings (its language resolved from the topic)."""
        topic = validate_topic(topic)
        request = ScriptRequest(topic=topic, scenes=scenes if scenes is not None else self.settings.scenes,
                                tone=self.settings.tone, seed=self.settings.seed if seed is None else seed,
                                language=resolve_language(self.settings.language, topic).code)
        if request.scenes is not None and not MIN_SCENES <= request.scenes <= MAX_SCENES:
            raise BadInput(f"A script has {MIN_SCENES} to {MAX_SCENES} scenes, not {request.scenes}.",
                           hint=f"Pick a number from {MIN_SCENES} to {MAX_SCENES}.")
        return request

    def write_script(self, topic: str, scenes: int | None = None, *, seed: int | None = None) -> Script:
        """The script for ``topic`` (cached); retried once (``retry.SCRIPT_ATTEMPTS``), then a ProviderError.

        ``seed`` (default: the settings' seed) asks the writer for another version of the same request.
        """
        request = self.script_request(topic, scenes, seed=seed)
        writer: ScriptWriter = self.provider("script")  # type: ignore[assignment]
        self._emit("script", 0.0, f"Writing the script with {writer.describe()}")

        def make(work_dir: Path):
            self._halt.check("script")
            with self._halt.working("script"):
                script = self._retrying(self._counting_failures("script", lambda: writer.write(request)),
                                        retry.SCRIPT_ATTEMPTS)
            cost = writer.estimate_cost(request)
            self.tally.count("script", False, cost)  # counted as it is paid: a cache that cannot keep it loses none
            return script.to_dict(), {}, cost

        asset, hit = self.cache.get_or_make(self.key_for(writer, request.to_dict()), "script", make,
                                            label="script", notify=self._warn)
        if hit:
            self.tally.count("script", True, asset.cost_usd)
        self._emit("script", 1.0, "Script ready" + (" (from cache)" if hit else ""))
        if writer.languages is not None and request.language not in writer.languages:
            written = " or ".join(LANGUAGES[c].name for c in writer.languages)
            self._warn(f"{writer.display_name()} writes {written} only, not {LANGUAGES[request.language].name}: "
                       f"write the narration in {LANGUAGES[request.language].name} on the Script page (the voice and "
                       "captions follow it), or use the OpenAI writer.")
        script = Script.from_dict(asset.meta).renumbered()
        if (draft := draft_warning(sc.narration for sc in script.scenes)) is not None:  # e.g. the offline writer's
            self._warn(draft)
        # a writer's text may carry control characters (a NUL, a terminal escape): never passed on
        return replace(script, scenes=tuple(replace(sc, visuals=clean_text(sc.visuals),
                                                    narration=clean_text(sc.narration)) for sc in script.scenes))

    def rewrite_scene(self, script: Script, number: int, attempt: int = 1) -> Scene:
        """Another version of one scene, in the same role (hook, body or call to action) as the one it replaces.

        The new scene comes from a script written with another seed: the hook from its first scene, the
        call to action from its last, a body scene from its middle ones (a draft longer than a writer's
        script cycles through them, each lap with its own seed). The writer sees the whole topic.
        """
        index = next((i for i, s in enumerate(script.scenes) if s.number == number), None)
        if index is None:
            raise BadInput(f"The script has no scene {number}.")
        count = min(MAX_SCENES, max(MIN_SCENES, len(script.scenes)))
        role = scene_role(index, len(script.scenes))
        lap, place = 0, 0 if role == "hook" else count - 1
        if role == "body":
            lap, offset = divmod(index - 1, count - 2)
            place = 1 + offset
        current = script.scenes[index]
        scene = current
        for extra in range(REWRITE_TRIES):  # rewrites use seeds whole-script versions (seed + n) never reach
            seed = self.settings.seed + REWRITE_SEED_STEP * (max(1, attempt) + extra) + lap
            other = self.write_script(script.topic, count, seed=seed)
            scene = other.scenes[min(place, len(other.scenes) - 1)]
            if (scene.visuals, scene.narration) != (current.visuals, current.narration):
                break
        return replace(scene, number=number)

    def _retrying(self, call: Callable[[], Any], attempts: int) -> Any:
        return retry.retrying(self._sleep, attempts=attempts)(call)

    # -- voice -----------------------------------------------------------------------------------
    def voice_key(self, scene: Scene, take: int = 0) -> str:
        """The cache key of the scene's voice under these settings (a changed narration gives a new key)."""
        return self.key_for(self.provider("voice"), _with_take(scene.narration, take))

    def voice_for(self, scene: Scene, take: int = 0) -> VoiceTrack:
        """The scene's narration spoken (cached); retried on transient failures.

        ``take`` > 0 asks for a fresh recording of the same text, cached under its own key.
        """
        scene = self._checked_scene(scene)
        if not scene.narration.strip():
            raise BadInput(f"Scene {scene.number} has no narration.", hint="Write what the voice should say.")
        self._check_stopped()
        voice: Voice = self.provider("voice")  # type: ignore[assignment]

        def make(work_dir: Path):
            self._halt.check("voice", scene.number)
            speak = self._counting_failures("voice", lambda: voice.speak(scene.narration, work_dir), scene.number)
            with self._halt.working("voice", scene.number), self._local_slot(voice):
                track = self._retrying(speak, retry.ATTEMPTS)
            self.tally.count("voice", False, track.cost_usd, scene.number)
            track = replace(track, loudness=_take_loudness(track))
            return track.to_dict(), {"audio": track.audio_path}, track.cost_usd

        asset, hit = self.cache.get_or_make(self.voice_key(scene, take), "voice", make,
                                            label=f"voice of scene {scene.number}", notify=self._warn)
        if hit:
            self.tally.count("voice", True, asset.cost_usd, scene.number)
        self._halt.made("voice", scene.number)
        return VoiceTrack.from_dict({**asset.meta, "audio_path": str(asset.files["audio"])})

    # -- clips -----------------------------------------------------------------------------------
    def clip_seconds(self, scene: Scene) -> float:
        """How long a clip to ask for: the narration's estimated length rounded up to an even 4–10 s.

        Rounding to a few lengths keeps a small narration edit from paying for a new clip; the assembler
        slows or loops a clip that ends up shorter than its voice.
        """
        estimate = estimate_seconds(scene.narration)
        return float(min(MAX_CLIP_SECONDS, max(MIN_CLIP_SECONDS, 2 * math.ceil(estimate / 2))))

    def clip_key(self, scene: Scene, seconds: float | None = None, take: int = 0) -> str:
        """The cache key of the scene's clip under these settings (changed visuals give a new key; so does
        a changed narration, for a maker that draws it)."""
        seconds = seconds or self.clip_seconds(scene)
        maker: ClipMaker = self.provider("clips")  # type: ignore[assignment]
        return self.key_for(maker, {"visuals": scene.visuals, "seconds": seconds,
                                    **({"narration": scene.narration} if maker.uses_narration else {}),
                                    **({"take": take} if take else {})})

    def clip_for(self, scene: Scene, seconds: float | None = None, take: int = 0) -> Clip:
        """The scene's clip (cached); never retried automatically. ``take`` > 0: a fresh clip, cached apart."""
        self._check_stopped()
        maker: ClipMaker = self.provider("clips")  # type: ignore[assignment]
        scene = self._checked_scene(scene)
        seconds = seconds or self.clip_seconds(scene)
        key = self.clip_key(scene, seconds, take)

        def make(work_dir: Path):
            def call() -> Clip:
                if maker.uses_narration:  # e.g. the offline maker sets the narration's key words on screen
                    return maker.make(scene.visuals, seconds, work_dir, narration=scene.narration)  # type: ignore[call-arg]
                return maker.make(scene.visuals, seconds, work_dir)

            self._halt.check("clips", scene.number)
            with self._halt.working("clips", scene.number), self._local_slot(maker):
                clip = self._counting_failures("clips", call, scene.number)()
            self.tally.count("clips", False, clip.cost_usd, scene.number)
            return clip.to_dict(), {"video": clip.video_path}, clip.cost_usd

        asset, hit = self.cache.get_or_make(key, "clips", make, label=f"clip of scene {scene.number}",
                                            notify=self._warn)
        if hit:
            self.tally.count("clips", True, asset.cost_usd, scene.number)
        self._halt.made("clips", scene.number)
        return Clip.from_dict({**asset.meta, "video_path": str(asset.files["video"])})

    @staticmethod
    def _checked_scene(scene: Scene) -> Scene:
        """The scene with control characters removed; BadInput if its text holds a NUL (nothing spent)."""
        reject_nul(scene.narration, f"Scene {scene.number}'s narration")
        reject_nul(scene.visuals, f"Scene {scene.number}'s visuals")
        return replace(scene, narration=clean_text(scene.narration), visuals=clean_text(scene.visuals))

    # -- voice and clips for every scene at once -------------------------------------------------
    def make_media(self, script: Script, *, voices: bool = True, clips: bool = True,
                   takes: Mapping[int, int] | None = None,
                   on_scene_ready: Callable[[int, str, VoiceTrack, Clip], None] | None = None,
                   on_voices_ready: Callable[[list[VoiceTrack]], None] | None = None
                   ) -> tuple[dict[int, VoiceTrack], dict[int, Clip], list[dict[str, Any]]]:
        """Voices and clips for all scenes in parallel; returns what worked and what was skipped.

        ``takes`` maps a scene number to the take wanted for it (0, the cached one, when absent).
        ``on_scene_ready(number, narration, voice, clip)`` is called as each scene has both (once an
        offline voice model is unloaded), e.g. to render its segment while other clips are still coming;
        ``on_voices_ready(voices)``, once, with every scene's voice in order when all of them worked.
        """
        ready: list[int] = []
        voices_told = False
        takes = takes or {}
        self._fault = None
        for scene in script.scenes:  # bad text anywhere stops the run before any scene is paid for
            self._checked_scene(scene)
        jobs: dict[tuple[str, int], Future] = {}
        per_step = len(script.scenes)
        done = {"voice": 0, "clips": 0}
        made_voices: dict[int, VoiceTrack] = {}
        made_clips: dict[int, Clip] = {}
        skipped: list[dict[str, Any]] = []
        if clips and not voices and self._offline("clips") and providers.release_resident():
            resources.trim_memory()  # a voice model left loaded (warmed, or another job's) never sits beside them
        for step, wanted in (("voice", voices), ("clips", clips)):  # the first progress at once, not after a scene
            if wanted:
                first = script.scenes[0].narration if script.scenes else ""
                self._emit(step, 0.0, self._starting_message(step, per_step, first))
        voice_phase = self._offline_voice_phase(voices)
        with voice_phase, ThreadPoolExecutor(max_workers=max(1, self.settings.workers)) as pool:
            for step, wanted in self._job_order(voices, clips):
                for scene in script.scenes if wanted else ():
                    take = takes.get(scene.number, 0)
                    job = (self.voice_for, scene, take) if step == "voice" else (self.clip_for, scene, None, take)
                    jobs[(step, scene.number)] = pool.submit(*job)
            job_of = {future: job for job, future in jobs.items()}
            try:
                for future in as_completed(job_of):
                    step, number = job_of[future]
                    done[step] += 1
                    if step == "voice" and done["voice"] == per_step:
                        voice_phase.close()  # clips may still run: without the voice model beside them
                    try:
                        result = future.result()
                    except Exception as exc:  # one scene's failure never loses the scenes that worked
                        self._halt.failed(step, exc)  # e.g. a missing key, found before any call
                        if (fault := self.disk_fault(exc)) is not None:
                            exc = self._fault = self._fault or fault
                        elif not isinstance(exc, ViralReelError):
                            _LOGGER.info("scene %s %s failed unexpectedly", number, step, exc_info=exc)
                            exc = ProviderError(f"Scene {number}'s {step} failed unexpectedly ({_described(exc)}).",
                                                hint="Try this scene again; if it keeps failing, see the log.")
                        skipped.append({"scene": number, "step": step, "reason": str(exc)})
                        self._emit(step, done[step] / per_step, f"Scene {number} failed: {exc}", number)
                    else:
                        (made_voices if step == "voice" else made_clips)[number] = result
                        self._emit(step, done[step] / per_step, f"Scene {number} ready", number)
                        if on_scene_ready and number in made_voices and number in made_clips:
                            ready.append(number)
                    if voice_phase.held:
                        continue
                    if on_voices_ready and not voices_told and len(made_voices) == per_step:
                        voices_told = True
                        on_voices_ready([made_voices[sc.number] for sc in script.scenes])
                    if ready:
                        narrations = {sc.number: sc.narration for sc in script.scenes}
                        for n in ready:
                            on_scene_ready(n, narrations[n], made_voices[n], made_clips[n])
                        ready.clear()
            except BaseException:  # Ctrl-C or a stopped page: stop the providers rather than wait them out
                self.abort()
                raise
        skipped.sort(key=lambda s: (s["scene"], s["step"]))
        return made_voices, made_clips, skipped

    def _job_order(self, voices: bool, clips: bool) -> list[tuple[str, bool]]:
        """Which step's jobs go into the pool first.

        Clips from a service first: they are the slowest chain (Runway: tens of seconds each), and one
        queued behind the voices would start that much later. Otherwise every voice before any clip: an
        offline clip may wait for the voice phase's CPU slot, and it must never hold the last pool thread
        a voice needs to finish that phase.
        """
        try:
            remote_clips = clips and not self.provider("clips").offline
        except ViralReelError:  # e.g. a missing key: the clip jobs report it
            remote_clips = False
        order = [("voice", voices), ("clips", clips)]
        return order[::-1] if remote_clips else order

    def estimate_cost(self, step: str, scenes: Iterable[Scene]) -> float:
        """Dollars making ``step`` ("voice" or "clips") for ``scenes`` is expected to cost, cache aside."""
        if step == "voice":
            voice: Voice = self.provider(step)  # type: ignore[assignment]
            return sum(voice.estimate_cost(s.narration) for s in scenes)
        if step == "clips":
            maker: ClipMaker = self.provider(step)  # type: ignore[assignment]
            return sum(maker.estimate_cost(self.clip_seconds(s)) for s in scenes)
        raise BadInput(f"No cost estimate for step {step!r}.", hint="Use 'voice' or 'clips'.")

    # -- assembly --------------------------------------------------------------------------------
    def scene_media(self, script: Script, voices: dict[int, VoiceTrack], clips: dict[int, Clip]
                    ) -> list[SceneMedia]:
        """The scenes that have both a voice and a clip, in order: the first under the title card, the others
        arriving with the transition (no fade to black: a short video loops, and a scene's segment stays
        the same whichever scene ends the video)."""
        usable = [s for s in script.scenes if s.number in voices and s.number in clips]
        return [SceneMedia(number=s.number, narration=s.narration, clip=clips[s.number], voice=voices[s.number],
                           fade_in=i > 0, fade_out=False, title=script.title if i == 0 else "")
                for i, s in enumerate(usable)]

    def _render_progress(self, event: ProgressEvent) -> None:
        """Progress of a render; every frame reports, so a stop takes effect at the next one."""
        if self._stopped.is_set():
            raise Stopped("The render was stopped.",
                          hint="The scenes already rendered are kept: render again to finish from there.")
        self.on_progress(event)

    def _early_renders(self, script: Script) -> EarlyRenders | None:
        """Segments rendered while clips are still coming, when clips come from a service (see early_render)."""
        try:
            remote = not self.provider("clips").offline
        except ViralReelError:
            return None
        return EarlyRenders(self.settings, self.cache, script, self._render_progress) if remote else None

    def assemble(self, script: Script, voices: dict[int, VoiceTrack], clips: dict[int, Clip],
                 out_dir: Path | None = None, video_id: str | None = None) -> Path:
        """Assemble the usable scenes into ``outputs/viralreel_{timestamp}_{id}.mp4``."""
        media = self.scene_media(script, voices, clips)
        problem = coverage_problem(" ".join(m.narration for m in media))
        if problem:  # the video is still made (the letters a font has are drawn), and the person is told
            self._warn(problem)
        video_id = video_id or uuid.uuid4().hex[:8]
        stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
        out_path = Path(out_dir or self.settings.output_dir) / f"viralreel_{stamp}_{video_id}.mp4"
        self.release_models()
        assembler = Assembler(self.settings, self.cache, self._render_progress)
        path = assembler.assemble(media, out_path)
        with self.tally._lock:
            self.tally.segments_reused += assembler.segment_hits
            self.tally.segments_rendered += assembler.segment_misses
        return path

    # -- post kit --------------------------------------------------------------------------------
    def write_post(self, script: Script, language: str) -> PostTexts:
        """The post's title, description and hashtags for ``script`` in ``language``, by the script writer
        (cached by content: an unchanged script costs nothing again); retried like a script. An offline
        writer's are read from the script at once: nothing to cache or count."""
        writer: ScriptWriter = self.provider("script")  # type: ignore[assignment]
        if writer.offline:
            return writer.write_post(script, language)[0]

        def make(work_dir: Path):
            write = self._counting_failures("post", lambda: writer.write_post(script, language))
            texts, cost = self._retrying(write, retry.SCRIPT_ATTEMPTS)
            return {**asdict(texts), "hashtags": list(texts.hashtags)}, {}, cost

        asset, hit = self.cache.get_or_make(self.post_key(script, language), "post", make, label="post texts",
                                            notify=self._warn)
        self.tally.count("post", hit, asset.cost_usd)
        return PostTexts(str(asset.meta["title"]), str(asset.meta["description"]), tuple(asset.meta["hashtags"]))

    def post_key(self, script: Script, language: str) -> str:
        """The cache key of ``script``'s post texts in ``language`` by this pipeline's writer."""
        writer: ScriptWriter = self.provider("script")  # type: ignore[assignment]
        params = {**writer.cache_params(), "provider_version": writer.version, "post_version": writer.post_version}
        inputs = {"title": script.title, "topic": script.topic, "language": language,
                  "narrations": [s.narration for s in script.scenes]}
        return cache_key("post", writer.name, params, inputs)

    def make_post_kit(self, script: Script, voices: dict[int, VoiceTrack], clips: dict[int, Clip],
                      video_path: str | Path) -> PostKit:
        """The post kit written beside ``video_path`` (``post_maker``); a part that cannot be made is a warning."""
        kit, problems = make_post_kit(self, script, voices, clips, Path(video_path))
        for line in problems:
            self._warn(line)
        return kit

    # -- all of it -------------------------------------------------------------------------------
    def planned_seconds(self, script: Script | None = None) -> float:
        """How long the video is expected to be: ``script``'s narrations, or before there is one, the scenes
        asked for (else the most a writer writes) at the longest clip each."""
        if script is not None:
            return sum(max(estimate_seconds(s.narration), self.clip_seconds(s)) for s in script.scenes)
        return float((self.settings.scenes or MAX_SCENES) * MAX_CLIP_SECONDS)

    def disk_fault(self, exc: BaseException) -> DiskFault | None:
        """``exc`` as the one-line DiskFault of the cache or output folder (with the space this run needs
        there), or None when it is no disk fault."""
        folders = self._space or {self.cache.directory: None, Path(self.settings.output_dir).absolute(): None}
        return disk.as_fault(exc, folders)

    def check_before_spending(self, out_dir: Path | None = None, script: Script | None = None) -> Path:
        """Every check that can run before money is spent: the frame size, a real write to the output folder,
        and room on the disks for what the run will write (``checks.space_needed``).

        Returns the output folder (absolute); BadConfiguration names what to fix. Partial videos left there
        by killed runs are swept.
        """
        check_frame_size(self.settings.width, self.settings.height)
        check_music(self.settings.music, self.settings.music_volume, self.settings.music_dir)
        folder = Path(out_dir or self.settings.output_dir).expanduser().absolute()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / f".viralreel_probe_{uuid.uuid4().hex[:8]}"
            probe.write_bytes(b"ok")  # a real write: permissions, read-only mounts and full disks all show here
            probe.unlink()
        except OSError as exc:
            raise BadConfiguration(f"Cannot write videos to {folder} ({exc.strerror or exc}).",
                                   hint="Choose a writable output folder (--out).") from exc
        sweep_partials(folder)
        needs = space_needed(self.settings, self.planned_seconds(script))
        self._space = {self.cache.directory: needs["cache"], folder: needs["output"]}
        check_space(self._space)
        return folder

    def make(self, topic: str, out_dir: Path | None = None, script: Script | None = None) -> RenderResult:
        """Topic in, video out. BadInput propagates; other failures come back as an unsuccessful result.

        ``script``: an edited script to use instead of writing one for ``topic``.
        """
        started = time.perf_counter()
        video_id = uuid.uuid4().hex[:8]
        topic = validate_topic(topic)
        out_dir = self.check_before_spending(out_dir, script)
        skipped: list[dict[str, Any]] = []
        try:
            if script is not None and (draft := draft_warning(sc.narration for sc in script.scenes)) is not None:
                self._warn(draft)  # an edited script that still has places for its facts
            script = script or self.write_script(topic)
            early = self._early_renders(script)
            try:
                voices, clips, skipped = self.make_media(script, on_scene_ready=early.submit if early else None,
                                                         on_voices_ready=early.voices_ready if early else None)
            finally:
                if early is not None:
                    early.close(wait=True)
            if self._fault is not None:  # what was made is in the cache; nothing more can be kept
                raise self._fault
            usable = self.scene_media(script, voices, clips)
            if not usable:
                raise ProviderError("No scene has both a voice and a clip, so there is nothing to assemble.",
                                    hint="See skipped_scenes for what failed, fix it, and run again.")
            path = self.assemble(script, voices, clips, out_dir, video_id)
            kit = self.make_post_kit(script, voices, clips, path)
            if early is not None:  # found cached by the assembly, but rendered in this run
                with self.tally._lock:
                    moved = min(early.rendered, self.tally.segments_reused)
                    self.tally.segments_reused -= moved
                    self.tally.segments_rendered += early.rendered
        except BadInput:
            raise
        except Exception as exc:  # every fault ends with a result: what was spent is always reported
            if (fault := self.disk_fault(exc)) is not None:
                exc = fault
            elif not isinstance(exc, ViralReelError):
                _LOGGER.info("the run failed unexpectedly", exc_info=exc)
                exc = ViralReelError(f"The run failed unexpectedly ({_described(exc)}).",
                                     hint="Run it again: what was made is kept in the cache.")
            return self._result(False, None, video_id, 0, str(exc), skipped, started)
        message = f"Made {len(usable)} scenes"
        if skipped:
            message += f"; skipped scene(s) {', '.join(str(s['scene']) for s in skipped)}"
        credits = sorted({c.credit for c in clips.values() if c.credit})
        result = self._result(True, str(path), video_id, len(usable), message, skipped, started, credits)
        result.post_kit = kit.to_dict()
        return result

    def _result(self, success: bool, path: str | None, video_id: str, count: int, message: str,
                skipped: list[dict[str, Any]], started: float, credits: list[str] | None = None
                ) -> RenderResult:
        left_out = {s["scene"] for s in skipped}
        on_skipped = sum(spent for scene, spent in self.tally.spent_by_scene.items() if scene in left_out)
        cost = round(self.tally.spent_usd, 6)
        if self._halt.cause is not None:  # say why paid work stopped, and what it cost until then
            spent = f"${cost:.2f} spent in this run"
            message = f"{message}; paid work stopped ({spent}): {self.stopped_because}" if success \
                else f"Paid work stopped ({spent}): {self.stopped_because}"
        return RenderResult(success=success, video_path=path, video_id=video_id, scenes_count=count,
                            message=message, skipped_scenes=skipped, cache=self.tally.to_dict(),
                            seconds=round(time.perf_counter() - started, 2), cost_usd=cost,
                            credits=credits or [], spent_on_skipped_usd=round(on_skipped, 6),
                            warnings=list(self.warnings), stopped_because=self.stopped_because)
