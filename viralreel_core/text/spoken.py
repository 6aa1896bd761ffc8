"""How long the offline voice takes to say a text, from espeak-ng's phonemes (Piper's own phonemizer).

Letters mis-count what Piper says ("1600s" is read "sixteen hundreds", brackets are silent); the phonemes
espeak gives Piper are what it speaks, so they make a far better estimate::

    seconds ≈ PHONEME_SECONDS × phonemes + PAUSE_SECONDS × pauses

(pauses: the ``,.:;!?`` espeak keeps; phonemes: its other characters, stress marks included), fitted by
least squares on the offline writer's drafts spoken by en_US-joe-medium (docs/BENCHMARKS.md, "Any length").
An **ordinary word** is ``1 / WORD_PACE`` of a second of that voice: the unit a target length is planned in.

espeak-ng keeps global state (its current voice) and is not thread-safe, so every use of it in this
process — this estimate, the voice's phonemizing and its synthesis — holds :data:`ESPEAK_LOCK`.
Where espeak cannot be loaded, or the text is not English (the constants are the English voice's), the
estimate is None and callers count letters (``timing.spoken_words``).
"""

from __future__ import annotations

import functools
import logging
import threading
import unicodedata

from viralreel_core.text.languages import detect_language

__all__ = ["ESPEAK_LOCK", "PAUSE_SECONDS", "PHONEME_SECONDS", "WORD_PACE", "phoneme_counts", "phoneme_seconds"]

_LOGGER = logging.getLogger(__name__)

ESPEAK_LOCK = threading.RLock()  # the one lock around espeak-ng in this process (re-entrant: nested uses)
WORD_PACE = 3.2  # en_US-joe-medium's ordinary words a second: one ordinary word is 1/3.2 s of it
PHONEME_SECONDS = 0.0519  # least squares over 412 scenes of offline drafts spoken (docs/BENCHMARKS.md)
PAUSE_SECONDS = 0.350
_PAUSES = frozenset(",.:;!?")
_ESPEAK_VOICE = "en-us"  # the bundled voice's espeak voice


@functools.cache
def _phonemizer() -> object | None:
    """Piper's espeak-ng phonemizer, loaded once (None when piper-tts is not installed or espeak fails)."""
    try:
        from piper.phonemize_espeak import EspeakPhonemizer

        with ESPEAK_LOCK:
            return EspeakPhonemizer()
    except Exception as exc:  # not installed, or its espeak data unreadable: letters will do
        _LOGGER.info("espeak-ng is not available for length estimates (%s); counting letters", exc)
        return None


@functools.lru_cache(maxsize=4096)
def phoneme_counts(text: str) -> tuple[int, int] | None:
    """(phonemes, pauses) espeak gives the English ``text``; None when espeak is missing or fails, or the
    text is not English in Latin letters."""
    if not text.strip() or detect_language(text) != "en" or any(
            ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN") for ch in text):
        return None  # another language, or another script in it that the English voice would spell out
    phonemizer = _phonemizer()
    if phonemizer is None:
        return None
    try:
        with ESPEAK_LOCK:
            sentences = phonemizer.phonemize(_ESPEAK_VOICE, text.replace("[[", "[ [").replace("]]", "] ]"))  # type: ignore[attr-defined]
    except Exception as exc:  # one odd text must not stop a draft
        _LOGGER.debug("espeak could not phonemize %r: %s", text[:60], exc)
        return None
    chars = [ch for sentence in sentences for ch in sentence if not ch.isspace()]
    pauses = sum(ch in _PAUSES for ch in chars)
    return len(chars) - pauses, pauses


def phoneme_seconds(text: str) -> float | None:
    """Seconds the offline English voice takes to say ``text`` (None: no estimate here, count letters)."""
    counts = phoneme_counts(str(text or ""))
    if counts is None:
        return None
    phonemes, pauses = counts
    return PHONEME_SECONDS * phonemes + PAUSE_SECONDS * pauses
