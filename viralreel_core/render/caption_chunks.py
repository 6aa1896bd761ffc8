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
from viralreel_core.text.languages import is_unspaced, join_words
from viralreel_core.text.timing import ends_clause as _ends_clause
from viralreel_core.text.timing import ends_sentence as _ends_sentence
from viralreel_core.text.timing import estimate_word_timings
from viralreel_core.text.word_breaks import break_offsets

__all__ = ["CaptionChunk", "chunk_words", "timings_for", "PAUSE_BREAK", "LINGER"]

#: a gap between two words longer than this (seconds) always ends a chunk
PAUSE_BREAK = 0.35
#: how long a chunk stays on screen after its last word ends, when the next one is not yet due
LINGER = 0.4
#: a word at least this long may stand alone in a chunk without penalty
LONG_WORD = 10
#: chunks longer than this many characters start to cost more (they would wrap or shrink)
CHUNK_CHARS = 18
#: what breaking a chunk inside a word costs (Chinese 喜|欢): only taken when nothing else fits max_words
INSIDE_WORD = 100.0
#: what breaking a chunk inside a draft's [place to fill in] costs: a short place stays whole in one chunk
INSIDE_PLACE = 2.0
_OPENERS = frozenset("“‘«‹„‚「『（《〈【〔［｛([{¿¡")


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
    return _punctuation_joined(out)


def _is_punctuation(word: str) -> bool:
    return all(unicodedata.category(ch)[0] == "P" for ch in word)


def _space(mark: str, touching: str = "") -> str:
    """What goes between a lone mark and its word: nothing for quotes, brackets and full-width marks (“stop”,
    盒子？), else the space the text had (a dash or a French « ! » keeps its space). ``touching``: the mark's
    character next to the word, which alone decides ("fact" + "]." is "fact].")."""
    tight = all(unicodedata.category(ch) in ("Pi", "Pf", "Ps", "Pe") or ch in "\"'"
                or unicodedata.east_asian_width(ch) in "WF" for ch in (touching or mark))
    return "" if tight else " "


def _punctuation_joined(words: list[WordTiming]) -> list[WordTiming]:
    """Words with a quote mark or other punctuation that stands alone joined to its word: an opening mark
    (“ « 「 or a straight quote that opens) to the word after it, any other to the word before it, so no
    chunk begins or ends with a quote mark alone."""
    out: list[WordTiming] = []
    carry: WordTiming | None = None  # an opening mark waiting for its word
    straight = 0
    for w in words:
        if _is_punctuation(w.word):
            opens = all(ch in _OPENERS or (ch in "\"'" and straight % 2 == 0) for ch in w.word)
            straight += sum(ch in "\"'" for ch in w.word)
            if carry is not None:
                carry = WordTiming(carry.word + w.word, carry.start, max(carry.end, w.end))
            elif opens or not out:
                carry = w
            else:
                last = out[-1]
                out[-1] = WordTiming(last.word + _space(w.word, w.word[0]) + w.word, last.start,
                                     max(last.end, w.end))
            continue
        if carry is not None:
            w = WordTiming(carry.word + _space(carry.word, carry.word[-1]) + w.word, carry.start,
                           max(w.end, carry.start))
            carry = None
        out.append(w)
    if carry is not None:
        if out:
            last = out[-1]
            out[-1] = WordTiming(last.word + _space(carry.word, carry.word[0]) + carry.word, last.start,
                                 max(last.end, carry.end))
        else:
            out.append(carry)
    return out


def _inside_word(words: Sequence[WordTiming]) -> list[bool]:
    """Per joint between two words: True when both are pieces of one word of an unspaced script (timings
    that came in pieces of characters, e.g. a voice's: 喜 | 欢), where a chunk must not break."""
    inside = [False] * max(0, len(words) - 1)
    i = 0
    while i < len(words):
        j = i
        while j + 1 < len(words) and is_unspaced(words[j].word) and is_unspaced(words[j + 1].word):
            j += 1
        if j > i:  # words[i..j] are written together: break only where the segmenter puts a word boundary
            breaks = break_offsets("".join(w.word for w in words[i:j + 1]))
            at = 0
            for k in range(i, j):
                at += len(words[k].word)
                inside[k] = at not in breaks
        i = j + 1
    return inside


def _segments(words: Sequence[WordTiming], inside: Sequence[bool]) -> list[tuple[int, int]]:
    """Split at the hard boundaries: sentence ends and long pauses (never inside a word): index ranges."""
    segs: list[tuple[int, int]] = []
    lo = 0
    for i, w in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or _ends_sentence(w.word) or (nxt.start - w.end > PAUSE_BREAK and not inside[i]):
            segs.append((lo, i + 1))
            lo = i + 1
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


def _place_depths(words: Sequence[WordTiming]) -> list[int]:
    """Per word: how many [places to fill in] are open after it (a stray "]" closes none)."""
    depths, depth = [], 0
    for w in words:
        for ch in w.word:
            depth = depth + 1 if ch == "[" else max(0, depth - 1) if ch == "]" else depth
        depths.append(depth)
    return depths


def _bracketed(group: list[WordTiming], open_before: int) -> list[WordTiming]:
    """The chunk's words with the brackets of a place it shows only part of: "[" before its first word when it
    starts inside a place, "]" after its last (before its closing punctuation) when it ends inside one, and
    a stray "]" dropped, so each chunk's brackets pair up and none stands apart from its words."""
    words = [w.word for w in group]
    depth = open_before
    for i, word in enumerate(words):
        kept = []
        for ch in word:
            if ch == "]" and depth == 0:
                continue  # closes nothing in this chunk
            depth += (ch == "[") - (ch == "]")
            kept.append(ch)
        words[i] = "".join(kept)
    if open_before:
        words[0] = "[" * open_before + words[0]
    if depth:
        last = words[-1]
        body = last.rstrip(".,;:!?…")
        words[-1] = body + "]" * depth + last[len(body):]
    return [WordTiming(text, w.start, w.end) for text, w in zip(words, group, strict=True)]


def _split_segment(seg: Sequence[WordTiming], max_words: int, inside: Sequence[bool],
                   in_place: Sequence[bool] = ()) -> list[list[WordTiming]]:
    """The cheapest split of a segment into chunks of 1..max_words words (dynamic programming); ``inside[i]``
    marks the joint after ``seg[i]`` as inside a word (its pieces count as one word), ``in_place[i]`` as
    inside a [place to fill in] (kept whole where it fits)."""
    n = len(seg)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        cut = INSIDE_WORD if j < n and inside[j - 1] else 0.0
        if j < n and j - 1 < len(in_place) and in_place[j - 1]:
            cut += INSIDE_PLACE
        count = 0  # words in seg[j - k:j], the pieces of one word counted once
        for k in range(1, j + 1):
            count += 1 if k == 1 or not inside[j - k] else 0
            if count > max_words:
                break
            c = best[j - k] + _chunk_cost(seg[j - k:j]) + cut
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
    lone short words. Text without spaces (Chinese, Japanese, Thai) breaks only between its words
    (``word_breaks``), whatever pieces its timings came in; punctuation standing alone joins its word.
    A draft's [place to fill in] stays in one chunk where it fits; one split across chunks has its
    brackets on each part ("[your most]", "[surprising line]"), so no chunk shows a bracket alone.
    A chunk is shown from its first word's start until the next chunk starts,
    but at most ``LINGER`` seconds past its last word's end, so captions vanish in long pauses.
    """
    if int(max_words) < 1:
        raise BadInput(f"Captions need at least one word per chunk (got max_words={max_words}).")
    clean = _clean_timings(words)
    inside = _inside_word(clean)
    depths = _place_depths(clean)
    groups, at = [], 0
    for lo, hi in _segments(clean, inside):
        for g in _split_segment(clean[lo:hi], int(max_words), inside[lo:hi], [d > 0 for d in depths[lo:hi]]):
            groups.append(_bracketed(g, depths[at - 1] if at else 0))
            at += len(g)
    groups = [g for g in groups if any(ch.isalnum() for w in g for ch in w.word)] or groups
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

