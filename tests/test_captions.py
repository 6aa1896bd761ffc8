"""Captions: chunking, estimated timings, cue drawing, per-frame blending and font fallback."""

from __future__ import annotations

import numpy as np
import pytest

from viralreel_core.config import CaptionStyle
from viralreel_core.errors import BadInput
from viralreel_core.models import VoiceTrack, WordTiming
from viralreel_core.render.caption_chunks import LINGER, PAUSE_BREAK, chunk_words, timings_for
from viralreel_core.render.caption_draw import CaptionCue, build_cues
from viralreel_core.render.caption_preview import active_cue, burn_captions, caption_transform
from viralreel_core.render.colors import parse_color
from viralreel_core.render.fonts import font_covers, font_for, font_sources, load_font, pick_font_source
from viralreel_core.text.timing import estimate_word_timings

W, H = 540, 960  # half size keeps the tests fast; sizes scale with the width
HIGHLIGHT = (255, 210, 63)


def timed(text: str, step: float = 0.3, length: float = 0.25, start: float = 0.0) -> list[WordTiming]:
    """Words spoken back to back, one every ``step`` seconds."""
    return [WordTiming(w, round(start + i * step, 3), round(start + i * step + length, 3))
            for i, w in enumerate(text.split())]


def texts(chunks) -> list[str]:
    return [c.text for c in chunks]


# --- chunking -----------------------------------------------------------------------------------

def test_chunks_have_one_to_three_words_and_keep_every_word_in_order():
    words = timed("Did you know that octopuses have three hearts and blue blood and they can taste "
                  "with their arms which is honestly the strangest thing in the whole ocean")
    chunks = chunk_words(words)
    assert all(1 <= len(c.words) <= 3 for c in chunks)
    assert [w for c in chunks for w in c.words] == words
    assert sum(len(c.words) == 1 for c in chunks) == 0  # nothing forces a lone word here
    assert all(len(c.words) <= 2 for c in chunk_words(words, max_words=2))
    assert all(len(c.words) == 1 for c in chunk_words(words, max_words=1))


def test_sentence_ends_always_break():
    chunks = chunk_words(timed("It works. Really it does! Why not? Go"))
    assert texts(chunks) == ["It works.", "Really it does!", "Why not?", "Go"]
    assert texts(chunk_words(timed('He said "stop." Then left'))) == ['He said "stop."', "Then left"]


def test_balanced_sizes_and_no_lone_short_word():
    assert texts(chunk_words(timed("one two three four"))) == ["one two", "three four"]
    assert texts(chunk_words(timed("one two three four five"))) == ["one two three", "four five"]
    assert [len(c.words) for c in chunk_words(timed("a b c d e f g"))] == [3, 2, 2]


def test_commas_break_when_sensible():
    assert texts(chunk_words(timed("Well, here we go"))) == ["Well,", "here we go"]
    assert texts(chunk_words(timed("Yes, it works."))) == ["Yes, it works."]  # merged, not "Yes," alone
    assert texts(chunk_words(timed("red, green and blue"))) == ["red,", "green and blue"]


def test_very_long_word_stays_alone():
    chunks = chunk_words(timed("Supercalifragilisticexpialidocious is great"))
    assert texts(chunks) == ["Supercalifragilisticexpialidocious", "is great"]


def test_long_pause_breaks_and_caption_disappears_during_it():
    words = timed("we waited and", start=0.0) + timed("then boom", start=3.0)
    chunks = chunk_words(words)
    assert texts(chunks) == ["we waited and", "then boom"]
    first, second = chunks
    assert first.start == 0.0
    assert first.end == pytest.approx(words[2].end + LINGER)  # gone well before 3.0
    assert first.end < second.start == 3.0
    assert second.end == pytest.approx(words[-1].end + LINGER)
    # a pause just over the threshold splits even a short phrase
    words = [WordTiming("hello", 0.0, 0.3), WordTiming("there", 0.3 + PAUSE_BREAK + 0.05, 1.0)]
    assert texts(chunk_words(words)) == ["hello", "there"]


def test_chunk_end_is_next_start_when_speech_is_continuous():
    chunks = chunk_words(timed("one two three four five six seven eight nine ten"))
    for a, b in zip(chunks, chunks[1:], strict=False):
        assert a.end == b.start
        assert a.start == a.words[0].start


def test_chunking_cleans_messy_timings():
    words = [WordTiming(" hi ", 1.0, 0.5), WordTiming("", 2.0, 2.1), WordTiming("there", 0.8, 1.2)]
    chunks = chunk_words(words)
    assert [w.word for c in chunks for w in c.words] == ["hi", "there"]
    flat = [w for c in chunks for w in c.words]
    assert all(w.end >= w.start for w in flat)
    assert flat[1].start >= flat[0].start
    assert chunk_words([]) == []
    with pytest.raises(BadInput):
        chunk_words(timed("a b"), max_words=0)
    with pytest.raises(BadInput):
        chunk_words([WordTiming("x", float("nan"), 1.0)])


# --- estimated timings ----------------------------------------------------------------------------

def test_estimated_timings_cover_the_duration_in_order():
    text = "Honey never spoils. Archaeologists found edible honey, still sweet!"
    words = estimate_word_timings(text, 6.0, lead_in=0.5)
    assert [w.word for w in words] == text.split()  # original text, punctuation kept
    assert words[0].start == pytest.approx(0.5)
    assert words[-1].end == pytest.approx(6.0)
    for a, b in zip(words, words[1:], strict=False):
        assert a.start < a.end <= b.start
    spoken = sum(w.end - w.start for w in words)
    gaps = sum(b.start - a.end for a, b in zip(words, words[1:], strict=False))
    assert spoken + gaps == pytest.approx(5.5)
    by_word = {w.word: w for w in words}
    # proportional to length, and a pause after sentence ends and commas but not elsewhere
    assert (by_word["Archaeologists"].end - by_word["Archaeologists"].start
            > 2.5 * (by_word["never"].end - by_word["never"].start))
    assert by_word["Archaeologists"].start - by_word["spoils."].end > 0.1
    assert by_word["still"].start - by_word["honey,"].end > 0.05
    assert by_word["never"].start == pytest.approx(by_word["Honey"].end)


def test_estimated_timings_edge_cases():
    assert estimate_word_timings("   ", 3.0) == []
    one = estimate_word_timings("Hello", 2.0)
    assert one == [WordTiming("Hello", 0.0, 2.0)]
    zero = estimate_word_timings("a b c", 0.0)  # no length: the usual pace, never zero-length words
    assert all(w.end > w.start for w in zero)
    with pytest.raises(BadInput):
        estimate_word_timings("a b", float("nan"))
    with pytest.raises(BadInput):
        estimate_word_timings("a b", -1.0)


def test_timings_for_prefers_the_voice_own_timings():
    own = (WordTiming("hi", 0.1, 0.4),)
    assert timings_for(VoiceTrack("a.wav", 1.0, own), "hi") == list(own)
    guessed = timings_for(VoiceTrack("a.wav", 2.0), "hello there")
    assert [w.word for w in guessed] == ["hello", "there"] and guessed[-1].end == pytest.approx(2.0)


# --- cues -----------------------------------------------------------------------------------------

def near(rgb: np.ndarray, colour, tol: int = 40) -> np.ndarray:
    return (np.abs(rgb.astype(int) - np.array(colour)).max(axis=2) <= tol)


def highlight_centre_x(cue: CaptionCue) -> float:
    mask = near(cue.rgb, HIGHLIGHT) & (cue.alpha[:, :, 0] == 255)
    assert mask.sum() > 50, f"no highlight pixels in cue {cue.text!r} #{cue.active}"
    return float(np.nonzero(mask)[1].mean())


@pytest.fixture(scope="module")
def cues() -> list[CaptionCue]:
    return build_cues(timed("Did you know octopuses have three hearts? Wild."), CaptionStyle(), W, H)


def test_one_cue_per_word_contiguous_within_a_chunk(cues):
    assert len(cues) == 8
    assert [c.active for c in cues] == [0, 1, 2, 0, 1, 0, 1, 0]
    assert [c.text for c in cues[:3]] == ["DID YOU KNOW"] * 3  # uppercase by default
    for a, b in zip(cues, cues[1:], strict=False):
        assert a.end <= b.start
        if a.text == b.text:
            assert a.end == b.start  # no flicker between words
            assert a.alpha is b.alpha  # one shape per chunk, drawn once
    assert cues[0].start == 0.0
    assert all(c.end > c.start for c in cues)


def test_highlight_moves_word_by_word(cues):
    xs = [highlight_centre_x(c) for c in cues[:3]]
    assert xs[0] < xs[1] < xs[2]
    for c in cues:
        white = near(c.rgb, (255, 255, 255), 10) & (c.alpha[:, :, 0] == 255)
        if len(c.text.split()) > 1:
            assert white.sum() > 50  # the other words stay white
    # the outline is drawn, opaque, in the stroke colour around the letters
    for c in cues:
        a = c.alpha[:, :, 0]
        outline = near(c.rgb, (0, 0, 0), 30) & (a == 255)
        assert outline.sum() > 0.2 * (a == 255).sum()
    # highlight and text colours follow the style
    green = build_cues(timed("go go"), CaptionStyle(highlight_color="#00FF00", text_color="#FF0000"), W, H)
    assert near(green[0].rgb, (0, 255, 0), 30).sum() > 50
    assert near(green[0].rgb, (255, 0, 0), 30).sum() > 50


def test_boxes_are_inside_the_frame_cropped_and_stroke_is_never_cut(cues):
    for c in cues:
        assert c.rgb.dtype == np.uint8 and c.rgb.shape[2] == 3
        assert c.alpha.shape == c.rgb.shape[:2] + (1,) and int(c.alpha.max()) == 255
        x0, y0, x1, y1 = c.box
        assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
        a = c.alpha[:, :, 0]
        assert not a[0].any() and not a[-1].any() and not a[:, 0].any() and not a[:, -1].any()
        assert a[1].any() or a[2].any()  # cropped tight: ink within the margin
        assert c.height < H / 5 and c.width <= 0.88 * W + 10
        # centred horizontally, vertical centre near style.position
        assert abs((x0 + x1) / 2 - W / 2) < 0.06 * W
        assert abs((y0 + y1) / 2 - 0.70 * H) < 0.05 * H
        assert not c.rgb.flags.writeable and not c.alpha.flags.writeable


def test_stroke_is_kept_at_frame_edges_and_with_thick_outlines():
    style = CaptionStyle(font_size=140, stroke_width=20, position=1.0)
    for c in build_cues(timed("Big bottom text"), style, W, H):
        x0, y0, x1, y1 = c.box
        assert 0 <= x0 and x1 <= W and 0 <= y0 and y1 <= H  # pushed up, not cut off
        a = c.alpha[:, :, 0]
        assert not a[-1].any() and not a[0].any() and not a[:, 0].any() and not a[:, -1].any()


def test_wide_chunks_wrap_then_shrink():
    one_line = build_cues(timed("go"), CaptionStyle(), W, H)[0]
    wrapped = build_cues(timed("extraordinary adventures"), CaptionStyle(font_size=130), W, H)[0]
    assert wrapped.height > 1.6 * one_line.height  # two lines
    assert wrapped.width <= 0.88 * W + 10
    long_word = build_cues(timed("Pneumonoultramicroscopicsilicovolcanoconiosis"), CaptionStyle(), W, H)[0]
    assert long_word.width <= 0.88 * W + 10 and long_word.height <= one_line.height + 4  # shrunk


def test_sizes_scale_with_frame_width():
    small = build_cues(timed("Hello"), CaptionStyle(), 540, 960)[0]
    big = build_cues(timed("Hello"), CaptionStyle(), 1080, 1920)[0]
    assert big.height == pytest.approx(2 * small.height, rel=0.15)
    assert big.width == pytest.approx(2 * small.width, rel=0.15)


def test_style_options_and_time_offset():
    lower = build_cues(timed("Hello World"), CaptionStyle(uppercase=False, max_words=1), W, H,
                       time_offset=10.0)
    assert [c.text for c in lower] == ["Hello", "World"]
    assert lower[0].start == 10.0 and lower[1].start == pytest.approx(10.3)
    no_stroke = build_cues(timed("Hi"), CaptionStyle(stroke_width=0), W, H)
    assert len(no_stroke) == 1 and not near(no_stroke[0].rgb, (0, 0, 0), 20).any()
    assert build_cues([], CaptionStyle(), W, H) == []


@pytest.mark.parametrize("field_name", ["text_color", "highlight_color", "stroke_color"])
@pytest.mark.parametrize("bad", ["red", "#12345", "#GGGGGG", "", "FFD23F00", None, 0xFFFFFF])
def test_bad_colour_is_bad_input(field_name, bad):
    with pytest.raises(BadInput, match="colour"):
        build_cues(timed("hi"), CaptionStyle(**{field_name: bad}), W, H)


def test_parse_color_and_other_bad_style_values():
    assert parse_color("#FFD23F") == (255, 210, 63)
    assert parse_color(" #ffd23f ") == (255, 210, 63)
    assert parse_color("#FFF") == (255, 255, 255)
    for style in (CaptionStyle(font_size=0), CaptionStyle(stroke_width=-1), CaptionStyle(position=1.5),
                  CaptionStyle(max_words=0)):
        with pytest.raises(BadInput):
            build_cues(timed("hi"), style, W, H)
    with pytest.raises(BadInput):
        build_cues(timed("hi"), CaptionStyle(), 0, H)


# --- burning into frames ------------------------------------------------------------------------------

def test_active_cue_is_start_inclusive_end_exclusive(cues):
    assert active_cue(cues, -0.1) is None
    for c in cues:
        assert active_cue(cues, c.start) is c
        assert active_cue(cues, (c.start + c.end) / 2) is c
    assert active_cue(cues, cues[-1].end) is None
    assert active_cue([], 1.0) is None


def test_burn_changes_only_the_box_and_never_the_input(cues):
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (H, W, 3), dtype=np.uint8)
    frame.setflags(write=False)  # like a frame MoviePy hands out
    before = frame.copy()
    cue = cues[1]
    out = burn_captions(frame, cue.start + 0.01, cues)
    assert out is not frame and out.shape == frame.shape and out.dtype == np.uint8
    assert np.array_equal(frame, before)
    changed = np.argwhere((out != frame).any(axis=2))
    assert len(changed) > 500
    x0, y0, x1, y1 = cue.box
    assert changed[:, 0].min() >= y0 and changed[:, 0].max() < y1
    assert changed[:, 1].min() >= x0 and changed[:, 1].max() < x1
    # exact integer blend: round((src·a + dst·(255−a)) / 255)
    dst = frame[y0:y1, x0:x1].astype(np.int64)
    a = cue.alpha.astype(np.int64)
    expected = (cue.rgb.astype(np.int64) * a + dst * (255 - a) + 127) // 255
    assert np.array_equal(out[y0:y1, x0:x1], expected)


def test_burn_without_active_cue_returns_the_input_itself(cues):
    frame = np.zeros((H, W, 3), np.uint8)
    gap = cues[-1].end + 1.0
    assert burn_captions(frame, gap, cues) is frame
    assert burn_captions(frame, 0.1, []) is frame
    assert not frame.any()


def test_burn_inplace_and_odd_frames(cues):
    frame = np.zeros((H, W, 3), np.uint8)
    out = burn_captions(frame, 0.01, cues, inplace=True)
    assert out is frame and frame.any()
    rgba = np.zeros((H, W, 4), np.uint8)
    out = burn_captions(rgba, 0.01, cues)
    assert out[:, :, :3].any() and not out[:, :, 3].any()
    small = np.zeros((H // 2, W // 2, 3), np.uint8)  # a frame smaller than the cues were made for
    assert burn_captions(small, 0.01, cues).shape == small.shape
    floats = np.zeros((H, W, 3), np.float64)
    assert burn_captions(floats, 0.01, cues).dtype == np.uint8


def test_caption_transform_for_moviepy(cues):
    frame = np.zeros((H, W, 3), np.uint8)
    fn = caption_transform(cues)
    assert fn(lambda t: frame, 0.01).any()
    assert fn(lambda t: frame, 99.0) is frame


def test_moviepy_clip_transform(cues):
    moviepy = pytest.importorskip("moviepy")
    clip = moviepy.ColorClip(size=(W, H), color=(10, 20, 30), duration=1.0)
    captioned = clip.transform(caption_transform(cues))
    assert captioned.get_frame(0.05)[cues[0].y:cues[0].box[3], cues[0].x:cues[0].box[2]].max() > 200
    assert np.array_equal(captioned.get_frame(0.05)[:10], clip.get_frame(0.05)[:10])


# --- fonts --------------------------------------------------------------------------------------------

def test_latin_uses_packaged_roboto():
    source = pick_font_source("HELLO WORLD")
    assert source is not None and "Roboto" in source[0]
    font = load_font(50, "Hello")
    assert font.getlength("Hello") > 0
    assert load_font(50, "Hello") is font  # cached per size


@pytest.mark.parametrize("text", ["مرحبا بكم في عالمنا", "你好 世界 朋友", "नमस्ते दुनिया", "🔥🔥 fire 😀",
                                  "Привет мир", "mixed 中文 and العربية"])
def test_non_latin_text_never_crashes_and_draws_something(text):
    font = load_font(40, text)
    assert font is not None
    words = timed(text)
    cues = build_cues(words, CaptionStyle(), W, H)
    assert cues, text
    for c in cues:
        assert int(c.alpha.sum()) > 0
        x0, y0, x1, y1 = c.box
        assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
    out = burn_captions(np.zeros((H, W, 3), np.uint8), cues[0].start, cues)
    assert out.any()


def test_fallback_font_has_the_glyphs_when_one_exists():
    roboto = pick_font_source("A")
    assert not font_covers(roboto, "م")  # Roboto has no Arabic
    assert font_covers(roboto, "Привет")  # but has Cyrillic
    arabic = pick_font_source("مرحبا")
    if not any(font_covers(p, "مرحبا") for p in font_sources()):
        pytest.skip("no font with Arabic glyphs on this machine")
    assert arabic != roboto and font_covers(arabic, "مرحبا")


def test_load_font_survives_junk():
    for text in ("", "\x00\x01", "\ufffe\U0010fffd", "a" * 500, "🏳️‍🌈"):
        assert load_font(30, text).getlength("x") > 0
    assert load_font(0, "x") is not None
    assert font_for(("/nonexistent/font.ttf", 0), 20).getlength("x") > 0


def test_emoji_only_words_do_not_break_cues():
    words = [WordTiming("🎉", 0.0, 0.3), WordTiming("party", 0.3, 0.6), WordTiming("\U000e0001", 0.6, 0.9)]
    cues = build_cues(words, CaptionStyle(), W, H)
    assert cues and all(c.end > c.start for c in cues)
    assert active_cue(cues, 0.45) is not None
