"""Every scene's voice and clip asked for at once: the jobs in a pool, each result reported as it lands.

The scheduler knows nothing of providers or money: the pipeline hands it, per step in the order they go
into the pool, how to make one scene's asset, and what a failure means (``failed`` turns an exception into
the one the person reads). One scene's failure never loses the scenes that worked; a scene is "ready" the
moment it has both, so its segment can render while other clips are still coming::

    made, skipped = SceneScheduler(workers=4, emit=emit, failed=failed, abort=abort).run(
        script.scenes, [("clips", clip_for), ("voice", voice_for)], voice_phase, on_scene_ready=…)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any

from viralreel_core.media import admission
from viralreel_core.models import Clip, Scene, VoiceTrack

__all__ = ["SceneScheduler", "VoicePhase", "job_order"]

Emit = Callable[[str, float, str, int | None], None]


def job_order(voices: bool, clips: bool, remote_clips: bool) -> list[tuple[str, bool]]:
    """Which step's jobs go into the pool first.

    Clips from a service first: they are the slowest chain (Runway: tens of seconds each), and one
    queued behind the voices would start that much later. Otherwise every voice before any clip: an
    offline clip may wait for the voice phase's CPU slot, and it must never hold the last pool thread
    a voice needs to finish that phase.
    """
    order = [("voice", voices), ("clips", clips)]
    return order[::-1] if remote_clips else order


class VoicePhase:
    """While offline voices are being made: one CPU slot is theirs and the model is loaded; ``close``
    (once the last voice is done, or on leaving) gives the slot back and unloads the model, so clips
    after the voices run without ~300 MB of model beside them."""

    def __init__(self, slots: threading.BoundedSemaphore, release: Callable[[], None], offline: bool) -> None:
        self._slots, self._release = slots, release
        self._held = offline and slots.acquire()

    @property
    def held(self) -> bool:
        return bool(self._held)

    def close(self) -> None:
        if self._held:
            self._held = False
            self._release()
            self._slots.release()

    def __enter__(self) -> VoicePhase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SceneScheduler:
    """Runs one asset job per (step, scene) on ``workers`` threads and says what each came to."""

    def __init__(self, workers: int, *, emit: Emit, failed: Callable[[str, int, BaseException], BaseException],
                 abort: Callable[[], None], waiter: admission.Waiter | None = None) -> None:
        self.workers = max(1, workers)
        self._emit, self._failed, self._abort = emit, failed, abort
        self._waiter = waiter  # the pool's threads wait for memory (an encoder, the voice model) as this run

    def run(self, scenes: Sequence[Scene], steps: Sequence[tuple[str, Callable[[Scene], Any]]],
            voice_phase: VoicePhase, *,
            on_scene_ready: Callable[[int, str, VoiceTrack, Clip], None] | None = None,
            on_voices_ready: Callable[[list[VoiceTrack]], None] | None = None
            ) -> tuple[dict[int, VoiceTrack], dict[int, Clip], list[dict[str, Any]]]:
        """Make every scene's asset for each of ``steps`` (in that order into the pool); returns the voices and
        clips that worked and what was skipped. ``on_scene_ready`` and ``on_voices_ready`` are called only once
        ``voice_phase`` is over (the offline voice model unloaded)."""
        per_step = len(scenes)
        done = {step: 0 for step, _ in steps}
        made: dict[str, dict[int, Any]] = {"voice": {}, "clips": {}}
        skipped: list[dict[str, Any]] = []
        ready: list[int] = []
        voices_told = False
        narrations = {sc.number: sc.narration for sc in scenes}
        initializer = (admission.work_for, (self._waiter,)) if self._waiter is not None else (None, ())
        with voice_phase, ThreadPoolExecutor(max_workers=self.workers, initializer=initializer[0],
                                             initargs=initializer[1]) as pool:
            jobs: dict[Future, tuple[str, int]] = {}
            for step, make in steps:
                for scene in scenes:
                    jobs[pool.submit(make, scene)] = (step, scene.number)
            try:
                for future in as_completed(jobs):
                    step, number = jobs[future]
                    done[step] += 1
                    if step == "voice" and done["voice"] == per_step:
                        voice_phase.close()  # clips may still run: without the voice model beside them
                    try:
                        result = future.result()
                    except Exception as exc:  # one scene's failure never loses the scenes that worked
                        exc = self._failed(step, number, exc)
                        skipped.append({"scene": number, "step": step, "reason": str(exc)})
                        self._emit(step, done[step] / per_step, f"Scene {number} failed: {exc}", number)
                    else:
                        made[step][number] = result
                        self._emit(step, done[step] / per_step, f"Scene {number} ready", number)
                        if on_scene_ready and number in made["voice"] and number in made["clips"]:
                            ready.append(number)
                    if voice_phase.held:
                        continue
                    if on_voices_ready and not voices_told and len(made["voice"]) == per_step:
                        voices_told = True
                        on_voices_ready([made["voice"][sc.number] for sc in scenes])
                    if ready and on_scene_ready:
                        for n in ready:
                            on_scene_ready(n, narrations[n], made["voice"][n], made["clips"][n])
                        ready.clear()
            except BaseException:  # Ctrl-C or a stopped page: stop the providers rather than wait them out
                self._abort()
                raise
        skipped.sort(key=lambda s: (s["scene"], s["step"]))
        return made["voice"], made["clips"], skipped
