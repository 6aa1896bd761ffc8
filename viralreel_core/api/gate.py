"""The API's front door, a pure ASGI middleware: the token is checked before any of the body is read.

FastAPI reads and parses a request's body before it runs a route's dependencies, so a token checked
there lets a client without one make the server take in a 60 MB upload (and a wrong token with bad
JSON get 422). Here a request without a known token is answered 401 (``Connection: close``) before the
app, and so the body, is touched. ``OPTIONS`` is answered here too: 204 with an ``Allow`` header listing
the path's real methods (it tells nothing /openapi.json does not, so it needs no token).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

from viralreel_core.api.schemas import error_body
from viralreel_core.api.tokens import OPEN, ApiTokens, Client

__all__ = ["CLIENT_KEY", "OPEN_PATHS", "TokenGate", "client_of"]

CLIENT_KEY = "viralreel.client"  # where the gate leaves the request's Client in the ASGI scope
OPEN_PATHS = frozenset({"/health", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


def client_of(scope: Scope) -> Client:
    """The client the gate let in (an open server's ``OPEN`` when no token is set)."""
    return scope.get(CLIENT_KEY, OPEN)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if scheme.lower() == "bearer" else None
    return None


def _routes(routes: list) -> Iterator:
    """Every route, also those of included routers (FastAPI keeps an included router whole, unprefixed here)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)
        else:
            yield route


async def _answer(send: Send, status: int, body: dict[str, Any] | None, headers: dict[str, str]) -> None:
    content = json.dumps(body).encode() if body is not None else b""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    if body is not None:
        raw.append((b"content-type", b"application/json"))
    raw.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": content})


class TokenGate:
    """Lets a request in only with a known token (except ``OPEN_PATHS`` and ``OPTIONS``); answers OPTIONS."""

    def __init__(self, app: ASGIApp, tokens: ApiTokens, router: Router) -> None:
        self.app, self.tokens, self.router = app, tokens, router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self._options(scope, send)
            return
        if self.tokens and scope["path"] not in OPEN_PATHS:
            client = self.tokens.identify(_bearer(scope))
            if client is None:  # the body stays unread: the connection is closed after this answer
                await _answer(send, 401, error_body("Missing or wrong API token.",
                                                    "Send Authorization: Bearer <your token>.", "HTTPError"),
                              {"WWW-Authenticate": "Bearer", "Connection": "close"})
                return
            scope[CLIENT_KEY] = client
        await self.app(scope, receive, send)

    async def _options(self, scope: Scope, send: Send) -> None:
        methods: set[str] = set()
        for route in _routes(self.router.routes):
            if getattr(route, "methods", None) and route.matches({**scope, "method": "GET"})[0] != Match.NONE:
                methods |= set(route.methods)
        if not methods:
            await _answer(send, 404, error_body("Not Found", None, "HTTPError"), {})
            return
        await _answer(send, 204, None, {"Allow": ", ".join(sorted(methods | {"OPTIONS"}))})
