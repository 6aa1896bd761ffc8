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

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from viralreel_core import providers
from viralreel_core.errors import (
    BadInput,
    DiskFault,
    ProviderError,
    Stopped,
    ViralReelError,
)
from viralreel_core.limits import USUAL_SCENES
from viralreel_core.media import disk, resources
from viralreel_core.media.files import sweep_partials
from viralreel_core.models import Clip, ProgressEvent, RenderResult, Script, VoiceTrack
from viralreel_core.post.kit import PostKit, PostTexts
from viralreel_core.render.assembler import Assembler, SceneMedia
from viralreel_core.render.early import EarlyRenders
from viralreel_core.render.fonts import coverage_problem
from viralreel_core.run.checks import check_output_folder, check_space, space_needed, validate_topic
from viralreel_core.run.language_check import check_languages
from viralreel_core.run.own_script import fill_visuals
from viralreel_core.run.post_kit import make_post_kit, video_language
from viralreel_core.run.scheduler import SceneScheduler
from viralreel_core.run.steps import MAX_CLIP_SECONDS, MIN_CLIP_SECONDS, AssetSteps, video_topic
from viralreel_core.text.placeholders import draft_warning
from viralreel_core.text.timing import estimate_seconds

__all__ = ["Pipeline"]

_LOGGER = logging.getLogger(__name__)


def _described(exc: BaseException) -> str:
    """An unexpected exception in a few words, for one line."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__


class Pipeline(AssetSteps):
    """Runs the steps for one settings object; the pages and the CLI both drive it."""

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
        takes = takes or {}
        topic = video_topic(script)  # later scenes' offline headlines say what they add to it
        self._fault = None
        for scene in script.scenes:  # bad text anywhere stops the run before any scene is paid for
            self._checked_scene(scene)
        if clips and not voices and self._in_use.offline("clips") and providers.release_resident():
            resources.trim_memory()  # a voice model left loaded (warmed, or another job's) never sits beside them
        for step, wanted in (("voice", voices), ("clips", clips)):  # the first progress at once, not after a scene
            if wanted:
                first = script.scenes[0].narration if script.scenes else ""
                self._emit(step, 0.0, self._in_use.starting_message(step, len(script.scenes), first))
        if clips:
            self.claim_cached_clips(script.scenes, takes)  # a video a cached clip shows is not picked again
        makers = {"voice": lambda scene: self.voice_for(scene, takes.get(scene.number, 0)),
                  "clips": lambda scene: self.clip_for(scene, None, takes.get(scene.number, 0), topic)}
        # each step in its own lane (a service's in-flight limit, or this machine's CPU slots): voices never
        # wait behind clips, and a clip waiting on Runway holds no CPU slot and no memory
        steps = [(step, makers[step], self._in_use.lane(step)) for step, wanted in
                 (("voice", voices), ("clips", clips)) if wanted]
        scheduler = SceneScheduler(self.settings.workers, emit=self._scene_progress, failed=self._scene_failed,
                                   abort=self.abort, waiter=self, turn=self.waits.turn)
        return scheduler.run(script.scenes, steps, self._in_use.voice_phase(voices),
                             on_scene_ready=on_scene_ready, on_voices_ready=on_voices_ready)

    def _scene_progress(self, step: str, fraction: float, message: str, scene: int | None = None) -> None:
        """A scene's line, then what the step still waits on, if anything ("Runway: 4 queued by the service")."""
        self._emit(step, fraction, message, scene)
        self.waits.repeat()

    def _scene_failed(self, step: str, number: int, exc: BaseException) -> BaseException:
        """What one scene's failed job means: an account-level failure stops paid work, a disk fault ends
        the run, anything unexpected becomes one line."""
        self._halt.failed(step, exc)  # e.g. a missing key, found before any call
        if (fault := self.disk_fault(exc)) is not None:
            self._fault = self._fault or fault
            return self._fault
        if not isinstance(exc, ViralReelError):
            _LOGGER.info("scene %s %s failed unexpectedly", number, step, exc_info=exc)
            return ProviderError(f"Scene {number}'s {step} failed unexpectedly ({_described(exc)}).",
                                 hint="Try this scene again; if it keeps failing, see the log.")
        return exc

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
        if not self._in_use.remote("clips"):
            return None
        return EarlyRenders(self.settings, self.cache, script, self._render_progress, self)

    def assemble(self, script: Script, voices: dict[int, VoiceTrack], clips: dict[int, Clip],
                 out_dir: Path | None = None, video_id: str | None = None) -> Path:
        """Assemble the usable scenes (``scene_media``) into ``outputs/viralreel_{timestamp}_{id}.mp4``."""
        return self.assemble_scenes(self.scene_media(script, voices, clips), out_dir, video_id)

    def assemble_scenes(self, media: list[SceneMedia], out_dir: Path | None = None,
                        video_id: str | None = None) -> Path:
        """Assemble ``media`` (as ``scene_media`` makes it) into ``outputs/viralreel_{timestamp}_{id}.mp4``."""
        problem = coverage_problem(" ".join(m.narration for m in media))
        if problem:  # the video is still made (the letters a font has are drawn), and the person is told
            self._warn(problem)
        video_id = video_id or uuid.uuid4().hex[:8]
        stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
        out_path = Path(out_dir or self.settings.output_dir) / f"viralreel_{stamp}_{video_id}.mp4"
        self.release_models()
        assembler = Assembler(self.settings, self.cache, self._render_progress, waiter=self)
        path = assembler.assemble(media, out_path)
        self.tally.count_segments(rendered=assembler.segment_misses, reused=assembler.segment_hits)
        return path

    # -- post kit --------------------------------------------------------------------------------
    _post_ahead: tuple[Script, str, Future[PostTexts]] | None = None

    def _write_post_ahead(self, script: Script, usable: list[SceneMedia], side: ThreadPoolExecutor) -> None:
        """Ask the writer for the post's texts the moment the last clip is in (the video will be made), beside
        the last segment's render: the kit then finds them ready instead of the run waiting for one more call
        after the join. Nothing to ask of an offline writer, nor when no scene has both a voice and a clip."""
        try:
            if not usable or self._fault is not None or self.provider("script").offline:
                return
        except ViralReelError:
            return
        language = video_language(self.settings, [m.narration for m in usable])
        self._post_ahead = (script, language, side.submit(AssetSteps.write_post, self, script, language))

    def write_post(self, script: Script, language: str) -> PostTexts:
        ahead = self._post_ahead
        if ahead is not None and ahead[0] == script and ahead[1] == language:
            return ahead[2].result()
        return super().write_post(script, language)

    def make_post_kit(self, script: Script, media: list[SceneMedia], video_path: str | Path) -> PostKit:
        """The post kit written beside ``video_path`` (``run/post_kit``) for the ``media`` the video was assembled
        from; a part that cannot be made is a warning."""
        kit, problems = make_post_kit(self, script, media, Path(video_path))
        for line in problems:
            self._warn(line)
        return kit

    # -- all of it -------------------------------------------------------------------------------
    def planned_seconds(self, script: Script | None = None) -> float:
        """How long the video is expected to be: ``script``'s narrations, or before there is one, the length asked
        for (with room over it), else the scenes asked for (else the most a writer chooses) at the longest clip each."""
        if script is not None:
            return sum(max(estimate_seconds(s.narration), self.clip_seconds(s)) for s in script.scenes)
        if self.settings.length is not None:
            return max(self.settings.length * 1.25, float((self.settings.scenes or 0) * MIN_CLIP_SECONDS))
        return float((self.settings.scenes or USUAL_SCENES[-1]) * MAX_CLIP_SECONDS)

    def disk_fault(self, exc: BaseException) -> DiskFault | None:
        """``exc`` as the one-line DiskFault of the cache or output folder (with the space this run needs
        there), or None when it is no disk fault."""
        folders = self._space or {self.cache.directory: None, Path(self.settings.output_dir).absolute(): None}
        return disk.as_fault(exc, folders)

    def check_before_spending(self, out_dir: Path | None = None, script: Script | None = None) -> Path:
        """The run's own checks before money is spent: a real write to the output folder, and room on the disks
        for what the run will write (``checks.space_needed``). The settings' checks (frame size, music, …) are
        ``checks.check_settings``'s, made where the settings come in (the CLI, a job's options).

        Returns the output folder (absolute); BadConfiguration names what to fix. Partial videos left there
        by killed runs are swept.
        """
        folder = check_output_folder(Path(out_dir or self.settings.output_dir))
        sweep_partials(folder)
        needs = space_needed(self.settings, self.planned_seconds(script))
        self._space = {self.cache.directory: needs["cache"], folder: needs["output"]}
        check_space(self._space)
        return folder

    def make(self, topic: str, out_dir: Path | None = None, script: Script | None = None) -> RenderResult:
        """Topic in, video out. BadInput propagates; other failures come back as an unsuccessful result.
        The settings are as ``checks.check_settings`` returns them (every way in checks them as they come in).

        ``script``: an edited script (or a person's own) to use instead of writing one for ``topic``; scenes
        without visuals get them from the script writer (``own_script``).
        """
        started = time.perf_counter()
        video_id = uuid.uuid4().hex[:8]
        # the topic is checked here, once: the writer's request is made now, before anything is spent
        request = self.script_request(topic) if script is None else None
        topic = request.topic if request is not None else validate_topic(topic)
        check_languages(self.settings, topic, script)  # a voice (and writer) for the language, before anything
        out_dir = self.check_before_spending(out_dir, script)
        skipped: list[dict[str, Any]] = []
        side, self._post_ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="post-ahead"), None
        try:
            if script is not None and (draft := draft_warning(sc.narration for sc in script.scenes)) is not None:
                self._warn(draft)  # an edited script that still has places for its facts
            if script is not None and self.settings.length is not None:
                said = round(sum(estimate_seconds(sc.narration) for sc in script.scenes))
                self._warn(f"Your own script sets the video's length (about {said} s at a usual pace), so the "
                           f"length asked for ({self.settings.length} s) was not used.")
            script = fill_visuals(self, script) if request is None else self.write_request(request)
            check_languages(self.settings, script=script)  # what the writer wrote: every scene has a voice
            early = self._early_renders(script)
            try:
                voices, clips, skipped = self.make_media(script, on_scene_ready=early.submit if early else None,
                                                         on_voices_ready=early.voices_ready if early else None)
                usable = self.scene_media(script, voices, clips)
                self._write_post_ahead(script, usable, side)  # beside the last segment's render
            finally:
                if early is not None:
                    early.close(wait=True)
            if self._fault is not None:  # what was made is in the cache; nothing more can be kept
                raise self._fault
            if not usable:
                raise ProviderError("No scene has both a voice and a clip, so there is nothing to assemble.",
                                    hint="See skipped_scenes for what failed, fix it, and run again.")
            path = self.assemble_scenes(usable, out_dir, video_id)
            kit = self.make_post_kit(script, usable, path)
            if early is not None:  # found cached by the assembly, but rendered in this run
                self.tally.rendered_early(early.rendered)
        except BadInput:
            raise
        except Exception as exc:  # every fault ends with a result: what was spent is always reported
            if (fault := self.disk_fault(exc)) is not None:
                exc = fault
            elif not isinstance(exc, ViralReelError):
                _LOGGER.info("the run failed unexpectedly", exc_info=exc)
                exc = ViralReelError(f"The run failed unexpectedly ({_described(exc)}).",
                                     hint="Run it again: what was made is kept in the cache.")
            side.shutdown(wait=True, cancel_futures=True)  # the texts asked for ahead, if under way: counted too
            return self._result(False, None, video_id, 0, str(exc), skipped, started)
        finally:
            side.shutdown(wait=False, cancel_futures=True)
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
