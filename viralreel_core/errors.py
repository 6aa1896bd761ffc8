"""The one exception family of ViralReel Studio.

Every failure a person can meet is a ``ViralReelError``; its message says what
happened and what to do next. Providers translate their service's failures
once, at their edge, into one of these::

    ViralReelError
    ├── BadInput            the person's input cannot be used (empty topic, unknown provider…)
    │   ├── BadConfiguration a folder or setting cannot be used (unwritable output, frame too big…)
    │   ├── SpendingLimitReached paid work would go over today's spending limit
    │   └── NeedsConfirmation a paid step costs more than the threshold: confirm its estimate first
    ├── ProviderError       a script / voice / clip provider failed
    │   ├── AuthError       missing or rejected API key
    │   ├── QuotaExceeded   out of credit: retrying will not help
    │   ├── RateLimited     too many requests: retry after ``retry_after`` seconds
    │   ├── ProviderTimeout the service did not answer (or finish) in time
    │   ├── DownloadCutOff  a download ended before all its bytes arrived
    │   ├── ContentRejected the service refused the content (moderation, refusal)
    │   ├── ClipCancelled   the person stopped a paid clip generation
    │   └── NoGoodFootage   a stock service found nothing that fits the scene: the next clip source is tried
    ├── CacheError          the asset cache cannot be read or written
    ├── DiskFault           a folder's disk filled up or turned read-only during a run (disk.py words it)
    ├── AssemblyError       the video could not be assembled (ffmpeg missing, broken clip…)
    ├── Stopped             the person stopped the work (what was finished is kept)
    ├── JobCancelled        a queued job was cancelled (raised inside its work to stop it)
    └── QueueFull           the job queue is full: retry after ``retry_after`` seconds

``AuthError`` and ``QuotaExceeded`` are about the account, not the request: the first one stops a run's
new paid work (``providers.retry.ends_paid_work`` is the one place that says so; ``paid_work`` acts on it).

The one internal exception outside this module is ``openai_script._SchemaRejected``: a private signal
that a server rejects ``json_schema`` output, caught a few lines up and never seen by anyone.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ViralReelError",
    "BadInput",
    "BadConfiguration",
    "ProviderError",
    "AuthError",
    "QuotaExceeded",
    "RateLimited",
    "ProviderTimeout",
    "DownloadCutOff",
    "ContentRejected",
    "ClipCancelled",
    "NoGoodFootage",
    "CacheError",
    "DiskFault",
    "AssemblyError",
    "Stopped",
    "SpendingLimitReached",
    "NeedsConfirmation",
    "JobCancelled",
    "QueueFull",
]


class ViralReelError(Exception):
    """Base of every error ViralReel raises on purpose; ``str()`` is the message for the person."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}" if hint else message)


class BadInput(ViralReelError):
    """The person's input cannot be used as it is."""


class BadConfiguration(BadInput):
    """A folder or setting the person chose cannot be used; found before anything is spent."""


class ProviderError(ViralReelError):
    """A provider (script, voice or clips) failed; ``retryable`` says whether trying again may help.

    ``spent_usd`` is what the service charged before the failure (a finished Runway task whose download
    broke, audio that came back unusable): money is counted even when the work cannot be used.
    ``retry_after`` is the wait in seconds the service asked for before trying again, if it named one.
    """

    retryable = True
    spent_usd = 0.0

    def __init__(self, message: str, *, provider: str = "", hint: str | None = None,
                 retryable: bool | None = None, retry_after: float | None = None) -> None:
        self.provider = provider
        self.retry_after = retry_after
        if retryable is not None:
            self.retryable = retryable
        super().__init__(message, hint=hint)


class AuthError(ProviderError):
    """The provider's API key is missing or was rejected."""

    retryable = False


class QuotaExceeded(ProviderError):
    """The account is out of credit or over a hard limit; retrying will not help."""

    retryable = False


class RateLimited(ProviderError):
    """Too many requests; ``retry_after`` is the service's suggested wait in seconds, if it gave one."""

    retryable = True

    def __init__(self, message: str, *, provider: str = "", hint: str | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message, provider=provider, hint=hint, retry_after=retry_after)


class ProviderTimeout(ProviderError):
    """The service did not answer, or a job did not finish, before its deadline."""

    retryable = True


class DownloadCutOff(ProviderError):
    """A download ended before all its bytes arrived (worth trying again)."""

    retryable = True


class ContentRejected(ProviderError):
    """The service refused the content (moderation or a model refusal); edit the text and retry."""

    retryable = False


class ClipCancelled(ProviderError):
    """The person stopped the clip generation."""

    retryable = False


class NoGoodFootage(ProviderError):
    """A stock service found no candidate that fits the scene well enough (``stock_rank``); the run tries
    the next clip source in the person's order instead of using a poor match."""

    retryable = False


class CacheError(ViralReelError):
    """The asset cache cannot be read or written."""


class DiskFault(ViralReelError):
    """A write into ``folder`` failed: its disk is full, read-only or failing (``kind``); what was made is kept.

    ``needed_mb`` is the space the work needed, where known. Built by ``disk.fault``, which words it.
    """

    def __init__(self, message: str, *, folder: Path, kind: str, hint: str | None = None,
                 needed_mb: float | None = None) -> None:
        self.folder = folder
        self.kind = kind
        self.needed_mb = needed_mb
        super().__init__(message, hint=hint)


class AssemblyError(ViralReelError):
    """The final video could not be assembled."""


class Stopped(ViralReelError):
    """The person stopped the work; what was finished before is kept."""


class SpendingLimitReached(BadInput):
    """Paid work would go over today's spending limit."""


class NeedsConfirmation(BadInput):
    """A paid step costs more than the threshold: the person must confirm its estimated cost first."""

    def __init__(self, cost: float, threshold: float) -> None:
        self.cost = cost
        super().__init__(f"This is estimated to cost ${cost:,.2f} (more than ${threshold:,.2f}).",
                         hint="Confirm to go ahead.")


class JobCancelled(ViralReelError):
    """The person cancelled the job; raised inside the work to stop it where it stands."""


class QueueFull(ViralReelError):
    """The queue holds as many waiting jobs as it may; ``retry_after`` is a fair wait in seconds."""

    def __init__(self, message: str, *, hint: str | None = None, retry_after: int = 30) -> None:
        self.retry_after = retry_after
        super().__init__(message, hint=hint)
