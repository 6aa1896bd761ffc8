"""Scene segments rendered as soon as a scene's voice and clip are ready, while other clips are still coming.

Remote clip makers (Runway: tens of seconds a clip) leave the CPUs idle; rendering each ready scene's
segment into the cache then leaves the final assembly only the last scenes and the join. The video's
sound depends on the voices alone: it is made into the cache as soon as every voice is in, long before
the last clip. The segments are rendered exactly as ``Pipeline.assemble`` will ask for them (same
settings, fades as in ``Pipeline.scene_media``), so the assembly finds them cached; if the scenes that
worked change the fades (e.g. scene 1 failed), the assembly renders those again — correct, only slower.

Failures here are not reported: the assembly renders and reports the same scene again.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from viralreel_core.cache.store import AssetCache
from viralreel_core.config import Settings
from viralreel_core.media import resources
from viralreel_core.media.admission import Waiter
from viralreel_core.models import Clip, ProgressEvent, Script, VoiceTrack
from viralreel_core.render.assembler import Assembler, SceneMedia

__all__ = ["EarlyRenders"]

_LOGGER = logging.getLogger(__name__)


class EarlyRenders:
    """A small pool that renders ready scenes' segments into the cache; ``close`` waits for it."""

    def __init__(self, settings: Settings, cache: AssetCache, script: Script,
                 on_progress: Callable[[ProgressEvent], None], waiter: Waiter | None = None) -> None:
        self._first = script.scenes[0].number if script.scenes else None
        self._title = script.title
        self._scenes = [(sc.number, sc.narration) for sc in script.scenes]
        self._assembler = Assembler(settings, cache, on_progress, waiter=waiter)
        workers, self._threads = resources.segment_plan(len(script.scenes), settings.width, settings.height)
        self._sound_early = resources.sound_beside_segments(workers, settings.width, settings.height)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="early-render")
        self._futures: list[Future] = []
        self._scratch = Path(tempfile.gettempdir())
        self._folders = contextlib.ExitStack()  # the captions drawn ahead: under the cache's swept scratch
        self._captions = self._folders.enter_context(cache.scratch("early-captions"))
        self._submitted: set[int] = set()
        self._side = ThreadPoolExecutor(max_workers=1, thread_name_prefix="early-side",
                                        initializer=resources.background_thread)

    def submit(self, number: int, narration: str, voice: VoiceTrack, clip: Clip) -> None:
        """Render scene ``number``'s segment in the background (a cache hit costs nothing)."""
        scene = SceneMedia(number=number, narration=narration, clip=clip, voice=voice,
                           fade_in=number != self._first, fade_out=False,
                           title=self._title if number == self._first else "")
        self._submitted.add(number)
        self._futures.append(self._pool.submit(self._render, scene))

    def voices_ready(self, voices: list[VoiceTrack]) -> None:
        """With every scene's voice in (in order), while clips are still coming: draw the captions of the
        scenes still waiting for theirs, so that the last one waits only for its frames, then make the
        video's sound, which the assembly finds cached unless a scene fails (it then makes the sound of the
        scenes that worked)."""
        try:
            for (number, narration), voice in zip(self._scenes, voices, strict=True):
                if number not in self._submitted:
                    self._assembler.prefetch_captions(number, narration, voice, self._captions, self._side)
            if self._sound_early:  # else the assembly makes it before its renders (memory budget)
                self._futures.append(self._side.submit(self._sound, voices, [n for n, _ in self._scenes]))
        except Exception as exc:  # never stops the run: the assembly does all of this itself
            _LOGGER.info("Early captions and sound not started: %s", exc)

    def _sound(self, voices: list[VoiceTrack], numbers: list[int]) -> None:
        try:
            self._assembler.sound_for(voices, self._scratch, numbers)
        except Exception as exc:  # the assembly makes it again and reports what is wrong
            _LOGGER.info("Early sound failed: %s", exc)

    def _render(self, scene: SceneMedia) -> None:
        self._assembler.expect(scene)
        try:
            self._assembler.segment_for(scene, self._scratch, self._threads)
        except Exception as exc:  # the assembly renders it again and reports what is wrong
            _LOGGER.info("Early render of scene %s failed: %s", scene.number, exc)

    @property
    def rendered(self) -> int:
        return self._assembler.segment_misses

    def close(self, wait: bool = True) -> None:
        """Wait for the renders in flight (``wait=False``: drop those not started)."""
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
        self._assembler.drop_prefetched()  # captions of scenes the assembly renders itself: it draws its own
        self._side.shutdown(wait=wait, cancel_futures=not wait)
        self._folders.close()
