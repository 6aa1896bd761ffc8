"""A model server on this machine speaking the OpenAI API (Ollama, LM Studio, llama.cpp…): does it answer, and
which models does it have (``GET {base}/models``).

``auto`` asks before it picks a local writer, so the question is cheap and never hangs: ``CONNECT_TIMEOUT``
(0.3 s: a server on this machine accepts at once, and where nothing listens the connection is refused
at once), ``READ_TIMEOUT`` for the short list, and the answer kept for ``REMEMBER_SECONDS`` per base URL
in this process (so a studio notices a server started later). ``doctor`` asks afresh::

    state = probe("http://127.0.0.1:11434/v1")
    state.reachable, state.models, state.has_model("llama3.2")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from viralreel_core.providers.http.transport import host_of

__all__ = ["CONNECT_TIMEOUT", "READ_TIMEOUT", "REMEMBER_SECONDS", "ServerState", "forget", "probe"]

CONNECT_TIMEOUT = 0.3
READ_TIMEOUT = 1.5
REMEMBER_SECONDS = 30.0

_remembered: dict[str, tuple[float, ServerState]] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class ServerState:
    """What one probe found at a base URL."""

    endpoint: str  # host and port only: a base URL may carry credentials
    reachable: bool
    models: tuple[str, ...] = ()
    problem: str = ""  # why it is not reachable, in a few words

    def has_model(self, model: str) -> bool:
        """Whether the server lists ``model`` (Ollama's "llama3.2" is listed as "llama3.2:latest")."""
        wanted = model.strip()
        return any(name == wanted or (":" not in wanted and name.split(":", 1)[0] == wanted)
                   for name in self.models)


def _ask(base_url: str) -> ServerState:
    endpoint = host_of(base_url)
    try:
        response = requests.get(f"{base_url.rstrip('/')}/models", timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                                headers={"Authorization": "Bearer local"}, allow_redirects=False)
    except requests.ConnectionError:
        return ServerState(endpoint, False, problem="nothing answers there")
    except requests.Timeout:
        return ServerState(endpoint, False, problem=f"no answer within {READ_TIMEOUT:g} s")
    except requests.RequestException as exc:
        return ServerState(endpoint, False, problem=type(exc).__name__)
    if response.status_code != 200:
        return ServerState(endpoint, False, problem=f"GET /models answered {response.status_code}")
    try:
        data = response.json().get("data")
        models = tuple(str(item["id"]) for item in data if isinstance(item, dict) and item.get("id"))
    except (ValueError, AttributeError, TypeError):
        return ServerState(endpoint, False, problem="GET /models did not answer with a list of models")
    return ServerState(endpoint, True, models)


def probe(base_url: str, *, fresh: bool = False, clock: Callable[[], float] = time.monotonic) -> ServerState:
    """The server at ``base_url``: asked once per ``REMEMBER_SECONDS`` in this process (``fresh``: asked now)."""
    with _lock:  # one question at a time: a burst of ``auto`` resolutions asks once
        now = clock()
        kept = _remembered.get(base_url)
        if kept is not None and not fresh and now - kept[0] < REMEMBER_SECONDS:
            return kept[1]
        state = _ask(base_url)
        _remembered[base_url] = (clock(), state)
        return state


def forget() -> None:
    """Drop every remembered answer (the next ``probe`` asks again)."""
    with _lock:
        _remembered.clear()
