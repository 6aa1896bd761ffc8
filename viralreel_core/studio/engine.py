"""The studio on the persistent job queue: its voices, clips and renders are jobs like the API's.

One ``StudioEngine`` per server process, over the ``JobQueue`` that ``VIRALREEL_QUEUE_URL`` names (the
embedded default: a SQLite file and worker threads in the studio's own process). Its lanes' worker
threads are the server-wide caps (``VIRALREEL_MAX_RENDERS`` renders, ``VIRALREEL_MAX_JOBS`` voice and
clip jobs at once); a waiting job knows its place in its lane's line. The studio follows a job by its
record, so a reloaded page — or the page of a studio server restarted meanwhile — finds it by id (kept
in the autosaved project) and picks it up where it stands.

Keys never enter a job: a job says whose keys it uses (``"owner"``: the worker's own; ``"none"``). Work
that needs a key a visitor typed runs inside this process instead, recorded as a local job
(``jobs/local.py``), with the key only in memory; a restart fails it with the reason.

A visitor reaches only their own workspace's jobs: ``follow`` and ``cancel`` check the record's
workspace against the asker's.
"""

from __future__ import annotations

import atexit
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from viralreel_core.config import Settings
from viralreel_core.errors import Stopped, ViralReelError
from viralreel_core.jobs import JobQueue, QueueConfig
from viralreel_core.jobs.local import LocalJobs
from viralreel_core.jobs.records import Job as Record
from viralreel_core.studio import tasks
from viralreel_core.studio.step_jobs import Job

__all__ = ["StudioEngine", "engine_for", "FOLLOW_SECONDS"]

FOLLOW_SECONDS = 0.25  # how often a followed job's record is read
_SCENE_FRACTIONS = {"ready": 1.0, "failed": 1.0, "rendering": 0.5}


class JobFailed(ViralReelError):
    """A queued job ended without a result: its record's message and hint."""


class StudioEngine:
    """The studio's side of the job queue: submit, follow, cancel — within one workspace."""

    def __init__(self, queue: JobQueue, renders: int = 1, others: int = 4) -> None:
        tasks.register()
        self.queue = queue
        self.renders, self.others = renders, others
        self.local = LocalJobs(queue, render_slots=renders)  # scripts and typed-key work, in this process
        queue.start(concurrency=renders, work=others)

    def close(self) -> None:
        self.queue.close()

    # -- submitting and following ------------------------------------------------------------------
    def submit(self, kind: str, params: Mapping[str, Any]) -> Record:
        """Queue a studio job (QueueFull when the queue is full)."""
        return self.queue.enqueue(Record(id=uuid.uuid4().hex[:12], kind=kind, params=dict(params)))

    def record(self, job_id: str, workspace: str) -> Record | None:
        """The job, if it belongs to ``workspace`` (None for another visitor's job or an unknown id)."""
        found = self.queue.get(job_id)
        if found is None or found.params.get("handler") != "studio" or found.params.get("workspace") != workspace:
            return None
        return found

    def cancel(self, job_id: str, workspace: str) -> bool:
        """Stop ``workspace``'s job (a waiting one never starts; a running one stops its paid work)."""
        if self.record(job_id, workspace) is None:
            return False
        self.queue.cancel(job_id)
        return True

    def follow(self, job_id: str, workspace: str) -> Callable[[Job], Any]:
        """Work for a studio ``Job``'s thread: mirror the record's progress and place in line until it
        ends; its result (a cancelled job's partial result too), or the error it ended with."""
        def watch(job: Job) -> Any:
            while True:
                found = self.record(job_id, workspace)
                if found is None:
                    raise JobFailed("This job is no longer known to the server (its record was removed).",
                                    hint="Start it again.")
                job.follow(_progress(found), self.queue.place(found))
                if found.finished:
                    return _outcome(found)
                time.sleep(FOLLOW_SECONDS)

        return watch


def _progress(record: Record) -> dict[str, Any]:
    progress = record.progress or {}
    scenes = {}
    for number, steps in (progress.get("scenes") or {}).items():
        statuses = list(steps.values()) if isinstance(steps, Mapping) else []
        scenes[int(number)] = max((_SCENE_FRACTIONS.get(s, 0.0) for s in statuses), default=0.0)
    return {"fraction": float(progress.get("fraction") or 0.0), "message": str(progress.get("message") or ""),
            "scenes": scenes}


def _outcome(record: Record) -> Any:
    if record.state == "succeeded" or (record.state == "cancelled" and record.result):
        return record.result  # a stopped voices/clips job keeps the scenes it made
    error = record.error or {}
    if record.state == "cancelled":
        raise Stopped("Stopped.", hint="Start it again when you want it.")
    raise JobFailed(str(error.get("message") or "The job failed."), hint=error.get("hint"))


# -- one engine per process ---------------------------------------------------------------------
_lock = threading.Lock()
_engine: tuple[tuple[Any, ...], StudioEngine] | None = None


def engine_for(environ: Mapping[str, str], owner: Settings, renders: int, others: int) -> StudioEngine:
    """This process's engine for the queue ``environ`` names (made once; made again if that changes).

    ``owner``: the settings the workers start from — the owner's keys from the environment and Secrets."""
    global _engine
    # an idle worker thread looks at its lane every 0.25 s here (not 1 s): a person is waiting on the page
    config = QueueConfig.from_env(environ, poll=None if environ.get("VIRALREEL_JOB_POLL") else 0.25)
    identity = (config.url, config.name, renders, others)
    with _lock:
        if _engine is None or _engine[0] != identity:
            if _engine is not None:
                _engine[1].close()
            _engine = (identity, StudioEngine(JobQueue(config, owner), renders, others))
        engine = _engine[1]
    engine.queue.settings = owner  # the owner's keys as they are now (Secrets may change while running)
    return engine


@atexit.register
def _shut_down() -> None:
    """A clean exit (Ctrl-C, SIGTERM) hands the jobs running here back to the queue for the next start."""
    if _engine is not None:
        _engine[1].close()
