"""What the stock-video providers share: search from narrow to broad, pick a video no other scene uses,
download it and credit it.

A service's module says how to search it (``_search_step``), which file of a hit fits the frame and how
well (``_candidate``), where that file is (``url_field``) and whom to credit (``_credit``); the flow
around it lives here once.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar, Self

from viralreel_core.config import Settings
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.models import Clip
from viralreel_core.providers.base import ClipMaker
from viralreel_core.providers.http.retry import POLICY, RetryPolicy, policy_for
from viralreel_core.providers.http.transport import download_video, json_body, make_session, network_errors, timeouts

__all__ = ["StockClips", "search_terms", "orientation_of"]

_LOGGER = logging.getLogger(__name__)

MAX_TERMS = 5
SQUARE_SLACK = 0.1  # a file within 10% of square counts as square

# words that describe the camera or the mood of a shot rather than what stock footage is tagged with
_STOP = frozenset("""
a an the and or but of in on at to for from with without by into onto over under near across through
its it this that these those his her their our your my is are was were be being been as than then very
while when where who whom which what some any each every one two three few many more most much
close closeup close-up up shot shots camera angle view wide medium tight slow motion cinematic
footage video clip scene vertical frame framing dolly pan tilt zoom tracking handheld aerial drone
overhead pov 4k hd beautiful stunning dramatic epic soft warm cool light lighting lit golden hour
background foreground style tones tone colors colours color colour mood moody showing shows seen
""".split())
_WORD = re.compile(r"[^\W_][\w'-]*", re.UNICODE)


def search_terms(visuals: str, max_terms: int = MAX_TERMS) -> list[str]:
    """Keywords for a stock search from a scene's visuals: content words, in order, without repeats."""
    terms: list[str] = []
    for raw in _WORD.findall(str(visuals or "").lower()):
        word = raw.strip("'-")
        if len(word) < 2 or word in _STOP or word.isdigit() or word in terms:
            continue
        terms.append(word)
        if len(terms) >= max_terms:
            break
    return terms


def orientation_of(width: int, height: int) -> str:
    """The stock services' name for a frame's orientation: ``portrait``, ``landscape`` or ``square`` (within 10%)."""
    if abs(width - height) <= SQUARE_SLACK * max(width, height):
        return "square"
    return "portrait" if height > width else "landscape"


class StockClips(ClipMaker):
    """A free stock-video clip maker; subclasses set ``default_base_url``, ``url_field``, ``quota_window`` and
    the hooks below, and ``_api`` (a session with their service's retry policy) after this ``__init__``."""

    default_base_url: ClassVar[str]
    url_field: ClassVar[str] = "url"  # the chosen file's download address
    quota_window: ClassVar[str] = ""  # what the rate header counts, for the low-quota warning ("this minute")

    def __init__(self, api_key: str, *, base_url: str | None, width: int, height: int, read_timeout: float,
                 max_download_bytes: int, sleep: Callable[[float], None] | None,
                 retry_policy: RetryPolicy = POLICY) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.width, self.height = int(width), int(height)
        self.orientation = orientation_of(self.width, self.height)  # of the frame the clip will fill
        self.read_timeout = read_timeout
        self.max_download_bytes = max_download_bytes
        self._key = api_key
        self._sleep, self._retry = sleep, retry_policy
        self._downloads = make_session(retries=0)  # download_video retries; never carries the key (a CDN)
        self._used: set[Any] = set()  # videos other scenes of this run already show
        self._used_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The clip maker for ``settings``: its key, its base URL setting and the frame's size."""
        return cls(settings.keys.get(cls.service, ""), base_url=settings.base_urls.get(cls.service),
                   width=settings.width, height=settings.height, retry_policy=policy_for(settings))

    # -- what a service says ---------------------------------------------------------------------
    def _search_step(self, query: str, narrow: bool) -> list[dict[str, Any]]:
        """The hits for ``query``; ``narrow``: only those at the frame's full size."""
        raise NotImplementedError

    def _candidate(self, hit: dict[str, Any], seconds: float) -> tuple[tuple, dict[str, Any]] | None:
        """(how well it fits, lower is better; the file to download) for ``hit``, or None if no file fits."""
        raise NotImplementedError

    def _credit(self, hit: dict[str, Any]) -> str:
        raise NotImplementedError

    def _sought(self) -> str:
        """What was looked for, for the message when nothing fits (e.g. "portrait video")."""
        return "video"

    # -- the shared flow --------------------------------------------------------------------------
    def _search_request(self, path: str, params: dict[str, Any], *, results: str, headers: dict[str, str] | None = None,
                        rate_header: str, low: int) -> list[dict[str, Any]]:
        """GET ``path`` under the base URL and return the dicts listed under ``results``; ProviderError naming
        the service if it fails or answers in another shape; a warning when ``rate_header`` says fewer than
        ``low`` requests are left."""
        with network_errors(self.label, provider=self.name, what="searching stock video", base_url=self.base_url,
                            base_url_env=self.base_url_env):
            response = self._api.get(f"{self.base_url}{path}", params=params, headers=headers,
                                     timeout=timeouts(self.read_timeout))
        if response.status_code >= 400:
            raise self._error(response)
        data = json_body(response)
        if not isinstance(data, dict) or not isinstance(data.get(results, []), list):
            raise ProviderError(f"{self.label} sent search results that could not be read.", provider=self.name,
                                retryable=True, hint="Try this scene again.")
        remaining = response.headers.get(rate_header)
        if remaining is not None and remaining.isdigit() and int(remaining) < low:
            _LOGGER.warning("%s: %s requests left %s", self.label, remaining, self.quota_window)
        return [hit for hit in data.get(results) or [] if isinstance(hit, dict)]

    def estimate_cost(self, seconds: float) -> float:
        """Stock video is free."""
        return 0.0

    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        """Find, download and credit a stock clip in the frame's shape for ``visuals``."""
        terms = search_terms(visuals)
        if not terms:
            raise BadInput("The scene's visuals have no words to search stock video for.",
                           hint="Describe what should be seen, e.g. 'a cat asleep on a windowsill'.")
        hit, chosen, query = self._find(terms, seconds)
        path = Path(out_dir) / f"clip_{self.name}_{uuid.uuid4().hex[:16]}.mp4"
        info = download_video(self._downloads, chosen[self.url_field], path, service=self.label,
                              provider=self.name, max_bytes=self.max_download_bytes, read_timeout=60.0,
                              sleep=self._sleep or time.sleep, retry_policy=self._retry)
        _LOGGER.info("%s video %s for %r: %sx%s", self.label, hit.get("id"), query, info.width, info.height)
        return Clip(video_path=str(path), duration=info.duration, width=info.width or int(chosen["width"]),
                    height=info.height or int(chosen["height"]), provider=self.name, cost_usd=0.0,
                    credit=self._credit(hit))

    def _queries(self, terms: list[str]) -> Iterator[tuple[str, bool]]:
        """Searches from narrow to broad: all terms at full size, all terms any size, then fewer terms."""
        seen: set[tuple[str, bool]] = set()
        for query, narrow in ((" ".join(terms), True), (" ".join(terms), False),
                              (" ".join(terms[:2]), False), (terms[0], False)):
            if (query, narrow) not in seen:
                seen.add((query, narrow))
                yield query, narrow

    def _find(self, terms: list[str], seconds: float) -> tuple[dict[str, Any], dict[str, Any], str]:
        for query, narrow in self._queries(terms):
            choice = self._choose(self._search_step(query, narrow), seconds)
            if choice is not None:
                return (*choice, query)
        raise ProviderError(f"{self.label} has no {self._sought()} for {' '.join(terms)!r}.", provider=self.name,
                            retryable=False,
                            hint="Describe the scene with simpler, concrete words (e.g. 'city street at night'), "
                                 "or choose another clip provider.")

    def _choose(self, hits: list[dict[str, Any]], seconds: float
                ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The best (hit, file): not used by another scene, then the service's fit, then in its order.

        A repeated video shows more than a short one, which the assembler slows or loops to fit.
        """
        with self._used_lock:  # scenes choose in parallel: pick and mark in one step, or two get the same video
            candidates = []
            for order, hit in enumerate(hits):
                fit = self._candidate(hit, seconds)
                if fit is not None:
                    candidates.append(((hit.get("id") in self._used, *fit[0], order), hit, fit[1]))
            if not candidates:
                return None
            _, hit, chosen = min(candidates, key=lambda c: c[0])
            self._used.add(hit.get("id"))
        return hit, chosen
