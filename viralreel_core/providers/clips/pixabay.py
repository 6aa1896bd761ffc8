"""Pixabay clips: free stock video found from the scene's visuals, a second source beside Pexels.

``GET /api/videos/?key=KEY&q=…`` (the key can only go in the query string, so it is scrubbed from every
log line and error, see ``transport``); each hit offers up to four renditions (``videos.large``,
``medium``, ``small``, ``tiny``, each with ``url``, ``width``, ``height``; an unavailable one has an empty
url). Pixabay has no orientation filter for videos, so the shape is chosen here, from the frame the
settings ask for (portrait for 9:16 and 4:5, landscape for 16:9): the rendition picked is the smallest
that covers the frame without upscaling, else the largest. As with Pexels, each of the scene's phrases
is searched (at the frame's size, then any size when that finds no match) and the hits are ranked by the
phrases their ``tags`` match, their length and their shape (``stock``); a video another scene already
uses is avoided, and one of the other shape wins only over worse matches (the assembler crops it). The
rendition's ``thumbnail`` is the preview the vision check sees. Pixabay asks for no credit; "Video by
USER on Pixabay (URL)" is kept anyway. Rate limit: 100 requests a minute (``X-RateLimit-*`` headers, 429
past it), so a 429 is waited out (``Retry-After``, else ``X-RateLimit-Reset``) within the one retry policy.

Example::

    maker = PixabayClips(api_key="…", width=1080, height=1920)
    clip = maker.make("Waves rolling onto a sandy beach at sunset", 6, Path("out"))
    clip.credit  # 'Video by coverr on Pixabay (https://pixabay.com/videos/id-…/)'
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from viralreel_core.errors import AuthError, ProviderError, RateLimited
from viralreel_core.providers.clips.stock import StockClips, orientation_of
from viralreel_core.providers.clips.vision_check import VisionCheck
from viralreel_core.providers.http.retry import POLICY, RetryPolicy, retry_after
from viralreel_core.providers.http.transport import (
    MAX_DOWNLOAD_BYTES,
    error_detail,
    error_for_status,
    host_of,
    make_session,
)

__all__ = ["PixabayClips", "pick_rendition", "credit_for", "orientation_of", "DEFAULT_BASE_URL", "RENDITIONS"]

SERVICE = "Pixabay"
KEY_ENV = "PIXABAY_API_KEY"
BASE_URL_ENV = "PIXABAY_BASE_URL"
DEFAULT_BASE_URL = "https://pixabay.com"
PER_PAGE = 20  # Pixabay takes 3–200
MAX_QUERY_CHARS = 100  # Pixabay's limit for q
READ_TIMEOUT = 30.0
RENDITIONS = ("large", "medium", "small", "tiny")
QUERY_VERSION = "2"  # bump when the way a query is built from the visuals changes


def _renditions(hit: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    videos = hit.get("videos") if isinstance(hit.get("videos"), dict) else {}
    for name in RENDITIONS:
        r = videos.get(name)
        if not isinstance(r, dict) or not r.get("url"):
            continue
        try:
            width, height = int(r.get("width") or 0), int(r.get("height") or 0)
        except (TypeError, ValueError):
            continue
        if width > 0 and height > 0:
            found.append({**r, "name": name, "width": width, "height": height})
    return found


def pick_rendition(hit: dict[str, Any], width: int, height: int) -> dict[str, Any] | None:
    """The rendition to download for a ``width``×``height`` frame: the smallest that covers it (no upscaling),
    else the largest; None if the hit has none."""
    renditions = _renditions(hit)
    if not renditions:
        return None
    covering = [r for r in renditions if r["width"] >= width and r["height"] >= height]
    if covering:
        return min(covering, key=lambda r: r["width"] * r["height"])
    return max(renditions, key=lambda r: r["width"] * r["height"])


def credit_for(hit: dict[str, Any]) -> str:
    """"Video by USER on Pixabay (URL)" (Pixabay asks for no credit; we give it, as for Pexels)."""
    user = " ".join(str(hit.get("user") or "a Pixabay contributor").split())
    url = hit.get("pageURL") or "https://pixabay.com/videos/"
    return f"Video by {user} on Pixabay ({url})"


class PixabayClips(StockClips):
    """Stock clips from Pixabay (free, no attribution required; the contributor is credited anyway)."""

    name = "pixabay"
    label = SERVICE
    service = "pixabay"
    key_env = KEY_ENV
    base_url_env = BASE_URL_ENV
    default_base_url = DEFAULT_BASE_URL
    quota_window = "this minute"

    def __init__(self, api_key: str, *, base_url: str | None = None, width: int = 1080, height: int = 1920,
                 per_page: int = PER_PAGE, read_timeout: float = READ_TIMEOUT,
                 max_download_bytes: int = MAX_DOWNLOAD_BYTES, sleep: Callable[[float], None] | None = None,
                 retry_policy: RetryPolicy = POLICY, vision: VisionCheck | None = None) -> None:
        super().__init__(api_key, base_url=base_url, width=width, height=height, read_timeout=read_timeout,
                         max_download_bytes=max_download_bytes, sleep=sleep, retry_policy=retry_policy,
                         vision=vision)
        self.per_page = max(3, min(200, per_page))
        # a 429 is the per-minute window: worth the wait it names (within the policy's cap)
        self._api = make_session(statuses=(429, 500, 502, 503, 504), methods=("GET",), sleep=sleep,
                                 retry_policy=retry_policy)

    def __repr__(self) -> str:
        return f"PixabayClips(endpoint={host_of(self.base_url)!r}, frame={self.width}x{self.height})"

    def _service_params(self) -> dict[str, Any]:
        """What shapes the pick: the frame (its shape and size), page size and how queries are built."""
        return {"orientation": self.orientation, "frame": f"{self.width}x{self.height}",
                "per_page": self.per_page, "video_type": "film", "query": QUERY_VERSION}

    def search(self, query: str, *, sized: bool = True) -> list[dict[str, Any]]:
        """The film hits Pixabay finds for ``query`` (``sized``: only those at least the frame's size)."""
        params: dict[str, Any] = {"key": self._key, "q": query[:MAX_QUERY_CHARS], "video_type": "film",
                                  "safesearch": "true", "per_page": self.per_page, "page": 1}
        if sized:
            params["min_width"], params["min_height"] = self.width, self.height
        return self._search_request("/api/videos/", params, results="hits", rate_header="X-RateLimit-Remaining",
                                    low=10)

    # -- what StockClips asks of a service ---------------------------------------------------------
    def _search_step(self, query: str, narrow: bool) -> list[dict[str, Any]]:
        return self.search(query, sized=narrow)

    def _candidate(self, hit: dict[str, Any], seconds: float) -> tuple[tuple, dict[str, Any]] | None:
        """The frame's shape first (Pixabay cannot filter by it), then long enough."""
        chosen = pick_rendition(hit, self.width, self.height)
        if chosen is None:
            return None
        shape = orientation_of(chosen["width"], chosen["height"])
        wrong_shape = self.orientation != "square" and shape != self.orientation
        return (wrong_shape, float(hit.get("duration") or 0) < seconds), chosen

    def _credit(self, hit: dict[str, Any]) -> str:
        return credit_for(hit)

    def _preview(self, hit: dict[str, Any], chosen: dict[str, Any]) -> str:
        """The chosen rendition's thumbnail (any rendition's, else the older ``picture_id`` address)."""
        videos = hit.get("videos") if isinstance(hit.get("videos"), dict) else {}
        thumbs = [chosen.get("thumbnail"), *(v.get("thumbnail") for v in videos.values() if isinstance(v, dict))]
        found = next((str(t) for t in thumbs if t), "")
        if not found and hit.get("picture_id"):
            found = f"https://i.vimeocdn.com/video/{hit['picture_id']}_640x360.jpg"
        return found

    def _error(self, response: requests.Response) -> ProviderError:
        status = response.status_code
        detail = error_detail(response, self._key)
        if status == 429:
            asked = retry_after(response.headers)
            reset = response.headers.get("X-RateLimit-Reset", "")
            if asked is None and reset.isdigit():
                asked = float(reset)
            return RateLimited(f"{SERVICE}'s request limit is used up (429).", provider=self.name,
                               retry_after=asked,
                               hint="Pixabay allows 100 requests a minute; wait a minute, or use another clip "
                                    "provider meanwhile.")
        if status == 400 and "key" in detail.lower():  # Pixabay answers a wrong key with 400 "[ERROR 400] …"
            return AuthError(f"{SERVICE} rejected the API key (400).", provider=self.name,
                             hint=f"Check {KEY_ENV} in the environment or st.secrets (pixabay.com/api/docs "
                                  "shows your key when you are logged in).")
        return error_for_status(SERVICE, self.name, status, detail, key_env=KEY_ENV, response=response)
