"""Captions right in every script: no tofu (per-character fallback fonts), Unicode bidi order in mixed lines,
Chinese broken only between words, no quote mark alone at a chunk's edge."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import ImageFont

from viralreel_core.config import CaptionStyle
from viralreel_core.models import WordTiming
from viralreel_core.render.caption_chunks import chunk_words
from viralreel_core.render.caption_draw import build_cues
from viralreel_core.render.caption_text import font_runs
from viralreel_core.text.languages import split_words
from viralreel_core.text.timing import estimate_word_timings

NOTDEF = "\U0010fffd"  # a code point no font maps: drawn as the font's .notdef box (tofu)
W, H = 720, 1280
PLAIN = CaptionStyle(uppercase=False, highlight_color="#FFD23F", stroke_width=0)
HIGHLIGHT = np.array([255, 210, 63])


def timed(words: list[str], step: float = 0.4) -> list[WordTiming]:
    return [WordTiming(w, i * step, i * step + step * 0.8) for i, w in enumerate(words)]


def has_glyph(source, ch: str) -> bool:
    """Whether the font file draws ``ch`` as something other than its .notdef box (Pillow, basic layout)."""
    font = ImageFont.truetype(source[0], 40, index=source[1], layout_engine=ImageFont.Layout.BASIC)
    mask, box = font.getmask(ch), font.getmask(NOTDEF)
    return (mask.size, bytes(mask)) != (box.size, bytes(box))


def drawn_chars(text: str) -> list[tuple[str, tuple]]:
    """Every character of ``text`` that is drawn, with the font it is drawn in."""
    return [(ch, source) for word in text.split() for run, source in font_runs(word) for ch in run if ch.strip()]


@pytest.mark.parametrize("text", ["قال “مرحبا بالعالم” اليوم", "ทำไมแมวถึงชอบกล่อง?", "“为什么猫喜欢盒子？”",
                                  "«Привет» — сказал он", "הוא אמר “שלום” (היום)", "नमस्ते “दुनिया”!"])
def test_every_character_is_drawn_with_a_font_that_has_its_glyph(text):
    chars = drawn_chars(text)
    assert "".join(ch for ch, _ in chars) == "".join(text.split())  # nothing left out: all can be drawn
    missing = [(ch, source[0]) for ch, source in chars if not has_glyph(source, ch)]
    assert not missing  # before: the Arabic, Thai and Hebrew faces drew their quotes and marks as .notdef boxes


def _ink_columns(cue) -> list[tuple[int, int]]:
    """Runs of columns with ink in a cue (its letters and marks, left to right)."""
    cols = (cue.alpha[:, :, 0] > 100).any(axis=0)
    runs, start = [], None
    for x, on in enumerate([*cols, False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            runs.append((start, x))
            start = None
    return runs


def test_curly_quotes_in_arabic_are_quote_marks_not_boxes():
    cues = build_cues(timed(["“مرحبا”"]), PLAIN, W, H)
    assert cues and cues[0].text == "“مرحبا”"
    ink = cues[0].alpha[:, :, 0] > 100
    rows = np.nonzero(ink.any(axis=1))[0]
    height = rows[-1] - rows[0] + 1
    for left, right in (_ink_columns(cues[0])[0], _ink_columns(cues[0])[-1]):  # the two marks, at the ends
        mark_rows = np.nonzero(ink[:, left:right].any(axis=1))[0]
        # a quote mark sits high and is small; the Arabic face's .notdef box is a tall rectangle
        assert mark_rows[-1] - mark_rows[0] + 1 < 0.45 * height, (left, right, mark_rows, height)
        assert (right - left) < 0.25 * cues[0].width


def _spoken_x(cue) -> float:
    """The middle of the highlighted (spoken) word, in frame pixels."""
    lit = (np.abs(cue.rgb.astype(int) - HIGHLIGHT).sum(axis=2) < 60) & (cue.alpha[:, :, 0] > 200)
    assert lit.any()
    return cue.x + float(np.nonzero(lit)[1].mean())


def test_a_mixed_arabic_english_line_is_in_unicode_bidi_order():
    words = ["قال", "hi", "there", "اليوم"]
    cues = build_cues(timed(words), CaptionStyle(uppercase=False, max_words=4, stroke_width=0), W, H)
    assert [c.active for c in cues] == [0, 1, 2, 3] and len({c.text for c in cues}) == 1
    x = [_spoken_x(c) for c in cues]
    # right to left: قال at the right end, اليوم at the left, and "hi there" between them left to right
    assert x[3] < x[1] < x[2] < x[0], x  # before: every word reversed, "there hi"


def test_a_chinese_sentence_breaks_only_between_its_words():
    sentence = "为什么猫喜欢盒子"
    words = {"为什么", "猫", "喜欢", "盒子"}
    assert split_words(sentence) == ["为什么", "猫", "喜欢", "盒子"]  # before: 为什么 | 猫喜欢 | 盒子 by 3 characters
    for max_words in (1, 2, 3):
        for chunk in chunk_words(estimate_word_timings(sentence, 3.0), max_words):
            assert all(w.word in words for w in chunk.words)
    # timings that came in pieces of characters (a voice's, or one cached before): never cut inside 喜欢
    pieces = timed(["为什", "么猫喜", "欢盒子"])
    assert [c.text for c in chunk_words(pieces, 2)] == ["为什么猫喜欢盒子"]
    pieces = timed(["为什么", "猫喜", "欢", "盒子"])
    texts = [c.text for c in chunk_words(pieces, 1)]
    assert texts == ["为什么", "猫喜欢", "盒子"]  # before: 猫喜 | 欢
    cues = build_cues(estimate_word_timings(sentence, 3.0), CaptionStyle(max_words=2), W, H)
    assert {c.text for c in cues} == {"为什么猫", "喜欢盒子"}
    assert all(has_glyph(source, ch) for ch, source in drawn_chars(sentence))


def test_no_quote_mark_stands_alone_at_a_chunk_edge():
    spaced = "He said “ stop right there ” and then “ left ” quickly"
    for max_words in (1, 2, 3):
        chunks = chunk_words(timed(spaced.split(), 0.3), max_words)
        assert "".join(c.text.replace(" ", "") for c in chunks) == spaced.replace(" ", "")
        for chunk in chunks:
            assert all(any(ch.isalnum() for ch in w.word) for w in chunk.words), chunk.text
    straight = chunk_words(timed('She said " yes " and " no "'.split(), 0.3), 2)
    assert [c.text for c in straight] == ['She said', '"yes" and', '"no"']
    assert [w.word for w in chunk_words(timed(["“", "Hi", "”"]))[0].words] == ["“Hi”"]
    dashed = chunk_words(timed("It was — truly amazing".split(), 0.3), 1)
    assert [c.text for c in dashed] == ["It", "was —", "truly", "amazing"]  # a dash keeps its space
    # Chinese quotes and punctuation stay with their words too
    assert split_words("“为什么猫喜欢盒子？”") == ["“为什么", "猫", "喜欢", "盒子？”"]


def test_japanese_and_thai_break_between_words():
    assert split_words("猫はなぜ箱が好き？") == ["猫は", "なぜ箱が", "好き？"]
    thai = split_words("ทำไมแมวถึงชอบกล่อง")
    assert thai == ["ทำไม", "แมว", "ถึง", "ชอบ", "กล่อง"]
