"""OpenAI images plus motion: one image per scene from ``POST /v1/images/generations``, animated (Ken Burns).

GPT Image models (``gpt-image-1``, ``gpt-image-1-mini``, ``gpt-image-1.5``) always answer
``data[0].b64_json``; they take ``quality`` low / medium / high and make 1024×1024, 1024×1536 and
1536×1024 images (we ask for JPEG, a quarter of the PNG's bytes). ``dall-e-3`` needs
``response_format: "b64_json"`` and takes standard / hd at 1024×1024, 1024×1792 and 1792×1024. The size
closest in shape to the frame is asked for; ``image_clips`` animates it at the frame size.

Prices are per image by model, quality and size (OpenAI's price list, 2026), plus the prompt's text
tokens: a 6-scene video with ``gpt-image-1`` at medium quality in portrait is 6 × $0.063 ≈ $0.38, against
about $1.80 for 6 × 6 s of Runway ``gen4_turbo``. Requests go through ``transport`` with the one retry
policy (429 and 502/503/504, honouring ``Retry-After``); a read timeout is never resent (it may be paid).

Example::

    maker = OpenAIImageClips(api_key="sk-…", model="gpt-image-1", quality="medium", width=1080, height=1920)
    clip = maker.make("A cat asleep on a sunny windowsill", 6, Path("out"))
    clip.cost_usd  # 0.0633
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from typing import Any

import requests

from viralreel_core.config import Settings
from viralreel_core.errors import BadInput, ContentRejected, ProviderError, QuotaExceeded
from viralreel_core.providers.clips.image_clips import ImageMotionClips
from viralreel_core.providers.http.openai_common import BASE_URL_ENV, DEFAULT_BASE_URL, KEY_ENV, QUOTA_CODES
from viralreel_core.providers.http.retry import POLICY, RetryPolicy, policy_for
from viralreel_core.providers.http.transport import (
    error_detail,
    error_for_status,
    host_of,
    json_body,
    make_session,
    network_errors,
    timeouts,
)

__all__ = ["OpenAIImageClips", "PRICES", "MODELS", "DEFAULT_MODEL", "DEFAULT_QUALITY"]

_LOGGER = logging.getLogger(__name__)

LABEL = "OpenAI images"
DEFAULT_MODEL = "gpt-image-1"
DEFAULT_QUALITY = "medium"
QUALITIES = ("low", "medium", "high")
READ_TIMEOUT = 180.0  # a high-quality GPT image can take a minute or two
GPT_SIZES = ("1024x1024", "1024x1536", "1536x1024")
DALLE_SIZES = ("1024x1024", "1024x1792", "1792x1024")
#: dollars per image: model -> quality -> (square, other sizes)
PRICES: dict[str, dict[str, tuple[float, float]]] = {
    "gpt-image-1": {"low": (0.011, 0.016), "medium": (0.042, 0.063), "high": (0.167, 0.25)},
    "gpt-image-1-mini": {"low": (0.005, 0.006), "medium": (0.011, 0.015), "high": (0.036, 0.052)},
    "gpt-image-1.5": {"low": (0.009, 0.013), "medium": (0.034, 0.05), "high": (0.133, 0.2)},
    "dall-e-3": {"standard": (0.04, 0.08), "hd": (0.08, 0.12)},
}
MODELS = tuple(PRICES)
#: dollars per text input token of the prompt (DALL·E 3 has none)
TEXT_TOKEN_PRICE = {"gpt-image-1": 5e-6, "gpt-image-1-mini": 2e-6, "gpt-image-1.5": 5e-6}
_REJECTED_CODES = ("content_policy_violation", "moderation_blocked")


class OpenAIImageClips(ImageMotionClips):
    """One OpenAI image per scene, moved across with a slow zoom and pan."""

    name = "openai_images"
    label = "OpenAI images + motion"
    service = "openai"
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    options = {"image_model": DEFAULT_MODEL, "image_quality": DEFAULT_QUALITY}
    option_choices = {"image_model": MODELS, "image_quality": QUALITIES}

    def __init__(self, api_key: str, *, model: str = DEFAULT_MODEL, quality: str = DEFAULT_QUALITY,
                 base_url: str | None = None, width: int = 1080, height: int = 1920, fps: int = 30,
                 read_timeout: float = READ_TIMEOUT, sleep: Callable[[float], None] | None = None,
                 retry_policy: RetryPolicy = POLICY) -> None:
        if model not in PRICES:
            raise BadInput(f"Unknown OpenAI image model {model!r}.", hint=f"Choose one of: {', '.join(MODELS)}.")
        self.model = model
        self.dalle = model.startswith("dall-e")
        self.quality = self._quality(str(quality or DEFAULT_QUALITY).lower())
        self.SIZES = DALLE_SIZES if self.dalle else GPT_SIZES
        super().__init__(width=width, height=height, fps=fps)
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.read_timeout = read_timeout
        self._key = api_key
        self._api = make_session(statuses=(429, 502, 503, 504), methods=("POST",), sleep=sleep,
                                 retry_policy=retry_policy)

    def _quality(self, quality: str) -> str:
        if self.dalle:  # DALL·E 3 knows two: low and medium are its standard, high its hd
            quality = {"low": "standard", "medium": "standard", "high": "hd"}.get(quality, quality)
        if quality not in PRICES[self.model]:
            raise BadInput(f"{self.model} has no image quality {quality!r}.",
                           hint=f"Choose one of: {', '.join(QUALITIES)}.")
        return quality

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIImageClips:
        """The maker for ``settings``: key, ``image_model``, ``image_quality``, ``OPENAI_BASE_URL`` and the frame."""
        return cls(settings.keys.get(cls.service, ""), model=cls.setting(settings, "image_model"),
                   quality=cls.setting(settings, "image_quality"), base_url=settings.base_urls.get(cls.service),
                   width=settings.width, height=settings.height, fps=settings.fps, retry_policy=policy_for(settings))

    def __repr__(self) -> str:
        return f"OpenAIImageClips(model={self.model!r}, size={self.size!r}, endpoint={host_of(self.base_url)!r})"

    # -- what the service says -----------------------------------------------------------------
    def image_params(self) -> dict[str, Any]:
        return {"model": self.model, "quality": self.quality, "size": self.size}

    def image_price(self) -> float:
        square, other = PRICES[self.model][self.quality]
        return square if self.size == "1024x1024" else other

    def request_body(self, prompt: str) -> dict[str, Any]:
        """The JSON asked for one image of ``prompt``."""
        body: dict[str, Any] = {"model": self.model, "prompt": prompt, "n": 1, "size": self.size,
                                "quality": self.quality}
        if self.dalle:
            body["response_format"] = "b64_json"
        else:
            body["output_format"] = "jpeg"
        return body

    def _generate(self, prompt: str) -> tuple[bytes, float]:
        with network_errors(LABEL, provider=self.name, what="making the image", base_url=self.base_url,
                            base_url_env=BASE_URL_ENV):
            response = self._api.post(f"{self.base_url}/images/generations", json=self.request_body(prompt),
                                      headers={"Authorization": f"Bearer {self._key}"},
                                      timeout=timeouts(self.read_timeout))
        if response.status_code >= 400:
            raise self._error(response)
        data = json_body(response)
        item = (data.get("data") or [None])[0] if isinstance(data, dict) and isinstance(data.get("data"), list) \
            else None
        encoded = item.get("b64_json") if isinstance(item, dict) else None
        if not isinstance(encoded, str) or not encoded:
            raise ProviderError(f"{LABEL} answered without an image.", provider=self.name, retryable=True,
                                hint="Try this scene again.")
        try:
            image = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise ProviderError(f"{LABEL} sent an image that could not be decoded.", provider=self.name,
                                retryable=True, hint="Try this scene again.") from None
        cost = self.image_price() + self._text_cost(data.get("usage"), prompt)
        _LOGGER.info("OpenAI image %s %s %s: %d bytes, $%.4f", self.model, self.size, self.quality, len(image), cost)
        return image, cost

    def _text_cost(self, usage: Any, prompt: str) -> float:
        """The prompt's text tokens: as reported in ``usage``, else estimated (4 characters a token)."""
        rate = TEXT_TOKEN_PRICE.get(self.model, 0.0)
        tokens = None
        if isinstance(usage, dict):
            details = usage.get("input_tokens_details")
            tokens = details.get("text_tokens") if isinstance(details, dict) else usage.get("input_tokens")
        if not isinstance(tokens, int) or tokens < 0:
            tokens = len(prompt) // 4 + 1
        return tokens * rate

    def _error(self, response: requests.Response) -> ProviderError:
        status = response.status_code
        data = json_body(response)
        error = data.get("error") if isinstance(data, dict) else None
        code = str(error.get("code") or error.get("type") or "") if isinstance(error, dict) else ""
        detail = error_detail(error.get("message") if isinstance(error, dict) else response, self._key)
        if status == 400 and code in _REJECTED_CODES:
            return ContentRejected(f"OpenAI's safety system refused this scene's image: {detail}",
                                   provider=self.name,
                                   hint="Rewrite the scene's visuals (no real people, brands or violence) and "
                                        "make this scene again.")
        if status == 429 and code in QUOTA_CODES:
            return QuotaExceeded(f"OpenAI says the account has no credit left ({code}).", provider=self.name,
                                 hint="Add credit at platform.openai.com/settings/organization/billing, or "
                                      "choose a free clip provider (Pexels, Pixabay or the offline clips).")
        if status == 404:
            return ProviderError(f"OpenAI ({host_of(self.base_url)}) has no image model {self.model} (404): "
                                 f"{detail}", provider=self.name, retryable=False,
                                 hint="Choose another image_model, or check OPENAI_BASE_URL.")
        if status == 403:
            return ProviderError(f"OpenAI refused access to {self.model} (403): {detail}", provider=self.name,
                                 retryable=False, hint="GPT Image models need a verified organization at "
                                                       "platform.openai.com; or choose dall-e-3.")
        return error_for_status(LABEL, self.name, status, detail, key_env=KEY_ENV, response=response)
