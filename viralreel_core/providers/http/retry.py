"""The one retry policy: a service that keeps failing gets at most 3 requests for one thing we ask of it.

"One thing" is one script, one voice scene, or one clip call (a Runway create, poll or cancel, a Pexels
search, one download). Three layers could retry; for any one request exactly one of them does:

* **pipeline attempts** (script and voice, in ``Pipeline``): ``ATTEMPTS`` tries of a voice scene,
  ``SCRIPT_ATTEMPTS`` of a script (the seed's "retry once"; the OpenAI writer's one-time fall-back
  from ``json_schema`` to ``json_object`` output, for servers that reject the former, may add one
  request). The providers underneath do not retry: their ``requests`` sessions are made with
  ``retries=0`` and the OpenAI SDK's ``max_retries`` is 0 (``SDK_MAX_RETRIES``). So one script or one
  voice scene sends at most 3 requests.
* **urllib3 status retries** (clips' API calls, ``make_session``): ``ATTEMPTS`` requests per call.
  Clips are never retried by the pipeline (a paid generation must not run twice); a read timeout is
  never resent either, since the server may have started on it.
* **downloads** (``transport.download_video``): ``ATTEMPTS`` requests per file, retried by the
  download's own loop; the session beneath it does not retry.

What is never retried and, more, ends a run's paid work is :func:`ends_paid_work`: a failure that
says the account itself cannot pay (``pipeline``'s ``PaidWorkHalt`` acts on it).

Every wait is :func:`wait_before`: what the service asked in ``Retry-After`` (read by
:func:`retry_after`, the only parser), else the policy's backoff × 2ⁿ⁻¹ seconds plus up to its jitter
(:class:`RetryPolicy`: ``BACKOFF`` and ``JITTER`` unless the settings say otherwise, ``policy_for``). An
answer asking for more than ``MAX_WAIT`` is handed back at once (e.g. an hourly quota), not waited out.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import tenacity

from viralreel_core.errors import AuthError, ProviderError, QuotaExceeded

__all__ = ["ATTEMPTS", "SCRIPT_ATTEMPTS", "BACKOFF", "JITTER", "MAX_WAIT", "SDK_MAX_RETRIES", "RetryPolicy", "POLICY",
           "policy_for", "retry_after", "too_long", "wait_before", "worth_retrying", "retrying", "ends_paid_work"]

ATTEMPTS = 3  # requests at most for one voice scene or one clip call (the first included)
SCRIPT_ATTEMPTS = 2  # tries of one script: with the writer's one-time format fall-back, 3 requests at most
BACKOFF = 1.0  # seconds before the second try, doubled for each one after
JITTER = 0.25  # up to this many seconds more, so parallel scenes do not retry in lockstep
MAX_WAIT = 30.0  # the one cap: a longer Retry-After is reported to the person instead of waited out
SDK_MAX_RETRIES = 0  # the OpenAI SDK's own retries: off, the pipeline retries


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between tries: ``backoff`` × 2ⁿ⁻¹ seconds plus up to ``jitter`` (capped at ``MAX_WAIT``).

    One per run, from its settings (``policy_for``); a test's fakes answer at once, so it asks for short waits.
    """

    backoff: float = BACKOFF
    jitter: float = JITTER

    def wait_before(self, retry: int, asked: float | None, *, jitter: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the second try): ``asked``, else the backoff."""
        if asked is not None:
            return min(MAX_WAIT, max(0.0, asked))
        spread = self.jitter if jitter is None else jitter
        return min(MAX_WAIT, self.backoff * 2 ** (max(1, retry) - 1) + (random.uniform(0, spread) if spread else 0.0))


POLICY = RetryPolicy()  # the default: what a paid service's rate limits want


def policy_for(settings: Any) -> RetryPolicy:
    """The policy ``settings`` ask for (``retry_backoff`` and ``retry_jitter``; None or absent: the defaults)."""
    backoff, jitter = getattr(settings, "retry_backoff", None), getattr(settings, "retry_jitter", None)
    if backoff is None and jitter is None:
        return POLICY
    return RetryPolicy(BACKOFF if backoff is None else max(0.0, float(backoff)),
                       JITTER if jitter is None else max(0.0, float(jitter)))


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds a service asked us to wait: ``retry-after-ms``, or ``Retry-After`` as seconds or an HTTP date."""
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_tz(value)
        return max(0.0, email.utils.mktime_tz(parsed) - time.time()) if parsed else None


def too_long(asked: float | None) -> bool:
    """Whether a requested wait is past the cap, so the answer goes back to the person now."""
    return asked is not None and asked > MAX_WAIT


def wait_before(retry: int, asked: float | None, *, jitter: float | None = None,
                policy: RetryPolicy = POLICY) -> float:
    """Seconds to wait before retry number ``retry`` (1 for the second try) under ``policy``."""
    return policy.wait_before(retry, asked, jitter=jitter)


def worth_retrying(exc: BaseException) -> bool:
    """A ProviderError that says trying again may help, unless it asked for a wait past the cap."""
    return isinstance(exc, ProviderError) and exc.retryable and not too_long(exc.retry_after)


def ends_paid_work(exc: BaseException) -> bool:
    """Whether a failure is about the account, not the request, so every later call to that service fails too.

    The one classification: a rejected or missing key (``AuthError``: 401/403) or no credit, plan or billing
    (``QuotaExceeded``: 402, ElevenLabs ``quota_exceeded``/``paid_plan_required``, OpenAI
    ``insufficient_quota``/``billing_*``, Runway's "not enough credits"). Each provider maps its service's
    answers to these two at its edge; nothing else asks "is this a quota error?".
    """
    return isinstance(exc, (AuthError, QuotaExceeded))


def retrying(sleep: Callable[[float], None] = time.sleep, *, attempts: int = ATTEMPTS,
             when: Callable[[BaseException], bool] = worth_retrying, policy: RetryPolicy = POLICY) -> tenacity.Retrying:
    """A tenacity loop: ``attempts`` tries of errors ``when`` accepts, waiting as ``policy`` says via ``sleep``."""

    def _wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return policy.wait_before(state.attempt_number, getattr(exc, "retry_after", None))

    return tenacity.Retrying(stop=tenacity.stop_after_attempt(max(1, attempts)), wait=_wait,
                             retry=tenacity.retry_if_exception(when), sleep=sleep, reraise=True)

