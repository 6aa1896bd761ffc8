"""Does this stock video show the scene? A small vision model looks at the video's preview image.

One chat-completions call per candidate (OpenAI, or a compatible server): the scene's visuals and search
phrases as text, the stock service's preview image as an ``image_url`` content part with ``"detail":
"low"`` (a fixed, small number of image tokens: the whole check costs well under a tenth of a cent with
gpt-4o-mini), and a strict JSON answer ``{"fits": bool, "score": 0–10}``. A candidate it answers "no"
for is never used. Verdicts are kept in the asset cache by content (model, prompt version, image, scene),
so a rerun, or the same candidate for the same scene, is never paid for twice.

Example::

    check = VisionCheck("sk-…")
    verdict = check.judge("https://images.pexels.com/videos/1/preview.jpeg", "a glacier calving", ("glacier ice",))
    verdict.fits, verdict.score, verdict.cost_usd   # True, 8, 0.00046
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from viralreel_core.cache.store import cache_key
from viralreel_core.errors import ProviderError
from viralreel_core.providers.http.openai_common import DEFAULT_BASE_URL, make_client, openai_errors
from viralreel_core.providers.http.transport import host_of
from viralreel_core.providers.script.json_answer import json_in_answer
from viralreel_core.providers.script.openai_script import PRICES_PER_MILLION

if TYPE_CHECKING:
    from viralreel_core.cache.store import AssetCache

__all__ = ["VisionCheck", "Verdict", "DEFAULT_MODEL", "MIN_SCORE", "check_messages", "VERDICT_SCHEMA",
           "IMAGE_TOKENS_LOW"]

DEFAULT_MODEL = "gpt-4o-mini"
PROMPT_VERSION = "1"  # bump when the prompt changes, so cached verdicts are not reused
MAX_TOKENS = 40
TIMEOUT = 30.0
MIN_SCORE = 5  # a "yes" under this score counts as a no: a weak match is not a fit
#: image tokens one low-detail image is billed as, by model (OpenAI's pricing page; gpt-4o-mini bills
#: images at gpt-4o's price, hence its large count); others: gpt-4o's 85
IMAGE_TOKENS_LOW = {"gpt-4o-mini": 2833, "gpt-4o": 85}
_TEXT_TOKENS = 160  # the prompt's text, for estimates
_ANSWER_TOKENS = 12

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "fits": {"type": "boolean", "description": "Whether the image shows what the scene describes."},
        "score": {"type": "integer", "description": "How well it fits, 0 (not at all) to 10 (exactly)."},
    },
    "required": ["fits", "score"],
    "additionalProperties": False,
}

_SYSTEM = """You check stock footage for a short video. You see one frame of a stock video and the scene it
would illustrate. Answer with JSON only, shaped {"fits": boolean, "score": integer 0-10}: fits is true only
when the frame clearly shows the scene's subject (the search phrases name it); score says how well."""


@dataclass(frozen=True)
class Verdict:
    """A vision model's answer for one candidate: whether it fits, how well (0–10), and what it cost now
    (0 when it came from the cache)."""

    fits: bool
    score: int
    cost_usd: float = 0.0


def check_messages(image_url: str, visuals: str, phrases: Sequence[str]) -> list[dict[str, Any]]:
    """The chat messages asking whether ``image_url`` shows the scene (an ``image_url`` part, low detail)."""
    text = f"Scene: {visuals}\nSearch phrases: {', '.join(phrases)}\nDoes this frame show the scene?"
    return [{"role": "system", "content": _SYSTEM},
            {"role": "user", "content": [{"type": "text", "text": text},
                                         {"type": "image_url", "image_url": {"url": image_url, "detail": "low"}}]}]


class VisionCheck:
    """Asks a vision model about candidates' preview images; thread-safe (scenes check in parallel)."""

    def __init__(self, api_key: str, *, base_url: str | None = None, model: str = DEFAULT_MODEL,
                 timeout: float = TIMEOUT) -> None:
        self.model = model or DEFAULT_MODEL
        self.base_url = base_url or DEFAULT_BASE_URL
        self._secret = api_key
        self._client = make_client(api_key, self.base_url, timeout=timeout)
        self._cache: AssetCache | None = None

    def __repr__(self) -> str:
        return f"VisionCheck(model={self.model!r}, endpoint={host_of(self.base_url)!r})"

    def use_cache(self, cache: AssetCache) -> None:
        self._cache = cache

    def close(self) -> None:
        self._client.close()

    def estimate_cost(self, checks: int = 1) -> float:
        """Dollars for ``checks`` checks (an image at low detail, the prompt and a short answer each)."""
        image = IMAGE_TOKENS_LOW.get(self.model, 85)
        return round(checks * self._dollars(image + _TEXT_TOKENS, _ANSWER_TOKENS), 8)

    def judge(self, image_url: str, visuals: str, phrases: Sequence[str]) -> Verdict:
        """The verdict for ``image_url`` against the scene; from the cache when it was asked before.
        ProviderError (from ``openai_errors``) when the service fails."""
        if self._cache is None:
            return self._ask(image_url, visuals, phrases)
        key = cache_key("vision", "openai", {"model": self.model, "prompt": PROMPT_VERSION,
                                             "endpoint": host_of(self.base_url)},
                        {"image": image_url, "visuals": visuals, "phrases": list(phrases)})

        def make(work_dir: Any) -> tuple[dict[str, Any], dict[str, str], float]:
            verdict = self._ask(image_url, visuals, phrases)
            return {"fits": verdict.fits, "score": verdict.score}, {}, verdict.cost_usd

        asset, hit = self._cache.get_or_make(key, "vision", make, label="footage check")
        return Verdict(bool(asset.meta["fits"]), int(asset.meta["score"]), 0.0 if hit else asset.cost_usd)

    def _ask(self, image_url: str, visuals: str, phrases: Sequence[str]) -> Verdict:
        fmt = {"type": "json_schema", "json_schema": {"name": "footage_check", "strict": True,
                                                      "schema": VERDICT_SCHEMA}}
        with openai_errors("checking stock footage", secret=self._secret, base_url=self.base_url, model=self.model):
            completion = self._client.chat.completions.create(
                model=self.model, messages=check_messages(image_url, visuals, phrases),  # type: ignore[arg-type]
                temperature=0, max_tokens=MAX_TOKENS, response_format=fmt)  # type: ignore[arg-type]
        usage = getattr(completion, "usage", None)
        cost = self._dollars(usage.prompt_tokens or 0, usage.completion_tokens or 0) if usage else \
            self.estimate_cost()
        content = completion.choices[0].message.content if completion.choices else None
        try:
            data = json_in_answer(content)
            fits, score = data["fits"], int(data["score"])
        except (ValueError, KeyError, TypeError):
            error = ProviderError("The footage check answered with something that is not a verdict.",
                                  provider="openai", hint="Try again, or turn the footage check off (stock_vision).")
            error.spent_usd = cost
            raise error from None
        score = max(0, min(10, score))
        return Verdict(fits is True and score >= MIN_SCORE, score, cost)

    def _dollars(self, prompt_tokens: int, completion_tokens: int) -> float:
        prices = PRICES_PER_MILLION.get(self.model)
        if prices is None:
            if self.base_url != DEFAULT_BASE_URL:
                return 0.0  # a local or third-party server: its prices are not known here
            prices = PRICES_PER_MILLION[DEFAULT_MODEL]
        return round((prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1_000_000, 8)

