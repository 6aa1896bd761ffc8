"""Folders whose disk fills up or turns read-only: what a fault is, and the one line it becomes.

A run writes into two folders: the cache (clips, voices, segments, scratch work) and the output folder
(the video). A write there can fail because the disk is full (``ENOSPC``, SQLite's "database or disk is
full", ffmpeg's "No space left on device"), because the file system turned read-only (``EROFS``, or a
kernel remounting it after an error: SQLite's "disk I/O error"), and each layer words it its own way.
``as_fault`` recognises all of them and names the folder; ``fault`` builds the one line::

    No space left on device in /data/cache (3 MB free, about 240 MB needed).
"""

from __future__ import annotations

import errno
import math
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from viralreel_core.errors import DiskFault

__all__ = ["MB", "nearest_existing", "free_mb", "fault", "as_fault", "fault_kind", "no_space_line", "full_or_read_only"]

MB = 1_000_000
LOW_MB = 1.0  # a folder with less than this free is full for every write we make
_FULL = (errno.ENOSPC, errno.EDQUOT)
_FULL_TEXT = ("no space left on device", "database or disk is full", "disk quota exceeded")
_READ_ONLY_TEXT = ("read-only file system", "attempt to write a readonly database")
_FAILING_TEXT = ("disk i/o error", "input/output error")


def nearest_existing(folder: Path) -> Path:
    """``folder`` or its nearest existing parent (a folder not made yet is on its parent's disk)."""
    folder = Path(folder).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def free_mb(folder: str | Path) -> float:
    """Megabytes (10⁶ bytes) free to this process on ``folder``'s disk."""
    return shutil.disk_usage(nearest_existing(Path(folder))).free / MB


def no_space_line(folder: Path, needed_mb: float | None) -> str:
    """"No space left on device in <folder> (N MB free, about M MB needed)." (without ``needed`` if unknown)."""
    free = f"{math.floor(free_mb(folder)):,} MB free"
    needed = f", about {max(1, math.ceil(needed_mb)):,} MB needed" if needed_mb else ""
    return f"No space left on device in {folder} ({free}{needed})."


def fault(folder: str | Path, kind: str, needed_mb: float | None = None) -> DiskFault:
    """The one-line DiskFault for ``folder``: ``kind`` is "full", "read-only" or "failing"."""
    folder = Path(folder)
    if kind == "full":
        return DiskFault(no_space_line(folder, needed_mb), folder=folder, kind=kind, needed_mb=needed_mb,
                         hint="Free some space there (or choose another folder) and run again: what was "
                              "made is kept.")
    if kind == "read-only":
        return DiskFault(f"{folder} turned read-only (its file system was remounted read-only).", folder=folder,
                         kind=kind, hint="Make it writable again (or choose another folder) and run again: what "
                                         "was made is kept.")
    return DiskFault(f"The disk holding {folder} fails to write (I/O error).", folder=folder, kind=kind,
                     hint="Check the disk (dmesg), or choose another folder, and run again.")


def fault_kind(exc: BaseException | str) -> str | None:
    """"full", "read-only" or "failing" if ``exc`` (or what caused it; or an ffmpeg log) is a disk fault."""
    seen: set[int] = set()
    current: BaseException | str | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DiskFault):
            return current.kind
        if isinstance(current, OSError) and current.errno is not None:
            if current.errno in _FULL:
                return "full"
            if current.errno == errno.EROFS:
                return "read-only"
            if current.errno == errno.EIO:
                return "failing"
        if isinstance(current, str | OSError | sqlite3.Error):  # not a service's message: theirs is no disk of ours
            text = str(current).lower()
            for kind, marks in (("full", _FULL_TEXT), ("read-only", _READ_ONLY_TEXT), ("failing", _FAILING_TEXT)):
                if any(mark in text for mark in marks):
                    return kind
        if isinstance(current, str):
            return None
        current = _cause(current)
    return None


def _cause(exc: BaseException) -> BaseException | None:
    """What ``exc`` was raised from, or while handling (unless raised ``from None``)."""
    return exc.__cause__ if exc.__cause__ is not None or exc.__suppress_context__ else exc.__context__


def full_or_read_only(folder: Path) -> str | None:
    """What a real write into ``folder`` finds now: "full", "read-only" (or "failing"), or None if it works."""
    try:
        with tempfile.TemporaryFile(dir=nearest_existing(folder), prefix=".viralreel-probe-") as probe:
            probe.write(b"ok")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        return fault_kind(exc)
    return "full" if free_mb(folder) < LOW_MB else None


def _path_of(exc: BaseException) -> Path | None:
    current: BaseException | None = exc
    for _ in range(8):
        if current is None:
            return None
        if isinstance(current, DiskFault):
            return current.folder
        if isinstance(current, OSError) and isinstance(current.filename, str | os.PathLike):
            return Path(current.filename)
        current = _cause(current)
    return None


def as_fault(exc: BaseException, folders: Iterable[Path] | Mapping[Path, float | None]) -> DiskFault | None:
    """``exc`` as the DiskFault of one of ``folders`` (a mapping gives each its space needed), or None when
    it is not a disk fault.

    The folder is the one holding the path the error names (a path elsewhere is named itself); without a
    path (SQLite), the one a real write now finds full or read-only, else the first.
    """
    kind = fault_kind(exc)
    if kind is None:
        return None
    needs = dict(folders) if isinstance(folders, Mapping) else dict.fromkeys(folders)
    candidates = [Path(f).absolute() for f in needs]
    if not candidates:
        return None
    path = _path_of(exc)
    folder = next((f for f in candidates if path is not None and Path(path).absolute().is_relative_to(f)), None)
    if folder is None and path is not None:  # somewhere else (a system folder): named as it is
        return fault(path if isinstance(exc, DiskFault) else Path(path).absolute().parent, kind)
    if folder is None:
        found = {f: full_or_read_only(f) for f in candidates}
        folder = next((f for f in candidates if found[f] == kind), None) \
            or next((f for f in candidates if found[f]), candidates[0])
        kind = found[folder] or kind
    elif kind == "failing":  # an I/O error: a file system the kernel has just remounted read-only, often
        kind = full_or_read_only(folder) or kind
    needed = next((n for f, n in needs.items() if Path(f).absolute() == folder), None)
    if isinstance(exc, DiskFault) and exc.needed_mb:
        needed = max(needed or 0.0, exc.needed_mb)
    return fault(folder, kind, needed)
