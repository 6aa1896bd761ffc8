"""Words of text written without spaces (Chinese, Japanese, Thai), from maintained segmenters::

    words_of("为什么猫喜欢盒子")         # ["为什么", "猫", "喜欢", "盒子"]
    words_of("“为什么猫喜欢盒子？”")     # ["“为什么", "猫", "喜欢", "盒子？”"]  (punctuation stays with a word)
    break_offsets("为什么猫喜欢盒子")    # {3, 4, 6}

Chinese is split by jieba's dictionary (with its HMM for names it does not know), Japanese and Thai by
BudouX's phrases (a small model per language, made for line breaking: it never breaks inside a word).
Punctuation is never a word alone: an opening mark (“ 「 《 …) goes with the word after it, any other with
the word before it, so a caption never shows a quote mark on its own. A Thai vowel written before its
consonant, or a combining mark, never starts or ends a word apart from its letter.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from functools import lru_cache

__all__ = ["words_of", "break_offsets"]

_LOCK = threading.Lock()  # jieba builds its dictionary once, on first use
_OPENERS = frozenset("“‘«‹「『（《〈【〔［｛(\"'[{¿¡")
_THAI_LEADING = frozenset("เแโใไ")


def _kind(text: str) -> str:
    """Which segmenter suits ``text``: "ja" when it has kana, "th" for Thai, else "zh"."""
    for ch in text:
        cp = ord(ch)
        if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F:
            return "ja"
    if any(0x0E00 <= ord(ch) <= 0x0E7F for ch in text):
        return "th"
    return "zh"


@lru_cache(maxsize=2)
def _budoux(kind: str):
    import budoux

    return budoux.load_default_japanese_parser() if kind == "ja" else budoux.load_default_thai_parser()


def _jieba():
    import jieba

    with _LOCK:
        if not jieba.dt.initialized:
            jieba.setLogLevel(logging.WARNING)  # not its "Building prefix dict…" lines on every first use
            jieba.initialize()
    return jieba


def _is_punctuation(token: str) -> bool:
    return bool(token) and all(unicodedata.category(ch)[0] in "PZS" for ch in token)


def _glue(tokens: list[str]) -> list[str]:
    """Tokens with punctuation joined to a word (openers forward, the rest back), and Thai marks kept with
    their letters."""
    out: list[str] = []
    carry = ""  # opening punctuation waiting for its word
    straight = 0  # straight quotes seen: an even count before one means it opens
    for token in tokens:
        if not token:
            continue
        if _is_punctuation(token):
            opens = all(ch in _OPENERS and (ch not in "\"'" or straight % 2 == 0) for ch in token)
            straight += sum(ch in "\"'" for ch in token)
            if opens:
                carry += token
            elif out:
                out[-1] += carry + token
                carry = ""
            else:
                carry += token
            continue
        joined = carry + token
        carry = ""
        if out and (unicodedata.category(joined[0]) in ("Mn", "Mc") or out[-1][-1] in _THAI_LEADING):
            out[-1] += joined
        else:
            out.append(joined)
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry)
    return out


@lru_cache(maxsize=1024)
def _words(run: str) -> tuple[str, ...]:
    kind = _kind(run)
    if kind == "zh":
        tokens = _jieba().lcut(run)
    else:
        tokens = _budoux(kind).parse(run)
    words = _glue(tokens)
    return tuple(words) if "".join(words) == run else (run,)  # a segmenter that changed a character: not split


def words_of(run: str) -> list[str]:
    """The words of ``run`` (one stretch of unspaced text, no whitespace), in order; they join back to it."""
    return list(_words(run)) if run else []


def break_offsets(run: str) -> frozenset[int]:
    """The offsets inside ``run`` (0 < i < len) where one word ends and the next begins."""
    offsets, at = set(), 0
    for word in _words(run)[:-1] if run else ():
        at += len(word)
        offsets.add(at)
    return frozenset(offsets)
