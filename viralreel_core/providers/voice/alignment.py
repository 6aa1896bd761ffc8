"""Word timings from a Piper alignment: how many audio samples each phoneme took, mapped onto the text's words.

espeak's phoneme words do not map one to one to the text's words ("in the" is one phoneme word, "2024"
is four, an emoji is read as its name), so each text word's expected phoneme count is aligned to the
spoken ones by a small dynamic programme. Pure arithmetic: no model, no files.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from viralreel_core.models import WordTiming

if TYPE_CHECKING:  # numpy is imported where samples are handled
    import numpy as np

__all__ = ["estimate_weight", "phoneme_word_sizes", "proportional_words", "speech_span", "split_sentences",
           "words_from_alignment"]

# Phoneme symbols that end a phoneme word: piper's begin/end/pad markers and the space between words
# (punctuation, any Unicode P* or Z* character, also ends a word: it is a pause, not speech).
_BREAKS = frozenset({" ", "^", "$", "_"})
# Stress marks belong to the phoneme after them; length marks, diacritics and other modifiers to the
# one before. Neither counts as a phoneme of its own, so the count of a word does not depend on whether
# espeak stressed it (it stresses function words said alone but not in a sentence).
_PREFIX_MODIFIERS = frozenset({"ˈ", "ˌ"})

# Alignment costs, in phonemes (see _align): one text word read as several phoneme words (numbers,
# hyphenated words, initialisms), several text words run into one ("in the"), a text word not heard
# ("—"), a phoneme word not in the text.
_COST_SPLIT = 2.0
_COST_MERGE = 2.0
_COST_DROP = 2.0
_COST_EXTRA = 2.0
_MAX_SPLIT = 14  # "1,234,567" is read as 11 phoneme words
_MAX_MERGE = 4

# A word ends a sentence when it ends with one of these (closing quotes and brackets after them allowed)
_SENTENCE_END = re.compile(r"[.!?…。！？؟।]+[\"'”’»)\]}」』]*$")
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "e.g.", "i.e.", "etc.", "approx.",
                            "no.", "jr.", "sr.", "prof.", "inc.", "ltd.", "co."})


# ---------------------------------------------------------------------------------------------------
# Pure alignment arithmetic (no model needed)
# ---------------------------------------------------------------------------------------------------


def _is_break(phoneme: str) -> bool:
    if phoneme in _BREAKS or not phoneme:
        return True
    return all(unicodedata.category(ch)[0] in "PZ" for ch in phoneme)


def _is_suffix_modifier(phoneme: str) -> bool:
    return all(unicodedata.category(ch) in ("Lm", "Mn", "Mc", "Me", "Sk", "Sm", "So") for ch in phoneme)


def _phoneme_words(alignment: Sequence[tuple[str, int]]) -> tuple[list[list[tuple[int, int]]], int]:
    """Phoneme words as lists of (start, end) sample spans of their phonemes, and the total sample count.

    Stress marks are folded into the phoneme after them and other modifiers into the one before, so a
    span is one sound; breaks (spaces, punctuation, begin/end markers) separate words and belong to none.
    """
    words: list[list[tuple[int, int]]] = []
    spans: list[list[int]] = []
    pending: int | None = None  # start of a stress mark waiting for its phoneme
    last_end = 0
    pos = 0

    def close() -> None:
        nonlocal spans, pending
        if pending is not None:
            if spans:
                spans[-1][1] = last_end
            else:
                spans.append([pending, last_end])
        if spans:
            words.append([(s, e) for s, e in spans])
        spans, pending = [], None

    for phoneme, samples in alignment:
        start = pos
        pos += max(0, int(samples))
        if _is_break(phoneme):
            close()
            continue
        last_end = pos
        if phoneme in _PREFIX_MODIFIERS:
            pending = start if pending is None else pending
        elif spans and _is_suffix_modifier(phoneme):
            spans[-1][1] = pos
        else:
            spans.append([start if pending is None else pending, pos])
            pending = None
    close()
    return words, pos


def phoneme_word_sizes(phonemes: Sequence[str]) -> list[int]:
    """How many phonemes each phoneme word of a phoneme sequence has (stress and length marks not counted)."""
    words, _ = _phoneme_words([(p, 1) for p in phonemes])
    return [len(w) for w in words]


def estimate_weight(word: str) -> float:
    """A rough phoneme count for a text word when espeak cannot be asked: letters 1, digits 2.5, symbols 4."""
    weight = 0.0
    for ch in word:
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            weight += 3.0 if ord(ch) >= 0x2E80 else 1.0  # a CJK character is a syllable or more
        elif cat[0] == "N":
            weight += 2.5
        elif cat[0] == "S":
            weight += 4.0
    return weight


def split_sentences(words: Sequence[str]) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` of the sentences in a list of words.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` when the next word does not start in lower case and
    the word is not a common abbreviation; espeak may split a sentence further, which the alignment
    handles, so this only needs to be right where it matters for prosody.
    """
    ranges: list[tuple[int, int]] = []
    start = 0
    for i, word in enumerate(words[:-1]):
        if not _SENTENCE_END.search(word) or word.lower() in _ABBREVIATIONS:
            continue
        following = next((ch for ch in words[i + 1] if ch.isalnum()), "")
        if following.islower():
            continue
        ranges.append((start, i + 1))
        start = i + 1
    if start < len(words):
        ranges.append((start, len(words)))
    return ranges


def proportional_words(words: Sequence[str], start: float, end: float,
                       weights: Sequence[float] | None = None) -> list[WordTiming]:
    """Timings spreading ``[start, end]`` over ``words`` in proportion to their weights (default: lengths)."""
    if not words:
        return []
    w = [max(0.0, float(x)) for x in (weights if weights is not None else map(estimate_weight, words))]
    if sum(w) <= 0:
        w = [1.0] * len(words)
    total, acc, out = sum(w), 0.0, []
    span = max(0.0, end - start)
    for word, weight in zip(words, w, strict=True):
        a = start + span * acc / total
        acc += weight
        out.append(WordTiming(word, a, start + span * acc / total))
    return out


def speech_span(samples: np.ndarray, sample_rate: int, *, frame_seconds: float = 0.01,
                threshold: float = 0.05) -> tuple[float, float]:
    """Seconds ``(onset, offset)`` of speech: where the frame RMS first and last exceeds ``threshold`` × peak.

    The whole length when nothing stands out (silence, or speech without pauses at its ends).
    """
    import numpy as np
    data = np.asarray(samples, dtype=np.float64).ravel()
    if data.size == 0:
        return 0.0, 0.0
    frame = max(1, int(sample_rate * frame_seconds))
    n = data.size // frame
    length = data.size / sample_rate
    if n == 0:
        return 0.0, length
    rms = np.sqrt(np.mean(data[: n * frame].reshape(n, frame) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 1e-6:
        return 0.0, length
    loud = np.flatnonzero(rms > threshold * peak)
    return float(loud[0] * frame / sample_rate), float(min(length, (loud[-1] + 1) * frame / sample_rate))


def _align(weights: Sequence[float], sizes: Sequence[int], one_to_one: bool) -> list[tuple[int, int]]:
    """Steps ``(text words, phoneme words)`` taken through both sequences, by least cost.

    A step is (1, 1), (1, r) for a text word read as r phoneme words, (q, 1) for q text words read as one,
    (1, 0) for a text word not heard, or (0, 1) for a phoneme word with no text word. Its cost is the
    difference between the expected and the heard phoneme count plus a small charge for any step but
    (1, 1), so that with good expectations only real splits and merges are taken.
    """
    import numpy as np
    n, m = len(weights), len(sizes)
    if one_to_one and n == m:
        return [(1, 1)] * n
    scale = sum(sizes) / sum(weights) if sum(weights) > 0 else 1.0
    w = [x * scale for x in weights]
    wsum = [0.0, *np.cumsum(w).tolist()]
    csum = [0, *np.cumsum(sizes).tolist()]
    band = max(16, abs(m - n) + 12)
    inf = math.inf
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        centre = i * m / n if n else 0
        for j in range(max(0, int(centre) - band), min(m, int(centre) + band) + 1):
            if i == 0 and j == 0:
                continue
            best, step = inf, (0, 0)
            if i and j:  # (1, r): one text word, r phoneme words; r == 1 first so ties keep 1:1
                for r in range(1, min(j, _MAX_SPLIT) + 1):
                    prev = cost[i - 1][j - r]
                    if prev < inf:
                        c = prev + abs(w[i - 1] - (csum[j] - csum[j - r])) + _COST_SPLIT * (r - 1)
                        if c < best:
                            best, step = c, (1, r)
                for q in range(2, min(i, _MAX_MERGE) + 1):  # (q, 1): q text words, one phoneme word
                    prev = cost[i - q][j - 1]
                    if prev < inf:
                        c = prev + abs((wsum[i] - wsum[i - q]) - sizes[j - 1]) + _COST_MERGE * (q - 1)
                        if c < best:
                            best, step = c, (q, 1)
            if i and cost[i - 1][j] < inf:
                c = cost[i - 1][j] + w[i - 1] + _COST_DROP
                if c < best:
                    best, step = c, (1, 0)
            if j and cost[i][j - 1] < inf:
                c = cost[i][j - 1] + sizes[j - 1] + _COST_EXTRA
                if c < best:
                    best, step = c, (0, 1)
            cost[i][j], back[i][j] = best, step
    if cost[n][m] == inf:  # outside the band: cannot happen with the band above, but never crash
        return []
    steps: list[tuple[int, int]] = []
    i, j = n, m
    while i or j:
        q, r = back[i][j]
        steps.append((q, r))
        i, j = i - q, j - r
    steps.reverse()
    return steps


def words_from_alignment(words: Sequence[str], alignment: Sequence[tuple[str, int]] | None,
                         sample_rate: int, *, weights: Sequence[float] | None = None,
                         offset: float = 0.0, total_samples: int | None = None) -> list[WordTiming]:
    """One timing per text word from Piper's ``(phoneme, samples)`` alignment of the audio that says them.

    ``alignment`` covers one stretch of audio (one or more sentence chunks, back to back, each with its
    ``^``/``$`` markers) starting ``offset`` seconds into the file; ``words`` are the text words said in
    it. ``weights`` are the phoneme counts expected for each word (e.g. from phonemizing it alone); when
    missing they are estimated from the characters, and equal word counts then map one to one. Without
    an alignment, or when it holds no speech, the stretch (``total_samples`` long) is shared out in
    proportion to the weights. Timings come back in order, never overlapping, inside the stretch; a word
    not heard at all gets a zero-length timing where it sits.
    """
    import numpy as np
    if not words:
        return []
    alignment = list(alignment or [])
    phoneme_words, aligned_samples = _phoneme_words(alignment)
    total = aligned_samples if total_samples is None else int(total_samples)
    guessed = weights is None
    w = [max(0.0, float(x)) for x in (weights if weights is not None else map(estimate_weight, words))]
    if len(w) != len(words):
        raise ValueError(f"{len(words)} words but {len(w)} weights")

    def seconds(samples: float) -> float:
        return offset + min(max(samples, 0.0), total) / sample_rate

    if not phoneme_words:
        return proportional_words(words, offset, offset + total / sample_rate, w)

    sizes = [len(pw) for pw in phoneme_words]
    tokens = [span for pw in phoneme_words for span in pw]
    first_token = [0, *np.cumsum(sizes).tolist()]
    steps = _align(w if sum(w) > 0 else [1.0] * len(w), sizes, one_to_one=guessed)
    if not steps:
        start, end = tokens[0][0], tokens[-1][1]
        return proportional_words(words, seconds(start), seconds(end), w)

    def at_start(x: float) -> float:  # sample where position x (in phonemes) begins
        k = int(math.floor(x))
        if k >= len(tokens):
            return float(tokens[-1][1])
        s, e = tokens[k]
        return s + (x - k) * (e - s)

    def at_end(x: float) -> float:  # sample where the phoneme before position x ends
        if x == int(x) and x > 0:
            return float(tokens[int(x) - 1][1])
        return at_start(x)

    spans: list[tuple[float, float] | None] = []
    i = j = 0
    for q, r in steps:
        if q == 1 and r >= 1:
            spans.append((at_start(first_token[j]), at_end(first_token[j + r])))
        elif q > 1:  # several text words in one phoneme word: share its phonemes by weight
            part = w[i:i + q]
            if sum(part) <= 0:
                part = [1.0] * q
            lo, size, acc = first_token[j], sizes[j], 0.0
            for x in part:
                a = lo + size * acc / sum(part)
                acc += x
                spans.append((at_start(a), at_end(lo + size * acc / sum(part))))
        elif q == 1:  # not heard: placed after the previous word
            spans.append(None)
        i, j = i + q, j + r

    out: list[WordTiming] = []
    previous_end = float(tokens[0][0])
    for idx, (word, span) in enumerate(zip(words, spans, strict=True)):
        if span is None:
            following = next((s for s in spans[idx + 1:] if s is not None), None)
            at = previous_end if out or following is None else following[0]
            span = (at, at)
        start = max(span[0], previous_end)
        end = max(span[1], start)
        out.append(WordTiming(word, seconds(start), seconds(end)))
        previous_end = end
    return out
