"""The API's clients: named bearer tokens, read once at start, compared in constant time.

``VIRALREEL_API_TOKENS="alice:tok1,bob:tok2"`` and/or ``VIRALREEL_API_TOKENS_FILE`` (one ``name token`` or
``name:token`` a line; ``#`` comments and blank lines skipped) name the clients; the older
``VIRALREEL_API_TOKEN`` still works as one token of the client ``admin``. The client named ``admin``
sees every job; any other sees only its own. A name may have several tokens (to rotate one). A token
is held only here: a job records its client's name, never the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from viralreel_core.errors import BadConfiguration

__all__ = ["ADMIN", "ApiTokens", "Client", "OPEN"]

ADMIN = "admin"  # the client name that sees and cancels every job
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MIN_TOKEN_CHARS = 16  # a named token shorter than this is refused at start (guessable)
_HINT = ("Write the API tokens as name:token pairs, e.g. VIRALREEL_API_TOKENS=alice:<token>,bob:<token> "
         "(names: letters, digits, _ . -; tokens: 16 or more characters without spaces, commas or colons).")


@dataclass(frozen=True)
class Client:
    """Who a request comes from (a token's name); ``admin`` sees every job."""

    name: str | None
    admin: bool = False

    def may_see(self, owner: str | None) -> bool:
        """Whether this client may see a job (or its video) recorded as made by ``owner``."""
        return self.admin or (owner is not None and owner == self.name)


OPEN = Client(None, admin=True)  # a server with no token set: every request, as before tokens existed


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class ApiTokens:
    """The accepted tokens, each with its client's name (kept as digests: equal-length constant-time compares)."""

    def __init__(self, pairs: list[tuple[str, str]] | None = None) -> None:
        self._clients: list[tuple[bytes, Client]] = []
        seen: dict[bytes, str] = {}
        for name, token in pairs or []:
            digest = _digest(token)
            if seen.get(digest, name) != name:
                raise BadConfiguration(f"The same API token is given to {seen[digest]!r} and {name!r}.",
                                       hint="Give each client a token of its own.")
            seen[digest] = name
            self._clients.append((digest, Client(name, admin=name == ADMIN)))

    def __bool__(self) -> bool:
        return bool(self._clients)

    def __repr__(self) -> str:  # never the tokens
        return f"ApiTokens(clients={sorted(self.names())})"

    def names(self) -> set[str]:
        return {client.name for _, client in self._clients if client.name}

    def identify(self, given: str | None) -> Client | None:
        """The client whose token ``given`` is, or None; every token is compared, whichever matches."""
        if not self._clients:
            return OPEN
        digest = _digest(given or "")
        found = None
        for known, client in self._clients:
            if hmac.compare_digest(digest, known):
                found = client
        return found

    @classmethod
    def single(cls, token: str | None) -> ApiTokens:
        """One token of the client ``admin`` (the older ``VIRALREEL_API_TOKEN``); none: an open server."""
        return cls([(ADMIN, token)] if token else [])

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> ApiTokens:
        """The tokens the variables in ``env`` name (all three add up); BadConfiguration for a bad entry.

        The server's startup passes the environment (``cli serve``)."""
        pairs: list[tuple[str, str]] = []
        if env.get("VIRALREEL_API_TOKEN"):
            pairs.append((ADMIN, env["VIRALREEL_API_TOKEN"]))
        for n, entry in enumerate((env.get("VIRALREEL_API_TOKENS") or "").split(","), 1):
            if entry.strip():
                pairs.append(_pair(entry, f"entry {n} of VIRALREEL_API_TOKENS"))
        if env.get("VIRALREEL_API_TOKENS_FILE"):
            pairs += _read_file(Path(env["VIRALREEL_API_TOKENS_FILE"]))
        return cls(pairs)


def _pair(entry: str, where: str) -> tuple[str, str]:
    """``name:token`` or ``name token`` → (name, token); the message names where, never the text."""
    parts = entry.strip().split(":", 1) if ":" in entry else entry.split(None, 1)
    name, token = (p.strip() for p in parts) if len(parts) == 2 else ("", "")
    if not NAME.fullmatch(name):
        raise BadConfiguration(f"The API token {where} has no usable client name.", hint=_HINT)
    if len(token) < MIN_TOKEN_CHARS or any(c.isspace() or c in ",:" for c in token):
        raise BadConfiguration(f"The API token of {name!r} ({where}) is not usable: under {MIN_TOKEN_CHARS} "
                               "characters, or with a space, comma or colon.", hint=_HINT)
    return name, token


def _read_file(path: Path) -> list[tuple[str, str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadConfiguration(f"Cannot read the API tokens file {path} ({type(exc).__name__}).",
                               hint="Point VIRALREEL_API_TOKENS_FILE at a readable UTF-8 text file.") from exc
    return [_pair(line, f"on line {n} of {path}") for n, line in enumerate(lines, 1)
            if line.strip() and not line.lstrip().startswith("#")]
