"""Who may use the owner's keys and money on a shared server.

Keys in ``st.secrets`` or the environment are the owner's. Run locally, the person at the keyboard is
the owner. On a shared server only a visitor the owner lets in uses them: one who typed the owner code
(``VIRALREEL_OWNER_CODE`` in Secrets; compared in constant time) or one signed in with ``st.login``
under an address on ``VIRALREEL_OWNER_EMAILS``. Typing the code once marks that workspace as the
owner's (an HMAC of the workspace's name under the code, so changing the code revokes every mark), so
the owner's own link keeps the access across reloads. Everyone else gets the offline providers or the
keys they type themselves::

    if code_matches(secrets.get(OWNER_CODE, ""), typed):
        mark_owner(workspace, secrets[OWNER_CODE])
    owner = is_marked(workspace, secrets.get(OWNER_CODE, "")) or email_allowed(email, secrets.get(OWNER_EMAILS))
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable

from viralreel_core.media.files import write_text_atomically
from viralreel_core.workspace.workspaces import Workspace

__all__ = ["MAX_CODE_TRIES", "OWNER_CODE", "OWNER_EMAILS", "code_matches", "email_allowed", "is_marked",
           "mark_owner"]

OWNER_CODE = "VIRALREEL_OWNER_CODE"
OWNER_EMAILS = "VIRALREEL_OWNER_EMAILS"
MAX_CODE_TRIES = 5  # wrong codes a session may type before the field locks
_MARK_FILE = "owner.mark"


def code_matches(expected: str, typed: str) -> bool:
    """Whether ``typed`` is the owner code (never true when no code is configured)."""
    expected, typed = str(expected or "").strip(), str(typed or "").strip()
    return bool(expected) and hmac.compare_digest(expected.encode(), typed.encode())


def email_allowed(email: str | None, allowed: str | Iterable[str] | None) -> bool:
    """Whether a signed-in ``email`` is on the owner's list (a TOML list, or a comma/space separated string)."""
    if not email or not allowed:
        return False
    listed = re.split(r"[,\s]+", allowed) if isinstance(allowed, str) else [str(a) for a in allowed]
    wanted = {a.strip().lower() for a in listed if a.strip()}
    return email.strip().lower() in wanted


def _mark(workspace: Workspace, code: str) -> str:
    return hmac.new(code.strip().encode(), f"owner:{workspace.name}".encode(), hashlib.sha256).hexdigest()


def mark_owner(workspace: Workspace, code: str) -> None:
    """Remember in ``workspace`` that its visitor typed the owner ``code`` (shared workspaces only)."""
    if workspace.folder is None or not code.strip():
        return
    write_text_atomically(workspace.folder / _MARK_FILE, _mark(workspace, code))


def is_marked(workspace: Workspace, code: str) -> bool:
    """Whether ``workspace`` was marked by the current owner ``code``."""
    if workspace.folder is None or not str(code or "").strip():
        return False
    path = workspace.folder / _MARK_FILE
    if path.is_symlink():
        return False
    try:
        found = path.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    return hmac.compare_digest(found, _mark(workspace, code))
