"""The job queue: records in a store, wake-ups through Huey, workers in threads of this process or others.

``VIRALREEL_QUEUE_URL`` picks the backend: unset or ``sqlite:///path/jobs.db`` — embedded (one SQLite
file holds Huey's queue and our records; no server); ``redis://host:port/db`` — Redis, with workers on
any number of machines (``python -m viralreel_core worker``). Huey carries only a job id; the record
says what to do, so a message delivered twice or a job re-queued by the reaper is harmless (``claim``).

Two lanes, each a Huey queue of its own with its own worker threads: ``render`` (renders and whole
makes, memory-heavy: one at a time by default) and ``work`` (scripts, voices, clips: mostly waiting on
services or one CPU each). A lane's worker threads are its server-wide cap.
"""

from __future__ import annotations

import logging
import math
import os
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from huey import RedisHuey, SqliteHuey
from huey.consumer import Consumer

from viralreel_core.config import REPO_ROOT, Settings
from viralreel_core.errors import BadInput, QueueFull
from viralreel_core.jobs.options import check_request
from viralreel_core.jobs.records import KEEP_DAYS, KEEP_JOBS, MAX_ATTEMPTS, RENDER_KINDS, Job
from viralreel_core.jobs.runner import Run
from viralreel_core.jobs.store import JobStore

__all__ = ["JobQueue", "QueueConfig", "DEFAULT_DB", "LANES", "lane_of"]

_LOGGER = logging.getLogger(__name__)
DEFAULT_DB = REPO_ROOT / "queue" / "jobs.db"
STOP_WAIT = 5.0  # seconds stop() gives this process's job threads to wind down
LANES = ("render", "work")
PRUNE_EVERY = 600.0  # seconds between two prunings of finished jobs by one process's upkeep


@dataclass(frozen=True)
class QueueConfig:
    """Where jobs live and the queue's limits (environment variables in brackets)."""

    url: str = ""  # VIRALREEL_QUEUE_URL; empty: sqlite at DEFAULT_DB
    limit: int = 20  # VIRALREEL_QUEUE_LIMIT: queued jobs accepted before 429 (0: no limit)
    heartbeat: float = 2.0  # VIRALREEL_JOB_HEARTBEAT: seconds between a running job's heartbeats
    stale_after: float = 30.0  # VIRALREEL_JOB_STALE_AFTER: silence after which its worker counts as dead
    poll: float = 1.0  # VIRALREEL_JOB_POLL: longest nap of an idle worker thread between looks at its lane
    keep_days: float = KEEP_DAYS  # VIRALREEL_JOB_KEEP_DAYS: finished jobs are forgotten after this (0: never)
    keep_jobs: int = KEEP_JOBS  # VIRALREEL_JOB_KEEP: at most this many finished jobs are kept (0: no limit)
    name: str = "viralreel"

    @classmethod
    def from_env(cls, environ: Mapping[str, str], **overrides: Any) -> QueueConfig:
        """From the variables in ``environ`` (the edge passes the environment: ``environment.queue_config``)."""
        env = environ
        values: dict[str, Any] = {"url": env.get("VIRALREEL_QUEUE_URL", "")}
        for name, var, kind in (("limit", "VIRALREEL_QUEUE_LIMIT", int),
                                ("heartbeat", "VIRALREEL_JOB_HEARTBEAT", float),
                                ("stale_after", "VIRALREEL_JOB_STALE_AFTER", float),
                                ("poll", "VIRALREEL_JOB_POLL", float),
                                ("keep_days", "VIRALREEL_JOB_KEEP_DAYS", float),
                                ("keep_jobs", "VIRALREEL_JOB_KEEP", int)):
            if env.get(var):
                try:
                    values[name] = kind(env[var])
                except ValueError:
                    raise BadInput(f"{var} must be a number, not {env[var]!r}.") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def backend(self) -> str:
        scheme = urlsplit(self.url).scheme if self.url else "sqlite"
        if scheme in ("redis", "rediss", "unix"):
            return "redis"
        if scheme == "sqlite":
            return "sqlite"
        raise BadInput(f"VIRALREEL_QUEUE_URL has an unknown scheme {scheme!r}.",
                       hint="Use sqlite:///path/jobs.db (the default) or redis://host:6379/0.")

    @property
    def sqlite_path(self) -> Path:
        # sqlite:///relative/jobs.db or sqlite:////absolute/jobs.db, as SQLAlchemy spells them
        return Path(urlsplit(self.url).path[1:]) if self.url else DEFAULT_DB

    def public_url(self) -> str:
        """The URL without a password."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.sqlite_path}"  # four slashes for an absolute path
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


def lane_of(kind: str) -> str:
    """The lane a kind of job waits in: ``render`` for renders and makes, ``work`` for the rest."""
    return "render" if kind in RENDER_KINDS else "work"


def _gone(worker: str) -> bool:
    """Whether ``worker`` (host:pid:tag) was a process on this machine that no longer exists: its jobs need
    not wait ``stale_after`` (a studio or API server restarted here finds its old jobs at once)."""
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, owned by someone else
        return False
    return False


class _InProcessConsumer(Consumer):
    """Huey's consumer without its signal handlers: the process serving HTTP owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


class _LeadConsumer(Consumer):
    """A worker process's render-lane consumer (it owns the signals); stopping it stops the other lanes too."""

    companions: list[Consumer]

    def stop(self, graceful: bool = False) -> None:
        for other in self.companions:
            other.stop_flag.set()  # no new messages in any lane from now on
        super().stop(graceful)
        for other in self.companions:
            other.stop(graceful)


class JobQueue:
    """Submit, look at and cancel jobs; run workers for them in this process."""

    def __init__(self, config: QueueConfig, settings: Settings) -> None:
        """``config``: where jobs live and the limits; ``settings``: the workers' base (keys, folders), both
        read from the environment at the edge (``environment.queue_config``, ``settings_from_env``)."""
        self.config = config
        self.settings = settings
        self.store: JobStore
        names = {"render": self.config.name, "work": f"{self.config.name}-work"}  # one Huey queue per lane
        if self.config.backend == "redis":
            from viralreel_core.jobs.redis_store import RedisJobStore

            self.store = RedisJobStore(self.config.url, self.config.name)
            self.hueys = {lane: RedisHuey(names[lane], url=self.config.url, results=False) for lane in LANES}
        else:
            from viralreel_core.jobs.sqlite_store import SqliteJobStore

            self.store = SqliteJobStore(self.config.sqlite_path)
            self.hueys = {lane: SqliteHuey(names[lane], filename=str(self.config.sqlite_path), results=False)
                          for lane in LANES}
        self._wakes = {lane: huey.task(name="viralreel.run_job")(self._run_message)
                       for lane, huey in self.hueys.items()}
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.concurrency = 0  # render-lane threads in this process
        self.work_concurrency = 0  # work-lane threads in this process
        self._runs: dict[str, Run] = {}
        self._runs_lock = threading.Lock()
        self._stopping = threading.Event()
        self._consumers: list[Consumer] = []
        self._upkeep: threading.Thread | None = None

    @property
    def embedded(self) -> bool:
        return self.config.backend == "sqlite"

    # -- submitting and looking ------------------------------------------------------------------
    def submit(self, kind: str, params: Mapping[str, Any], client: str | None = None) -> Job:
        """Check the request (BadInput), store it as queued (QueueFull when the queue is full), wake a worker.

        ``client``: the API client's name the job is recorded under (only it, and admin, see the job)."""
        return self.enqueue(Job(id=uuid.uuid4().hex[:12], kind=kind, params=check_request(kind, params, self.settings),
                                client=client))

    def enqueue(self, job: Job) -> Job:
        """Store an already checked job as queued (QueueFull when the queue is full) and wake its lane."""
        if not self.store.add(job, self.config.limit):
            raise QueueFull(f"The queue already holds {self.config.limit} waiting jobs.",
                            hint="Try again later.", retry_after=self.retry_after())
        self._wake(job.id, job.kind)
        return job

    def _wake(self, job_id: str, kind: str | None = None) -> None:
        if kind is None:
            job = self.store.get(job_id)
            if job is None:
                return
            kind = job.kind
        self._wakes[lane_of(kind)](job_id)

    def place(self, job: Job) -> int | None:
        """A queued job's place in its lane's line (1: next), or None when it is not waiting."""
        if job.state != "queued":
            return None
        lane = lane_of(job.kind)
        ahead = [j for j in self.store.in_states(["queued"]) if lane_of(j.kind) == lane and not j.params.get("local")]
        ids = [j.id for j in ahead]
        return ids.index(job.id) + 1 if job.id in ids else len(ids) + 1
    def get(self, job_id: str) -> Job | None:
        return self.store.get(job_id)

    def list(self, limit: int = 50, client: str | None = None) -> list[Job]:
        """The newest jobs first; with ``client``, only that API client's."""
        return self.store.list(limit, client)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a job (a running one stops at once if it runs here, else at its worker's next heartbeat)."""
        job = self.store.cancel(job_id)
        with self._runs_lock:
            run = self._runs.get(job_id)
        if run is not None and job is not None and job.cancel_requested:
            run.stop()
        return job

    def wait(self, job_id: str, timeout: float | None = None, poll: float = 0.2) -> Job | None:
        """Block until the job has ended (or ``timeout``); the job as it stands then."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.store.get(job_id)
            if job is None or job.finished or (deadline is not None and time.monotonic() > deadline):
                return job
            time.sleep(poll)

    def live_workers(self) -> list[dict[str, Any]]:
        now = time.time()
        return [w for w in self.store.workers() if now - w.get("last_seen", 0) <= self.config.stale_after]

    def retry_after(self) -> int:
        """A fair wait before trying again: recent jobs' mean length × queued jobs ÷ worker slots."""
        recent = self.store.recent_seconds(20)
        mean = statistics.fmean(recent) if recent else 60.0
        slots = sum(int(w.get("concurrency", 1)) for w in self.live_workers()) or 1
        return int(min(3600, max(5, math.ceil(mean * max(1, self.store.queued_count()) / slots))))

    def health(self) -> dict[str, Any]:
        workers = self.live_workers()
        return {"backend": self.config.backend, "url": self.config.public_url(), "limit": self.config.limit,
                "jobs": self.store.counts(), "workers": len(workers),
                "worker_slots": sum(int(w.get("concurrency", 1)) for w in workers),
                "worker_list": workers, "ok": True}

    # -- working ---------------------------------------------------------------------------------
    def _run_message(self, job_id: str) -> None:
        """Huey's task: run the job if it is still waiting (a duplicate or stale message does nothing)."""
        if self._stopping.is_set():
            self._wake(job_id)  # picked up while shutting down: leave it for the next worker
            return
        job = self.store.claim(job_id, self.worker_id)
        if job is None:
            return
        run = Run(self.store, job, self.worker_id, self.settings, self.config.heartbeat)

        def started(r: Run) -> None:
            with self._runs_lock:
                self._runs[job_id] = r
            if self.store.get(job_id).cancel_requested:  # cancelled between claim and start
                r.stop()

        try:
            run.execute(on_start=started)
        finally:
            with self._runs_lock:
                self._runs.pop(job_id, None)

    def _consumer_for(self, lane: str, threads: int, cls: type[Consumer]) -> Consumer:
        return cls(self.hueys[lane], workers=threads, worker_type="thread", periodic=False,
                   initial_delay=0.1, backoff=1.15, max_delay=self.config.poll, check_worker_health=True)

    def start(self, concurrency: int = 1, work: int | None = None) -> JobQueue:
        """Run worker threads in this process (the embedded server) until ``stop()``: ``concurrency`` for
        renders and makes, ``work`` (default: as many) for scripts, voices and clips."""
        work = concurrency if work is None else work
        if (concurrency < 1 and work < 1) or self._consumers:
            return self
        self.concurrency, self.work_concurrency = max(0, concurrency), max(0, work)
        for lane, threads in (("render", concurrency), ("work", work)):
            if threads > 0:
                consumer = self._consumer_for(lane, threads, _InProcessConsumer)
                consumer.start()
                self._consumers.append(consumer)
        self.start_upkeep()
        return self

    def run_worker(self, concurrency: int = 1, work: int | None = None) -> None:
        """Be a worker process until SIGINT (finish the jobs in hand, then stop) or SIGTERM (re-queue them)."""
        work = concurrency if work is None else work
        if concurrency < 1 or work < 0:
            raise BadInput("A worker runs at least one render at a time.", hint="Use --concurrency 1 or more.")
        self.concurrency, self.work_concurrency = concurrency, work
        lead = self._consumer_for("render", concurrency, _LeadConsumer)
        lead.companions = [self._consumer_for("work", work, _InProcessConsumer)] if work else []
        self._consumers = [lead, *lead.companions]
        for other in lead.companions:
            other.start()
        self.start_upkeep()
        try:
            lead.run()
        finally:
            for other in lead.companions:
                other.stop_flag.set()
            self._consumers = []
            self._release()

    def stop(self) -> None:
        """Stop this process's workers; jobs still running here go back to the queue."""
        consumers, self._consumers = self._consumers, []
        for consumer in consumers:
            consumer.stop()  # no new messages are taken
        self._release()
        deadline = time.monotonic() + STOP_WAIT  # let the threads see the flag (a stopped job raises at its next step)
        for consumer in consumers:
            for thread in [consumer.scheduler, *(t for _, t in consumer.worker_threads)]:
                thread.join(max(0.0, deadline - time.monotonic()))

    def _release(self) -> None:
        self._stopping.set()
        with self._runs_lock:
            runs = list(self._runs.values())
        for run in runs:
            if self.store.requeue(run.job.id, self.worker_id, "its worker was stopped", refund=True):
                self._wake(run.job.id, run.job.kind)
            run.stop()
        try:
            self.store.worker_gone(self.worker_id)
        except Exception:  # the store may be gone already; the entry then ages out
            _LOGGER.debug("could not remove worker entry", exc_info=True)

    def close(self) -> None:
        self.stop()
        self.store.close()

    # -- upkeep: this worker's own heartbeat and the reaper ---------------------------------------
    def start_upkeep(self) -> None:
        """This process's entry in the workers' registry and the reaper, in a thread (until ``stop()``)."""
        self._stopping.clear()
        if self._upkeep is not None and self._upkeep.is_alive():
            return
        self._upkeep = threading.Thread(target=self._upkeep_loop, name="viralreel-upkeep", daemon=True)
        self._upkeep.start()

    def _upkeep_loop(self) -> None:
        info = {"host": socket.gethostname(), "pid": os.getpid(), "concurrency": self.concurrency,
                "work_concurrency": self.work_concurrency}
        pruned_at = 0.0
        while not self._stopping.is_set():
            try:
                with self._runs_lock:
                    running = sorted(self._runs)
                self.store.worker_seen(self.worker_id, {**info, "running": running})
                self.reap()
                if time.monotonic() - pruned_at >= PRUNE_EVERY or not pruned_at:
                    pruned_at = time.monotonic()
                    self.prune()
            except Exception:
                _LOGGER.warning("job upkeep failed; trying again", exc_info=True)
            self._stopping.wait(self.config.heartbeat)

    def prune(self) -> int:
        """Forget finished jobs past the retention policy (``keep_days``, ``keep_jobs``); how many went."""
        removed = self.store.prune(self.config.keep_days, self.config.keep_jobs)
        if removed:
            _LOGGER.info("forgot %d finished jobs (kept %g days, at most %d)", removed, self.config.keep_days,
                         self.config.keep_jobs)
        return removed

    def reap(self) -> list[tuple[str, str]]:
        """Running jobs whose worker went silent: run once more (attempt 2) or, after that, fail with the reason.

        Returns (job id, "requeued" | "failed") for each job it acted on.
        """
        acted: list[tuple[str, str]] = []
        cutoff = time.time() - self.config.stale_after
        for job in self.store.running():
            if job.heartbeat_at is None or job.worker in (None, self.worker_id):
                continue  # ours: this process knows its own jobs are running (a busy GIL delays beats)
            if job.heartbeat_at >= cutoff and not _gone(job.worker):
                continue  # alive (or silent for less than stale_after on another machine)
            step = job.progress.get("step") or "its first step"
            silent = f"the worker {job.worker} stopped answering during {step} (attempt {job.attempts})"
            if job.params.get("local"):  # work that held a typed key ran only in its process: it cannot run again
                error = {"message": f"The job's worker stopped answering once, during {step}: it was the studio "
                                    "server itself (restarted, killed or out of memory). Work run inside the studio "
                                    "(a script, or work with a key typed in the sidebar, which is never stored) "
                                    "cannot be run again elsewhere.",
                         "hint": "Start it again.", "type": "WorkerLost"}
                if self.store.fail(job.id, job.worker, error, silent):
                    acted.append((job.id, "failed"))
                    _LOGGER.warning("job %s failed: %s", job.id, silent)
            elif job.attempts < MAX_ATTEMPTS:
                if self.store.requeue(job.id, job.worker, silent):
                    self._wake(job.id, job.kind)
                    acted.append((job.id, "requeued"))
                    _LOGGER.warning("job %s re-queued: %s", job.id, silent)
            else:
                times = "once" if job.attempts == 1 else f"{job.attempts} times"
                error = {"message": f"The job's worker stopped answering {times}, last during {step} "
                                    "(killed, out of memory, or its machine went down).",
                         "hint": "Run it again; if it keeps happening, give workers more memory or run fewer "
                                 "jobs at once (worker --concurrency 1).", "type": "WorkerLost"}
                if self.store.fail(job.id, job.worker, error, silent):
                    acted.append((job.id, "failed"))
                    _LOGGER.warning("job %s failed: %s", job.id, silent)
        return acted
