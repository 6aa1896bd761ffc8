"""Who may use the owner's keys and money on a shared server.

Keys in ``st.secrets`` or the environment are the owner's. Run locally, the person at the keyboard is
the owner. On a shared server only a visitor the owner lets in uses them: one who typed the owner code
(``VIRALREEL_OWNER_CODE`` in Secrets; compared in constant time) or one signed in with ``st.login``
under an address on ``VIRALREEL_OWNER_EMAILS``. Typing the code once marks that workspace as the
owner's (an HMAC of the workspace's name under the code, so changing the code revokes every mark), so
the owner's own link keeps the access across reloads. Everyone else gets the offline providers or the
keys they type themselves. Wrong codes are counted per source address for the whole server (a reload or a
new session starts no fresh count): past ``MAX_CODE_TRIES`` the address waits, twice as long each time::

    if ATTEMPTS.take(source) and code_matches(secrets.get(OWNER_CODE, ""), typed):
        ATTEMPTS.succeeded(source)
        mark_owner(workspace, secrets[OWNER_CODE])
    owner = is_marked(workspace, secrets.get(OWNER_CODE, "")) or email_allowed(email, secrets.get(OWNER_EMAILS))
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import threading
import time
from collections.abc import Callable, Iterable

from viralreel_core.media.files import write_text_atomically
from viralreel_core.workspace.workspaces import Workspace

__all__ = ["ATTEMPTS", "MAX_CODE_TRIES", "OWNER_CODE", "OWNER_EMAILS", "CodeAttempts", "code_matches",
           "email_allowed", "is_marked", "mark_owner", "source_key"]

OWNER_CODE = "VIRALREEL_OWNER_CODE"
OWNER_EMAILS = "VIRALREEL_OWNER_EMAILS"
MAX_CODE_TRIES = 5  # wrong codes an address may type before it has to wait
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


def source_key(peer: str | None) -> str:
    """Whom a wrong code is counted against: the connection's address (an IPv6 address by its /64, the
    block one machine or household gets), or "" when it is unknown."""
    try:
        address = ipaddress.ip_address(str(peer or "").split("%")[0])
    except ValueError:
        return ""
    if address.version == 6 and not getattr(address, "ipv4_mapped", None):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


class CodeAttempts:
    """Owner-code tries per source address, kept for the whole server process (every session, every
    reload) and safe to use from its many session threads. Each try is counted as wrong when it is
    *taken*, before the code is compared, so tries sent at once from many tabs count too; a right code
    then clears the address's count. From the ``limit``-th wrong try on the address waits ``first_wait``
    seconds, twice as long after each further one (at most ``max_wait``); ``forget_after`` seconds after
    its last try an address starts afresh."""

    def __init__(self, limit: int = MAX_CODE_TRIES, first_wait: float = 30.0, max_wait: float = 3600.0,
                 forget_after: float = 86400.0, max_sources: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.first_wait, self.max_wait = limit, first_wait, max_wait
        self.forget_after, self.max_sources, self.clock = forget_after, max_sources, clock
        self._lock = threading.Lock()
        self._tries: dict[str, tuple[int, float, float]] = {}  # source → (wrong tries, wait until, last try)

    def _current(self, source: str, now: float) -> tuple[int, float, float]:
        wrong, until, last = self._tries.get(source, (0, 0.0, now))
        return (0, 0.0, now) if now - last > self.forget_after and now >= until else (wrong, until, last)

    def wait_left(self, source: str) -> float:
        """Seconds before ``source`` may try a code again (0 when it may now)."""
        with self._lock:
            now = self.clock()
            return max(0.0, self._current(source, now)[1] - now)

    def take(self, source: str) -> bool:
        """Count one try from ``source`` as wrong; False (nothing counted) while it has to wait."""
        with self._lock:
            now = self.clock()
            wrong, until, _ = self._current(source, now)
            if now < until:
                return False
            wrong += 1
            if wrong >= self.limit:
                until = now + min(self.max_wait, self.first_wait * 2 ** min(wrong - self.limit, 32))
            if source not in self._tries and len(self._tries) >= self.max_sources:
                self._forget(now)
            self._tries[source] = (wrong, until, now)
            return True

    def succeeded(self, source: str) -> None:
        """The code ``source`` just tried was right: its count starts afresh."""
        with self._lock:
            self._tries.pop(source, None)

    def __len__(self) -> int:
        """How many addresses are remembered."""
        with self._lock:
            return len(self._tries)

    def clear(self) -> None:
        """Forget every address's tries."""
        with self._lock:
            self._tries.clear()

    def _forget(self, now: float) -> None:
        """Make room: drop addresses that may try again, the longest idle first (never one that must wait)."""
        free = sorted((last, source) for source, (_, until, last) in self._tries.items() if now >= until)
        for _, source in free[:max(1, len(self._tries) - self.max_sources + 1)]:
            del self._tries[source]


#: the server's one count of owner-code tries (module state: one per process, shared by every session)
ATTEMPTS = CodeAttempts()
