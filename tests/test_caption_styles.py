"""Caption styles people choose: the named presets, their animations, the safe zone, and every way in."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from pages.widgets import caption_preview
from viralreel_core.api.schemas import VideoBody
from viralreel_core.cli import main as cli
from viralreel_core.cli.batch import _job_options, read_rows
from viralreel_core.config import CaptionStyle
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.jobs.options import settings_for
from viralreel_core.media.aspect import ASPECTS, frame_size
from viralreel_core.models import Clip, VoiceTrack, WordTiming
from viralreel_core.option_names import CLI_OPTIONS, JOB_OPTIONS
from viralreel_core.render.assembler import Assembler, SceneMedia
from viralreel_core.render.caption_draw import POP_SCALES, build_cues
from viralreel_core.render.caption_styles import PRESETS, SAFE_BOTTOM, SAFE_TOP, caption_style
from viralreel_core.run.checks import check_settings
from viralreel_core.text.timing import estimate_word_timings

SHORT = 360  # small frames: the tests stay quick; sizes scale with the short side
LINE = "Why do cats love boxes so much? Because a box feels like a safe hiding place"


def frame_of(aspect: str) -> tuple[int, int]:
    return frame_size(aspect, SHORT)


def test_six_named_presets_each_a_complete_different_look():
    assert list(PRESETS) == ["classic", "pop", "karaoke", "boxed", "lower-third", "word-box"]
    assert caption_style("classic") == CaptionStyle()  # the default look is the classic preset
    looks = {tuple(sorted((k, v) for k, v in caption_style(n).to_dict().items() if k != "preset")) for n in PRESETS}
    assert len(looks) == len(PRESETS)
    assert {caption_style(n).animation for n in PRESETS} == {"highlight", "pop", "karaoke", "word-box"}
    assert caption_style("Boxed").preset == "boxed" and caption_style("boxed").box_color == "#FFFFFF"
    adjusted = caption_style("karaoke", {"font_size": 60, "preset": "ignored"})
    assert (adjusted.font_size, adjusted.animation, adjusted.preset) == (60, "karaoke", "karaoke")
    with pytest.raises(BadInput, match="no caption style called 'neon'") as err:
        caption_style("neon")
    assert "classic, pop, karaoke" in err.value.hint
    for bad, message in (({"animation": "spin"}, "animation must be one of"),
                         ({"font_weight": "thin"}, "font weight must be one of"),
                         ({"box_opacity": 2}, "box opacity"), ({"box_color": "red"}, "box colour"),
                         ({"fontsize": 3}, "captions must be an object")):
        with pytest.raises(BadInput, match=message):
            caption_style("classic", bad)


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_stays_in_the_frame_and_its_safe_zone(name, aspect):
    width, height = frame_of(aspect)
    top, bottom = math.ceil(SAFE_TOP * height), math.floor(SAFE_BOTTOM * height)
    words = estimate_word_timings(LINE, 6.0)
    for style in (caption_style(name), caption_style(name, {"position": 0.95, "font_size": 140}),
                  caption_style(name, {"position": 0.02, "max_words": 5})):
        cues = build_cues(words, style, width, height)
        assert cues and {c.active for c in cues} >= {0, 1}
        for cue in cues:
            ink = np.nonzero(cue.alpha[:, :, 0] > 0)
            assert ink[0].size > 0
            rows, cols = cue.y + ink[0], cue.x + ink[1]
            assert 0 <= cols.min() and cols.max() < width  # inside the frame
            assert top <= rows.min() and rows.max() < bottom, (style.position, rows.min(), rows.max(), top, bottom)


def _cues(name: str, **changes) -> list:
    words = [WordTiming(w, i * 0.5, i * 0.5 + 0.45) for i, w in enumerate("one two three".split())]
    return build_cues(words, caption_style(name, changes or None), 540, 960)


def _near(cue, colour, tol: int = 50) -> np.ndarray:
    return (np.abs(cue.rgb.astype(int) - np.array(colour)).sum(axis=2) < tol) & (cue.alpha[:, :, 0] > 200)


def test_pop_shows_the_words_as_they_are_spoken_each_growing_in():
    cues = _cues("pop")
    first = [c for c in cues if c.active == 0]
    assert len(first) == len(POP_SCALES) + 1 and [c.active for c in cues].count(2) == len(POP_SCALES) + 1
    ink = [int((c.alpha > 128).sum()) for c in first]
    assert ink == sorted(ink) and ink[0] < 0.7 * ink[-1]  # it appears smaller, then grows to its size
    assert POP_SCALES and all(0 < s < 1 for s in POP_SCALES)
    assert first[1].start - first[0].start == pytest.approx(1 / 30)
    # the next word appears, small, beside the one before (still lit), then at its size, lit in its turn
    second = [c for c in cues if c.active == 1]
    green = [np.nonzero(_near(c, (0x3D, 0xFF, 0x8B)).any(axis=0))[0] for c in second]
    word = [np.nonzero(c.alpha[:, :, 0].any(axis=0))[0] for c in second]
    assert green[0].min() < word[0].max() - 0.5 * (word[0].max() - word[0].min())  # "one" still green
    assert green[-1].min() > green[0].min()  # then only "two" is
    grown = [int((c.alpha > 128).sum()) for c in second]
    assert first[-1].end == pytest.approx(second[0].start) and ink[-1] < grown[0] < grown[-1]
    later = [int((c.alpha > 128).sum()) for c in cues if c.active != 0 and c.start == max(
        d.start for d in cues if d.active == c.active)]
    assert ink[-1] < later[0] < later[1]  # the chunk builds up word by word
    assert all(_near(c, (0x3D, 0xFF, 0x8B)).any() for c in cues)  # the newest word in the preset's green


def test_karaoke_fills_each_word_left_to_right_as_it_is_spoken():
    cues = _cues("karaoke")
    pink = (0xFF, 0x4F, 0xD8)
    steps = [c for c in cues if c.active == 1]
    assert len(steps) >= 3
    filled = [int(_near(c, pink).sum()) for c in steps]
    assert filled == sorted(filled) and filled[0] < filled[-1]
    lit = np.nonzero(_near(steps[0], pink).any(axis=0))[0]
    assert lit.max() < np.nonzero(steps[0].alpha[:, :, 0].any(axis=0))[0].max()  # the rest still to come
    assert int(_near(cues[-1], pink).sum()) > filled[-1]  # sung words stay filled


def test_word_box_and_boxed_draw_their_boxes():
    word_box = [c for c in _cues("word-box") if c.start >= 0]
    purple = [np.nonzero(_near(c, (0x7C, 0x3A, 0xED)).any(axis=0))[0] for c in word_box]
    assert all(p.size for p in purple)
    assert purple[0].mean() < purple[1].mean() < purple[2].mean()  # the box moves with the spoken word
    boxed = _cues("boxed")[0]
    white = _near(boxed, (255, 255, 255), 10)
    assert white.sum() > 0.3 * boxed.alpha.size  # a white box behind dark letters
    assert _near(boxed, (0x11, 0x11, 0x11)).any()
    band = _cues("lower-third")[0]
    assert (band.alpha[:, :, 0] == round(255 * 0.55)).sum() > 0.2 * band.alpha.size  # a translucent band


def test_caption_style_is_set_by_the_cli_the_api_and_batch(tmp_path):
    assert "caption_style" in JOB_OPTIONS and "caption_style" in CLI_OPTIONS
    base = settings_from_env(environ={}, cache_dir=tmp_path / "cache")
    assert settings_for(base, {"caption_style": "karaoke"}).captions == caption_style("karaoke")
    adjusted = settings_for(base, {"caption_style": "boxed", "captions": {"font_size": 50}}).captions
    assert (adjusted.preset, adjusted.font_size, adjusted.box_color) == ("boxed", 50, "#FFFFFF")
    with pytest.raises(BadInput, match="no caption style called 'huge'"):
        settings_for(base, {"caption_style": "huge"})
    with pytest.raises(BadInput, match="caption text colour 'red' is not a colour"):
        check_settings(base.with_(captions=CaptionStyle(text_color="red")))  # before anything is paid for
    args = cli.build_parser().parse_args(["make", "Cats", "--caption-style", "word-box",
                                          "--cache-dir", str(tmp_path / "cache")])
    assert cli._settings(args).captions == caption_style("word-box")
    with pytest.raises(BadInput, match="no caption style"):
        cli._settings(cli.build_parser().parse_args(["make", "Cats", "--caption-style", "nope"]))
    body = VideoBody(topic="Cats", caption_style="pop", captions={"max_words": 2})
    assert settings_for(base, body.job_options()).captions == caption_style("pop", {"max_words": 2})
    csv = tmp_path / "batch.csv"
    csv.write_text("topic,caption_style\nCats,lower-third\nDogs,\n", encoding="utf-8")
    rows = read_rows(csv)
    styles = [settings_for(base, _job_options(r["raw_options"], r["row"])).captions.preset for r in rows]
    assert styles == ["lower-third", "classic"]


def test_a_style_change_re_renders_an_unchanged_one_does_not(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not decoded: only hashed for the key")
    voice = VoiceTrack(str(tmp_path / "v.wav"), 1.0, (WordTiming("Hi", 0.0, 0.5),))
    scene = SceneMedia(1, "Hi", Clip(str(clip), 1.0, 360, 640), voice)

    def key(style: CaptionStyle) -> str:
        settings = settings_from_env(environ={}, cache_dir=tmp_path / "c", width=360, height=640, captions=style)
        return Assembler(settings, encoder="libx264").segment_key(scene)

    keys = {name: key(caption_style(name)) for name in PRESETS}
    assert len(set(keys.values())) == len(PRESETS)
    assert key(caption_style("karaoke")) == keys["karaoke"]
    assert key(caption_style("karaoke", {"highlight_color": "#00FF00"})) != keys["karaoke"]


def test_the_studio_preview_shows_each_preset(tmp_path):
    previews = {name: caption_preview(caption_style(name), short_side=180) for name in PRESETS}
    assert all(p.shape == (320, 180, 3) for p in previews.values())
    pictures = {p.tobytes() for p in previews.values()}
    assert len(pictures) == len(PRESETS)
    boxed = previews["boxed"]
    assert (boxed.reshape(-1, 3) > 240).all(axis=1).sum() > 500  # the white box is in the preview
    assert Path(tmp_path).is_dir()


@pytest.mark.parametrize("name", ["pop", "karaoke", "boxed", "word-box"])
def test_what_a_painter_reuses_between_moments_paints_what_a_fresh_one_does(name):
    """The painter remakes only what a moment changes (the new word's columns of the shadow and outline, the
    lit words' colours, a popping word's box): each moment must come out as painted from nothing."""
    from viralreel_core.render.caption_draw import _style_params
    from viralreel_core.render.caption_paint import ChunkPainter, Moment, PlacedWord, width_of
    from viralreel_core.render.caption_text import font_runs
    from viralreel_core.render.fonts import font_for

    look = _style_params(caption_style(name, {"shadow": True}), 540, 960)
    size, stroke, pad = look["size"], look["stroke"], look["stroke"] + look["size"] // 2 + 4
    words, x = [], 0.3  # fractional positions, as a layout gives
    for text in ("WHY", "CATS", "PURR"):
        runs = font_runs(text)
        fonts = [font_for(source, size) for _, source in runs]
        word = PlacedWord(runs, "ltr", fonts, [width_of(f, t, "ltr") for f, (t, _) in zip(fonts, runs, strict=True)],
                          x, size)
        words.append(word)
        x += word.width + 0.27 * size
    block, canvas = (round(x), round(1.3 * size)), (round(x) + 2 * pad, round(1.3 * size) + 2 * pad)
    moments = [m for k in range(3) for m in (Moment(k, k + 1, 0.6), Moment(k, k + 1), Moment(k, 3, 0.5),
                                             Moment(k, 3))]
    reused = ChunkPainter(words, look, size, stroke, block, canvas, pad)
    for moment in moments:
        alone = ChunkPainter(words, look, size, stroke, block, canvas, pad).paint(moment).rgba
        assert np.array_equal(reused.paint(moment).rgba, alone), moment
