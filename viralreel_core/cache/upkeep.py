"""Keeping the cache folder healthy: a damaged index is moved aside, and killed runs' scratch is swept.

Scratch work lives in ``<cache>/tmp/<name>/``, each folder guarded by an OS file lock (``<name>.lock``,
via ``filelock``) held for as long as its owner works in it. The kernel drops the lock when the owner dies,
even by ``kill -9``, so the next start can tell a dead run's folder from a live one and sweep only the dead.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import diskcache
from filelock import FileLock, Timeout

__all__ = ["TMP_DIR", "DAMAGED_DIR", "INDEXES", "open_index", "scratch_dir", "sweep_scratch", "index_problem",
           "inspect_index", "sweep_locks"]

TMP_DIR = "tmp"
DAMAGED_DIR = "damaged"
INDEXES = ("assets", "counters")  # the cache's diskcache folders
STALE_LOCK_SECONDS = 24 * 3600
UNLOCKED_GRACE_SECONDS = 3600  # a scratch folder without a lock file (an older version's) is left this long
SCRATCH_LOCK_WAIT = 10.0  # seconds a new scratch folder waits out a sweeper that is checking its lock


def index_problem(store: diskcache.Cache) -> str | None:
    """What SQLite's quick check finds wrong with the index, or None when it is sound."""
    try:
        rows = store._sql("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError:
        return None  # busy or locked by another process: that says nothing about damage, so never repair on it
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [str(row[0]) for row in rows]
    return None if found == ["ok"] else "; ".join(found[:3])


def inspect_index(folder: Path) -> str | None:
    """What is wrong with the index in ``folder``, read only (nothing repaired); None if sound or absent."""
    path = folder / "cache.db"
    if not path.exists():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA quick_check").fetchall()
    except sqlite3.OperationalError:
        return None  # busy, or not readable here: not a sign of damage
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [str(row[0]) for row in rows]
    return None if found == ["ok"] else "; ".join(found[:3])


def _damaged(exc: BaseException) -> bool:
    """A damaged file (not a permission or locking problem, which moving it aside would not fix)."""
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


def open_index(folder: Path, warnings: list[str], **options) -> diskcache.Cache:
    """A diskcache at ``folder``; a damaged index is moved to ``<cache>/damaged/`` and a fresh one started.

    The files the damaged index pointed at can no longer be found by anything, so they go with it;
    one line describing what happened is appended to ``warnings``.
    """
    try:
        store = diskcache.Cache(str(folder), **options)
    except sqlite3.DatabaseError as exc:
        if not _damaged(exc):
            raise
        problem = str(exc)
    else:
        problem = index_problem(store)
        if problem is None:
            return store
        store.close()
    aside = folder.parent / DAMAGED_DIR / f"{folder.name}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.db"
    aside.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(folder / "cache.db"), aside)
    dropped = sum(1 for p in folder.rglob("*") if p.is_file())
    shutil.rmtree(folder, ignore_errors=True)
    warnings.append(f"The cache index {folder / 'cache.db'} was damaged ({problem}); moved it to {aside} and "
                    f"started a fresh one ({dropped} stored files dropped; they will be made again when needed).")
    return diskcache.Cache(str(folder), **options)


@contextlib.contextmanager
def scratch_dir(cache_dir: Path, prefix: str) -> Iterator[Path]:
    """A fresh folder under ``<cache>/tmp/``, locked while in use and removed afterwards."""
    root = cache_dir / TMP_DIR
    root.mkdir(parents=True, exist_ok=True)
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    lock_path = root / f"{name}.lock"
    # the lock is taken before the folder exists, so a sweeper never sees the folder unguarded; the name is
    # new, so only a sweeper (another cache opening meanwhile, e.g. the next job's) can hold it, for a moment
    try:
        with FileLock(lock_path, timeout=SCRATCH_LOCK_WAIT):
            folder = root / name
            folder.mkdir()
            try:
                yield folder
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        lock_path.unlink(missing_ok=True)  # the name is unique: nobody else waits on it


def _unlink_if_free(lock_path: Path) -> bool:
    """Remove a lock file nobody holds; False if a live process holds it."""
    try:
        with FileLock(lock_path, timeout=0):
            lock_path.unlink(missing_ok=True)
        return True
    except (Timeout, OSError):
        return False


def sweep_locks(folder: Path, older_than: float = STALE_LOCK_SECONDS) -> int:
    """Remove per-key lock files untouched for a day that nobody holds (they are made again on demand)."""
    removed = 0
    if folder.is_dir():
        settled = time.time() - older_than
        for lock_path in folder.glob("*.lock"):
            with contextlib.suppress(OSError):
                if lock_path.stat().st_mtime < settled and _unlink_if_free(lock_path):
                    removed += 1
    return removed


def sweep_scratch(cache_dir: Path) -> int:
    """Remove scratch folders whose owner is gone (killed or crashed); returns how many were removed."""
    root = cache_dir / TMP_DIR
    if not root.is_dir():
        return 0
    removed = 0
    for lock_path in root.glob("*.lock"):  # a run killed between taking its lock and making its folder
        if not lock_path.with_suffix("").exists():
            _unlink_if_free(lock_path)
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        lock_path = root / f"{folder.name}.lock"
        if not lock_path.exists():
            with contextlib.suppress(OSError):
                if time.time() - folder.stat().st_mtime > UNLOCKED_GRACE_SECONDS:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
            continue
        try:
            with FileLock(lock_path, timeout=0):  # taken: its owner died without cleaning up
                shutil.rmtree(folder, ignore_errors=True)
                lock_path.unlink(missing_ok=True)
                removed += 1
        except (Timeout, OSError):
            continue  # a live run is working in it
    return removed
