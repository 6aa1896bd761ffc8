"""Caption chunks: the timed words of a scene grouped into the few words shown together.

``chunk_words`` groups the words into short chunks (1–``max_words`` words, breaking at sentence ends,
commas and pauses); ``timings_for`` gives the words to chunk (the voice's own, or estimated). The
burned-in captions (``caption_draw``) and the captions files (``post.subtitles``) both chunk with these.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from viralreel_core.errors import BadInput
from viralreel_core.models import VoiceTrack, WordTiming
from viralreel_core.text.languages import join_words
from viralreel_core.text.timing import ends_clause as _ends_clause
from viralreel_core.text.timing import ends_sentence as _ends_sentence
from viralreel_core.text.timing import estimate_word_timings

__all__ = ["CaptionChunk", "chunk_words", "timings_for", "PAUSE_BREAK", "LINGER"]

#: a gap between two words longer than this (seconds) always ends a chunk
PAUSE_BREAK = 0.35
#: how long a chunk stays on screen after its last word ends, when the next one is not yet due
LINGER = 0.4
#: a word at least this long may stand alone in a chunk without penalty
LONG_WORD = 10
#: chunks longer than this many characters start to cost more (they would wrap or shrink)
CHUNK_CHARS = 18



@dataclass(frozen=True)
class CaptionChunk:
    """A few words shown together, from ``start`` until ``end`` (seconds)."""

    words: tuple[WordTiming, ...]
    start: float
    end: float

    @property
    def text(self) -> str:
        return join_words([w.word for w in self.words])


def _clean_timings(words: Iterable[WordTiming]) -> list[WordTiming]:
    """Words without blanks, with finite, non-decreasing starts and ``end >= start``."""
    out: list[WordTiming] = []
    last_start = 0.0
    for w in words:
        text = str(w.word).strip()
        if not text:
            continue
        start, end = float(w.start), float(w.end)
        if not (math.isfinite(start) and math.isfinite(end)):
            raise BadInput(f"Word timing for {text!r} is not a finite number ({w.start!r}–{w.end!r}).",
                           hint="Re-create the voice-over, or drop its word timings.")
        start = max(start, last_start, 0.0)
        end = max(end, start)
        out.append(WordTiming(text, start, end))
        last_start = start
    return out


def _segments(words: Sequence[WordTiming]) -> list[list[WordTiming]]:
    """Split at the hard boundaries: sentence ends and long pauses."""
    segs: list[list[WordTiming]] = []
    cur: list[WordTiming] = []
    for i, w in enumerate(words):
        cur.append(w)
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or _ends_sentence(w.word) or nxt.start - w.end > PAUSE_BREAK:
            segs.append(cur)
            cur = []
    return segs


def _chunk_cost(group: Sequence[WordTiming]) -> float:
    """How bad one chunk is (lower is better); every chunk costs 1 so fuller chunks win."""
    cost = 1.0
    if len(group) == 1:
        word = group[0].word
        if _ends_clause(word) or len(word) >= LONG_WORD:
            cost += 1.0  # "Well," or "incomprehensible" alone is fine
        else:
            cost += 3.0  # a lone short word flashes by
    else:
        cost += 1.5 * sum(_ends_clause(w.word) for w in group[:-1])  # a comma inside the chunk
        cost += 3.0 * sum(len(w.word) >= 2 * LONG_WORD for w in group)  # a very long word with others
    chars = sum(_columns(w.word) for w in group) + len(group) - 1
    cost += 0.25 * max(0, chars - CHUNK_CHARS)
    return cost


def _columns(word: str) -> int:
    """How wide a word is in Latin letters: a Chinese, Japanese or Korean character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in word)


def _split_segment(seg: Sequence[WordTiming], max_words: int) -> list[list[WordTiming]]:
    """The cheapest split of a segment into chunks of 1..max_words words (dynamic programming)."""
    n = len(seg)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for k in range(1, min(max_words, j) + 1):
            c = best[j - k] + _chunk_cost(seg[j - k:j])
            if c < best[j] - 1e-9:
                best[j], back[j] = c, j - k
    groups: list[list[WordTiming]] = []
    j = n
    while j > 0:
        groups.append(list(seg[back[j]:j]))
        j = back[j]
    return groups[::-1]


def chunk_words(words: Sequence[WordTiming], max_words: int = 3) -> list[CaptionChunk]:
    """Group timed words into caption chunks of 1..``max_words`` words.

    Chunks always break at sentence ends (. ! ?) and at pauses longer than ``PAUSE_BREAK``; within
    a sentence the split prefers breaks after commas, balanced sizes (2+2 rather than 3+1) and no
    lone short words. A chunk is shown from its first word's start until the next chunk starts,
    but at most ``LINGER`` seconds past its last word's end, so captions vanish in long pauses.
    """
    if int(max_words) < 1:
        raise BadInput(f"Captions need at least one word per chunk (got max_words={max_words}).")
    clean = _clean_timings(words)
    groups = [g for seg in _segments(clean) for g in _split_segment(seg, int(max_words))]
    chunks: list[CaptionChunk] = []
    for i, g in enumerate(groups):
        limit = g[-1].end + LINGER
        if i + 1 < len(groups):
            limit = min(limit, groups[i + 1][0].start)
        chunks.append(CaptionChunk(tuple(g), g[0].start, max(limit, g[0].start)))
    return chunks


# --- estimated timings ----------------------------------------------------------------------------

def timings_for(voice: VoiceTrack, narration: str) -> list[WordTiming]:
    """The voice's own word timings, or timings estimated from the narration and the voice's length."""
    if voice.words:
        return list(voice.words)
    return estimate_word_timings(narration, voice.duration)

