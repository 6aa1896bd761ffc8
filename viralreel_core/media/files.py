"""Writing a file so that nobody ever sees half of it: write beside it, check it, then rename.

Every file the studio writes for others to read (a made voice, a downloaded clip, a project, a
thumbnail, a ledger, a results table) is written this way, so a failure or a crash never leaves a
damaged file under the final name, and the temporary file never outlives the attempt::

    with atomic_path(out_dir / "voice.mp3") as part:
        part.write_bytes(audio)
        if playable(part) is None:
            raise ProviderError("…")   # part is removed; voice.mp3 was never created
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from viralreel_core.errors import AssemblyError
from viralreel_core.media.ffmpeg import MediaInfo, probe

__all__ = ["atomic_path", "locked_partial", "playable", "sweep_partials", "write_text_atomically"]


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed to ``path`` when the block ends without error.

    The temporary name is hidden, unique to this writer (two writers never share one) and keeps the
    suffix, so a tool that picks its format from the name (ffmpeg) writes the right one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:8]}.partial{path.suffix}")
    try:
        yield part
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def write_text_atomically(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through ``atomic_path``."""
    with atomic_path(path) as part:
        part.write_text(text, encoding="utf-8")
    return Path(path)


def playable(path: str | Path, *, video: bool = False) -> MediaInfo | None:
    """What ffmpeg finds in ``path`` when it is media with a length (and a video stream, if ``video``), else None."""
    try:
        info = probe(path)
    except AssemblyError:
        return None
    if info.duration <= 0 or (video and not info.video_codec):
        return None
    return info


PARTIAL_GLOB = ".viralreel_*.partial.mp4"
STALE_PARTIAL_SECONDS = 3600  # other half-written files (records, thumbnails) are not locked: swept by age


def sweep_partials(folder: Path) -> int:
    """Remove half-written videos left in ``folder`` by killed runs; returns how many were removed.

    A run holds an OS lock on its partial file while writing it, so one that can be locked is orphaned.
    """
    removed = 0
    for path in folder.glob(PARTIAL_GLOB):
        try:
            with open(path, "rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                path.unlink()
                removed += 1
        except OSError:
            continue  # locked by a live run, or already gone
    for path in folder.glob(".viralreel_*.partial*"):
        with contextlib.suppress(OSError):
            if not path.name.endswith(".partial.mp4") and time.time() - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
                path.unlink()
                removed += 1
    return removed


@contextlib.contextmanager
def locked_partial(path: Path):
    """Create ``path`` and hold an OS lock on it until done (the kernel drops it if this process dies)."""
    handle = open(path, "wb")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield path
    finally:
        handle.close()
        with contextlib.suppress(OSError):  # never let cleanup hide the real error
            path.unlink(missing_ok=True)
