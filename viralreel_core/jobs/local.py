"""Work that runs in this process's own threads (the studio's) recorded as jobs in the shared store.

The studio's voices, clips and renders hold the person's typed keys and closures that cannot travel
through a queue, so they run where they are started. What they share with queued jobs is the record
(kind, state, progress, result or error, heartbeat — never a key), cancelling through it (``DELETE
/jobs/{id}`` stops a studio render too), and the cap on renders in this process. A local job whose
process died is failed by the reaper, never re-queued: nothing elsewhere could run its work again.

    local.enable(queue, render_slots=1)               # once per process (the studio's app does this)
    run = local.recorded("assemble", pipeline, run, {"project_id": "p1"})   # no-op unless enabled
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from viralreel_core.errors import JobCancelled, Stopped
from viralreel_core.jobs.queue import JobQueue
from viralreel_core.jobs.records import RENDER_KINDS, Job, error_dict
from viralreel_core.jobs.work import Progress
from viralreel_core.models import ProgressEvent
from viralreel_core.run.pipeline import Pipeline

__all__ = ["LocalJobs", "enable", "current", "recorded", "STEP_KINDS", "RENDER_KINDS"]

STEP_KINDS = {"script": "script", "voice": "voices", "clips": "clips", "assemble": "render"}
T = TypeVar("T")
R = TypeVar("R")

_current: LocalJobs | None = None


class LocalRun:
    """One local job while it runs: feed it progress events, set ``result`` to what the record should say."""

    def __init__(self, kind: str) -> None:
        self.progress = Progress(kind)
        self.result: dict[str, Any] = {}

    def report(self, event: ProgressEvent) -> None:
        self.progress(event)  # raises JobCancelled once the job was cancelled: the work stops there


class LocalJobs:
    """Records, heartbeats and the render cap for work running in this process."""

    def __init__(self, queue: JobQueue, render_slots: int = 1) -> None:
        self.queue = queue
        self.render_slots = render_slots
        self._slots = threading.BoundedSemaphore(render_slots)
        queue.concurrency = render_slots
        queue.start_upkeep()  # this process in the workers' registry, and a reaper for dead local jobs

    @contextmanager
    def running(self, kind: str, params: Mapping[str, Any], stop: Callable[[], None],
                redact: Callable[[str], str] = lambda text: text) -> Iterator[LocalRun]:
        """Record the work done inside the ``with`` as a job; ``stop()`` is called if it is cancelled."""
        store, worker = self.queue.store, self.queue.worker_id
        job = Job(id=uuid.uuid4().hex[:12], kind=kind, params={**params, "local": True})
        store.add(job, 0)
        slot = kind in RENDER_KINDS
        if slot:  # wait for a render slot; a cancel while waiting ends the job before it starts
            while not self._slots.acquire(timeout=self.queue.config.heartbeat):
                current = store.get(job.id)
                if current is None or current.state == "cancelled":
                    stop()
                    raise JobCancelled("Cancelled while waiting for a render slot.")
        run, done = LocalRun(kind), threading.Event()
        try:
            if store.claim(job.id, worker) is None:  # cancelled just before it could start
                stop()
                raise JobCancelled("Cancelled before it started.")

            def beat() -> None:
                while not done.wait(self.queue.config.heartbeat):
                    if store.beat(job.id, worker, run.progress.snapshot()) != "ok":
                        run.progress.cancelled.set()
                        stop()

            beater = threading.Thread(target=beat, name=f"beat-{job.id}", daemon=True)
            beater.start()
            try:
                yield run
            except BaseException as exc:
                done.set()
                beater.join()
                error = error_dict(exc)
                error["message"] = redact(error["message"])
                current = store.get(job.id)
                cancelled = isinstance(exc, Stopped | JobCancelled) or bool(current and current.cancel_requested)
                store.finish(job.id, worker, "cancelled" if cancelled else "failed", error=error,
                             progress=run.progress.done("Cancelled" if cancelled else "Failed"))
                raise
            done.set()
            beater.join()
            store.finish(job.id, worker, "succeeded", result=run.result, progress=run.progress.done("Done"))
        finally:
            done.set()
            if slot:
                self._slots.release()


def enable(queue: JobQueue, render_slots: int = 1) -> LocalJobs:
    """Record this process's local work (the studio's) in ``queue``'s store from now on."""
    global _current
    _current = LocalJobs(queue, render_slots)
    return _current


def current() -> LocalJobs | None:
    """The enabled LocalJobs, or None (local work then runs unrecorded, as before)."""
    return _current


def disable() -> None:
    global _current
    _current = None


def _summary(result: Any) -> dict[str, Any]:
    """What a record keeps of a result: its plain fields (paths, ids, counts), never objects."""
    if hasattr(result, "to_dict"):
        result = result.to_dict()
    if isinstance(result, Mapping):
        return {str(k): v for k, v in result.items() if isinstance(v, str | int | float | bool | type(None))}
    return {}


def recorded(step: str, pipeline: Pipeline, work: Callable[[T], R], params: Mapping[str, Any],
             redact: Callable[[str], str] = lambda text: text, local: LocalJobs | None = None) -> Callable[[T], R]:
    """``work`` recorded as a local job of the step's kind in ``local`` (default: the enabled LocalJobs);
    ``work`` itself when there is none."""
    local = local or current()
    if local is None:
        return work
    kind = STEP_KINDS.get(step, step)

    def run(arg: T) -> R:
        with local.running(kind, params, stop=pipeline.abort, redact=redact) as job:
            report = pipeline.on_progress

            def both(event: ProgressEvent) -> None:
                report(event)
                job.report(event)

            pipeline.on_progress = both
            result = work(arg)
            job.result = _summary(result)
            return result

    return run
