"""The asset cache: every paid (or slow) result kept on disk under a hash of everything that made it.

``cache_key(step, provider, params, input)`` is the sha256 of canonical JSON of those parts, so the same
inputs never cost twice, across runs and across people on one machine. Entries are small metadata
records; their files are stored once per content hash (``blob:<sha256>``) inside diskcache, which writes
a file fully before committing its row — a crash leaves at worst an unreferenced blob, never a
half-written value. Lifetimes follow the step; the size limit evicts least-recently-used entries.

Reads are verified: each entry records its files' sizes, and a file whose size or content hash no longer
matches (truncated, overwritten, deleted) drops the entry, which is then made again — announced when that
costs money. One maker per key at a time, across threads and processes (an OS file lock per key, dropped
by the kernel if its holder dies), so concurrent runs of the same work pay once.

A disk that fills up or turns read-only is a ``DiskFault`` naming the cache folder (``disk.py``): a blob
that would not fit is never started, one cut short is removed, and what was stored before stays usable
(the hit counters are best effort: a read-only cache still serves what it holds).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import diskcache
from filelock import FileLock, Timeout

from viralreel_core.cache.upkeep import DAMAGED_DIR, index_problem, open_index, scratch_dir, sweep_locks, sweep_scratch
from viralreel_core.errors import BadConfiguration, CacheError, DiskFault
from viralreel_core.media import disk

__all__ = ["AssetCache", "CachedAsset", "LIFETIMES", "cache_key", "canonical_json", "file_sha256"]

DAY = 24 * 3600
#: seconds an entry lives, per step
LIFETIMES = {"script": DAY, "voice": 7 * DAY, "clips": 30 * DAY, "segment": 30 * DAY, "stock_search": DAY}
_MICRO = 1_000_000  # money is counted in micro-dollars so diskcache's atomic integer incr can add it
_CHUNK = 1 << 20
ORPHAN_GRACE_SECONDS = 3600
LOCK_WAIT_SECONDS = 3600.0  # longest a run waits for another process making the same thing (Runway: ~10 min)
LOCK_DIR = "locks"
_LOGGER = logging.getLogger(__name__)
Maker = Callable[[Path], tuple[Mapping[str, Any], Mapping[str, "str | Path"], float]]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal values always give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def cache_key(step: str, provider: str, params: Mapping[str, Any], input: Any) -> str:
    """The content hash of one provider call: any changed part gives a new key."""
    payload = {"step": step, "provider": provider, "params": dict(params), "input": input}
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    """The sha256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


class _WholeFiles(diskcache.Disk):
    """diskcache's files, except that one it could not finish writing (a full or failing disk) is removed
    rather than left behind unlisted."""

    def _write(self, full_path, iterator, mode, encoding=None):
        try:
            return super()._write(full_path, iterator, mode, encoding)
        except FileExistsError:  # not ours (names are random: never in practice)
            raise
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(full_path)
            raise


@dataclass(frozen=True)
class CachedAsset:
    """One cache entry: its metadata and its files on disk (paths inside the cache directory)."""

    key: str
    meta: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)
    cost_usd: float = 0.0
    seconds: float = 0.0
    step: str = ""


class AssetCache:
    """Content-hash cache over diskcache; safe to share between threads and processes.

    ``warnings`` collects one line per repair made when opening (a damaged index moved aside).
    """

    def __init__(self, directory: str | Path, size_limit: int = 8 * 2**30,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory).expanduser().absolute()
        self._clock = clock
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._verified: dict[str, tuple[int, int]] = {}  # blob path -> (size, mtime_ns) already hashed here
        self._dropped: dict[str, tuple[dict[str, Any], str]] = {}  # key -> (record, why), until made again
        self.warnings: list[str] = []
        hint = "Choose a writable cache directory (--cache-dir or VIRALREEL_CACHE_DIR)."
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.directory, prefix=".probe-"):
                pass  # a real write: an existing folder may still be read-only or full
            # diskcache's own culling drops ten items at a time, the new one among them: we cull by entry
            self._store = open_index(self.directory / "assets", self.warnings, size_limit=size_limit,
                                     eviction_policy="least-recently-used", cull_limit=0, disk=_WholeFiles)
            self._counters = open_index(self.directory / "counters", self.warnings)
            sweep_scratch(self.directory)
            sweep_locks(self.directory / LOCK_DIR)
        except (OSError, diskcache.core.sqlite3.Error) as exc:
            raise BadConfiguration(f"Cannot use the cache at {self.directory}: {exc}.", hint=hint) from exc
        for line in self.warnings:
            _LOGGER.warning(line)

    @contextlib.contextmanager
    def _disk_faults(self) -> Iterator[None]:
        """A full, read-only or failing disk under the block as the cache folder's DiskFault."""
        try:
            yield
        except (OSError, sqlite3.Error, DiskFault) as exc:
            fault = disk.as_fault(exc, [self.directory])
            if fault is None:
                raise
            raise fault from exc

    def _count(self, name: str, delta: int = 1) -> None:
        """Add to a counter of ``stats`` if the disk lets us: a counter is never worth failing a run for."""
        if delta:
            try:
                self._counters.incr(name, delta)
            except (OSError, sqlite3.Error) as exc:
                _LOGGER.info("The cache's %s counter was not updated: %s", name, exc)

    # -- reading ---------------------------------------------------------------------------------
    def get(self, key: str) -> CachedAsset | None:
        """The entry for ``key``, or None (a miss) if absent, expired, or any of its files is missing or damaged."""
        with self._disk_faults():
            return self._lookup(key)[0]

    def _lookup(self, key: str) -> tuple[CachedAsset | None, dict[str, Any] | None, str | None]:
        """``(asset, record, problem)``: a damaged entry is dropped and comes back as (None, record, why)."""
        record = self._store.get(("entry", key))
        if record is None:
            return None, None, None
        files: dict[str, Path] = {}
        sizes = record.get("sizes", {})
        for name, digest in record["files"].items():
            path, problem, listed = self._blob_path(digest, sizes.get(name))
            if problem is not None:
                self._store.delete(("entry", key))
                if listed:
                    self._store.delete(("blob", digest))
                why = f"its {name} file {problem}"
                self._dropped[key] = (record, why)  # so the remake, whenever it comes, is announced
                return None, record, why
            files[name] = path
        return (CachedAsset(key=key, meta=record["meta"], files=files, cost_usd=record.get("cost_usd", 0.0),
                            seconds=record.get("seconds", 0.0), step=record.get("step", "")), record, None)

    def _blob_path(self, digest: str, size: int | None) -> tuple[Path | None, str | None, bool]:
        """``(file, None, True)`` for a sound stored file, else ``(file or None, what is wrong, whether the
        index still lists it)``; a listed but damaged or missing file should be deleted from the index."""
        handle = self._store.get(("blob", digest), read=True)
        if handle is None:  # no row, or a row whose file cannot be opened (deleted behind our back)
            if ("blob", digest) not in self._store:
                return None, "is gone (evicted)", False
            # listed: either its file is missing, or another thread added these bytes a moment ago
            handle = self._store.get(("blob", digest), read=True)
            if handle is None:
                return None, "is missing", ("blob", digest) in self._store
        handle.close()
        path = Path(handle.name)
        try:
            stat = path.stat()
        except OSError:
            return path, "is missing", True
        if size is not None and stat.st_size != size:
            return path, f"is {stat.st_size} bytes instead of {size}", True
        if self._verified.get(str(path)) != (stat.st_size, stat.st_mtime_ns):
            if file_sha256(path) != digest:
                return path, "does not match its content hash", True
            self._verified[str(path)] = (stat.st_size, stat.st_mtime_ns)
        return path, None, True

    # -- writing ---------------------------------------------------------------------------------
    def put(self, key: str, step: str, meta: Mapping[str, Any], files: Mapping[str, str | Path] | None = None,
            *, cost_usd: float = 0.0, seconds: float = 0.0) -> CachedAsset:
        """Store ``meta`` and copies of ``files`` under ``key``; returns the stored entry."""
        expire = LIFETIMES.get(step, 30 * DAY)
        digests: dict[str, str] = {}
        sizes: dict[str, int] = {}
        try:
            for name, path in (files or {}).items():
                digest, size = file_sha256(path), os.path.getsize(path)
                _, problem, listed = self._blob_path(digest, size)
                if problem is not None and listed:
                    # a stored copy that is damaged is replaced, not reused (one that is simply absent is
                    # left alone: another thread may be adding the same bytes right now)
                    self._store.delete(("blob", digest))
                if not self._store.touch(("blob", digest), expire=expire):
                    if size / disk.MB + disk.LOW_MB > disk.free_mb(self.directory):  # never start what cannot end
                        raise disk.fault(self.directory, "full", size / disk.MB + disk.LOW_MB)
                    # add, never set: overwriting would delete a file another thread may be reading
                    with open(path, "rb") as handle:
                        self._store.add(("blob", digest), handle, read=True, expire=expire)
                digests[name], sizes[name] = digest, size
            record = {"meta": dict(meta), "files": digests, "sizes": sizes, "step": step, "cost_usd": cost_usd,
                      "seconds": seconds, "created": self._clock()}
            self._store.set(("entry", key), record, expire=expire)
        except (OSError, sqlite3.Error) as exc:
            if (fault := disk.as_fault(exc, [self.directory])) is not None:
                raise fault from exc
            raise CacheError(f"Cannot write to the cache at {self.directory}: {exc}.",
                             hint="Check that the cache folder is writable and has free space, or clear it "
                                  "(`python -m viralreel_core cache clear`).") from exc
        with self._disk_faults():
            self._fit_size_limit(keep=key)
            stored, _, problem = self._lookup(key)
        if stored is None:
            raise CacheError(f"The cache lost an entry as soon as it was written ({problem or 'evicted'}).",
                             hint="Check the cache folder's disk, and that the size limit holds at least one asset.")
        return stored

    def _fit_size_limit(self, keep: str) -> None:
        """Evict whole entries, least recently used first, until the cache fits its size limit."""
        store = self._store
        if store.volume() <= store.size_limit:
            return
        store.expire()
        # diskcache keeps access times for its LRU policy; read them (oldest first) to evict by entry
        rows = store._sql("SELECT key, raw, store_time FROM Cache ORDER BY access_time").fetchall()
        keys = [store._disk.get(db_key, raw) for db_key, raw, _ in rows]
        stored_at = dict(zip(keys, (row[2] for row in rows), strict=True))
        entries = {k: store.get(k) for k in keys if isinstance(k, tuple) and k[0] == "entry"}
        users: dict[str, int] = {}
        for record in entries.values():
            for digest in (record or {}).get("files", {}).values():
                users[digest] = users.get(digest, 0) + 1
        # blobs no entry uses, left by a crash between a blob and its entry; a young one may be another
        # thread's put that has not written its entry yet, so leave it be
        settled = time.time() - ORPHAN_GRACE_SECONDS
        for k in keys:
            if isinstance(k, tuple) and k[0] == "blob" and k[1] not in users and stored_at[k] < settled:
                store.delete(k)
        for k, record in entries.items():
            if store.volume() <= store.size_limit:
                break
            if k[1] == keep:
                continue
            store.delete(k)
            for digest in (record or {}).get("files", {}).values():
                users[digest] -= 1
                if users[digest] == 0:
                    store.delete(("blob", digest))

    def get_or_make(self, key: str, step: str, make: Maker, *, label: str = "",
                    notify: Callable[[str], None] | None = None) -> tuple[CachedAsset, bool]:
        """The entry for ``key`` and True if it was a hit; on a miss run ``make`` and store what it returns.

        ``make(work_dir)`` writes its files under ``work_dir`` (removed afterwards) and returns
        ``(meta, files, cost_usd)``; the seconds it took are measured here. One maker per key runs at a
        time across threads and processes: the others wait, then find its result instead of paying again.
        A damaged entry that cost money to make is announced through ``notify`` (``label`` names it,
        e.g. "scene 2's clip") before it is paid for again.
        """
        with self._disk_faults():
            return self._get_or_make(key, step, make, label, notify)

    def _get_or_make(self, key: str, step: str, make: Maker, label: str,
                     notify: Callable[[str], None] | None) -> tuple[CachedAsset, bool]:
        found, record, problem = self._lookup(key)
        if found is None:
            with self._key_lock(key), self._process_lock(key):
                found, again, problem_now = self._lookup(key)
                record, problem = (again, problem_now) if again is not None else (record, problem)
                if found is None:
                    if record is None:  # dropped as damaged by an earlier read
                        record, problem = self._dropped.get(key, (None, None))
                    self._announce_remake(step, label, record, problem, notify)
                    try:
                        return self._make(key, step, make), False
                    finally:
                        with self._locks_guard:
                            self._locks.pop(key, None)
        self._count_hit(found)
        return found, True

    def _announce_remake(self, step: str, label: str, record: Mapping[str, Any] | None, problem: str | None,
                         notify: Callable[[str], None] | None) -> None:
        if problem is None or record is None:
            return
        what = label or f"cached {step}"
        cost = float(record.get("cost_usd") or 0.0)
        if cost > 0:
            line = f"The cached {what} was damaged ({problem}); paying again to remake it (about ${cost:.2f})."
            _LOGGER.warning(line)
            if notify is not None:
                notify(line)
        else:
            _LOGGER.info("The cached %s was damaged (%s); making it again.", what, problem)

    def _key_lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def _process_lock(self, key: str) -> _WaitingLock:
        """An OS lock on ``<cache>/locks/<key>.lock``: held by one process at a time, freed if it dies."""
        folder = self.directory / LOCK_DIR
        folder.mkdir(exist_ok=True)
        return _WaitingLock(folder / f"{key}.lock")

    def _make(self, key: str, step: str, make: Maker) -> CachedAsset:
        started = time.perf_counter()
        with scratch_dir(self.directory, step) as work_dir:
            meta, files, cost = make(work_dir)
            self._count("spent_micro_usd", int(round(cost * _MICRO)))  # paid now, whether or not it can be kept
            elapsed = time.perf_counter() - started
            stored = self.put(key, step, meta, files, cost_usd=cost, seconds=elapsed)
        self._dropped.pop(key, None)
        self._count("misses")
        return stored

    def scratch(self, prefix: str = "work"):
        """A context manager: a scratch folder under the cache folder, removed afterwards (swept if killed)."""
        return scratch_dir(self.directory, prefix)

    def count_spent(self, usd: float) -> None:
        """Money a call cost that never became an entry (it failed a check after the service charged)."""
        if usd > 0:
            self._count("spent_micro_usd", int(round(usd * _MICRO)))

    def _count_hit(self, asset: CachedAsset) -> None:
        self._count("hits")
        self._count("saved_micro_usd", int(round(asset.cost_usd * _MICRO)))
        self._count("saved_milliseconds", int(round(asset.seconds * 1000)))

    # -- housekeeping ----------------------------------------------------------------------------
    def drop(self, key: str) -> bool:
        """Forget the entry for ``key`` (its files go when nothing else uses them); True if there was one."""
        return bool(self._store.delete(("entry", key)))

    def entry_keys(self) -> list[str]:
        return [k[1] for k in self._store.iterkeys() if isinstance(k, tuple) and k[0] == "entry"]

    def quick_check(self) -> int:
        """How many entries have a file that is missing or of the wrong size (no hashing: fast)."""
        damaged = 0
        for key in self.entry_keys():
            record = self._store.get(("entry", key)) or {}
            sizes = record.get("sizes", {})
            for name, digest in record.get("files", {}).items():
                handle = self._store.get(("blob", digest), read=True)
                if handle is None:
                    damaged += 1
                    break
                handle.close()
                try:
                    size = os.path.getsize(handle.name)
                except OSError:
                    size = -1
                if size != sizes.get(name, size if size >= 0 else 0):
                    damaged += 1
                    break
        return damaged

    def verify(self) -> dict[str, Any]:
        """Check every entry's files (size and content hash); drop the damaged ones and say which."""
        keys = self.entry_keys()
        dropped = []
        for key in keys:
            _, record, problem = self._lookup(key)
            if problem is not None and record is not None:
                dropped.append({"key": key, "step": record.get("step", ""), "problem": problem,
                                "cost_usd": record.get("cost_usd", 0.0)})
        return {"directory": str(self.directory), "index": index_problem(self._store) or "ok",
                "checked": len(keys), "dropped": dropped, "ok": not dropped}

    def stats(self) -> dict[str, Any]:
        """Entries, bytes on disk, hits, misses, and the money and seconds hits saved (all time)."""
        return {
            "directory": str(self.directory),
            "entries": len(self.entry_keys()),
            "bytes": self._store.volume(),
            "size_limit": self._store.size_limit,
            "hits": self._counters.get("hits", 0),
            "misses": self._counters.get("misses", 0),
            "money_spent_usd": self._counters.get("spent_micro_usd", 0) / _MICRO,
            "money_saved_usd": self._counters.get("saved_micro_usd", 0) / _MICRO,
            "seconds_saved": self._counters.get("saved_milliseconds", 0) / 1000,
        }

    def clear(self) -> int:
        """Remove every entry and reset the counters; returns how many items were removed."""
        removed = self._store.clear()
        self._counters.clear()
        self._verified.clear()
        self._dropped.clear()
        shutil.rmtree(self.directory / DAMAGED_DIR, ignore_errors=True)  # damaged indexes kept for a look
        return removed

    def close(self) -> None:
        self._store.close()
        self._counters.close()


class _WaitingLock:
    """A per-key file lock that waits up to ``LOCK_WAIT_SECONDS`` and then says so plainly."""

    def __init__(self, path: Path) -> None:
        self._lock = FileLock(path, timeout=LOCK_WAIT_SECONDS)

    def __enter__(self) -> None:
        try:
            self._lock.acquire()
        except Timeout as exc:
            raise CacheError(f"Another run has been making the same thing for over {LOCK_WAIT_SECONDS / 60:.0f} "
                             "minutes.", hint="Wait for it to finish, or stop it and run again.") from exc

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()
