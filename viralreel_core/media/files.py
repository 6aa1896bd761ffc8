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

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from viralreel_core.errors import AssemblyError
from viralreel_core.media.ffmpeg import MediaInfo, probe

__all__ = ["atomic_path", "write_text_atomically", "playable"]


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
