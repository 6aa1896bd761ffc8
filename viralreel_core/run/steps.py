"""One asset at a time, each through the asset cache: the script, a scene's voice or clip, the post's texts.

Each step counts what it costs as the service answers (``tally``), retries by the one policy
(``providers/retry.py``), stops new paid work after an account-level failure (``paid_work``) and never
starts once the run is stopped or its disk has failed. ``pipeline.Pipeline`` runs them for a whole video.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Self

from viralreel_core import providers
from viralreel_core.cache.store import AssetCache, cache_key
from viralreel_core.config import Settings
from viralreel_core.errors import (
    AssemblyError,
    BadInput,
    DiskFault,
    NoGoodFootage,
    Stopped,
    ViralReelError,
)
from viralreel_core.limits import MAX_SCENES, MIN_SCENES
from viralreel_core.media import disk
from viralreel_core.media.music import loudness
from viralreel_core.models import Clip, ProgressEvent, Scene, Script, VoiceTrack
from viralreel_core.post.kit import PostTexts
from viralreel_core.providers.base import ClipMaker, Provider, ScriptRequest, ScriptWriter, Voice
from viralreel_core.providers.http import retry
from viralreel_core.render.title_card import TITLE_SECONDS
from viralreel_core.run.checks import validate_topic
from viralreel_core.run.clip_order import fallback_order
from viralreel_core.run.paid_work import PaidWorkHalt
from viralreel_core.run.providers_in_use import ProvidersInUse
from viralreel_core.run.rewrite import REWRITE_TRIES, rewrite_place, rewrite_seed
from viralreel_core.run.tally import RunTally
from viralreel_core.run.waits import Waits
from viralreel_core.text.clean import clean_text, reject_nul
from viralreel_core.text.languages import LANGUAGES, resolve_language
from viralreel_core.text.length_plan import plan_length
from viralreel_core.text.placeholders import draft_warning
from viralreel_core.text.timing import estimate_seconds

__all__ = ["AssetSteps", "MAX_CLIP_SECONDS", "MIN_CLIP_SECONDS", "clip_opening", "clip_topic", "video_topic"]

_LOGGER = logging.getLogger(__name__)
MIN_CLIP_SECONDS, MAX_CLIP_SECONDS = 4, 10


def _take_loudness(track: VoiceTrack) -> float | None:
    """The take's integrated loudness, measured once as it is made, so that no render measures it again."""
    try:
        return loudness(Path(track.audio_path)).lufs
    except AssemblyError as exc:  # the render measures it again, and names the scene if it cannot
        _LOGGER.warning("The loudness of a new voice could not be measured: %s", exc)
        return None


def video_topic(script: Script | None) -> str:
    """What the video is about, as its scenes repeat it: the topic, else the title ("" without a script)."""
    return "" if script is None else script.topic.strip() or script.title.strip()


def clip_topic(maker: ClipMaker, scene: Scene, topic: str) -> str:
    """The topic ``maker`` is told for ``scene`` ("" when none): only a maker that keeps it off the headline
    (``uses_topic``) and only after the first scene, which headlines it."""
    return topic if topic and maker.uses_topic and scene.number > 1 else ""


def clip_opening(maker: ClipMaker, scene: Scene, topic: str) -> float:
    """The seconds at the start of ``scene``'s clip that ``maker`` keeps clear of headline words (0: none):
    the title card's, in the video's first scene, for a maker that sets words where the card goes
    (``uses_topic``): its first words then rise in as the card fades, never under it."""
    return TITLE_SECONDS if topic and maker.uses_topic and scene.number == 1 else 0.0


def _topic_args(maker: ClipMaker, scene: Scene, topic: str) -> dict[str, Any]:
    """What ``maker`` is told of the video's topic for ``scene`` (``topic=``, ``opening=``): passed to its
    ``make`` and put in the clip's cache key alike, so the two never differ."""
    known, opening = clip_topic(maker, scene, topic), clip_opening(maker, scene, topic)
    return {**({"topic": known} if known else {}), **({"opening": opening} if opening else {})}


def _with_take(text: str, take: int) -> Any:
    """A cache input for a fresh take: take 0 is the plain text, so existing entries keep their keys."""
    return {"text": text, "take": take} if take else text


class AssetSteps:
    """One asset at a time, each through the cache: the script, a scene's voice or clip, the post's texts.

    ``Pipeline`` runs them for a whole video; the studio also asks for one at a time."""

    def __init__(self, settings: Settings, cache: AssetCache | None = None,
                 on_progress: Callable[[ProgressEvent], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.cache = cache or AssetCache(settings.cache_dir, settings.cache_size_limit)
        self.on_progress = on_progress or (lambda event: None)
        self.on_waiting: Callable[[int | None], None] = lambda place: None  # its place in the memory line
        self.tally = RunTally()
        self.warnings: list[str] = []  # this run's lines for the person (the cache's own: ``cache.warnings``)
        self._sleep = sleep
        self.waits = Waits(self._emit)  # what the run waits on at each service, said as progress
        self._in_use = ProvidersInUse(settings, self.cache, watch=self.waits.task)
        self._stopped = threading.Event()
        self._fault: DiskFault | None = None  # a full or read-only disk met this run: no further scene starts
        self._space: dict[Path, float | None] = {}  # folder -> megabytes this run needs there (check_before_spending)
        self._halt = PaidWorkHalt(self._stop_paid_work)  # an account-level failure stops new paid work

    # -- providers -------------------------------------------------------------------------------
    def provider(self, step: str) -> Provider:
        """The provider this pipeline uses for ``step`` (created once)."""
        return self._in_use.get(step)

    def abort(self) -> None:
        """Stop: scenes not started yet are not started, a render stops at its next frame, and every
        provider in use is asked to stop what it is doing (a Runway task is cancelled, not paid for)."""
        self._stopped.set()
        self._in_use.abort()

    def _stop_paid_work(self) -> None:
        """Nothing paid can be used any more (``paid_work``): every paid provider stops what it is doing
        (Runway cancels its tasks); free work and the assembly of what was made go on."""
        self._in_use.abort(paid_only=True)

    # -- waiting for memory (admission.Waiter): renders, clip encoders and the voice model take turns ------
    @property
    def stopping(self) -> bool:
        return self._stopped.is_set()

    def waiting(self, place: int | None) -> None:
        """Told by ``admission.GATE`` where this run's next piece of work stands in line (None: its turn)."""
        self.on_waiting(place)

    @property
    def stopped_because(self) -> str:
        """The account-level failure that stopped this run's paid work ("" while it goes on)."""
        cause = self._halt.cause
        return str(cause) if cause is not None else ""

    def close(self) -> None:
        """Close the providers made so far (their HTTP sessions); a later call makes new ones."""
        self._in_use.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def release_models(self) -> None:
        """Unload what the providers keep in memory (the offline voice model) and give the memory back,
        before assembly and offline clips (see ``ProvidersInUse.release_models``)."""
        self._in_use.release_models()

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
    def script_request(self, topic: str, scenes: int | None = None, *, seed: int | None = None,
                       length: int | None = None) -> ScriptRequest:
        """What the writer is asked for ``topic`` under these settings (its language resolved from the topic).

        ``length`` (default: the settings') in seconds sets the scene count, when none is given, and the words
        a scene has, at the pace of the voice these settings pick (``text.length_plan``)."""
        topic = validate_topic(topic)
        scenes = scenes if scenes is not None else self.settings.scenes
        if scenes is not None and not MIN_SCENES <= scenes <= MAX_SCENES:
            raise BadInput(f"A script has {MIN_SCENES} to {MAX_SCENES} scenes, not {scenes}.",
                           hint=f"Pick a number from {MIN_SCENES} to {MAX_SCENES}.")
        length = length if length is not None else self.settings.length
        words = None
        if length is not None:
            plan = plan_length(length, scenes, self.voice_pace())
            scenes, words = plan.scenes, plan.words
        return ScriptRequest(topic=topic, scenes=scenes, tone=self.settings.tone,
                             seed=self.settings.seed if seed is None else seed,
                             language=resolve_language(self.settings.language, topic).code, words=words)

    def voice_pace(self) -> float:
        """Words a second the voice these settings pick says (its declared pace at the chosen speed)."""
        s = self.settings
        return providers.provider_class("voice", providers.resolve_name("voice", s.voice_provider, s)).pace(s)

    def write_script(self, topic: str, scenes: int | None = None, *, seed: int | None = None,
                     length: int | None = None) -> Script:
        """The script for ``topic`` (cached); retried once (``retry.SCRIPT_ATTEMPTS``), then a ProviderError.

        ``seed`` (default: the settings' seed) asks the writer for another version of the same request;
        ``length`` (default: the settings') the seconds the video should last.
        """
        return self.write_request(self.script_request(topic, scenes, seed=seed, length=length))

    def write_request(self, request: ScriptRequest) -> Script:
        """The script for a ``script_request`` (its topic already checked): cached, retried as ``write_script``."""
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
        """Another version of one scene, in the same role (hook, body or call to action) as the one it replaces,
        from a script written with another seed (``rewrite``); the writer sees the whole topic."""
        index, count, place, lap = rewrite_place(script, number)
        current = script.scenes[index]
        scene = current
        for extra in range(REWRITE_TRIES):
            seed = rewrite_seed(self.settings.seed, attempt, extra, lap)
            other = self.write_script(script.topic, count, seed=seed)
            scene = other.scenes[min(place, len(other.scenes) - 1)]
            if (scene.visuals, scene.narration) != (current.visuals, current.narration):
                break
        return replace(scene, number=number)

    def _retrying(self, call: Callable[[], Any], attempts: int) -> Any:
        return retry.retrying(self._sleep, attempts=attempts, policy=retry.policy_for(self.settings))(call)

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
            with self._halt.working("voice", scene.number), self._in_use.local_slot(voice, self._check_stopped):
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

    def clip_key(self, scene: Scene, seconds: float | None = None, take: int = 0, topic: str = "") -> str:
        """The cache key of the scene's clip under these settings (changed visuals give a new key; so does
        a changed narration, for a maker that draws it, changed search phrases, for a stock service, and
        the video's ``topic``, for a maker that keeps it off later scenes' headlines: ``clip_topic``)."""
        return self._clip_key(self.provider("clips"), scene, seconds or self.clip_seconds(scene), take, topic)  # type: ignore[arg-type]

    def _clip_key(self, maker: ClipMaker, scene: Scene, seconds: float, take: int, topic: str = "") -> str:
        return self.key_for(maker, {"visuals": scene.visuals, "seconds": seconds,
                                    **({"narration": scene.narration} if maker.uses_narration else {}),
                                    **({"search_terms": list(scene.search_terms)}
                                       if maker.uses_search_terms and scene.search_terms else {}),
                                    **_topic_args(maker, scene, topic),
                                    **({"take": take} if take else {})})

    def clip_for(self, scene: Scene, seconds: float | None = None, take: int = 0, topic: str = "") -> Clip:
        """The scene's clip (cached); never retried automatically. ``take`` > 0: a fresh clip, cached apart.
        ``topic``: the video's (``video_topic``), for a maker that keeps it off later scenes' headlines.

        A stock service with no good match for the scene (``NoGoodFootage``) hands it to the next clip source
        in the person's order (``clip_order``); the scene says so in the run's warnings."""
        self._check_stopped()
        maker: ClipMaker = self.provider("clips")  # type: ignore[assignment]
        scene = self._checked_scene(scene)
        seconds = seconds or self.clip_seconds(scene)
        try:
            return self._clip_by(maker, scene, seconds, take, topic)
        except NoGoodFootage as exc:
            return self._clip_elsewhere(maker, scene, seconds, take, exc, topic)

    def _clip_elsewhere(self, first: ClipMaker, scene: Scene, seconds: float, take: int,
                        missed: NoGoodFootage, topic: str = "") -> Clip:
        """The scene's clip from the next source in ``clip_fallback``'s order that makes one; ``missed`` again
        when none does (or the order is empty)."""
        for name in fallback_order(self.settings, first.name):
            self._check_stopped()
            try:
                maker: ClipMaker = self._in_use.get("clips", name)  # type: ignore[assignment]
            except ViralReelError as exc:  # e.g. no key for it: the next one
                _LOGGER.info("clip source %s cannot be used: %s", name, exc)
                continue
            self._emit("clips", 0.0, f"Scene {scene.number}: {missed} Trying {maker.display_name()}.", scene.number)
            try:
                clip = self._clip_by(maker, scene, seconds, take, topic)
            except NoGoodFootage as exc:
                missed = NoGoodFootage(f"{missed} {exc}", provider=exc.provider, hint=exc.hint)
                continue
            self._warn(f"Scene {scene.number}: {missed} Made with {maker.display_name()} instead.")
            clip = replace(clip, choice={**clip.choice, "fallback_from": str(missed)})
            # kept under the first source's key too: the scene's clip under these settings (a rerun, the studio)
            self.cache.put(self._clip_key(first, scene, seconds, take, topic), "clips", clip.to_dict(),
                           {"video": clip.video_path})
            return clip
        raise missed

    def clip_from_candidate(self, scene: Scene, candidate: str, take: int) -> Clip:
        """The stock video ``candidate`` ("service:id", one a clip offered as a next candidate) as the scene's
        clip ``take``, from the service's cached search answers (no new search): downloaded once, kept in
        the cache under the take's key. BadInput when the clip source offers no such candidate."""
        self._check_stopped()
        maker: ClipMaker = self.provider("clips")  # type: ignore[assignment]
        scene = self._checked_scene(scene)
        pick = getattr(maker, "make_candidate", None)
        if pick is None or not candidate.startswith(f"{maker.name}:"):
            raise BadInput(f"{maker.display_name()} does not offer that candidate for scene {scene.number}.",
                           hint="Make a new clip for this scene instead.")
        seconds = self.clip_seconds(scene)

        def make(work_dir: Path):
            clip = pick(candidate, scene.visuals, seconds, work_dir, scene.search_terms)
            self.tally.count("clips", False, clip.cost_usd, scene.number)
            return clip.to_dict(), {"video": clip.video_path}, clip.cost_usd

        key = self.key_for(maker, {"visuals": scene.visuals, "seconds": seconds, "candidate": candidate})
        asset, _ = self.cache.get_or_make(key, "clips", make, label=f"clip of scene {scene.number}",
                                          notify=self._warn)
        stored = self.cache.put(self._clip_key(maker, scene, seconds, take), "clips", asset.meta,
                                {"video": asset.files["video"]})
        return Clip.from_dict({**stored.meta, "video_path": str(stored.files["video"])})

    def _clip_by(self, maker: ClipMaker, scene: Scene, seconds: float, take: int, topic: str = "") -> Clip:
        """The scene's clip from ``maker``, through the cache."""
        key = self._clip_key(maker, scene, seconds, take, topic)

        def make(work_dir: Path):
            def call() -> Clip:
                extra: dict[str, Any] = {}
                if maker.uses_narration:  # e.g. the offline maker sets the narration's key words on screen
                    extra["narration"] = scene.narration
                if maker.uses_search_terms:  # a stock service searches the scene's phrases
                    extra["search_terms"] = scene.search_terms
                extra.update(_topic_args(maker, scene, topic))  # a later scene: the topic; the first: its opening
                return maker.make(scene.visuals, seconds, work_dir, **extra)

            self._halt.check("clips", scene.number)
            with self._halt.working("clips", scene.number), self._in_use.local_slot(maker, self._check_stopped):
                clip = self._counting_failures("clips", call, scene.number)()
            self.tally.count("clips", False, clip.cost_usd, scene.number)
            return clip.to_dict(), {"video": clip.video_path}, clip.cost_usd

        asset, hit = self.cache.get_or_make(key, "clips", make, label=f"clip of scene {scene.number}",
                                            notify=self._warn)
        if hit:
            self.tally.count("clips", True, asset.cost_usd, scene.number)
            self._claim(maker, asset.meta)
        self._halt.made("clips", scene.number)
        return Clip.from_dict({**asset.meta, "video_path": str(asset.files["video"])})

    def claim_cached_clips(self, scenes: Iterable[Scene], takes: Mapping[int, int] | None = None) -> None:
        """Tell the clip maker which videos the scenes' cached clips show, before any scene searches, so that
        no other scene of this video picks one of them again (a stock video is used once per video)."""
        try:
            maker: ClipMaker = self.provider("clips")  # type: ignore[assignment]
        except ViralReelError:  # e.g. a missing key: each scene's job says so
            return
        if not maker.picks_once:
            return
        for scene in scenes:
            asset = self.cache.get(self.clip_key(self._checked_scene(scene), None, (takes or {}).get(scene.number, 0)))
            if asset is not None:
                self._claim(maker, asset.meta)

    @staticmethod
    def _claim(maker: ClipMaker, meta: Mapping[str, Any]) -> None:
        key = (meta.get("choice") or {}).get("key")
        if key and maker.picks_once:
            maker.claim(str(key))

    @staticmethod
    def _checked_scene(scene: Scene) -> Scene:
        """The scene with control characters removed; BadInput if its text holds a NUL (nothing spent)."""
        reject_nul(scene.narration, f"Scene {scene.number}'s narration")
        reject_nul(scene.visuals, f"Scene {scene.number}'s visuals")
        return replace(scene, narration=clean_text(scene.narration), visuals=clean_text(scene.visuals))

    # -- voice and clips for every scene at once -------------------------------------------------
    def estimate_cost(self, step: str, scenes: Iterable[Scene]) -> float:
        """Dollars making ``step`` ("voice" or "clips") for ``scenes`` is expected to cost, cache aside."""
        if step == "voice":
            voice: Voice = self.provider(step)  # type: ignore[assignment]
            return sum(voice.estimate_cost(s.narration) for s in scenes)
        if step == "clips":
            maker: ClipMaker = self.provider(step)  # type: ignore[assignment]
            return sum(maker.estimate_cost(self.clip_seconds(s)) for s in scenes)
        raise BadInput(f"No cost estimate for step {step!r}.", hint="Use 'voice' or 'clips'.")

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

