"""HTTP plumbing shared by the providers that speak to their service with ``requests``.

Sessions whose retries follow the one policy in ``retry.py`` (``urllib3.util.Retry`` on the adapter:
connection errors, 429 and 5xx, honouring ``Retry-After``; the wait is injectable so tests never sleep
for real), the mapping of transport failures to the ``errors`` family, key scrubbing for any text taken
from a response or an exception (``error_detail``), and a capped, checked video download.

Example::

    session = make_session()                      # clips' API calls: up to retry.ATTEMPTS requests
    session = make_session(retries=0)             # script / voice: the pipeline retries instead
    with network_errors("Pexels", provider="pexels"):
        response = session.get(url, headers={"Authorization": key}, timeout=timeouts(30))
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from viralreel_core.errors import (
    AuthError,
    DownloadCutOff,
    ProviderError,
    ProviderTimeout,
    QuotaExceeded,
    RateLimited,
)
from viralreel_core.media.ffmpeg import MediaInfo
from viralreel_core.media.files import atomic_path, playable
from viralreel_core.providers.http import retry

__all__ = [
    "WaitingRetry",
    "make_session",
    "timeouts",
    "network_errors",
    "scrub",
    "host_of",
    "json_body",
    "body_snippet",
    "error_detail",
    "error_for_status",
    "download_video",
    "describe_json_error",
    "RETRY_STATUSES",
    "CONNECT_TIMEOUT",
    "MAX_DOWNLOAD_BYTES",
]

_LOGGER = logging.getLogger(__name__)

#: answers worth asking again: rate limits and the server's own trouble
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CONNECT_TIMEOUT = 5.0
MAX_DOWNLOAD_BYTES = 250 * 2**20
_CHUNK = 1 << 16
_SNIPPET = 300
_REDACTED = "[redacted]"
# things that look like credentials in any text we did not write ourselves
_CREDENTIALS = re.compile(
    r"(?i)(?P<scheme>bearer\s+)\S+"
    r"|\bsk-[A-Za-z0-9_\-*]{6,}"
    r"|\bkey_[0-9a-f]{16,}"
    r"|(?P<field>(?:xi-api-key|api[_-]?key|authorization)[\"']?\s*[:=]\s*[\"']?(?:bearer\s+)?)[^\s\"',}]+"
    r"|(?P<query>[?&](?:key|token|access_token|upload_id)=)[^&\s\"',}]+"  # a key in a URL's query (Pixabay's
    # only way), or a YouTube upload session's id (whoever holds it may upload into it)
)


class WaitingRetry(Retry):
    """urllib3's ``Retry`` waiting as ``retry.wait_before`` says, through an injectable ``sleep``."""

    def __init__(self, *args: Any, sleep: Callable[[float], None] | None = None,
                 policy: retry.RetryPolicy = retry.POLICY, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sleeper: Callable[[float], None] = sleep or time.sleep
        self.policy = policy

    def new(self, **kw: Any) -> WaitingRetry:
        fresh = super().new(**kw)
        fresh.sleeper, fresh.policy = self.sleeper, self.policy
        return fresh

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> WaitingRetry:
        """Count one more try; give the answer back at once when it asks for a longer wait than the cap."""
        if response is not None and response.status in self.status_forcelist:
            asked = retry.retry_after(response.headers)
            if retry.too_long(asked):  # e.g. an hourly quota: the caller decides
                raise MaxRetryError(_pool, url or "", ResponseError(f"Retry-After of {asked:g} s is too long to wait"))
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response: Any = None) -> None:
        """Wait what ``Retry-After`` asks, else the policy's backoff."""
        asked = retry.retry_after(response.headers) if response is not None else None
        self.sleeper(self.policy.wait_before(len(self.history), asked))


class _ScrubbedRecords(logging.Filter):
    """Scrubs credentials from urllib3's own log lines, which quote request URLs (query string included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's problem, not ours
            return True
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


for _name in ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager"):
    logging.getLogger(_name).addFilter(_ScrubbedRecords())


def make_session(*, retries: int = retry.ATTEMPTS - 1, statuses: Collection[int] = RETRY_STATUSES,
                 methods: Collection[str] = ("GET", "POST", "DELETE"),
                 sleep: Callable[[float], None] | None = None, pool_size: int = 8,
                 retry_policy: retry.RetryPolicy = retry.POLICY) -> requests.Session:
    """A session retrying connection errors and ``statuses`` ``retries`` times, waiting as ``retry`` says.

    Read errors (a request the server may have started on) are not retried here: a paid generation
    must not run twice because an answer was slow. The final answer of an exhausted status retry is
    returned, not raised, so the caller can map the service's error body.
    """
    policy = WaitingRetry(total=retries, connect=retries, read=0, status=retries, other=0,
                          allowed_methods=frozenset(m.upper() for m in methods),
                          status_forcelist=frozenset(statuses), respect_retry_after_header=True,
                          raise_on_status=False, sleep=sleep, policy=retry_policy)
    adapter = HTTPAdapter(max_retries=policy, pool_connections=pool_size, pool_maxsize=pool_size)
    session = requests.Session()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "ViralReelStudio/1"
    return session


def timeouts(read: float, connect: float = CONNECT_TIMEOUT) -> tuple[float, float]:
    """A ``requests`` timeout: ``connect`` seconds to connect, ``read`` seconds between bytes."""
    return (min(connect, read), read)


def scrub(text: Any, *secrets: str) -> str:
    """``text`` with every given secret and anything shaped like a key replaced by ``[redacted]``."""
    out = str(text)
    for secret in secrets:
        if secret:
            out = out.replace(secret, _REDACTED)

    def _mask(m: re.Match[str]) -> str:
        prefix = m.group("scheme") or m.group("field") or m.group("query") or ""
        return prefix + _REDACTED

    return _CREDENTIALS.sub(_mask, out)


def host_of(url: str) -> str:
    """The host (and port) of ``url``, never its user info or query (which may hold credentials)."""
    parts = urlsplit(url)
    return parts.hostname + (f":{parts.port}" if parts.port else "") if parts.hostname else url[:40]


def json_body(response: requests.Response) -> Any:
    """The answer's JSON, or None when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        return None


def body_snippet(response: requests.Response, *secrets: str, limit: int = _SNIPPET) -> str:
    """The start of the answer's text on one line, scrubbed of keys."""
    try:
        text = response.text
    except Exception:  # undecodable bytes
        return ""
    return scrub(" ".join(text.split())[:limit], *secrets)


def error_detail(source: Any, *secrets: str, limit: int = _SNIPPET) -> str:
    """A short, one-line, key-free text for an error message, from whatever the service sent.

    ``source`` is a ``requests`` answer (its JSON error part, else the start of its text), the error
    part of a JSON body (any shape), or plain text. Every provider builds its error details here.
    """
    if isinstance(source, requests.Response):
        data = json_body(source)
        if data is None:
            return body_snippet(source, *secrets, limit=limit)
        source = data
    return scrub(" ".join(describe_json_error(source).split())[:limit], *secrets)


def error_for_status(service: str, provider: str, status: int, detail: str, *, key_env: str,
                     response: requests.Response | None = None) -> ProviderError:
    """The usual reading of an HTTP error status; providers handle their own special codes first."""
    said = f": {detail}" if detail else ""
    asked = retry.retry_after(response.headers) if response is not None else None
    if status in (401, 403):
        return AuthError(f"{service} rejected the API key ({status}).", provider=provider,
                         hint=f"Check {key_env} in the environment or st.secrets; create a new key if it was revoked.")
    if status == 402:
        return QuotaExceeded(f"{service} says this needs a paid plan or more credit (402){said}.", provider=provider,
                             hint=f"Check your {service} plan and balance, or choose another provider.")
    if status == 429:
        return RateLimited(f"{service} is limiting requests (429){said}.", provider=provider,
                           retry_after=asked,
                           hint="Wait a little and try again; fewer scenes at once also helps.")
    if status == 408:
        return ProviderTimeout(f"{service} timed out handling the request (408).", provider=provider,
                               hint="Try again in a moment.")
    if status >= 500:
        return ProviderError(f"{service} had a server error ({status}){said}.", provider=provider, retryable=True,
                             retry_after=asked, hint="This is on the service's side; try again in a minute.")
    return ProviderError(f"{service} refused the request ({status}){said}.", provider=provider, retryable=False,
                         hint="Check the settings for this provider (model, voice, text length).")


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether urllib3's wrapping (``MaxRetryError(reason=...)`` inside the requests error) hides a ``kind``."""
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, kind) or isinstance(getattr(arg, "reason", None), kind):
            return True
    return False


def _is_timeout(exc: BaseException) -> bool:
    return isinstance(exc, requests.Timeout) or _caused_by(exc, ReadTimeoutError)


@contextmanager
def network_errors(service: str, *, provider: str, what: str = "", base_url: str = "",
                   base_url_env: str = "") -> Iterator[None]:
    """Turn ``requests`` transport failures inside the block into ProviderTimeout / ProviderError."""
    doing = f" while {what}" if what else ""
    try:
        yield
    except requests.RequestException as exc:
        if _is_timeout(exc):
            raise ProviderTimeout(f"{service} did not answer in time{doing}.", provider=provider,
                                  hint="The service may be busy; try again in a minute.") from None
        where = f" at {host_of(base_url)}" if base_url else ""
        hint = "Check the internet connection"
        hint += f" or {base_url_env}." if base_url_env else "."
        if isinstance(exc, requests.exceptions.SSLError):
            raise ProviderError(f"The secure connection to {service}{where} failed{doing}.", provider=provider,
                                retryable=False, hint=hint) from None
        if _caused_by(exc, ProtocolError):
            raise ProviderError(f"{service} closed the connection without answering{doing}.", provider=provider,
                                hint="Try again in a moment.") from None
        if isinstance(exc, requests.ConnectionError):
            raise ProviderError(f"Cannot reach {service}{where}{doing}.", provider=provider, hint=hint) from None
        raise ProviderError(f"The request to {service} failed{doing} ({type(exc).__name__}).",
                            provider=provider, hint=hint) from None


# --- downloads ------------------------------------------------------------------------------------

def _looks_like_video(head: bytes) -> bool:
    """MP4 / MOV (an ISO box, ``ftyp`` first in practice) or WebM / Matroska (EBML)."""
    return (len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")) \
        or head.startswith(b"\x1a\x45\xdf\xa3")


def _download_once(session: requests.Session, url: str, part: Path, *, service: str, provider: str,
                   max_bytes: int, read_timeout: float) -> None:
    megabytes = max_bytes / 2**20
    with network_errors(service, provider=provider, what="downloading the clip"):
        with session.get(url, stream=True, timeout=timeouts(read_timeout)) as response:
            if response.status_code != 200:
                expired = response.status_code in (401, 403, 404, 410)
                raise ProviderError(
                    f"{service} answered {response.status_code} to the clip download.", provider=provider,
                    retryable=not expired, retry_after=retry.retry_after(response.headers),
                    hint="The download link may have expired; make this scene again." if expired
                    else "Try this scene again in a minute.")
            declared = response.headers.get("Content-Length")
            expected = int(declared) if declared and declared.isdigit() else None
            if expected is not None and expected > max_bytes:
                raise ProviderError(f"The {service} clip is {expected / 2**20:.0f} MB, over the "
                                    f"{megabytes:.0f} MB limit.", provider=provider, retryable=False,
                                    hint="Choose a shorter clip or another scene description.")
            written = 0
            try:
                with open(part, "wb") as handle:
                    for chunk in response.iter_content(_CHUNK):
                        written += len(chunk)
                        if written > max_bytes:
                            raise ProviderError(f"The {service} clip is over the {megabytes:.0f} MB limit.",
                                                provider=provider, retryable=False,
                                                hint="Choose a shorter clip or another scene description.")
                        handle.write(chunk)
            except requests.exceptions.ChunkedEncodingError:
                raise DownloadCutOff(f"The {service} clip download was cut off after {written} bytes.",
                                     provider=provider, hint="Try this scene again.") from None
            if expected is not None and written < expected:
                raise DownloadCutOff(f"The {service} clip download was cut off ({written} of {expected} bytes).",
                                     provider=provider, hint="Try this scene again.")


def download_video(session: requests.Session, url: str, dest: Path, *, service: str, provider: str,
                   max_bytes: int = MAX_DOWNLOAD_BYTES, read_timeout: float = 60.0,
                   sleep: Callable[[float], None] = time.sleep,
                   retry_policy: retry.RetryPolicy = retry.POLICY) -> MediaInfo:
    """Download ``url`` (a video) to ``dest`` and return what ffmpeg says about it.

    The bytes go to a temporary file beside ``dest`` (``files.atomic_path``), renamed only when complete,
    at most ``max_bytes`` long and shaped like a playable video. A cut-off, timed-out or refused (5xx)
    download is tried again, ``retry.ATTEMPTS`` requests at most: the clip was paid for, so it is worth
    fetching twice. ``session`` must not retry itself (``make_session(retries=0)``) nor carry the
    service's key: output links are signed URLs on another host.
    """
    with atomic_path(dest) as part:
        retry.retrying(sleep, policy=retry_policy)(_download_once, session, url, part, service=service,
                                                   provider=provider, max_bytes=max_bytes, read_timeout=read_timeout)
        with open(part, "rb") as handle:
            head = handle.read(16)
        if not _looks_like_video(head):
            raise ProviderError(f"{service} sent something that is not a video "
                                f"({_describe_bytes(head)}).", provider=provider, retryable=False,
                                hint="Try this scene again later, or choose another clip provider.")
        info = playable(part, video=True)
        if info is None:
            raise ProviderError(f"The {service} clip cannot be played (it may be damaged).", provider=provider,
                                retryable=False, hint="Make this scene again.")
    _LOGGER.debug("downloaded %s clip: %.1f s %sx%s", service, info.duration, info.width, info.height)
    return info


def _describe_bytes(head: bytes) -> str:
    text = head.lstrip().lower()
    if text.startswith((b"<!doctype", b"<html", b"<?xml")):
        return "it looks like a web page"
    if text.startswith((b"{", b"[")):
        return "it looks like JSON"
    return f"{len(head)} unrecognised leading bytes" if head else "it is empty"


def describe_json_error(data: Any) -> str:
    """A short text from the error part of a JSON body, whatever its shape."""
    if isinstance(data, str):
        return data
    if isinstance(data, dict):
        for field in ("message", "error", "detail", "msg", "code", "status"):
            if field in data and data[field]:
                return describe_json_error(data[field])
        return json.dumps(data)[:_SNIPPET]
    if isinstance(data, list):
        return "; ".join(describe_json_error(item) for item in data[:3])
    return "" if data is None else str(data)
