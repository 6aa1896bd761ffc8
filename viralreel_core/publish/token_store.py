"""Where a connected YouTube channel's OAuth tokens live: one file, readable by the server's user alone.

The file sits outside every workspace and every folder a visitor's work reaches (by default
``~/.config/viralreel/youtube/token.json``, or under ``VIRALREEL_CONFIG_DIR``), is written beside its
name with mode 0600 and renamed, in a folder of mode 0700. Nothing else ever holds a token: not a job
record, a project, a log line or a page. ``Tokens`` prints without its values::

    store = TokenStore.default(os.environ)
    store.save(Tokens(access_token="ya29…", refresh_token="1//…", expires_at=time.time() + 3600))
    store.load()          # Tokens(connected_at=…, scope=…), or None
    store.delete()        # the file is gone (after revoking at Google: youtube_auth.revoke)
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from viralreel_core.errors import BadConfiguration

__all__ = ["Tokens", "TokenStore", "config_dir", "write_private"]

EARLY = 60.0  # an access token this close to expiring is renewed before use


def config_dir(environ: Mapping[str, str]) -> Path:
    """The server's own settings folder: ``VIRALREEL_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/viralreel``,
    else ``~/.config/viralreel``: never inside a workspace, the outputs or the cache."""
    if environ.get("VIRALREEL_CONFIG_DIR"):
        return Path(environ["VIRALREEL_CONFIG_DIR"]).expanduser().absolute()
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser().absolute() / "viralreel"


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by this user alone (0600, folder 0700), beside it first, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.partial")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)


@dataclass(frozen=True)
class Tokens:
    """A channel's OAuth tokens. ``repr`` shows when it was connected and the scope, never a token."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float = 0.0
    scope: str = ""
    connected_at: float = field(default_factory=time.time)

    def expired(self, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) >= self.expires_at - EARLY

    def renewed(self, access_token: str, expires_in: float, refresh_token: str = "") -> Tokens:
        """These tokens with a new access token (and a new refresh token, when Google sent one)."""
        return replace(self, access_token=access_token, expires_at=time.time() + float(expires_in),
                       refresh_token=refresh_token or self.refresh_token)

    def secrets(self) -> tuple[str, ...]:
        """The token texts, for scrubbing them out of any message."""
        return tuple(t for t in (self.access_token, self.refresh_token) if t)


class TokenStore:
    """One channel's tokens in one private file (see the module's docstring)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def default(cls, environ: Mapping[str, str]) -> TokenStore:
        """``VIRALREEL_YOUTUBE_TOKEN_FILE``, else ``<config_dir>/youtube/token.json``."""
        if environ.get("VIRALREEL_YOUTUBE_TOKEN_FILE"):
            return cls(Path(environ["VIRALREEL_YOUTUBE_TOKEN_FILE"]).expanduser().absolute())
        return cls(config_dir(environ) / "youtube" / "token.json")

    @property
    def folder(self) -> Path:
        return self.path.parent

    def connected(self) -> bool:
        return self.load() is not None

    def load(self) -> Tokens | None:
        """The stored tokens, or None when no channel is connected (or the file is not ours to trust)."""
        if self.path.is_symlink():
            return None
        try:
            data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            raise BadConfiguration(f"The YouTube connection file {self.path} cannot be read.",
                                   hint="Disconnect and connect the channel again.") from None
        if not isinstance(data, dict) or not data.get("refresh_token"):
            return None
        return Tokens(access_token=str(data.get("access_token") or ""), refresh_token=str(data["refresh_token"]),
                      expires_at=float(data.get("expires_at") or 0.0), scope=str(data.get("scope") or ""),
                      connected_at=float(data.get("connected_at") or 0.0))

    def save(self, tokens: Tokens) -> None:
        """Keep ``tokens`` (mode 0600; the old file is replaced whole, never half-written)."""
        try:
            write_private(self.path, json.dumps(asdict(tokens)))
        except OSError as exc:
            raise BadConfiguration(f"The YouTube connection cannot be saved in {self.folder} ({exc.strerror}).",
                                   hint="Set VIRALREEL_CONFIG_DIR to a folder the server may write.") from None

    def delete(self) -> bool:
        """Forget the tokens; whether there were any."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True
