"""What the OpenAI script writer and the OpenAI voice share: the service's names, the SDK client, its errors.

The SDK does not retry (``max_retries=retry.SDK_MAX_RETRIES``, 0): the pipeline does, under the one
policy in ``retry.py``, so a failing server gets at most 3 requests for one script or one voice scene.
An empty account (429 ``insufficient_quota``) is QuotaExceeded, which nobody retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from viralreel_core.errors import AuthError, ProviderError, ProviderTimeout, QuotaExceeded, RateLimited
from viralreel_core.providers.http.retry import SDK_MAX_RETRIES, retry_after
from viralreel_core.providers.http.transport import CONNECT_TIMEOUT, error_detail, host_of

if TYPE_CHECKING:  # the SDK costs ~1 s to import: loaded when a client is made, not when the registry reads us
    import openai

__all__ = ["DEFAULT_BASE_URL", "SERVICE", "LABEL", "KEY_ENV", "BASE_URL_ENV", "make_client", "openai_errors",
           "QUOTA_CODES"]

SERVICE, LABEL = "openai", "OpenAI"  # both OpenAI providers use one key and one base URL
DEFAULT_BASE_URL = "https://api.openai.com/v1"
KEY_ENV = "OPENAI_API_KEY"
BASE_URL_ENV = "OPENAI_BASE_URL"
DEFAULT_TIMEOUT = 60.0
#: 429 codes meaning "no money left": retrying cannot help
QUOTA_CODES = frozenset({"insufficient_quota", "billing_hard_limit_reached", "billing_not_active"})


def make_client(api_key: str, base_url: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> openai.OpenAI:
    """An SDK client for ``base_url`` (OpenAI or any OpenAI-compatible server) that does not retry itself."""
    import httpx2
    import openai

    return openai.OpenAI(api_key=api_key, base_url=base_url or DEFAULT_BASE_URL,
                         timeout=httpx2.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
                         max_retries=SDK_MAX_RETRIES)


def _detail(exc: openai.APIError, secret: str) -> str:
    body = exc.body
    return error_detail(body.get("message") if isinstance(body, dict) else body, secret)


@contextmanager
def openai_errors(what: str, *, secret: str, base_url: str | None = None, model: str = "",
                  provider: str = "openai") -> Iterator[None]:
    """Map the SDK's exceptions raised inside the block, once, to the ``errors`` family (no key in any text)."""
    import openai

    where = host_of(base_url or DEFAULT_BASE_URL)
    try:
        yield
    except openai.AuthenticationError:
        raise AuthError(f"OpenAI ({where}) rejected the API key (401) while {what}.", provider=provider,
                        hint=f"Check {KEY_ENV} in the environment or st.secrets; make a new key at "
                             "platform.openai.com if it was revoked.") from None
    except openai.PermissionDeniedError as exc:
        raise AuthError(f"OpenAI ({where}) refused access while {what} (403): {_detail(exc, secret)}",
                        provider=provider,
                        hint=f"Your key or project may not be allowed to use {model or 'this model'}.") from None
    except openai.RateLimitError as exc:
        code = exc.code or (exc.body.get("type") if isinstance(exc.body, dict) else None)
        if code in QUOTA_CODES:
            raise QuotaExceeded(f"OpenAI says the account has no credit left ({code}).", provider=provider,
                                hint="Add credit or raise the budget at platform.openai.com/settings/"
                                     "organization/billing, or use the offline writer ('local').") from None
        raise RateLimited(f"OpenAI is limiting requests (429) while {what}: {_detail(exc, secret)}",
                          provider=provider, retry_after=retry_after(exc.response.headers),
                          hint="Wait a little and try again.") from None
    except openai.NotFoundError as exc:
        raise ProviderError(f"OpenAI ({where}) has no {model or 'such model'} (404): {_detail(exc, secret)}",
                            provider=provider, retryable=False,
                            hint="Choose a model your key or server offers (the openai_model setting).") from None
    except openai.APITimeoutError:
        raise ProviderTimeout(f"OpenAI ({where}) did not answer in time while {what}.", provider=provider,
                              hint="Try again; a local server may need a smaller model.") from None
    except openai.APIConnectionError:
        raise ProviderError(f"Cannot reach OpenAI at {where} while {what}.", provider=provider,
                            hint=f"Check the internet connection, or {BASE_URL_ENV} if you use a local "
                                 "server such as Ollama.") from None
    except openai.APIStatusError as exc:
        status = exc.status_code
        retryable = status >= 500 or status in (408, 409)
        label = "had a server error" if status >= 500 else "refused the request"
        raise ProviderError(f"OpenAI ({where}) {label} ({status}) while {what}: {_detail(exc, secret)}",
                            provider=provider, retryable=retryable, retry_after=retry_after(exc.response.headers),
                            hint="Try again in a minute." if retryable
                            else "Check the model and settings for OpenAI.") from None
    except (openai.OpenAIError, ValueError) as exc:  # unreadable answers (broken JSON) and the like
        raise ProviderError(f"OpenAI ({where}) sent an answer that could not be read while {what} "
                            f"({type(exc).__name__}).", provider=provider, retryable=True,
                            hint="Try again; if it keeps happening, check the base URL.") from None
