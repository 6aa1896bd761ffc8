"""Word timings without a renderer: how long a narration will take, estimates for voices that give no
timings, and clean-up for those that do.

Providers and captions both use these, so they live beside the models rather than in ``captions``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from viralreel_core.errors import BadInput
from viralreel_core.models import WordTiming
from viralreel_core.text.languages import is_unspaced, split_words
from viralreel_core.text.spoken import WORD_PACE, phoneme_seconds

__all__ = ["WORDS_PER_SECOND", "estimate_seconds", "spoken_words", "estimate_word_timings", "tidy_timings",
           "ends_sentence", "ends_clause"]

WORDS_PER_SECOND = 2.6  # a brisk short-video narration pace
CHARACTERS_PER_WORD_UNSPACED = 1.8  # Chinese, Japanese, Thai: about 4.7 characters a second at that pace


UNITS_PER_WORD = 5.0  # without espeak: an ordinary spoken word is its letters and its share of the pauses
_PAUSE_UNITS = 4  # a comma, colon or full stop takes about as long as four letters (measured with Piper)


def spoken_words(text: str) -> float:
    """How many ordinary words ``text`` takes to say (``spoken``: 1/3.2 s of the offline voice each).

    From espeak's phonemes where it runs and the text is English (numbers and symbols counted as they are
    read: ``spoken.phoneme_seconds``); else from letters and pauses (about twice the error, see BENCHMARKS)."""
    seconds = phoneme_seconds(text)
    if seconds is not None:
        return seconds * WORD_PACE
    letters = sum(ch.isalnum() for ch in text)
    pauses = sum(ch in ".,:;!?…" for ch in text)
    return (letters + _PAUSE_UNITS * pauses) / UNITS_PER_WORD


def estimate_seconds(narration: str) -> float:
    """Estimated spoken length of a narration, from its word count (never below one second); text written
    without spaces counts its characters."""
    words = sum(len(w) / CHARACTERS_PER_WORD_UNSPACED if is_unspaced(w) else 1 for w in split_words(narration))
    return max(1.0, round(words / WORDS_PER_SECOND, 2))


_CLOSERS = "\"'”’»)]}›"
_SENTENCE_END = frozenset(".!?…。！？؟۔")
_CLAUSE_END = frozenset(",;:，、；：،؛—–")


def _tail(word: str) -> str:
    """The word's last character that is not a closing quote or bracket ('' when none)."""
    core = word.rstrip(_CLOSERS)
    return core[-1] if core else ""


def ends_sentence(word: str) -> bool:
    """True when the word closes a sentence (``.``, ``?``, ``!``, ``…`` and their CJK/Arabic forms)."""
    return _tail(word) in _SENTENCE_END


def ends_clause(word: str) -> bool:
    """True when the word closes a clause (a comma, colon, semicolon or dash)."""
    return _tail(word) in _CLAUSE_END


def estimate_word_timings(text: str, duration: float, lead_in: float = 0.0) -> list[WordTiming]:
    """Word timings for a narration spoken in ``duration`` seconds, when the voice gave none.

    The time after ``lead_in`` is shared among the words (``languages.split_words``) in proportion to their
    length, plus short silent gaps after commas (2 characters' worth) and sentence ends (4). Words
    keep their original text; the last word ends at ``duration``.
    """
    try:
        duration = float(duration)
        lead_in = float(lead_in)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"Narration length must be a number of seconds (got {duration!r}).") from exc
    if not (math.isfinite(duration) and math.isfinite(lead_in)) or duration < 0:
        raise BadInput(f"Narration length must be a positive number of seconds (got {duration!r}).")
    words = split_words(str(text))
    if not words:
        return []
    lead_in = min(max(lead_in, 0.0), duration)
    span = duration - lead_in
    if span <= 0:  # no usable length: fall back to the usual speaking pace
        span = len(words) / WORDS_PER_SECOND
    weights = [max(1, len(w)) for w in words]
    gaps = [4.0 if ends_sentence(w) else 2.0 if ends_clause(w) else 0.0 for w in words[:-1]] + [0.0]
    total = float(sum(weights) + sum(gaps))
    out: list[WordTiming] = []
    units = 0.0
    for i, (w, weight, gap) in enumerate(zip(words, weights, gaps, strict=True)):
        start = lead_in + span * units / total
        units += weight
        end = lead_in + span if i == len(words) - 1 else lead_in + span * units / total
        out.append(WordTiming(w, round(start, 4), round(end, 4)))
        units += gap
    return out


def tidy_timings(words: Sequence[WordTiming], duration: float) -> tuple[WordTiming, ...]:
    """Millisecond timings, in order, never overlapping, inside ``[0, duration]``."""
    out: list[WordTiming] = []
    floor = 0.0
    for w in words:
        start = min(max(round(w.start, 3), floor), duration)
        end = min(max(round(w.end, 3), start), duration)
        out.append(WordTiming(w.word, start, end))
        floor = end
    return tuple(out)
