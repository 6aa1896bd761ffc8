"""Pexels clips: free stock video found from the scene's visuals, credited to its videographer.

``GET /videos/search`` (header ``Authorization: <key>``, no "Bearer") with keywords taken from the
visuals, the frame's orientation (``portrait`` for 9:16 and 4:5, ``landscape`` for 16:9, ``square`` for
1:1), ``size=medium`` (Full HD or more) first; a broader search follows when nothing fits. The pick is a
file of that orientation at least 1080 on its short side where one exists (the smallest such, not a 4K
file), else the largest such file; a video another scene already uses is avoided. The assembler crops
what is left over (a 9:16 file in a 4:5 frame). The clip
keeps "Video by NAME on Pexels (URL)" as its credit, which the result lists.

Example::

    maker = PexelsClips(api_key="…")
    clip = maker.make("Close-up of a cat asleep on a sunny windowsill", 6, Path("out"))
    clip.credit  # 'Video by Jane Doe on Pexels (https://www.pexels.com/video/…)'
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from ..config import Settings
from ..errors import BadInput, ProviderError, RateLimited
from ..models import Clip
from .base import ClipMaker
from .retry import retry_after
from .transport import (
    MAX_DOWNLOAD_BYTES,
    download_video,
    error_detail,
    error_for_status,
    host_of,
    json_body,
    make_session,
    network_errors,
    timeouts,
)

__all__ = ["PexelsClips", "search_terms", "pick_file", "credit_for", "orientation_of", "DEFAULT_BASE_URL",
           "MIN_WIDTH"]

_LOGGER = logging.getLogger(__name__)

SERVICE = "Pexels"
KEY_ENV = "PEXELS_API_KEY"
BASE_URL_ENV = "PEXELS_BASE_URL"
DEFAULT_BASE_URL = "https://api.pexels.com"
MIN_WIDTH = 1080  # of the file's short side (the width of a portrait file)
SQUARE_SLACK = 0.1  # a file within 10% of square counts as square
PER_PAGE = 15
MAX_TERMS = 5
READ_TIMEOUT = 30.0
QUERY_VERSION = "1"  # bump when the way a query is built from the visuals changes

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
    """Pexels' name for a frame's orientation: ``portrait``, ``landscape`` or ``square`` (within 10%)."""
    if abs(width - height) <= SQUARE_SLACK * max(width, height):
        return "square"
    return "portrait" if height > width else "landscape"


def _files(video: dict[str, Any], orientation: str) -> list[dict[str, Any]]:
    files = []
    for f in video.get("video_files") or []:
        if not isinstance(f, dict) or not f.get("link"):
            continue
        width, height = int(f.get("width") or 0), int(f.get("height") or 0)
        if width > 0 and height > 0 and orientation_of(width, height) == orientation \
                and (f.get("file_type") or "video/mp4") == "video/mp4":
            files.append(f)
    return files


def _short_side(f: dict[str, Any]) -> int:
    return min(int(f["width"]), int(f["height"]))


def pick_file(video: dict[str, Any], min_width: int = MIN_WIDTH, orientation: str = "portrait"
              ) -> dict[str, Any] | None:
    """The MP4 of ``orientation`` to use: the smallest at least ``min_width`` on its short side, else the
    largest; None if the video has no file of that orientation."""
    files = _files(video, orientation)
    if not files:
        return None
    wide = [f for f in files if _short_side(f) >= min_width]
    if wide:
        return min(wide, key=lambda f: (_short_side(f), -float(f.get("fps") or 0)))
    return max(files, key=lambda f: (_short_side(f), float(f.get("fps") or 0)))


def credit_for(video: dict[str, Any]) -> str:
    """The credit Pexels asks for: "Video by NAME on Pexels (URL)"."""
    user = video.get("user") or {}
    name = " ".join(str(user.get("name") or "a Pexels videographer").split())
    url = video.get("url") or user.get("url") or "https://www.pexels.com"
    return f"Video by {name} on Pexels ({url})"


class PexelsClips(ClipMaker):
    """Stock clips from Pexels (free; the videographer is credited)."""

    name = "pexels"
    label = SERVICE
    service = "pexels"
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV

    def __init__(self, api_key: str, *, base_url: str | None = None, min_width: int = MIN_WIDTH,
                 width: int = 1080, height: int = 1920, per_page: int = PER_PAGE, read_timeout: float = READ_TIMEOUT,
                 max_download_bytes: int = MAX_DOWNLOAD_BYTES, sleep: Callable[[float], None] | None = None) -> None:
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.min_width = min_width
        self.orientation = orientation_of(width, height)  # of the frame the clip will fill
        self.per_page = max(1, min(80, per_page))
        self.read_timeout = read_timeout
        self.max_download_bytes = max_download_bytes
        self._key = api_key
        self._sleep = sleep
        # a 429 here is the hourly quota: waiting seconds will not help, so only 5xx are retried
        self._api = make_session(statuses=(500, 502, 503, 504), sleep=sleep)
        self._downloads = make_session(retries=0)  # download_video retries; never carries the key (a CDN)
        self._used: set[int] = set()
        self._used_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> PexelsClips:
        """The clip maker for ``settings``: its key, ``PEXELS_BASE_URL`` and the frame's orientation."""
        return cls(settings.keys.get(cls.service, ""), base_url=settings.base_urls.get(cls.service),
                   width=settings.width, height=settings.height)

    def __repr__(self) -> str:
        return f"PexelsClips(orientation={self.orientation!r}, endpoint={host_of(self.base_url)!r})"

    def cache_params(self) -> dict[str, Any]:
        """What shapes the pick: orientation, minimum width, page size and how queries are built."""
        return {"orientation": self.orientation, "min_width": self.min_width, "per_page": self.per_page,
                "query": QUERY_VERSION}

    def estimate_cost(self, seconds: float) -> float:
        """Pexels is free."""
        return 0.0

    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        """Find, download and credit a stock clip of the frame's orientation for ``visuals``."""
        terms = search_terms(visuals)
        if not terms:
            raise BadInput("The scene's visuals have no words to search stock video for.",
                           hint="Describe what should be seen, e.g. 'a cat asleep on a windowsill'.")
        video, chosen, query = self._find(terms, seconds)
        path = Path(out_dir) / f"clip_pexels_{uuid.uuid4().hex[:16]}.mp4"
        info = download_video(self._downloads, chosen["link"], path, service=SERVICE, provider=self.name,
                              max_bytes=self.max_download_bytes, read_timeout=60.0,
                              sleep=self._sleep or time.sleep)
        _LOGGER.info("Pexels video %s for %r: %sx%s", video.get("id"), query, info.width, info.height)
        return Clip(video_path=str(path), duration=info.duration, width=info.width or int(chosen["width"]),
                    height=info.height or int(chosen["height"]), provider=self.name, cost_usd=0.0,
                    credit=credit_for(video))

    def search(self, query: str, *, size: str | None = "medium") -> list[dict[str, Any]]:
        """The videos Pexels finds for ``query`` in the frame's orientation (``size`` is a minimum)."""
        params: dict[str, Any] = {"query": query, "orientation": self.orientation, "per_page": self.per_page, "page": 1}
        if size:
            params["size"] = size
        with network_errors(SERVICE, provider=self.name, what="searching stock video", base_url=self.base_url,
                            base_url_env=BASE_URL_ENV):
            response = self._api.get(f"{self.base_url}/videos/search", params=params,
                                     headers={"Authorization": self._key}, timeout=timeouts(self.read_timeout))
        if response.status_code >= 400:
            raise self._error(response)
        data = json_body(response)
        if not isinstance(data, dict) or not isinstance(data.get("videos", []), list):
            raise ProviderError(f"{SERVICE} sent search results that could not be read.", provider=self.name,
                                retryable=True, hint="Try this scene again.")
        remaining = response.headers.get("X-Ratelimit-Remaining")
        if remaining is not None and remaining.isdigit() and int(remaining) < 20:
            _LOGGER.warning("Pexels: %s requests left this period", remaining)
        return [v for v in data.get("videos") or [] if isinstance(v, dict)]

    # -- helpers -------------------------------------------------------------------------------
    def _queries(self, terms: list[str]) -> Iterator[tuple[str, str | None]]:
        """Searches from narrow to broad: all terms in Full HD, all terms any size, then fewer terms."""
        seen: set[tuple[str, str | None]] = set()
        for query, size in ((" ".join(terms), "medium"), (" ".join(terms), None),
                            (" ".join(terms[:2]), None), (terms[0], None)):
            if (query, size) not in seen:
                seen.add((query, size))
                yield query, size

    def _find(self, terms: list[str], seconds: float) -> tuple[dict[str, Any], dict[str, Any], str]:
        for query, size in self._queries(terms):
            choice = self._choose(self.search(query, size=size), seconds)
            if choice is not None:
                return (*choice, query)
        raise ProviderError(f"{SERVICE} has no {self.orientation} video for {' '.join(terms)!r}.", provider=self.name,
                            retryable=False,
                            hint="Describe the scene with simpler, concrete words (e.g. 'city street at night'), "
                                 "or choose another clip provider.")

    def _choose(self, videos: list[dict[str, Any]], seconds: float
                ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """The best (video, file): not used by another scene, then long enough, then in Pexels' order.

        A repeated video shows more than a short one, which the assembler slows or loops to fit.
        """
        with self._used_lock:  # scenes choose in parallel: pick and mark in one step, or two get the same video
            candidates = []
            for order, video in enumerate(videos):
                chosen = pick_file(video, self.min_width, self.orientation)
                if chosen is None:
                    continue
                short = float(video.get("duration") or 0) < seconds
                candidates.append(((video.get("id") in self._used, short, order), video, chosen))
            if not candidates:
                return None
            _, video, chosen = min(candidates, key=lambda c: c[0])
            self._used.add(video.get("id"))  # type: ignore[arg-type]
        return video, chosen

    def _error(self, response: requests.Response) -> ProviderError:
        status = response.status_code
        detail = error_detail(response, self._key)
        if status == 429:
            return RateLimited(f"{SERVICE}'s request limit is used up (429).", provider=self.name,
                               retry_after=retry_after(response.headers),
                               hint="Pexels allows 200 requests an hour and 20,000 a month; wait, or use cached "
                                    "scenes and another clip provider meanwhile.")
        return error_for_status(SERVICE, self.name, status, detail, key_env=KEY_ENV, response=response)
