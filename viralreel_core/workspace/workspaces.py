"""Workspaces: where one visitor's projects and renders live, apart from everyone else's.

Run locally, there is one workspace: the configured projects and output folders. On a shared server
each visitor gets one of their own, named by a private link token (``?ws=…``, 128 random bits, made
here and nowhere else) or by the account they signed in with. The folder is named by a hash of that
token or account, so the token itself is written nowhere on disk, and a folder name leads back to no
one. Every path is checked to stay inside the workspaces root (ids by ``fullmatch``, no symlinks)::

    token = new_token()                               # goes into the visitor's link
    ws = Workspace.for_token(Path("workspaces"), token)
    ws.projects_dir, ws.output_dir, ws.music_dir      # what the studio uses for this visitor
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from viralreel_core.errors import BadInput
from viralreel_core.media.files import write_text_atomically

__all__ = ["LOCAL_HOSTS", "MODES", "Workspace", "is_shared", "new_token", "safe_child", "valid_token"]

#: how the studio decides between one workspace and one per visitor (``VIRALREEL_WORKSPACES``)
MODES = ("auto", "shared", "local")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16): 128 bits
_NAME = re.compile(r"[0-9a-f]{32}")
_STATE_FILE = ".studio.json"  # inside the projects folder: ProjectStore only reads */project.json


def new_token() -> str:
    """A fresh private workspace token (128 random bits, URL-safe)."""
    return secrets.token_urlsafe(16)


def valid_token(token: object) -> bool:
    """Whether ``token`` has the shape of one ``new_token`` makes (nothing else is ever used as one)."""
    return isinstance(token, str) and _TOKEN.fullmatch(token) is not None


def is_shared(mode: str, url: str | None, remote_ip: str | None = None) -> bool:
    """Whether visitors get workspaces of their own: ``mode`` "shared"/"local" say so; "auto" decides by
    the address the browser used (``st.context.url``): localhost keeps one workspace, anything else shares.
    Without an address, a visitor connecting from another machine (``remote_ip``) shares; none at all
    (a test harness) counts as local."""
    mode = (mode or "auto").strip().lower()
    if mode not in MODES:
        raise BadInput(f"VIRALREEL_WORKSPACES={mode!r} is not one of {', '.join(MODES)}.",
                       hint="Use auto (the default), shared or local.")
    if mode != "auto":
        return mode == "shared"
    if not url:
        return isinstance(remote_ip, str) and bool(remote_ip.strip()) and remote_ip not in LOCAL_HOSTS
    host = (urlsplit(url).hostname or "").lower()
    return host not in LOCAL_HOSTS


def safe_child(root: Path, name: str, pattern: re.Pattern[str]) -> Path:
    """``root/name`` when ``name`` fullmatches ``pattern``, is no symlink and resolves inside ``root``."""
    if not isinstance(name, str) or pattern.fullmatch(name) is None:
        raise BadInput(f"{name!r} is not a valid name here.")
    base = root.resolve()
    path = base / name
    if path.is_symlink() or not path.resolve().is_relative_to(base):
        raise BadInput(f"{name!r} does not lead to a folder of this server's.")
    return path


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"viralreel-workspace:{kind}:{value}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Workspace:
    """One visitor's folders (or, locally, the configured ones)."""

    name: str  # "local", or 32 hex characters derived from the token or account
    projects_dir: Path
    output_dir: Path
    folder: Path | None = None  # the workspace's own folder on a shared server

    @property
    def shared(self) -> bool:
        return self.folder is not None

    @property
    def music_dir(self) -> Path:
        """Where this workspace's uploaded music is kept (made on the first upload; cleared with the projects)."""
        return self.projects_dir / ".music"

    @classmethod
    def local(cls, projects_dir: Path, output_dir: Path) -> Workspace:
        """The one workspace of a studio run on localhost: the configured folders."""
        return cls("local", Path(projects_dir), Path(output_dir))

    @classmethod
    def for_token(cls, root: Path, token: str) -> Workspace:
        """The workspace a private link opens; BadInput for a token ``new_token`` could not have made."""
        if not valid_token(token):
            raise BadInput("That workspace link is not valid.", hint="Open the studio without it to get a new one.")
        return cls._named(root, _digest("link", token))

    @classmethod
    def for_user(cls, root: Path, account: str) -> Workspace:
        """The workspace of a signed-in account (its e-mail address or subject)."""
        account = str(account or "").strip().lower()
        if not account:
            raise BadInput("A signed-in account without an e-mail address or id cannot have a workspace.")
        return cls._named(root, _digest("user", account))

    @classmethod
    def _named(cls, root: Path, name: str) -> Workspace:
        """The workspace's folders, made only when something is first written there: a visit that leaves
        nothing (a link preview, a crawler, someone looking) leaves no folder behind."""
        folder = safe_child(Path(root), name, _NAME)
        for sub in ("projects", "outputs"):
            if (folder / sub).is_symlink():
                raise BadInput("This workspace's folders are not where they should be.")
        return cls(name, folder / "projects", folder / "outputs", folder)

    # -- what the studio remembers between visits ------------------------------------------------
    def state(self) -> dict[str, Any]:
        """What the studio noted here (e.g. the project open last); empty when nothing or unreadable."""
        try:
            data = json.loads((self.projects_dir / _STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def note(self, **values: Any) -> None:
        """Add ``values`` to the workspace's state (written whole, via a rename)."""
        data = {**self.state(), **values}
        write_text_atomically(self.projects_dir / _STATE_FILE, json.dumps(data))

    def clear(self) -> None:
        """Delete everything in this workspace: its projects, uploads kept with them, its music and its renders."""
        if self.folder is None:
            raise BadInput("The local workspace is your own folders; delete them by hand if you mean to.")
        for sub in (self.projects_dir, self.output_dir):
            if sub.is_dir() and not sub.is_symlink():
                shutil.rmtree(sub)
