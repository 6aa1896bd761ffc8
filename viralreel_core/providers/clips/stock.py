"""What the stock-video providers share: search each of the scene's phrases, rank what comes back, check
the best with a vision model, pick a video no other scene uses, download it and credit it.

A service's module says how to search it (``_search_step``), which file of a hit fits the frame and how
well (``_candidate``), where that file is (``url_field``), whom to credit (``_credit``) and what a hit says
about itself (``_described``: tags, its page's address, alt text); the flow around it lives here once.
Ranking is ``stock_rank``; the vision check, when an OpenAI key is set and ``stock_vision`` is on, is
``vision_check`` (its cost is the clip's). A scene with no good candidate raises ``NoGoodFootage``: the
run then tries the next clip source (``run/clip_order.py``) rather than show a poor match. Search answers
and verdicts are kept in the asset cache (``use_cache``), so the next candidates are offered without a
new search and nothing is paid twice.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

from viralreel_core.cache.store import cache_key
from viralreel_core.config import Settings
from viralreel_core.errors import AuthError, BadInput, NoGoodFootage, ProviderError, QuotaExceeded
from viralreel_core.models import Clip
from viralreel_core.providers.base import ClipMaker
from viralreel_core.providers.clips.search_phrases import clean_phrases, phrases_from_text
from viralreel_core.providers.clips.stock_rank import Candidate, rank, score_words
from viralreel_core.providers.clips.vision_check import DEFAULT_MODEL as VISION_MODEL
from viralreel_core.providers.clips.vision_check import VisionCheck
from viralreel_core.providers.http.retry import POLICY, RetryPolicy, policy_for
from viralreel_core.providers.http.transport import (
    download_video,
    host_of,
    json_body,
    make_session,
    network_errors,
    timeouts,
)

if TYPE_CHECKING:
    from viralreel_core.cache.store import AssetCache

__all__ = ["StockClips", "search_terms", "orientation_of", "vision_for", "VISION_TOP", "VISION_MAX", "OTHERS_KEPT"]

_LOGGER = logging.getLogger(__name__)

MAX_TERMS = 5
RANK_VERSION = "1"  # bump when the ranking changes, so cached picks are made again
VISION_TOP = 3  # candidates checked at once, best first
VISION_MAX = 6  # most candidates checked for one scene before it has no good match
OTHERS_KEPT = 5  # next candidates a clip keeps for the storyboard
_OFF = frozenset({"0", "false", "no", "off", "none", ""})
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


def vision_for(settings: Settings, cls: type[StockClips]) -> VisionCheck | None:
    """The vision check ``settings`` ask for: an OpenAI key and ``stock_vision`` on (the default), else None."""
    key = settings.keys.get("openai", "")
    if not key or str(cls.setting(settings, "stock_vision")).strip().lower() in _OFF:
        return None
    return VisionCheck(key, base_url=settings.base_urls.get("openai"),
                       model=str(cls.setting(settings, "stock_vision_model") or VISION_MODEL))


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
    uses_search_terms = True
    picks_once = True
    #: ``stock_vision``: check candidates with a vision model when an OpenAI key is set; ``clip_fallback``:
    #: where a scene with no good match goes next ("auto": other stock services with a key, then offline)
    options = {"stock_vision": True, "stock_vision_model": VISION_MODEL, "clip_fallback": "auto"}
    option_choices = {"stock_vision": (True, False)}

    def __init__(self, api_key: str, *, base_url: str | None, width: int, height: int, read_timeout: float,
                 max_download_bytes: int, sleep: Callable[[float], None] | None,
                 retry_policy: RetryPolicy = POLICY, vision: VisionCheck | None = None) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.width, self.height = int(width), int(height)
        self.orientation = orientation_of(self.width, self.height)  # of the frame the clip will fill
        self.read_timeout = read_timeout
        self.max_download_bytes = max_download_bytes
        self._key = api_key
        self._sleep, self._retry = sleep, retry_policy
        self._downloads = make_session(retries=0)  # download_video retries; never carries the key (a CDN)
        self._used: set[str] = set()  # videos ("service:id") other scenes of this run already show
        self._used_lock = threading.Lock()
        self._vision = vision
        self._cache: AssetCache | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """The clip maker for ``settings``: its key, its base URL setting, the frame's size and the vision check."""
        return cls(settings.keys.get(cls.service, ""), base_url=settings.base_urls.get(cls.service),
                   width=settings.width, height=settings.height, retry_policy=policy_for(settings),
                   vision=vision_for(settings, cls))

    def cache_params(self) -> dict[str, Any]:
        """What shapes the pick: the service's own (``_service_params``), the ranking and the vision model."""
        return {**self._service_params(), "rank": RANK_VERSION,
                "vision": self._vision.model if self._vision is not None else "off"}

    def use_cache(self, cache: AssetCache) -> None:
        """Keep search answers and vision verdicts in the pipeline's asset cache (never paid or asked twice)."""
        self._cache = cache
        if self._vision is not None:
            self._vision.use_cache(cache)

    def claim(self, key: str) -> None:
        """Mark the video ``key`` ("service:id") as shown by a scene of this run (e.g. a clip from the cache)."""
        with self._used_lock:
            self._used.add(key)

    def close(self) -> None:
        super().close()
        if self._vision is not None:
            self._vision.close()

    # -- what a service says ---------------------------------------------------------------------
    def _search_step(self, query: str, narrow: bool) -> list[dict[str, Any]]:
        """The hits for ``query``; ``narrow``: only those at the frame's full size."""
        raise NotImplementedError

    def _candidate(self, hit: dict[str, Any], seconds: float) -> tuple[tuple, dict[str, Any]] | None:
        """(how well it fits, lower is better; the file to download) for ``hit``, or None if no file fits."""
        raise NotImplementedError

    def _credit(self, hit: dict[str, Any]) -> str:
        raise NotImplementedError

    def _service_params(self) -> dict[str, Any]:
        """Every setting of the service's own that changes what a search finds or which file is taken."""
        raise NotImplementedError

    def _described(self, hit: dict[str, Any]) -> list[Any]:
        """What ``hit`` says it shows: its tags, its page's address (its slug), its alt text."""
        return [hit.get("tags"), hit.get("url"), hit.get("pageURL"), hit.get("alt")]

    def _preview(self, hit: dict[str, Any], chosen: dict[str, Any]) -> str:
        """The address of the hit's preview image (what the vision check looks at)."""
        return str(hit.get("image") or "")

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
        """Stock video is free; the vision check of the top candidates is not."""
        return self._vision.estimate_cost(VISION_TOP) if self._vision is not None else 0.0

    def make(self, visuals: str, seconds: float, out_dir: Path, search_terms: Sequence[str] = ()) -> Clip:
        """Find, check, download and credit the stock clip that best shows the scene; ``search_terms`` are its
        phrases (read from ``visuals`` when it has none). NoGoodFootage when nothing fits."""
        phrases = clean_phrases(search_terms) or phrases_from_text(visuals)
        if not phrases:
            raise BadInput("The scene's visuals have no words to search stock video for.",
                           hint="Describe what should be seen, e.g. 'a cat asleep on a windowsill'.")
        ranked = self.candidates(phrases, seconds)
        chosen, spent = self._pick(ranked, visuals, phrases)
        return self._download(chosen, ranked, phrases, Path(out_dir), spent)

    def _download(self, chosen: Candidate, ranked: list[Candidate], phrases: Sequence[str], out_dir: Path,
                  spent: float) -> Clip:
        """The clip of ``chosen``, keeping why it was chosen and the next good candidates of ``ranked``."""
        others = [c.summary() for c in ranked if c is not chosen and c.good][:OTHERS_KEPT]
        choice = {**chosen.summary(), "phrases": list(phrases), "others": others,
                  "rejected": sum(c.vision == "no" for c in ranked)}
        path = out_dir / f"clip_{self.name}_{uuid.uuid4().hex[:16]}.mp4"
        try:
            info = download_video(self._downloads, chosen.file[self.url_field], path, service=self.label,
                                  provider=self.name, max_bytes=self.max_download_bytes, read_timeout=60.0,
                                  sleep=self._sleep or time.sleep, retry_policy=self._retry)
        except ProviderError as exc:
            exc.spent_usd = round(float(exc.spent_usd or 0.0) + spent, 8)  # the checks were paid for
            raise
        _LOGGER.info("%s video %s for %s: %s", self.label, chosen.id, phrases, chosen.why())
        return Clip(video_path=str(path), duration=info.duration, width=info.width or int(chosen.file["width"]),
                    height=info.height or int(chosen.file["height"]), provider=self.name, cost_usd=round(spent, 8),
                    credit=chosen.credit, choice=choice)

    def make_candidate(self, key: str, visuals: str, seconds: float, out_dir: Path,
                       search_terms: Sequence[str] = ()) -> Clip:
        """The candidate ``key`` ("service:id") of the scene's ranking, downloaded as its clip: a person's pick
        among the next candidates. Found again in the search answers (cached: no new search), never at an
        address a project file names; BadInput when the ranking no longer holds it."""
        phrases = clean_phrases(search_terms) or phrases_from_text(visuals)
        ranked = self.candidates(phrases, seconds)
        found = next((c for c in ranked if c.key == key), None)
        if found is None or not found.matched:
            raise BadInput(f"{self.label} no longer offers that video for this scene.",
                           hint="Make a new clip for this scene instead.")
        found.vision = "picked by you"
        return self._download(found, ranked, phrases, Path(out_dir), 0.0)

    def candidates(self, phrases: Sequence[str], seconds: float) -> list[Candidate]:
        """Every video the phrases' searches find (at the frame's full size first; at any size when that
        gives no match), merged and ranked (``stock_rank``)."""
        found: dict[str, Candidate] = {}
        ranked: list[Candidate] = []
        for narrow in (True, False):
            for phrase in phrases:
                for hit in self._search_cached(phrase, narrow):
                    fit = self._candidate(hit, seconds)
                    if fit is None:
                        continue
                    cand = found.get(f"{self.name}:{hit.get('id')}")
                    if cand is None:
                        cand = Candidate(self.name, hit.get("id"), hit, fit[1], fit[0],
                                         score_words(*self._described(hit)), self._preview(hit, fit[1]),
                                         float(hit.get("duration") or 0), self._credit(hit),
                                         str(hit.get("url") or hit.get("pageURL") or ""))
                        found[cand.key] = cand
                    if phrase not in cand.found_by:
                        cand.found_by.append(phrase)
            ranked = rank(found.values(), phrases, seconds, self.orientation)
            with self._used_lock:
                if any(c.good and c.key not in self._used for c in ranked):
                    break
        return ranked

    def _search_cached(self, query: str, narrow: bool) -> list[dict[str, Any]]:
        """``_search_step``, its answer kept a day in the asset cache when there is one."""
        if self._cache is None:
            return self._search_step(query, narrow)
        key = cache_key("stock_search", self.name, {**self._service_params(), "endpoint": host_of(self.base_url)},
                        {"query": query, "narrow": narrow})

        def make(work_dir: Path) -> tuple[dict[str, Any], dict[str, str], float]:
            return {"hits": self._search_step(query, narrow)}, {}, 0.0

        asset, _ = self._cache.get_or_make(key, "stock_search", make, label="stock search")
        return [hit for hit in asset.meta.get("hits") or [] if isinstance(hit, dict)]

    def _pick(self, ranked: list[Candidate], visuals: str, phrases: Sequence[str]) -> tuple[Candidate, float]:
        """The best good candidate no other scene shows, marked as used, and what its checks cost. With a
        vision check, only one it says "yes" for (best score first), checking ``VISION_TOP`` at a time and at
        most ``VISION_MAX``; NoGoodFootage (carrying that cost) when none is left."""
        spent, checked = 0.0, 0
        while True:
            with self._used_lock:
                free = [c for c in ranked if c.good and c.key not in self._used]
                vision = self._vision
                yes = [c for c in free if c.vision and c.vision != "no"]
                unchecked = [c for c in free if not c.vision][:VISION_TOP] if checked < VISION_MAX else []
                if vision is None and free:
                    best = free[0]
                elif yes and not any(ranked.index(c) < ranked.index(yes[0]) for c in unchecked):
                    best = max(yes, key=lambda c: (c.vision_score or 0, c.score))
                else:
                    best = None
                if best is not None:
                    self._used.add(best.key)
                    return best, spent
            if vision is None or not unchecked:
                raise self._no_good(ranked, phrases, spent)
            spent += self._check(vision, unchecked, visuals, phrases)
            checked += len(unchecked)

    def _check(self, vision: VisionCheck, batch: list[Candidate], visuals: str, phrases: Sequence[str]) -> float:
        """Ask the vision model about ``batch`` at once; what it cost now. A candidate it cannot check stays
        ranked by its phrases; a rejected key or an empty account turns the check off for this run."""
        def one(cand: Candidate) -> float:
            if not cand.preview:
                cand.vision = "not checked: no preview image"
                return 0.0
            try:
                verdict = vision.judge(cand.preview, visuals, phrases)
            except (AuthError, QuotaExceeded) as exc:
                _LOGGER.warning("The footage check is off for this run: %s", exc)
                self._vision = None
                cand.vision = "not checked: the OpenAI key cannot be used"
                return float(exc.spent_usd or 0.0)
            except ProviderError as exc:
                cand.vision = "not checked: the check failed"
                _LOGGER.info("footage check of %s failed: %s", cand.key, exc)
                return float(exc.spent_usd or 0.0)
            cand.vision, cand.vision_score = ("yes" if verdict.fits else "no"), verdict.score
            return verdict.cost_usd

        with ThreadPoolExecutor(max_workers=len(batch)) as pool:
            return sum(pool.map(one, batch))

    def _no_good(self, ranked: list[Candidate], phrases: Sequence[str], spent: float) -> NoGoodFootage:
        said = ", ".join(repr(p) for p in phrases)
        rejected = sum(c.vision == "no" for c in ranked)
        unmatched = sum(not c.matched for c in ranked)
        detail = f"{len(ranked)} candidates"
        if ranked:
            detail += f": {unmatched} match no phrase" + (f", {rejected} turned down by the footage check"
                                                         if rejected else "")
            with self._used_lock:
                taken = sum(c.good and c.key in self._used for c in ranked)
            detail += f", {taken} already shown by other scenes" if taken else ""
        error = NoGoodFootage(f"{self.label} has no good match for {said} ({detail}).", provider=self.name,
                              hint="Change the scene's search phrases to concrete things a camera can film, "
                                   "or let another clip source make it.")
        error.spent_usd = round(spent, 8)
        return error
