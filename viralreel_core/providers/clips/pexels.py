"""Pexels clips: free stock video found from the scene's visuals, credited to its videographer.

``GET /videos/search`` (header ``Authorization: <key>``, no "Bearer") for each of the scene's search
phrases, the frame's orientation (``portrait`` for 9:16 and 4:5, ``landscape`` for 16:9, ``square`` for
1:1), ``size=medium`` (Full HD or more) first; any size when that finds no match. What a video shows is read
from its page's address (``/video/glacier-ice-melting-123/``) and its tags; ``image`` is its preview for
the vision check (``stock``: ranking, check, fallback). The file taken is a
file of that orientation at least 1080 on its short side where one exists (the smallest such, not a 4K
file), else the largest such file; a video another scene already uses is avoided. The assembler crops
what is left over (a 9:16 file in a 4:5 frame). The clip
keeps "Video by NAME on Pexels (URL)" as its credit, which the result lists.

Example::

    maker = PexelsClips(api_key="…")
    clip = maker.make("Close-up of a cat asleep on a sunny windowsill", 6, Path("out"), ("cat asleep", "windowsill"))
    clip.choice["why"]  # "matched: 'cat asleep'"
    clip.credit  # 'Video by Jane Doe on Pexels (https://www.pexels.com/video/…)'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from viralreel_core.errors import ProviderError, RateLimited
from viralreel_core.providers.clips.stock import StockClips, orientation_of, search_terms
from viralreel_core.providers.clips.vision_check import VisionCheck
from viralreel_core.providers.http.retry import POLICY, RetryPolicy, retry_after
from viralreel_core.providers.http.transport import (
    MAX_DOWNLOAD_BYTES,
    error_detail,
    error_for_status,
    host_of,
    make_session,
)

__all__ = ["PexelsClips", "search_terms", "pick_file", "credit_for", "orientation_of", "DEFAULT_BASE_URL",
           "MIN_WIDTH"]

SERVICE = "Pexels"
KEY_ENV = "PEXELS_API_KEY"
BASE_URL_ENV = "PEXELS_BASE_URL"
DEFAULT_BASE_URL = "https://api.pexels.com"
MIN_WIDTH = 1080  # of the file's short side (the width of a portrait file)
PER_PAGE = 15
READ_TIMEOUT = 30.0
QUERY_VERSION = "2"  # bump when the way a query is built from the visuals changes

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


class PexelsClips(StockClips):
    """Stock clips from Pexels (free; the videographer is credited)."""

    name = "pexels"
    label = SERVICE
    service = "pexels"
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    default_base_url = DEFAULT_BASE_URL
    url_field = "link"
    quota_window = "this period"

    def __init__(self, api_key: str, *, base_url: str | None = None, min_width: int = MIN_WIDTH,
                 width: int = 1080, height: int = 1920, per_page: int = PER_PAGE, read_timeout: float = READ_TIMEOUT,
                 max_download_bytes: int = MAX_DOWNLOAD_BYTES, sleep: Callable[[float], None] | None = None,
                 retry_policy: RetryPolicy = POLICY, vision: VisionCheck | None = None) -> None:
        super().__init__(api_key, base_url=base_url, width=width, height=height, read_timeout=read_timeout,
                         max_download_bytes=max_download_bytes, sleep=sleep, retry_policy=retry_policy,
                         vision=vision)
        self.min_width = min_width
        self.per_page = max(1, min(80, per_page))
        # a 429 here is the hourly quota: waiting seconds will not help, so only 5xx are retried
        self._api = make_session(statuses=(500, 502, 503, 504), sleep=sleep, retry_policy=retry_policy)

    def __repr__(self) -> str:
        return f"PexelsClips(orientation={self.orientation!r}, endpoint={host_of(self.base_url)!r})"

    def _service_params(self) -> dict[str, Any]:
        """What shapes the pick: orientation, minimum width, page size and how queries are built."""
        return {"orientation": self.orientation, "min_width": self.min_width, "per_page": self.per_page,
                "query": QUERY_VERSION}

    def search(self, query: str, *, size: str | None = "medium") -> list[dict[str, Any]]:
        """The videos Pexels finds for ``query`` in the frame's orientation (``size`` is a minimum)."""
        params: dict[str, Any] = {"query": query, "orientation": self.orientation, "per_page": self.per_page, "page": 1}
        if size:
            params["size"] = size
        return self._search_request("/videos/search", params, results="videos", headers={"Authorization": self._key},
                                    rate_header="X-Ratelimit-Remaining", low=20)

    # -- what StockClips asks of a service ---------------------------------------------------------
    def _search_step(self, query: str, narrow: bool) -> list[dict[str, Any]]:
        return self.search(query, size="medium" if narrow else None)  # medium: Full HD or more

    def _candidate(self, video: dict[str, Any], seconds: float) -> tuple[tuple, dict[str, Any]] | None:
        chosen = pick_file(video, self.min_width, self.orientation)
        return None if chosen is None else ((float(video.get("duration") or 0) < seconds,), chosen)

    def _credit(self, video: dict[str, Any]) -> str:
        return credit_for(video)

    def _sought(self) -> str:
        return f"{self.orientation} video"

    def _error(self, response: requests.Response) -> ProviderError:
        status = response.status_code
        detail = error_detail(response, self._key)
        if status == 429:
            return RateLimited(f"{SERVICE}'s request limit is used up (429).", provider=self.name,
                               retry_after=retry_after(response.headers),
                               hint="Pexels allows 200 requests an hour and 20,000 a month; wait, or use cached "
                                    "scenes and another clip provider meanwhile.")
        return error_for_status(SERVICE, self.name, status, detail, key_env=KEY_ENV, response=response)
