"""What a caption's words are drawn with and in which order: per-character fallback fonts, Unicode bidi order.

``font_runs`` cuts a word into runs of one font each: its letters in the face made for its script, and any
punctuation or symbol that face lacks (curly quotes in Arabic, "?" in Thai) in a font that has it, so no
character is drawn as the empty .notdef box ("tofu"); a symbol no installed font has is left out.

``visual_order`` gives the left-to-right order of a line's words by the Unicode Bidirectional Algorithm
(python-bidi, over the Rust ``unicode-bidi`` crate): each word stands in as one character of its own
bidi class (its first strong letter's, else its digits', else neutral), so an English phrase inside an
Arabic line keeps its reading order while the line runs right to left. Inside a word, Pillow's raqm layout
shapes and orders each run; ``word_direction`` tells it which way the word goes.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from viralreel_core.render.fonts import FontSource, font_covers, pick_font_source, weighted

__all__ = ["font_runs", "visual_order", "word_direction", "is_rtl"]

# stand-ins per bidi class, each character used once per line: letters, digits, neutral marks (none mirrored)
_PROXIES = {
    "L": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "R": "".join(chr(c) for c in range(0x05D0, 0x05EB)),
    "AL": "".join(chr(c) for c in range(0x0621, 0x064B) if unicodedata.bidirectional(chr(c)) == "AL"),
    "EN": "0123456789" + "".join(chr(c) for c in range(0x06F0, 0x06FA)),
    "AN": "".join(chr(c) for c in range(0x0660, 0x066A)),
    "ON": "".join(ch for ch in "!\"&'*;?@\\^_`|~¡¦§¨©¬®¯´¶·¸¿×÷"
                  if unicodedata.bidirectional(ch) == "ON" and not unicodedata.mirrored(ch)),
}


def _strong(text: str) -> str:
    """The bidi class of the first strong character (L, R or AL), else of the first digit (EN, AN), else ON."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("L", "R", "AL"):
            return kind
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("EN", "AN"):
            return kind
    return "ON"


def is_rtl(text: str) -> bool:
    """Whether a paragraph of ``text`` runs right to left (its first strong letter is Arabic, Hebrew…)."""
    return _strong(text) in ("R", "AL")


def word_direction(word: str, rtl_line: bool) -> str:
    """"rtl" or "ltr": how raqm lays out the runs of ``word`` (a word without letters follows its line)."""
    kind = _strong(word)
    if kind in ("R", "AL"):
        return "rtl"
    if kind == "L":
        return "ltr"
    return "rtl" if rtl_line and kind == "ON" else "ltr"


def visual_order(words: list[str], rtl_line: bool) -> list[int]:
    """Indices of ``words`` (one line, in reading order) from left to right as the Unicode bidi algorithm
    places them in a paragraph running right to left (``rtl_line``) or left to right."""
    used: dict[str, int] = {}
    proxies: dict[str, int] = {}
    for i, word in enumerate(words):
        kind = _strong(word)
        pool = _PROXIES[kind]
        if used.get(kind, 0) >= len(pool):  # more words of one class than stand-ins: reading order
            return list(range(len(words)))[::-1] if rtl_line else list(range(len(words)))
        proxies[pool[used.get(kind, 0)]] = i
        used[kind] = used.get(kind, 0) + 1
    from bidi import get_display  # the Rust unicode-bidi crate: loaded where a caption is drawn

    shown = get_display(" ".join(proxies), base_dir="R" if rtl_line else "L")
    order = [proxies[ch] for ch in shown if ch in proxies]
    return order if sorted(order) == list(range(len(words))) else list(range(len(words)))


def _needs_glyph(ch: str) -> bool:
    return unicodedata.category(ch)[0] not in "ZC"


@lru_cache(maxsize=4096)
def font_runs(word: str, weight: str = "black") -> tuple[tuple[str, FontSource], ...]:
    """``word`` as (text, font) runs in reading order: letters in the face picked for the word's letters, any
    character that face lacks in one that has it (a combining mark stays with its letter); a symbol or
    emoji no font has is left out, a letter no font has stays (``fonts.coverage_problem`` says so)."""
    letters = "".join(ch for ch in word if unicodedata.category(ch)[0] in "LMN")
    main = pick_font_source(letters or word)
    runs: list[list] = []
    for ch in word:
        source = main
        if runs and (not _needs_glyph(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me")):
            source = runs[-1][1]
        elif _needs_glyph(ch) and not font_covers(main, ch):
            other = pick_font_source(ch)
            if font_covers(other, ch):
                source = other
            elif unicodedata.category(ch)[0] not in "LMN":
                continue  # an emoji or symbol nothing can draw: left out rather than a box
        if runs and runs[-1][1] == source:
            runs[-1][0] += ch
        else:
            runs.append([ch, source])
    return tuple((text, weighted(source, weight)) for text, source in runs if text.strip())
