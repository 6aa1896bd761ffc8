"""Job records in a SQLite file: the embedded default (no server; the same file Huey queues in)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from viralreel_core.errors import ViralReelError
from viralreel_core.jobs.records import FINISHED, Job
from viralreel_core.jobs.store import WORKER_FORGET_SECONDS, JobStore

__all__ = ["SqliteJobStore"]

_COLUMNS = tuple(Job.__dataclass_fields__)
_SCHEMA = f"""
create table if not exists viralreel_jobs ({", ".join(
    f"{c} {'text primary key' if c == 'id' else ''}" for c in _COLUMNS)});
create index if not exists viralreel_jobs_state on viralreel_jobs (state);
create index if not exists viralreel_jobs_created on viralreel_jobs (created_at);
create table if not exists viralreel_workers (id text primary key, info text, last_seen real);
"""


class SqliteJobStore(JobStore):
    """Records in ``path`` (WAL mode, so readers never wait for the writer)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("pragma journal_mode=wal")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise ViralReelError(f"Cannot open the job database {self.path} ({exc}).",
                                 hint="Point VIRALREEL_QUEUE_URL at a writable sqlite:///path/jobs.db.") from exc

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("begin immediate")
            try:
                yield db
            except BaseException:
                db.execute("rollback")
                raise
            db.execute("commit")

    def add(self, job: Job, limit: int) -> bool:
        row = job.to_row()
        with self._write() as db:
            if limit > 0:
                (queued,) = db.execute("select count(*) from viralreel_jobs where state = 'queued'").fetchone()
                if queued >= limit:
                    return False
            db.execute(f"insert into viralreel_jobs ({', '.join(row)}) values ({', '.join('?' * len(row))})",
                       tuple(row.values()))
        return True

    def get(self, job_id: str) -> Job | None:
        with self._connect() as db:
            row = db.execute("select * from viralreel_jobs where id = ?", (job_id,)).fetchone()
        return Job.from_row(dict(row)) if row else None

    def list(self, limit: int = 50) -> list[Job]:
        with self._connect() as db:
            rows = db.execute("select * from viralreel_jobs order by created_at desc limit ?", (limit,)).fetchall()
        return [Job.from_row(dict(r)) for r in rows]

    def counts(self) -> dict[str, int]:
        counts = self._empty_counts()
        with self._connect() as db:
            for state, n in db.execute("select state, count(*) from viralreel_jobs group by state"):
                counts[state] = n
        return counts

    def running(self) -> list[Job]:
        with self._connect() as db:
            rows = db.execute("select * from viralreel_jobs where state = 'running'").fetchall()
        return [Job.from_row(dict(r)) for r in rows]

    def in_states(self, states: Iterable[str]) -> list[Job]:
        wanted = tuple(states)
        with self._connect() as db:
            rows = db.execute(f"select * from viralreel_jobs where state in ({', '.join('?' * len(wanted))}) "
                              "order by created_at", wanted).fetchall()
        return [Job.from_row(dict(r)) for r in rows]

    def _finished_times(self) -> list[tuple[str, float | None]]:
        states = tuple(FINISHED)
        with self._connect() as db:
            rows = db.execute(f"select id, finished_at from viralreel_jobs where state in "
                              f"({', '.join('?' * len(states))})", states).fetchall()
        return [(r["id"], float(r["finished_at"]) if r["finished_at"] is not None else None) for r in rows]

    def _delete(self, job_ids: list[str]) -> int:
        states = tuple(FINISHED)
        removed = 0
        with self._write() as db:
            for start in range(0, len(job_ids), 500):
                chunk = job_ids[start:start + 500]
                removed += db.execute(
                    f"delete from viralreel_jobs where id in ({', '.join('?' * len(chunk))}) "
                    f"and state in ({', '.join('?' * len(states))})", (*chunk, *states)).rowcount
        return removed

    def _transition(self, job_id: str, from_states: Iterable[str], worker: str | None,
                    changes: dict[str, Any], note: str | None = None) -> Job | None:
        with self._write() as db:
            row = db.execute("select * from viralreel_jobs where id = ?", (job_id,)).fetchone()
            if row is None or row["state"] not in tuple(from_states):
                return None
            if worker is not None and row["worker"] != worker:
                return None
            job = Job.from_row(dict(row))
            for name, value in changes.items():
                setattr(job, name, value)
            if note:
                job.notes = [*job.notes, note]
            new = job.to_row()
            names = [n for n in new if n != "id"]
            db.execute(f"update viralreel_jobs set {', '.join(f'{n} = ?' for n in names)} where id = ?",
                       (*[new[n] for n in names], job_id))
        return job

    def worker_seen(self, worker_id: str, info: dict[str, Any]) -> None:
        now = time.time()
        with self._write() as db:
            db.execute("insert or replace into viralreel_workers (id, info, last_seen) values (?, ?, ?)",
                       (worker_id, json.dumps(info), now))
            db.execute("delete from viralreel_workers where last_seen < ?", (now - WORKER_FORGET_SECONDS,))

    def worker_gone(self, worker_id: str) -> None:
        with self._write() as db:
            db.execute("delete from viralreel_workers where id = ?", (worker_id,))

    def workers(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute("select id, info, last_seen from viralreel_workers order by id").fetchall()
        return [{**json.loads(r["info"]), "id": r["id"], "last_seen": r["last_seen"]} for r in rows]
