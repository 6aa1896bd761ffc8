"""The asset cache: every paid (or slow) result kept on disk under a hash of everything that made it.

``cache_key(step, provider, params, input)`` is the sha256 of canonical JSON of those parts, so the same
inputs never cost twice, across runs and across people on one machine. Entries are small metadata
records; their files are stored once per content hash (``blob:<sha256>``) inside diskcache, which writes
a file fully before committing its row — a crash leaves at worst an unreferenced blob, never a
half-written value. Lifetimes follow the step; the size limit evicts least-recently-used entries.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import diskcache

from .errors import CacheError

__all__ = ["AssetCache", "CachedAsset", "LIFETIMES", "cache_key", "canonical_json", "file_sha256"]

DAY = 24 * 3600
#: seconds an entry lives, per step
LIFETIMES = {"script": DAY, "voice": 7 * DAY, "clips": 30 * DAY, "segment": 30 * DAY}
_MICRO = 1_000_000  # money is counted in micro-dollars so diskcache's atomic integer incr can add it
_CHUNK = 1 << 20
ORPHAN_GRACE_SECONDS = 3600


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


@dataclass(frozen=True)
class CachedAsset:
    """One cache entry: its metadata and its files on disk (paths inside the cache directory)."""

    key: str
    meta: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)
    cost_usd: float = 0.0
    seconds: float = 0.0


class AssetCache:
    """Content-hash cache over diskcache; safe to share between threads and processes."""

    def __init__(self, directory: str | Path, size_limit: int = 8 * 2**30,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory)
        self._clock = clock
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # diskcache's own culling drops ten items at a time, the new one among them: we cull by entry
            self._store = diskcache.Cache(str(self.directory / "assets"), size_limit=size_limit,
                                          eviction_policy="least-recently-used", cull_limit=0)
            self._counters = diskcache.Cache(str(self.directory / "counters"))
        except (OSError, diskcache.core.sqlite3.Error) as exc:
            raise CacheError(f"Cannot open the cache at {self.directory}: {exc}.",
                             hint="Choose a writable cache directory (--cache-dir or VIRALREEL_CACHE_DIR).") from exc

    # -- reading ---------------------------------------------------------------------------------
    def get(self, key: str) -> CachedAsset | None:
        """The entry for ``key``, or None (a miss) if absent, expired or missing any of its files."""
        record = self._store.get(("entry", key))
        if record is None:
            return None
        files: dict[str, Path] = {}
        for name, digest in record["files"].items():
            handle = self._store.get(("blob", digest), read=True)
            if handle is None:  # evicted on its own: the entry is no longer whole
                self._store.delete(("entry", key))
                return None
            handle.close()
            files[name] = Path(handle.name)
        return CachedAsset(key=key, meta=record["meta"], files=files,
                           cost_usd=record.get("cost_usd", 0.0), seconds=record.get("seconds", 0.0))

    # -- writing ---------------------------------------------------------------------------------
    def put(self, key: str, step: str, meta: Mapping[str, Any], files: Mapping[str, str | Path] | None = None,
            *, cost_usd: float = 0.0, seconds: float = 0.0) -> CachedAsset:
        """Store ``meta`` and copies of ``files`` under ``key``; returns the stored entry."""
        expire = LIFETIMES.get(step, 30 * DAY)
        digests: dict[str, str] = {}
        try:
            for name, path in (files or {}).items():
                digest = file_sha256(path)
                if not self._store.touch(("blob", digest), expire=expire):
                    # add, never set: overwriting would delete a file another thread may be reading
                    with open(path, "rb") as handle:
                        self._store.add(("blob", digest), handle, read=True, expire=expire)
                digests[name] = digest
            record = {"meta": dict(meta), "files": digests, "step": step, "cost_usd": cost_usd,
                      "seconds": seconds, "created": self._clock()}
            self._store.set(("entry", key), record, expire=expire)
        except OSError as exc:
            raise CacheError(f"Cannot write to the cache at {self.directory}: {exc}.",
                             hint="Check that the cache folder is writable and has free space, or clear it "
                                  "(`python -m viralreel_core cache clear`).") from exc
        self._fit_size_limit(keep=key)
        stored = self.get(key)
        if stored is None:
            raise CacheError("The cache dropped an entry as soon as it was written.",
                             hint="Raise the cache size limit; it is smaller than one asset.")
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

    def get_or_make(self, key: str, step: str,
                    make: Callable[[Path], tuple[Mapping[str, Any], Mapping[str, str | Path], float]]
                    ) -> tuple[CachedAsset, bool]:
        """The entry for ``key`` and True if it was a hit; on a miss run ``make`` and store what it returns.

        ``make(work_dir)`` writes its files under ``work_dir`` (removed afterwards) and returns
        ``(meta, files, cost_usd)``; the seconds it took are measured here.
        """
        found = self.get(key)
        if found is None:
            # one maker per key at a time in this process (two sessions, or two scenes with the same
            # narration): the second waits and then finds the first one's result instead of paying again
            with self._key_lock(key):
                found = self.get(key)
                if found is None:
                    try:
                        return self._make(key, step, make), False
                    finally:
                        with self._locks_guard:
                            self._locks.pop(key, None)
        self._count_hit(found)
        return found, True

    def _key_lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    def _make(self, key: str, step: str,
              make: Callable[[Path], tuple[Mapping[str, Any], Mapping[str, str | Path], float]]) -> CachedAsset:
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"viralreel_{step}_") as work_dir:
            meta, files, cost = make(Path(work_dir))
            elapsed = time.perf_counter() - started
            stored = self.put(key, step, meta, files, cost_usd=cost, seconds=elapsed)
        self._counters.incr("misses")
        self._counters.incr("spent_micro_usd", int(round(cost * _MICRO)))
        return stored

    def _count_hit(self, asset: CachedAsset) -> None:
        self._counters.incr("hits")
        self._counters.incr("saved_micro_usd", int(round(asset.cost_usd * _MICRO)))
        self._counters.incr("saved_milliseconds", int(round(asset.seconds * 1000)))

    # -- housekeeping ----------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Entries, bytes on disk, hits, misses, and the money and seconds hits saved (all time)."""
        entries = sum(1 for k in self._store.iterkeys() if isinstance(k, tuple) and k[0] == "entry")
        return {
            "directory": str(self.directory),
            "entries": entries,
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
        return removed

    def close(self) -> None:
        self._store.close()
        self._counters.close()
