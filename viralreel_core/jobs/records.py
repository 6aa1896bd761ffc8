"""A job as we keep it: what was asked, where it stands, what came of it. Plain data, no I/O.

The record, not the queue message, is the truth about a job: Huey pops a message without an
acknowledgement, so a worker killed mid-job would otherwise lose it without trace (see DESIGN.md).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from viralreel_core.errors import ViralReelError

__all__ = ["Job", "STATES", "FINISHED", "KINDS", "RENDER_KINDS", "MAX_ATTEMPTS", "KEEP_DAYS", "KEEP_JOBS",
           "error_dict", "to_prune"]

STATES = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED = frozenset({"succeeded", "failed", "cancelled"})
KINDS = ("script", "voices", "clips", "render", "make")
RENDER_KINDS = frozenset({"render", "make"})  # memory-heavy: they wait in the render lane
MAX_ATTEMPTS = 2  # a job whose worker died is run once more, then failed with the reason
KEEP_DAYS = 14.0  # finished jobs are kept this long (VIRALREEL_JOB_KEEP_DAYS)…
KEEP_JOBS = 1000  # …and at most this many of them, the newest (VIRALREEL_JOB_KEEP)


def to_prune(finished: list[tuple[str, float | None]], now: float, keep_days: float = KEEP_DAYS,
             keep_jobs: int = KEEP_JOBS) -> list[str]:
    """The retention policy, in one place: which finished jobs (id, finished_at) to forget.

    Only finished jobs are ever pruned (a queued or running job is never in ``finished``): those that
    ended more than ``keep_days`` ago, and all but the newest ``keep_jobs``. 0 turns a limit off.
    """
    newest = sorted(finished, key=lambda item: item[1] or 0.0, reverse=True)
    cutoff = now - keep_days * 86400 if keep_days > 0 else None
    return [job_id for i, (job_id, ended) in enumerate(newest)
            if (keep_jobs > 0 and i >= keep_jobs) or (cutoff is not None and (ended or 0.0) < cutoff)]


def error_dict(exc: BaseException) -> dict[str, Any]:
    """An exception as a job's ``error``: the message, the hint (what to do) and its kind."""
    if isinstance(exc, ViralReelError):
        return {"message": exc.message, "hint": exc.hint, "type": type(exc).__name__}
    return {"message": f"The job failed unexpectedly ({type(exc).__name__}).",
            "hint": "Run it again; if it keeps failing, the worker's log has the details.", "type": "InternalError"}


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds") if ts else None


def new_progress() -> dict[str, Any]:
    return {"fraction": 0.0, "step": "", "message": "Waiting for a worker", "scenes": {}}


@dataclass
class Job:
    """One job. ``params`` never holds a key: workers read keys from their own environment."""

    id: str
    kind: str
    params: dict[str, Any]
    state: str = "queued"
    progress: dict[str, Any] = field(default_factory=new_progress)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    updated_at: float = field(default_factory=time.time)
    attempts: int = 0
    worker: str | None = None
    heartbeat_at: float | None = None
    cancel_requested: bool = False
    notes: list[str] = field(default_factory=list)

    JSON_FIELDS = ("params", "progress", "result", "error", "notes")

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def to_row(self) -> dict[str, Any]:
        """Flat values for a store: JSON text for the nested fields, 0/1 for the flag."""
        row = asdict(self)
        for name in self.JSON_FIELDS:
            row[name] = json.dumps(row[name], ensure_ascii=False)
        row["cancel_requested"] = int(self.cancel_requested)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Job:
        data = dict(row)
        for name in cls.JSON_FIELDS:
            value = data.get(name)
            data[name] = json.loads(value) if isinstance(value, str | bytes) and value not in ("", b"") else value
        for name in ("created_at", "started_at", "finished_at", "updated_at", "heartbeat_at"):
            value = data.get(name)
            data[name] = float(value) if value not in (None, "", b"") else None
        data["attempts"] = int(data.get("attempts") or 0)
        data["cancel_requested"] = bool(int(data.get("cancel_requested") or 0))
        data["worker"] = data.get("worker") or None
        data["notes"] = data.get("notes") or []
        data["progress"] = data.get("progress") or new_progress()
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def public(self) -> dict[str, Any]:
        """The job as the API and the CLI show it (ISO times; the fraction also as a percent)."""
        progress = dict(self.progress)
        progress["percent"] = round(100 * float(progress.get("fraction", 0.0)))
        seconds = (self.finished_at or time.time()) - self.started_at if self.started_at else None
        return {"id": self.id, "kind": self.kind, "state": self.state, "progress": progress,
                "result": self.result, "error": self.error, "params": self.params,
                "warnings": list((self.result or {}).get("warnings") or []),
                "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
                "finished_at": _iso(self.finished_at), "updated_at": _iso(self.updated_at),
                "seconds": round(seconds, 2) if seconds is not None else None,
                "attempts": self.attempts, "worker": self.worker, "heartbeat_at": _iso(self.heartbeat_at),
                "cancel_requested": self.cancel_requested, "notes": list(self.notes)}
