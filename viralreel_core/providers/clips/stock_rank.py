"""Ranking stock candidates for a scene: by its search phrases, the clip's length and shape.

Every phrase is searched; the hits are merged (one candidate per video, remembering which phrases found
it) and scored by how many phrases its own words match (tags, the words of its page's address, its alt
text), whether it lasts as long as the scene and whether its file has the frame's shape. A candidate that
matches no phrase is no good match, however well it fits otherwise: a scene with none says so
(``NoGoodFootage``) rather than show something else. ``Candidate.summary`` is what a clip keeps of why it
was chosen, and of the next candidates, for the storyboard::

    score_words("https://www.pexels.com/video/glacier-ice-melting-123/", ["ice", "glacier"])
    # {'glacier', 'ice', 'melting', 'melt'}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from viralreel_core.providers.clips.search_phrases import phrase_words

__all__ = ["Candidate", "score_words", "stem", "matched_phrases", "rank", "DURATION_WEIGHT", "SHAPE_WEIGHT"]

DURATION_WEIGHT = 0.5  # a clip as long as the scene (a shorter one is slowed or looped)
SHAPE_WEIGHT = 0.5  # a file in the frame's shape (another one is cropped)
HALF = 0.5  # a phrase matches when at least half of its words do
_SLUG = re.compile(r"/(?:video|videos|photo)s?/([a-z0-9-]+?)(?:-\d+)?/?$", re.I)


def stem(word: str) -> str:
    """A crude English stem, enough to match "waves" with "wave", "beaches" with "beach", "melting" with "melt"."""
    word = word.lower()
    if word.endswith("ing") and len(word) >= 6:
        return word[:-3]
    if word.endswith("ies") and len(word) >= 5:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) >= 4:
        return word[:-1]
    return word


def score_words(*texts: object) -> set[str]:
    """The stems of the words in ``texts`` (tags as a list or "a, b", an address's slug, alt text)."""
    found: set[str] = set()
    for text in texts:
        if isinstance(text, (list, tuple)):
            found |= score_words(*text)
            continue
        text = str(text or "")
        slug = _SLUG.search(text.split("?")[0])
        if slug:
            text = slug.group(1)
        elif text.startswith("http"):
            continue  # an address without words in it (an id only) says nothing
        for word in phrase_words(text.replace("-", " ").replace("_", " ")):
            found.update({word, stem(word)})
    return found


def matched_phrases(phrases: Sequence[str], words: set[str]) -> tuple[list[str], float]:
    """The phrases ``words`` match (at least half of a phrase's words) and the summed share matched."""
    matched, total = [], 0.0
    for phrase in phrases:
        wanted = {stem(w) for w in phrase_words(phrase)}
        if not wanted:
            continue
        share = len(wanted & {stem(w) for w in words}) / len(wanted)
        if share >= HALF:
            matched.append(phrase)
            total += share
    return matched, total


@dataclass
class Candidate:
    """One stock video that could show a scene: the service's hit, the file that would be downloaded, and
    how it was judged."""

    service: str
    id: Any
    hit: dict[str, Any]
    file: dict[str, Any]
    fit: tuple  # the service's own fit for the frame (lower is better)
    words: set[str]
    preview: str
    duration: float
    credit: str = ""
    page: str = ""
    found_by: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    relevance: float = 0.0
    score: float = 0.0
    vision: str = ""  # "", "yes", "no", or "not checked: …"
    vision_score: int | None = None

    @property
    def key(self) -> str:
        """How a video is named across scenes and runs: its service and its id."""
        return f"{self.service}:{self.id}"

    @property
    def good(self) -> bool:
        """Matches a phrase, and was not turned down by the vision check."""
        return bool(self.matched) and self.vision != "no"

    def why(self) -> str:
        """One line for the storyboard: "matched: 'glacier ice', vision: yes (8/10)"."""
        parts = [f"matched: {', '.join(repr(p) for p in self.matched)}" if self.matched else "matched nothing"]
        if self.vision:
            parts.append(f"vision: {self.vision}" + (f" ({self.vision_score}/10)" if self.vision_score is not None
                                                     else ""))
        return ", ".join(parts)

    def summary(self) -> dict[str, Any]:
        """What a clip keeps of this candidate (JSON): enough to show it and to download it later."""
        return {"key": self.key, "service": self.service, "id": self.id, "why": self.why(),
                "matched": list(self.matched), "vision": self.vision, "vision_score": self.vision_score,
                "preview": self.preview, "page": self.page, "credit": self.credit, "duration": self.duration,
                "link": self.file.get("link") or self.file.get("url") or "",
                "width": int(self.file.get("width") or 0), "height": int(self.file.get("height") or 0)}


def rank(candidates: Iterable[Candidate], phrases: Sequence[str], seconds: float, orientation: str
         ) -> list[Candidate]:
    """``candidates`` scored against ``phrases`` and best first: phrases matched (plus a little for each
    phrase whose search found it), then length and shape; the service's own fit and order break ties."""
    scored = []
    for order, cand in enumerate(candidates):
        cand.matched, cand.relevance = matched_phrases(phrases, cand.words)
        length = DURATION_WEIGHT * min(1.0, cand.duration / seconds) if seconds > 0 else DURATION_WEIGHT
        width, height = int(cand.file.get("width") or 0), int(cand.file.get("height") or 0)
        shape = SHAPE_WEIGHT if orientation == "square" or _shape(width, height) == orientation else 0.0
        cand.score = round(cand.relevance + 0.1 * len(cand.found_by) + length + shape, 4)
        scored.append((-cand.score, cand.fit, order, cand))
    return [c for *_, c in sorted(scored, key=lambda s: s[:3])]


def _shape(width: int, height: int) -> str:
    if abs(width - height) <= 0.1 * max(width, height, 1):
        return "square"
    return "portrait" if height > width else "landscape"
