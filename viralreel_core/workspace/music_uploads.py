"""A person's own music: checked, then kept in their own folder under a name made from its content.

The folder is ``Settings.music_dir``: in the studio on a shared server, the visitor's workspace
(``Workspace.music_dir``), so no visitor sees another's music; for the HTTP API, ``VIRALREEL_MUSIC_DIR``.
A track is chosen by its id wherever a shipped track's name goes (``Settings.music``, the API's ``music``)::

    music_id = store_music(folder, "my song.mp3", data)   # "upload:<hash>.mp3"; BadInput if unusable
    uploaded_tracks(folder)                               # {music_id: "my song.mp3"}, oldest first
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

from viralreel_core.media.files import atomic_path, write_text_atomically
from viralreel_core.media.music import UPLOAD_ID, check_file, check_kind

__all__ = ["store_music", "uploaded_tracks"]

LABEL = ".label"  # beside each track: the name it was uploaded under, shown in the studio
MAX_LABEL = 80


def store_music(folder: Path, filename: str, data: bytes) -> str:
    """Check an uploaded track (type, size, sound ffmpeg can decode) and keep it in ``folder``; its id.

    BadInput saying what is wrong otherwise, and nothing is kept. The same track uploaded twice is kept once.
    """
    label = Path(str(filename or "")).name.strip()[:MAX_LABEL] or "track"
    check_kind(label, len(data))  # before anything is written
    digest = hashlib.sha256(data).hexdigest()[:32]
    path = Path(folder) / f"{digest}{Path(label).suffix.lower()}"
    if path.is_symlink():
        path.unlink()
    if not path.is_file():
        with atomic_path(path) as part:  # checked under a temporary name: a bad file never gets the final one
            part.write_bytes(data)
            check_file(part, label)
    write_text_atomically(path.with_name(path.name + LABEL), label)
    return f"upload:{path.name}"


def uploaded_tracks(folder: Path) -> dict[str, str]:
    """The tracks kept in ``folder`` by id, with the names they were uploaded under, oldest first."""
    found = []
    for path in Path(folder).glob("*.*") if Path(folder).is_dir() else ():
        music_id = f"upload:{path.name}"
        if UPLOAD_ID.fullmatch(music_id) and path.is_file() and not path.is_symlink():
            label = path.name
            with contextlib.suppress(OSError):
                label = path.with_name(path.name + LABEL).read_text(encoding="utf-8").strip() or label
            found.append((path.stat().st_mtime_ns, music_id, label))
    return {music_id: label for _, music_id, label in sorted(found)}
