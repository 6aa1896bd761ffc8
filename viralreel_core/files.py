"""Writing a file so that nobody ever sees half of it: write beside it, check it, then rename.

Every made asset (a voice, a downloaded clip) is written this way, so a failure never leaves a damaged
file under the final name, and the temporary file never outlives the attempt::

    with atomic_path(out_dir / "voice.mp3") as part:
        part.write_bytes(audio)
        if playable(part) is None:
            raise ProviderError("…")   # part is removed; voice.mp3 was never created
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import AssemblyError
from .ffmpeg import MediaInfo, probe

__all__ = ["atomic_path", "playable"]


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write; renamed to ``path`` when the block ends without error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    try:
        yield part
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


def playable(path: str | Path, *, video: bool = False) -> MediaInfo | None:
    """What ffmpeg finds in ``path`` when it is media with a length (and a video stream, if ``video``), else None."""
    try:
        info = probe(path)
    except AssemblyError:
        return None
    if info.duration <= 0 or (video and not info.video_codec):
        return None
    return info
