"""Resumable upload sessions remembered between runs, so a publish stopped by a crash, a cancel or a dead
worker picks up at YouTube's last acknowledged byte instead of sending the video again.

A session's address is a capability (whoever holds it may upload into it), so it is kept like the tokens:
one 0600 file per upload beside the token file (``uploads/<key>.json``), never in a job record or a log.
The key is a hash of the video (path, size, modification time), what YouTube is told about it, and the
connection it goes to; a changed title or a reconnected channel starts a new session. Google keeps a
session for about a week; older ones are forgotten here.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from viralreel_core.publish.token_store import write_private

__all__ = ["UploadSessions", "session_key"]

KEEP_SECONDS = 6 * 86400.0


def session_key(video: Path, resource: dict[str, Any], connected_at: float) -> str:
    """Which upload this is: the same video, details and connection give the same key."""
    stat = video.stat()
    raw = json.dumps({"video": str(video.resolve()), "size": stat.st_size, "mtime": stat.st_mtime_ns,
                      "resource": resource, "connection": connected_at}, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class UploadSessions:
    """Session addresses by upload key, in ``folder`` (readable by this user alone)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> str | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or time.time() - float(data.get("created") or 0) > KEEP_SECONDS:
            path.unlink(missing_ok=True)
            return None
        return str(data.get("uri") or "") or None

    def put(self, key: str, uri: str) -> None:
        write_private(self._path(key), json.dumps({"uri": uri, "created": time.time()}))
        self._forget_old()

    def drop(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def _forget_old(self) -> None:
        for path in self.folder.glob("*.json"):
            try:
                if time.time() - path.stat().st_mtime > KEEP_SECONDS:
                    path.unlink(missing_ok=True)
            except OSError:
                continue
