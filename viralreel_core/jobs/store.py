"""Where job records live: the operations every backend offers, written once over ``_transition``.

Each state change is one atomic compare-and-set (``_transition``): it applies only while the job is
in an expected state and, where it matters, still held by the expected worker. That is what lets two
reapers, a late heartbeat and a cancel race without corrupting a record.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

from viralreel_core.jobs.records import KEEP_DAYS, KEEP_JOBS, STATES, Job, new_progress, to_prune

__all__ = ["JobStore", "WORKER_FORGET_SECONDS"]

WORKER_FORGET_SECONDS = 3600.0  # a worker silent this long is dropped from the list


class JobStore(ABC):
    """Persistent job records and the workers' registry (SQLite file or Redis)."""

    # -- what a backend implements ---------------------------------------------------------------
    @abstractmethod
    def add(self, job: Job, limit: int) -> bool:
        """Store a new queued job unless ``limit`` (> 0) jobs are already queued; False when full."""

    @abstractmethod
    def get(self, job_id: str) -> Job | None:
        """The job, or None."""

    @abstractmethod
    def list(self, limit: int = 50) -> list[Job]:
        """The newest jobs first."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """How many jobs are in each state."""

    @abstractmethod
    def running(self) -> list[Job]:
        """Every running job."""

    @abstractmethod
    def _transition(self, job_id: str, from_states: Iterable[str], worker: str | None,
                    changes: dict[str, Any], note: str | None = None) -> Job | None:
        """Apply ``changes`` (and append ``note``) atomically if the job is in one of ``from_states`` and,
        when ``worker`` is given, held by it; the updated job, or None when the condition failed."""

    @abstractmethod
    def in_states(self, states: Iterable[str]) -> list[Job]:
        """Every job in one of ``states``, oldest first."""

    @abstractmethod
    def _finished_times(self) -> list[tuple[str, float | None]]:
        """(id, finished_at) of every finished job."""

    @abstractmethod
    def _delete(self, job_ids: list[str]) -> int:
        """Remove these finished jobs' records (a job not finished is left alone); how many went."""

    @abstractmethod
    def worker_seen(self, worker_id: str, info: dict[str, Any]) -> None:
        """Record that a worker is alive now (``info``: host, pid, concurrency, running jobs)."""

    @abstractmethod
    def worker_gone(self, worker_id: str) -> None:
        """Remove a worker that stopped cleanly."""

    @abstractmethod
    def workers(self) -> list[dict[str, Any]]:
        """Every worker seen recently, with ``last_seen``."""

    def close(self) -> None:  # noqa: B027 - backends with connections override it
        """Release connections."""

    # -- operations built on them ----------------------------------------------------------------
    def claim(self, job_id: str, worker: str) -> Job | None:
        """queued → running for ``worker`` (one more attempt); None if the job is not waiting any more."""
        job = self.get(job_id)
        if job is None or job.state != "queued":
            return None
        now = time.time()
        progress = {**job.progress, "message": "Starting"}
        return self._transition(job_id, ("queued",), None, {
            "state": "running", "worker": worker, "attempts": job.attempts + 1, "started_at": now,
            "heartbeat_at": now, "updated_at": now, "progress": progress})

    def beat(self, job_id: str, worker: str, progress: dict[str, Any] | None = None) -> str:
        """A running job's heartbeat (with its latest progress): "ok", "cancel" (asked to stop) or "lost"
        (another worker or the reaper took it: stop without writing anything)."""
        now = time.time()
        changes: dict[str, Any] = {"heartbeat_at": now, "updated_at": now}
        if progress is not None:
            changes["progress"] = progress
        job = self._transition(job_id, ("running",), worker, changes)
        if job is None:
            return "lost"
        return "cancel" if job.cancel_requested else "ok"

    def finish(self, job_id: str, worker: str, state: str, *, result: dict[str, Any] | None = None,
               error: dict[str, Any] | None = None, progress: dict[str, Any] | None = None) -> Job | None:
        """running → succeeded/failed/cancelled, only while ``worker`` still holds the job."""
        now = time.time()
        changes: dict[str, Any] = {"state": state, "result": result, "error": error, "finished_at": now,
                                   "updated_at": now, "heartbeat_at": None}
        if progress is not None:
            changes["progress"] = progress
        return self._transition(job_id, ("running",), worker, changes)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a job: a queued one at once, a running one by asking its worker; None if unknown."""
        now = time.time()
        job = self._transition(job_id, ("queued",), None, {
            "state": "cancelled", "finished_at": now, "updated_at": now, "cancel_requested": True,
            "error": {"message": "Cancelled before it started.", "hint": None, "type": "JobCancelled"}})
        if job is None:
            job = self._transition(job_id, ("running",), None, {"cancel_requested": True, "updated_at": now})
        return job or self.get(job_id)

    def requeue(self, job_id: str, worker: str, note: str, *, refund: bool = False) -> Job | None:
        """running (held by ``worker``) → queued again; ``refund`` does not count the attempt (a clean stop)."""
        job = self.get(job_id)
        if job is None:
            return None
        progress = {**new_progress(), "message": "Waiting for a worker (run again: " + note + ")"}
        return self._transition(job_id, ("running",), worker, {
            "state": "queued", "worker": None, "heartbeat_at": None, "updated_at": time.time(),
            "progress": progress, "attempts": max(0, job.attempts - 1) if refund else job.attempts}, note)

    def fail(self, job_id: str, worker: str, error: dict[str, Any], note: str) -> Job | None:
        """running (held by ``worker``) → failed with ``error``."""
        now = time.time()
        return self._transition(job_id, ("running",), worker, {
            "state": "failed", "error": error, "finished_at": now, "updated_at": now, "heartbeat_at": None}, note)

    def prune(self, keep_days: float = KEEP_DAYS, keep_jobs: int = KEEP_JOBS, now: float | None = None) -> int:
        """Forget finished jobs past the retention policy (``records.to_prune``); how many were removed."""
        doomed = to_prune(self._finished_times(), time.time() if now is None else now, keep_days, keep_jobs)
        return self._delete(doomed) if doomed else 0

    def queued_count(self) -> int:
        return self.counts().get("queued", 0)

    def recent_seconds(self, limit: int = 50) -> list[float]:
        """How long recent successful jobs ran, newest first (to estimate waits)."""
        return [j.finished_at - j.started_at for j in self.list(limit)
                if j.state == "succeeded" and j.finished_at and j.started_at]

    @staticmethod
    def _empty_counts() -> dict[str, int]:
        return dict.fromkeys(STATES, 0)
