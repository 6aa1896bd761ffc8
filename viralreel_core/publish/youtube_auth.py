"""Connecting a YouTube channel: Google's OAuth 2.0 authorization-code flow with PKCE, for the person's own
OAuth client (``YOUTUBE_CLIENT_ID`` / ``YOUTUBE_CLIENT_SECRET``), scope ``youtube.upload`` only.

Google sends the browser back to a redirect URI with ``?code=…&state=…``: a loopback address the CLI
listens on (a "Desktop app" client takes any ``http://127.0.0.1:PORT/``), the studio's own address (a
"Web application" client lists it), or an address that does not load, whose URL the person pastes
(``read_redirect`` takes the whole URL or the bare code). The code and the PKCE verifier buy a refresh
token, kept by ``TokenStore``; ``YouTubeAuth`` hands out access tokens, renewing them when they expire
or when YouTube answers 401 (once: then the channel must be reconnected)::

    config = YouTubeConfig.from_env(os.environ)
    login = begin_login(config, "http://127.0.0.1:8765/")      # login.url: open it in a browser
    tokens = finish_login(config, login, *read_redirect(pasted_or_received_url))
    TokenStore.default(os.environ).save(tokens)

Base URLs follow ``GOOGLE_OAUTH_BASE_URL`` (the consent page, token and revoke endpoints) and
``YOUTUBE_API_BASE_URL`` (uploads), so tests talk to a local fake; the defaults are Google's hosts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import requests

from viralreel_core.errors import AuthError, BadConfiguration, BadInput, ProviderError
from viralreel_core.providers.http.transport import (
    error_detail,
    json_body,
    make_session,
    network_errors,
    scrub,
    timeouts,
)
from viralreel_core.publish.token_store import Tokens, TokenStore

__all__ = ["SCOPE", "CLIENT_ID", "CLIENT_SECRET", "REDIRECT_URI", "RECONNECT", "GoogleEndpoints", "YouTubeConfig",
           "Login", "PendingLogins", "YouTubeAuth", "begin_login", "finish_login", "read_redirect", "refresh",
           "revoke"]

SCOPE = "https://www.googleapis.com/auth/youtube.upload"
CLIENT_ID, CLIENT_SECRET = "YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET"
REDIRECT_URI = "YOUTUBE_REDIRECT_URI"  # where Google sends the browser back (the studio's address by default)
OAUTH_BASE_ENV, API_BASE_ENV = "GOOGLE_OAUTH_BASE_URL", "YOUTUBE_API_BASE_URL"
SERVICE = "YouTube"
RECONNECT = ("Reconnect the channel: Assemble → Publish to YouTube → Connect (owner only), or "
             "python -m viralreel_core youtube connect.")
LOGIN_TTL = 15 * 60.0  # seconds a started connection may take to come back from Google
_TIMEOUT = 30.0


@dataclass(frozen=True)
class GoogleEndpoints:
    """Google's consent page, token and revoke endpoints and the YouTube API host."""

    auth_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url: str = "https://oauth2.googleapis.com/token"
    revoke_url: str = "https://oauth2.googleapis.com/revoke"
    api_base: str = "https://www.googleapis.com"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> GoogleEndpoints:
        """The real hosts, or ``GOOGLE_OAUTH_BASE_URL`` / ``YOUTUBE_API_BASE_URL`` where set (a fake)."""
        oauth = str(environ.get(OAUTH_BASE_ENV) or "").rstrip("/")
        api = str(environ.get(API_BASE_ENV) or "").rstrip("/")
        base = cls()
        return cls(auth_url=f"{oauth}/o/oauth2/v2/auth" if oauth else base.auth_url,
                   token_url=f"{oauth}/token" if oauth else base.token_url,
                   revoke_url=f"{oauth}/revoke" if oauth else base.revoke_url,
                   api_base=api or base.api_base)


@dataclass(frozen=True)
class YouTubeConfig:
    """The person's OAuth client, Google's addresses and where the tokens are kept (client values never print)."""

    client_id: str = field(default="", repr=False)
    client_secret: str = field(default="", repr=False)
    endpoints: GoogleEndpoints = field(default_factory=GoogleEndpoints)
    token_file: Path = field(default_factory=lambda: TokenStore.default({}).path)
    redirect_uri: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> YouTubeConfig:
        """From the environment, or ``{**os.environ, **st.secrets}`` in the studio."""
        return cls(client_id=str(environ.get(CLIENT_ID) or "").strip(),
                   client_secret=str(environ.get(CLIENT_SECRET) or "").strip(),
                   endpoints=GoogleEndpoints.from_env(environ), token_file=TokenStore.default(environ).path,
                   redirect_uri=str(environ.get(REDIRECT_URI) or "").strip())

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)

    def check(self) -> None:
        """BadConfiguration naming the set-up step when the OAuth client is missing."""
        if not self.configured:
            raise BadConfiguration(f"YouTube publishing is not set up: {CLIENT_ID} and {CLIENT_SECRET} are missing.",
                                   hint="Create an OAuth client in Google Cloud (README, 'Publishing to YouTube') "
                                        "and put both in the environment or st.secrets.")

    def store(self) -> TokenStore:
        return TokenStore(self.token_file)

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.client_secret,) if s)


# -- the consent flow ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Login:
    """One started connection: the consent page's address and what checks the answer (never printed)."""

    url: str
    redirect_uri: str
    state: str = field(repr=False)
    verifier: str = field(repr=False)
    started: float = field(default_factory=time.monotonic)

    def expired(self) -> bool:
        return time.monotonic() - self.started > LOGIN_TTL


def begin_login(config: YouTubeConfig, redirect_uri: str) -> Login:
    """The consent page's address for ``redirect_uri``, with a fresh state and PKCE pair (S256)."""
    config.check()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(24)
    query = {"client_id": config.client_id, "redirect_uri": redirect_uri, "response_type": "code", "scope": SCOPE,
             "state": state, "code_challenge": challenge, "code_challenge_method": "S256",
             # offline + consent: Google sends a refresh token every time, so a reconnect always works
             "access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"}
    return Login(f"{config.endpoints.auth_url}?{urlencode(query)}", redirect_uri, state, verifier)


def read_redirect(text: str) -> tuple[str, str]:
    """(code, state) from the address Google sent the browser to, or (code, "") from a bare code.

    BadInput for an address without a code (Google's ``error=access_denied`` when the person said no).
    """
    text = str(text or "").strip()
    if not text:
        raise BadInput("Nothing was pasted.", hint="Paste the whole address of the page Google sent you to.")
    if "code=" not in text and "error=" not in text:
        if text.lower().startswith(("http:", "https:")) or any(c.isspace() for c in text):
            raise BadInput("That address holds no authorization code.",
                           hint="Paste the whole address of the page Google sent you to after you chose Allow.")
        return text, ""  # a bare code ("4/0Ab…")
    query = parse_qs(text.split("?", 1)[-1].split("#", 1)[0])
    if query.get("error"):
        denied = query["error"][0] == "access_denied"
        raise BadInput("Google did not allow the upload access" + (" (it was declined)." if denied else
                                                                     f" ({query['error'][0][:40]})."),
                       hint="Connect again and choose Allow for the channel's Google account.")
    code = (query.get("code") or [""])[0]
    if not code:
        raise BadInput("That address holds no authorization code.",
                       hint="Paste the whole address of the page Google sent you to after you chose Allow.")
    return code, (query.get("state") or [""])[0]


def _token_error(response: requests.Response, config: YouTubeConfig, what: str) -> ProviderError:
    data = json_body(response) or {}
    code = str(data.get("error") or "") if isinstance(data, dict) else ""
    detail = error_detail(response, *config.secrets(), limit=160)
    if code == "invalid_grant":
        return AuthError(f"Google refused the YouTube connection while {what} (invalid_grant: the code or the "
                         "connection expired or was revoked).", provider="youtube", hint=RECONNECT)
    if code in ("invalid_client", "unauthorized_client"):
        return AuthError(f"Google rejected the OAuth client ({code}).", provider="youtube",
                         hint=f"Check {CLIENT_ID} and {CLIENT_SECRET}: they must be the pair of one OAuth client.")
    if code == "redirect_uri_mismatch":
        return AuthError("Google says the redirect URI is not one of the OAuth client's (redirect_uri_mismatch).",
                         provider="youtube", hint=f"Add it to the client's redirect URIs, or set {REDIRECT_URI}.")
    return ProviderError(f"Google's token endpoint answered {response.status_code} while {what}: {detail}",
                         provider="youtube", retryable=response.status_code >= 500,
                         hint="Try again in a minute.")


def _post_token(config: YouTubeConfig, form: dict[str, str], what: str,
                session: requests.Session | None) -> dict:
    http = session or make_session(retries=0)
    try:
        with network_errors("Google's sign-in", provider="youtube", what=what, base_url=config.endpoints.token_url,
                            base_url_env=OAUTH_BASE_ENV):
            response = http.post(config.endpoints.token_url, data=form, timeout=timeouts(_TIMEOUT))
    finally:
        if session is None:
            http.close()
    if response.status_code != 200:
        raise _token_error(response, config, what)
    data = json_body(response)
    if not isinstance(data, dict) or not data.get("access_token"):
        raise ProviderError(f"Google's token endpoint sent no access token while {what}.", provider="youtube",
                            hint="Try again in a minute.")
    return data


def finish_login(config: YouTubeConfig, login: Login, code: str, state: str = "",
                 session: requests.Session | None = None) -> Tokens:
    """Trade the code Google sent back for tokens. ``state`` must be the login's (a bare pasted code has none:
    the PKCE verifier still ties the code to this login)."""
    config.check()
    if state and not hmac.compare_digest(state.encode(), login.state.encode()):
        raise BadInput("That answer from Google belongs to another connection attempt.",
                       hint="Start Connect again and finish it in one go.")
    if login.expired():
        raise BadInput("That connection attempt is over 15 minutes old.", hint="Start Connect again.")
    data = _post_token(config, {"grant_type": "authorization_code", "code": code.strip(),
                                "client_id": config.client_id, "client_secret": config.client_secret,
                                "redirect_uri": login.redirect_uri, "code_verifier": login.verifier},
                       "connecting the channel", session)
    if not data.get("refresh_token"):
        raise AuthError("Google gave no lasting access (no refresh token).", provider="youtube",
                        hint="Remove the app at myaccount.google.com/permissions, then connect again.")
    granted = str(data.get("scope") or SCOPE)
    if SCOPE not in granted.split():
        raise AuthError("The upload permission was not granted.", provider="youtube",
                        hint="Connect again and tick 'Manage your YouTube videos' on Google's page.")
    return Tokens(access_token=str(data["access_token"]), refresh_token=str(data["refresh_token"]),
                  expires_at=time.time() + float(data.get("expires_in") or 3600), scope=granted)


def refresh(config: YouTubeConfig, tokens: Tokens, session: requests.Session | None = None) -> Tokens:
    """A new access token for ``tokens`` (AuthError with the reconnect line when Google refuses)."""
    config.check()
    data = _post_token(config, {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token,
                                "client_id": config.client_id, "client_secret": config.client_secret},
                       "renewing the channel's access", session)
    return tokens.renewed(str(data["access_token"]), float(data.get("expires_in") or 3600),
                          str(data.get("refresh_token") or ""))


def revoke(config: YouTubeConfig, tokens: Tokens, session: requests.Session | None = None) -> bool:
    """Ask Google to revoke the connection (the token goes in the form body, never in a URL); whether it did."""
    http = session or make_session(retries=0)
    try:
        with network_errors("Google's sign-in", provider="youtube", what="disconnecting the channel"):
            response = http.post(config.endpoints.revoke_url, data={"token": tokens.refresh_token},
                                 timeout=timeouts(_TIMEOUT))
    except ProviderError:
        return False
    finally:
        if session is None:
            http.close()
    # 400 invalid_token: already revoked (or expired): gone either way
    return response.status_code == 200 or (response.status_code == 400 and
                                           (json_body(response) or {}).get("error") == "invalid_token")


class PendingLogins:
    """Connections started on this server and waiting for Google's answer, by state (the studio's: the answer
    comes back in a new browser session). Each is used once and forgotten after ``LOGIN_TTL``."""

    MAX = 16

    def __init__(self) -> None:
        self._logins: dict[str, Login] = {}
        self._lock = threading.Lock()

    def add(self, login: Login) -> None:
        with self._lock:
            self._forget_old()
            while len(self._logins) >= self.MAX:
                self._logins.pop(next(iter(self._logins)))
            self._logins[login.state] = login

    def take(self, state: str) -> Login | None:
        """The login started with ``state`` (compared in constant time), removed; None if unknown or too old."""
        with self._lock:
            self._forget_old()
            for known in list(self._logins):
                if hmac.compare_digest(known.encode(), str(state or "").encode()):
                    return self._logins.pop(known)
        return None

    def _forget_old(self) -> None:
        for state in [s for s, login in self._logins.items() if login.expired()]:
            del self._logins[state]


class YouTubeAuth:
    """Access tokens for the connected channel: renewed when they expire, or once after a 401."""

    def __init__(self, config: YouTubeConfig, store: TokenStore | None = None,
                 session: requests.Session | None = None) -> None:
        self.config = config
        self.store = store or config.store()
        self.session = session
        self.refreshes = 0
        self._tokens: Tokens | None = None

    def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = self.store.load()
        if self._tokens is None:
            raise AuthError("No YouTube channel is connected.", provider="youtube",
                            hint=RECONNECT.replace("Reconnect", "Connect"))
        return self._tokens

    def access_token(self) -> str:
        """A usable access token (renewed first when it is about to expire)."""
        tokens = self.tokens()
        return tokens.access_token if tokens.access_token and not tokens.expired() else self.renew()

    def renew(self) -> str:
        """A fresh access token, saved to the store; AuthError with the reconnect line when Google refuses."""
        tokens = self.tokens()
        try:
            fresh = refresh(self.config, tokens, self.session)
        except AuthError as exc:
            if "invalid_grant" in exc.message:
                self.store.delete()  # revoked or expired for good: the studio shows "not connected"
            raise
        self.refreshes += 1
        self._tokens = fresh
        self.store.save(fresh)
        return fresh.access_token

    def secrets(self) -> tuple[str, ...]:
        """Every secret text this object might meet, for ``transport.scrub``."""
        return (*(self._tokens.secrets() if self._tokens else ()), *self.config.secrets())

    def scrub(self, text: str) -> str:
        return scrub(text, *self.secrets())
