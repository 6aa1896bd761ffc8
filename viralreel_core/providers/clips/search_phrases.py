"""Search phrases for stock footage: 2–4 short, concrete, filmable phrases in English per scene.

A stock library is searched in English for what can be filmed ("glacier ice", "polar bear swimming"),
never for how a shot is styled ("rich cinematic lighting") nor in the video's own language. A script
writer with a language model writes the phrases itself (``clean_phrases`` holds them to these rules); the
offline writer, and a scene that has none (an older project, a person's own visuals), reads them from the
English visuals (``phrases_from_text``)::

    phrases_from_text("Close-up of a polar bear swimming under glacier ice, cool blue tones, rich cinematic light")
    # ('polar bear swimming', 'glacier ice', 'polar bear')
    clean_phrases(["  Glacier ICE ", "glacier ice", "hielo", "#4k"])   # ('glacier ice', 'hielo')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from viralreel_core.providers.clips.scene_words import STRUCTURE_WORDS, STYLE_WORDS, styles_at

__all__ = ["MIN_PHRASES", "MAX_PHRASES", "MAX_PHRASE_WORDS", "clean_phrases", "phrases_from_text", "phrase_words",
           "english_words", "FUNCTION_WORDS"]

MIN_PHRASES, MAX_PHRASES = 2, 4
MAX_PHRASE_WORDS = 4
MAX_PHRASE_CHARS = 60

# words that join or point and never name something filmed
FUNCTION_WORDS = frozenset("""
a an the and or but of in on at to for from with without by into onto over under near across through up down
its it this that these those his her their our your my is are was were be being been as than then very
while when where who whom which what some any each every one two three few many more most much all no not
off out about around behind beside between toward towards against along above below after before during why how whose
among amid inside beneath beside past like
""".split())
# camera and quality words a stock search should not carry (``STYLE_WORDS`` has the rest)
_CAMERA = frozenset("""
4k 8k hd uhd video clip stock shot shots drone aerial pov vertical horizontal portrait landscape slow-motion
beautiful stunning epic amazing showing shows seen view close
""".split())
_DROP = FUNCTION_WORDS | _CAMERA | STYLE_WORDS | STRUCTURE_WORDS
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_CLAUSES = re.compile(r"[,;:.!?()\n]+| - | — ")


def phrase_words(text: str) -> list[str]:
    """The content words of ``text``, lower case, in order (English letters only)."""
    words = [m.strip("'-") for m in _WORD.findall(str(text or "").lower())]
    return [w for i, w in enumerate(words) if len(w) > 1 and w not in _DROP and not styles_at(words, i)]


def english_words(text: str) -> bool:
    """Whether ``text`` is written in English letters (a phrase in another script is no stock search)."""
    letters = [c for c in str(text) if c.isalpha()]
    return bool(letters) and all(c.isascii() for c in letters)


def clean_phrases(raw: Iterable[object] | str | None, limit: int = MAX_PHRASES) -> tuple[str, ...]:
    """``raw`` (a model's list, a table cell "a; b") as at most ``limit`` distinct lower-case phrases of
    English letters, each at most four content words; style-only phrases are dropped."""
    items = re.split(r"[;\n]", raw) if isinstance(raw, str) else list(raw or ())
    out: list[str] = []
    for item in items:
        text = " ".join(str(item or "").replace("#", " ").split()).lower()
        if not text or not english_words(text) or not phrase_words(text):
            continue
        words = text.split()
        while words and words[0] in FUNCTION_WORDS | _CAMERA:  # "a glacier" -> "glacier"
            words.pop(0)
        phrase = " ".join(words)[:MAX_PHRASE_CHARS].strip()
        if phrase and phrase not in out and len(phrase_words(phrase)) <= MAX_PHRASE_WORDS + 2:
            out.append(phrase)
        if len(out) >= limit:
            break
    return tuple(out)


def _chunks(clause: str) -> list[list[str]]:
    """The runs of content words in ``clause`` that function, style and camera words separate."""
    runs: list[list[str]] = [[]]
    words = [raw.strip("'-") for raw in _WORD.findall(clause.lower())]
    for i, word in enumerate(words):
        if len(word) > 1 and word not in _DROP and not styles_at(words, i):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def phrases_from_text(text: str, limit: int = MAX_PHRASES, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Up to ``limit`` phrases read from English ``text`` (a scene's visuals): each run of content words
    (at most three; "polar bear swimming", "glacier ice"), then ``extra`` phrases, then, while fewer than
    two, a clause's first two content words and its first one. Words in other scripts never count; empty
    when the text names nothing filmable."""
    found: list[str] = []
    clauses = [c for c in _CLAUSES.split(str(text or "")) if phrase_words(c)]
    for clause in clauses:
        found.extend(" ".join(run[:3]) for run in _chunks(clause))
    found.extend(extra)
    phrases = list(clean_phrases(found, limit))
    for clause in clauses:
        words = phrase_words(clause)
        for more in (" ".join(words[:2]), words[0]):
            if len(phrases) < MIN_PHRASES and more not in phrases:
                phrases.append(more)
    return tuple(phrases[:limit])
