"""Videos shown and offered for download straight from disk, never read into the server's memory.

``st.video(path)`` and ``st.download_button(open(path))`` read the whole MP4 into the Python process and keep
it there for as long as the page shows it (Streamlit's in-memory media store): ~20–30 MB a finished video,
per visitor. Instead a video is *published*: hard-linked (copied where no link can be made) into the app's
``static/v/`` folder under a name nobody can guess — an HMAC of its path, size and time under this process's
own random key — and shown by URL. Streamlit's static route (``server.enableStaticServing``) streams it from
disk with HTTP range requests; nothing of it stays in Python. A visitor's page is the only place its name
appears, so one visitor cannot reach another's video.

Published files are swept: those not shown for ``MAX_AGE`` seconds (another process's, by their age), and
the oldest while the folder is over ``MAX_BYTES`` (Streamlit turns static serving off at start above 1 GB).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import shutil
import threading
import time
from pathlib import Path

from viralreel_core.config import REPO_ROOT

__all__ = ["STATIC_DIR", "URL_PREFIX", "publish", "sweep"]

STATIC_DIR = REPO_ROOT / "static"  # Streamlit serves the folder named ``static`` beside the app's main script
FOLDER = "v"
URL_PREFIX = f"/app/static/{FOLDER}/"  # the static route (st.video takes it as a URL, not a file)
MAX_AGE = 12 * 3600
MAX_BYTES = 800 * 2**20
SWEEP_EVERY = 60.0

_LOGGER = logging.getLogger(__name__)
_KEY = secrets.token_bytes(32)
_shown: dict[str, float] = {}  # published name -> when a page last showed it (this process's)
_lock = threading.Lock()
_last_sweep = [0.0]


def publish(video: str | Path, static_dir: Path = STATIC_DIR) -> str | None:
    """The URL (``/app/static/v/<name>.mp4``) under which ``video`` is served from disk; None when it cannot
    be published (a folder that cannot be written: the caller shows the file the old way)."""
    source = Path(video)
    try:
        stat = source.stat()
        folder = static_dir / FOLDER
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _LOGGER.warning("Cannot publish %s for streaming (%s): served from memory", source.name, exc)
        return None
    mark = f"{source.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
    name = hmac.new(_KEY, mark, hashlib.sha256).hexdigest()[:32] + source.suffix.lower()
    target = folder / name
    with _lock:
        _shown[name] = time.time()
    if not target.exists():
        try:
            _place(source, target)
        except OSError as exc:
            _LOGGER.warning("Cannot publish %s for streaming (%s): served from memory", source.name, exc)
            return None
    now = time.time()
    with _lock:
        due = now - _last_sweep[0] >= SWEEP_EVERY  # a page shows its video at every rerun: not each time
        if due:
            _last_sweep[0] = now
    if due:
        sweep(folder, keep=name, now=now)
    return URL_PREFIX + name


def _place(source: Path, target: Path) -> None:
    """``source`` at ``target``: a hard link (no copy, no extra disk), else a copy renamed into place whole."""
    try:
        os.link(source, target)
        return
    except FileExistsError:
        return
    except OSError:  # another filesystem, or links not allowed: copy (the kernel's sendfile, not Python's heap)
        pass
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def sweep(folder: Path, keep: str = "", now: float | None = None, max_age: float = MAX_AGE,
          max_bytes: int = MAX_BYTES) -> None:
    """Remove from ``folder`` the names not shown for ``max_age`` s (another process's: published that long
    ago), then the least recently shown while it is over ``max_bytes``; ``keep`` stays."""
    now = time.time() if now is None else now
    with _lock:
        shown = dict(_shown)
    entries = []
    for path in folder.iterdir():
        try:
            stat = path.stat()
        except OSError:
            continue
        last = shown.get(path.name, stat.st_ctime)  # another process's: its age since it was published
        entries.append((last, path, stat.st_size))
    total = sum(size for _, _, size in entries)
    for last, path, size in sorted(entries, key=lambda e: e[0]):
        if path.name == keep or (now - last < max_age and total <= max_bytes):
            continue
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        with _lock:
            _shown.pop(path.name, None)
