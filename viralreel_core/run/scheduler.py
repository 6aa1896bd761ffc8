"""Every scene's voice and clip asked for at once: the jobs in lanes, each result reported as it lands.

The scheduler knows nothing of providers or money: the pipeline hands it, per step, how to make one scene's
asset and the ``Lane`` its jobs wait in, and what a failure means (``failed`` turns an exception into the one
the person reads). A lane is either a service far away, as many calls at once as it takes (Runway: 8; a task
it queues past the account's concurrency waits there, not here), or this machine's own work (offline voices
and clips, bounded by the CPU slots inside). Lanes never wait on each other: a voice never queues behind a clip
being generated. Steps that name the same lane (one service for voices and clips) share it, the first step's
jobs first. One scene's failure never loses the scenes that worked; a scene is "ready" the moment it has both,
so its segment can render while other clips are still coming::

    made, skipped = SceneScheduler(workers=4, emit=emit, failed=failed, abort=abort).run(
        script.scenes, [("voice", voice_for, Lane("elevenlabs", 4, "ElevenLabs")),
                        ("clips", clip_for, Lane("runway", 8, "Runway"))], voice_phase, on_scene_ready=…)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from viralreel_core.media import admission
from viralreel_core.models import Clip, Scene, VoiceTrack

__all__ = ["Lane", "SceneScheduler", "VoicePhase"]

Emit = Callable[[str, float, str, int | None], None]
Turn = Callable[[str, str, int], None]  # (lane label, step, change in the calls waiting to be sent)


@dataclass(frozen=True)
class Lane:
    """Where a step's jobs wait their turn: ``width`` at once. ``label`` names a service far away (said while
    calls wait to be sent, "Runway: 2 waiting to be sent"); "" for this machine's own work."""

    name: str
    width: int
    label: str = ""


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
    """Runs one asset job per (step, scene) in its step's lane and says what each came to."""

    def __init__(self, workers: int, *, emit: Emit, failed: Callable[[str, int, BaseException], BaseException],
                 abort: Callable[[], None], waiter: admission.Waiter | None = None, turn: Turn | None = None) -> None:
        self.workers = max(1, workers)  # the lane of a step given without one
        self._emit, self._failed, self._abort = emit, failed, abort
        self._waiter = waiter  # the lanes' threads wait for memory (an encoder, the voice model) as this run
        self._turn = turn or (lambda label, step, change: None)

    def _lanes(self, scenes: Sequence[Scene], steps: Sequence[tuple[Any, ...]]
               ) -> dict[str, tuple[Lane, list[tuple[str, Callable[[Scene], Any], Scene]]]]:
        """The jobs by lane, each lane's in the order of ``steps`` (one step's scenes in order)."""
        lanes: dict[str, tuple[Lane, list[tuple[str, Callable[[Scene], Any], Scene]]]] = {}
        for step, make, *rest in steps:
            lane = rest[0] if rest else Lane("shared", self.workers)
            _, jobs = lanes.setdefault(lane.name, (lane, []))
            jobs.extend((step, make, scene) for scene in scenes)
        return lanes

    def _submit(self, stack: contextlib.ExitStack, scenes: Sequence[Scene], steps: Sequence[tuple[Any, ...]]
                ) -> dict[Future, tuple[str, int]]:
        """Every job in its lane's own pool: jobs past a lane's width wait there (said, for a service)."""
        initializer = (admission.work_for, (self._waiter,)) if self._waiter is not None else (None, ())
        jobs: dict[Future, tuple[str, int]] = {}
        for lane, lane_jobs in self._lanes(scenes, steps).values():
            width = max(1, min(lane.width, len(lane_jobs)))
            pool = stack.enter_context(ThreadPoolExecutor(max_workers=width, initializer=initializer[0],
                                                          initargs=initializer[1],
                                                          thread_name_prefix=f"lane-{lane.name}"))
            for index, (step, make, scene) in enumerate(lane_jobs):
                waits = bool(lane.label) and index >= width
                if waits:
                    self._turn(lane.label, step, 1)
                future = pool.submit(self._started, make, scene, lane.label if waits else "", step)
                jobs[future] = (step, scene.number)
        return jobs

    def _started(self, make: Callable[[Scene], Any], scene: Scene, label: str, step: str) -> Any:
        if label:  # its turn came: no longer waiting to be sent
            self._turn(label, step, -1)
        return make(scene)

    def run(self, scenes: Sequence[Scene], steps: Sequence[tuple[Any, ...]],
            voice_phase: VoicePhase, *,
            on_scene_ready: Callable[[int, str, VoiceTrack, Clip], None] | None = None,
            on_voices_ready: Callable[[list[VoiceTrack]], None] | None = None
            ) -> tuple[dict[int, VoiceTrack], dict[int, Clip], list[dict[str, Any]]]:
        """Make every scene's asset for each of ``steps`` (``(step, make, lane)``; a step without a lane shares
        one of ``workers`` threads); returns the voices and clips that worked and what was skipped.
        ``on_scene_ready`` and ``on_voices_ready`` are called only once ``voice_phase`` is over (the offline
        voice model unloaded)."""
        per_step = len(scenes)
        done = {step: 0 for step, *_ in steps}
        made: dict[str, dict[int, Any]] = {"voice": {}, "clips": {}}
        skipped: list[dict[str, Any]] = []
        ready: list[int] = []
        voices_told = False
        narrations = {sc.number: sc.narration for sc in scenes}
        with voice_phase, contextlib.ExitStack() as pools:
            jobs = self._submit(pools, scenes, steps)
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
