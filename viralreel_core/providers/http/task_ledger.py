"""Paid server-side tasks, written down the moment they are created, so that a rerun never pays twice.

A service that runs paid work as a task (Runway: create → poll → download) records the task's id here,
under a key of what it was asked to make, before it starts polling. The next make of the same thing —
after a download that failed, an error while polling, a crash or a ``kill -9`` — finds it and polls
(and downloads) that task again; only a task that is gone (404), failed or was cancelled is paid for
again. Every task provider keeps its tasks here; none keeps its own list.

The ledger lives beside the asset cache (``<cache>/tasks``, a diskcache: a row is committed before
``record`` returns, and every process on the cache sees it) once the pipeline hands the cache over
(``ClipMaker.use_cache``); before that, in memory. An entry lasts ``TASK_LIFETIME`` (the service keeps
outputs 24–48 h); an older one is not trusted and the work is paid for again. Whether a task's price
was already reported (in a run's result or an error's ``spent_usd``) is kept too, so a rerun that picks
the task up counts its money once, and only if no run counted it before::

    ledger = TaskLedger.beside(cache.directory)
    key = task_key("runway", "api.dev.runwayml.com", "video", "gen4.5", "720:1280", 4, prompt)
    found = ledger.find(key)          # a PaidTask, or None
    ledger.record(key, PaidTask("runway", task_id, credits=48))
    ...
    ledger.forget(key)                # the output is safely downloaded, or the task is over

A ledger whose disk fails (full, read-only) never fails the paid work it records: the entry is kept in
this process's memory (logged at INFO: the run's own error names the disk) and the money is still
reported; only a later process may then not find it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import diskcache

from viralreel_core.cache.upkeep import open_index

__all__ = ["PaidTask", "TaskLedger", "task_key", "TASK_LIFETIME", "LEDGER_DIR"]

_LOGGER = logging.getLogger(__name__)

TASK_LIFETIME = 24 * 3600.0  # Runway keeps a task's outputs 24–48 h: past the shorter, pay again
LEDGER_DIR = "tasks"  # the ledger's folder inside the cache folder


def task_key(service: str, *parts: Any) -> str:
    """The ledger key of one piece of paid work: a hash of the service and everything that shapes it (no key)."""
    text = json.dumps([service, *parts], sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PaidTask:
    """One task a service was paid to run: its id, its price and what became of it here."""

    service: str
    task_id: str
    credits: float = 0.0  # the service's price for it, in its own unit
    created: float = 0.0  # the ledger's clock when it was recorded
    counted: bool = False  # its price was reported to a run (a clip's cost or an error's spent_usd)
    fetch_failed: bool = False  # its output was fetched and could not be used once already


class TaskLedger:
    """Paid tasks by key; thread- and process-safe when kept on disk (``beside``), else in this process only."""

    def __init__(self, store: diskcache.Cache | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._memory: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    @classmethod
    def beside(cls, cache_dir: str | Path, *, clock: Callable[[], float] = time.time) -> TaskLedger:
        """The ledger kept in ``<cache_dir>/tasks`` (a damaged one is moved aside and a fresh one started)."""
        warnings: list[str] = []
        store = open_index(Path(cache_dir) / LEDGER_DIR, warnings)
        for line in warnings:
            _LOGGER.warning(line)
        return cls(store, clock=clock)

    @property
    def durable(self) -> bool:
        """Whether entries outlive this process."""
        return self._store is not None

    def find(self, key: str) -> PaidTask | None:
        """The task recorded for ``key``, unless it is older than ``TASK_LIFETIME`` (then it is dropped)."""
        data = self._memory.get(key)
        if data is None and self._store is not None:
            try:
                data = self._store.get(key)
            except (sqlite3.Error, OSError) as exc:
                _LOGGER.info("The task ledger cannot be read (%s): paid tasks may not be picked up.", exc)
        if not isinstance(data, dict):
            return None
        try:
            task = PaidTask(**data)
        except TypeError:  # written by another version: not trusted
            self.forget(key)
            return None
        if self._clock() - task.created > TASK_LIFETIME:
            self.forget(key)
            return None
        return task

    def record(self, key: str, task: PaidTask) -> PaidTask:
        """Write ``task`` down under ``key`` (stamped now); returns what was stored."""
        stored = replace(task, created=self._clock())
        self._put(key, stored)
        return stored

    def update(self, key: str, **changes: Any) -> None:
        """Change fields of the task under ``key`` (``counted=True``…), if it is still there."""
        with self._lock:
            task = self.find(key)
            if task is not None:
                self._put(key, replace(task, **changes))

    def forget(self, key: str) -> None:
        """Drop the entry for ``key`` (its output is safe elsewhere, or the task is over)."""
        self._memory.pop(key, None)
        if self._store is not None:
            try:
                self._store.delete(key)
            except (sqlite3.Error, OSError) as exc:
                _LOGGER.info("The task ledger cannot forget a task (%s): a rerun may poll it again.", exc)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def _put(self, key: str, task: PaidTask) -> None:
        data = asdict(task)
        if self._store is not None:
            try:  # kept on disk a little past its lifetime; ``find`` decides by the ledger's own clock
                self._store.set(key, data, expire=2 * TASK_LIFETIME)
                self._memory.pop(key, None)
                return
            except (sqlite3.Error, OSError) as exc:  # a full or read-only disk: this process still knows
                _LOGGER.info("The task ledger cannot be written (%s): task %s is kept in memory only.",
                                exc, task.task_id)
        self._memory[key] = data
