"""Running one job on a worker: claim it, beat while it runs, stop it when cancelled, always end it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from viralreel_core.config import Settings
from viralreel_core.errors import JobCancelled
from viralreel_core.jobs.records import Job, error_dict
from viralreel_core.jobs.store import JobStore
from viralreel_core.jobs.work import Progress, handler_for
from viralreel_core.run.pipeline import Pipeline

__all__ = ["Run"]

_LOGGER = logging.getLogger(__name__)


class Run:
    """One job running in this process. ``stop()`` (cancel, lost, shutdown) aborts its paid work."""

    def __init__(self, store: JobStore, job: Job, worker: str, base: Settings, heartbeat: float) -> None:
        self.store, self.job, self.worker, self.heartbeat = store, job, worker, heartbeat
        self.base = base
        self.progress = Progress(job.kind)
        self.pipeline: Pipeline | None = None
        self._done = threading.Event()

    def stop(self) -> None:
        """Stop the work where it stands: providers abort (Runway tasks are cancelled), the next step raises."""
        self.progress.cancelled.set()
        if self.pipeline is not None:
            self.pipeline.abort()

    def _beat(self) -> None:
        while not self._done.wait(self.heartbeat):
            try:
                answer = self.store.beat(self.job.id, self.worker, self.progress.snapshot())
            except Exception:  # a store hiccup must not kill the job; the next beat tries again
                _LOGGER.warning("heartbeat of job %s failed", self.job.id, exc_info=True)
                continue
            if answer != "ok":  # cancelled by the person, or taken away from this worker
                _LOGGER.info("job %s: %s, stopping its work", self.job.id, answer)
                self.stop()

    def execute(self, on_start: Callable[[Run], None] = lambda run: None) -> Job | None:
        """Do the work and record how it ended; the finished job (None if it was taken away meanwhile)."""
        job = self.job
        outcome: BaseException | None = None
        result: dict[str, Any] | None = None
        beater = threading.Thread(target=self._beat, name=f"beat-{job.id}", daemon=True)
        try:
            handler = handler_for(job.params)
            self.pipeline = Pipeline(handler.settings(self.base, job.params), on_progress=self.progress)
            on_start(self)
            beater.start()
            result = handler.run(job.kind, job.params, self.pipeline)
        except BaseException as exc:  # noqa: BLE001 - every way out ends the job
            outcome = exc
        finally:
            self._done.set()
            if beater.is_alive():
                beater.join()
            if self.pipeline is not None:
                self.pipeline.close()
                self.pipeline.cache.close()
        finished = self._record(result, outcome)
        if outcome is not None and not isinstance(outcome, Exception):
            raise outcome  # KeyboardInterrupt, SystemExit: recorded, then let them through
        return finished

    def _record(self, result: dict[str, Any] | None, outcome: BaseException | None) -> Job | None:
        job, store = self.job, self.store
        if self.progress.cancelled.is_set():
            current = store.get(job.id)
            if current is None or current.state != "running" or current.worker != self.worker:
                return current  # requeued or reaped meanwhile: whoever took it records the end
            if current.cancel_requested:
                return store.finish(job.id, self.worker, "cancelled", result=result,
                                    error=error_dict(JobCancelled("Cancelled while running; paid work in flight "
                                                                  "was stopped.")),
                                    progress=self.progress.done("Cancelled"))
        if outcome is not None:
            error = error_dict(outcome)
            if error["type"] == "InternalError":
                _LOGGER.error("job %s failed unexpectedly", job.id, exc_info=outcome)
            return store.finish(job.id, self.worker, "failed", error=error, progress=self.progress.done("Failed"))
        assert result is not None
        if result.get("success") is False:  # a make that could not produce a video
            error = {"message": result.get("message") or "The video could not be made.", "hint": None,
                     "type": "RunFailed"}
            return store.finish(job.id, self.worker, "failed", result=result, error=error,
                                progress=self.progress.done("Failed"))
        return store.finish(job.id, self.worker, "succeeded", result=result, progress=self.progress.done("Done"))
