"""Aspect ratios everywhere: the size rules, the CLI, batch rows, the studio, and captions that fit each frame."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from tests.fakes.providers import FakeClipMaker
from tests.media import caption_pixels, frame_at, probe
from viralreel_core import Pipeline
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadConfiguration
from viralreel_core.media.aspect import ASPECTS, aspect_of, check_aspect, frame_for, frame_size, nearest_ratio
from viralreel_core.render.caption_chunks import timings_for
from viralreel_core.render.caption_draw import build_cues
from viralreel_core.text.timing import estimate_word_timings

SENTENCE = ("Volcanoes form where molten rock called magma rises through cracks in the crust and erupts "
            "as lava, ash and extraordinarily hot gases")


def test_each_aspect_is_full_hd_on_its_short_side():
    assert {a: frame_size(a) for a in ASPECTS} == {
        "9:16": (1080, 1920), "1:1": (1080, 1080), "4:5": (1080, 1350), "16:9": (1920, 1080)}
    assert frame_size("16:9", 180) == (320, 180)
    assert all(aspect_of(*frame_size(a, short)) == a for a in ASPECTS for short in (180, 360, 720, 1080))
    assert aspect_of(1000, 700) is None
    assert check_aspect(" 16x9 ") == check_aspect("16/9") == "16:9"


def test_an_aspect_and_explicit_sides_settle_as_a_person_expects():
    assert frame_for() == (1080, 1920)
    assert frame_for("16:9") == (1920, 1080)
    assert frame_for("16:9", width=1280) == (1280, 720)  # one side: the other follows the ratio
    assert frame_for("4:5", height=270) == (216, 270)
    assert frame_for("1:1", 720, 720) == (720, 720)  # both sides of that shape: a smaller render
    assert frame_for(None, 720, 1280) == (720, 1280)  # no aspect: the sides as given
    assert frame_for(None, width=540) == (540, 960)  # one side, the default 9:16 for the other
    with pytest.raises(BadConfiguration, match=r"A 1080×1920 frame is not 16:9\. Give the aspect alone"):
        frame_for("16:9", 1080, 1920)
    with pytest.raises(BadConfiguration, match=r"no aspect ratio '21:9'.*9:16, 1:1, 4:5, 16:9"):
        frame_for("21:9")


def test_nearest_ratio_compares_shapes_not_differences():
    runway = [(1280, 720), (720, 1280), (1104, 832), (832, 1104), (960, 960), (1584, 672)]
    assert nearest_ratio(1920, 1080, runway) == (1280, 720)
    assert nearest_ratio(1080, 1350, runway) == (832, 1104)
    assert nearest_ratio(1080, 1080, runway) == (960, 960)
    assert nearest_ratio(1080, 1920, runway) == (720, 1280)


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_captions_stay_inside_every_frame_at_the_size_of_a_vertical_one(aspect):
    width, height = frame_size(aspect)
    words = estimate_word_timings(SENTENCE, 12.0)
    cues = build_cues(words, width=width, height=height)
    tall = build_cues(words, width=1080, height=1920)
    assert cues and len(cues) == len(tall)
    for cue in cues:
        assert 0 <= cue.x and cue.x + cue.width <= width and 0 <= cue.y and cue.y + cue.height <= height, cue
        assert cue.width <= 1.2 * 1080 + 40  # a landscape line is no wider than 1.2 short sides
    # the same words at the same size as on a 1080×1920 frame, not scaled up with the width
    assert np.median([c.height for c in cues]) == pytest.approx(np.median([c.height for c in tall]), rel=0.15)


def _make(tmp_path, capsys, *flags: str) -> tuple[int, dict | None, str]:
    code = cli.main(["make", "Why do cats purr?", "--scenes", "3", "--quiet", "--out", str(tmp_path / "out"),
                     "--cache-dir", str(tmp_path / "cache"), *flags])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def test_a_bad_or_conflicting_aspect_is_one_line_and_exit_code_2(tmp_path, capsys):
    for flags, words in ((["--aspect", "21:9"], "There is no aspect ratio '21:9'. Use one of 9:16, 1:1, 4:5, 16:9"),
                         (["--aspect", "16:9", "--width", "1080", "--height", "1920"], "A 1080×1920 frame is not 16:9"),
                         (["--aspect", "16:9", "--width", "5000"], "cannot be encoded")):
        code, _, err = _make(tmp_path, capsys, *flags)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and words in lines[0], err
    assert not (tmp_path / "out").exists()  # refused before anything was made


@pytest.mark.parametrize(("aspect", "full"), [("1:1", (1080, 1080)), ("4:5", (1080, 1350)), ("16:9", (1920, 1080))])
def test_the_dry_run_plans_each_aspect_at_full_size(tmp_path, capsys, aspect, full):
    code, plan, _ = _make(tmp_path, capsys, "--aspect", aspect, "--dry-run")
    assert code == 0 and plan["frame"] == {"width": full[0], "height": full[1], "aspect": aspect}


@pytest.mark.parametrize(("flags", "size"), [(("--aspect", "1:1", "--height", "180"), (180, 180)),
                                             (("--aspect", "4:5", "--width", "216"), (216, 270))])
@pytest.mark.slow
def test_square_and_portrait_renders_have_their_shape(tmp_path, capsys, flags, size):
    code, result, err = _make(tmp_path, capsys, *flags)
    assert code == 0, err
    info = probe(result["video_path"])
    assert (info.width, info.height) == size and info.video_codec == "h264"


@pytest.mark.slow
def test_a_batch_row_takes_an_aspect(tmp_path, monkeypatch, fakes, capsys):
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{tmp_path / 'jobs.db'}")
    topics = tmp_path / "topics.csv"
    topics.write_text("topic,scenes,aspect,width,script_provider,voice_provider,clip_provider\n"
                      "Why cats purr,3,16:9,320,fake,fake,fake\n"
                      "Why owls hoot,3,3:2,,fake,fake,fake\n", encoding="utf-8")
    assert cli.main(["batch", str(topics), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]) == 1
    with open(tmp_path / "topics_results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["status"] for r in rows] == ["succeeded", "invalid"]
    assert (probe(rows[0]["path"]).width, probe(rows[0]["path"]).height) == (320, 180)
    assert "no aspect ratio '3:2'" in rows[1]["message"]


@pytest.mark.slow
def test_make_aspect_16_9_is_1920x1080_with_its_captions_inside_the_frame(tmp_path, capsys):
    code, result, err = _make(tmp_path, capsys, "--aspect", "16:9")
    assert code == 0, err
    path = result["video_path"]
    info = probe(path)
    assert (info.width, info.height, info.video_codec) == (1920, 1080, "h264")
    # the caption layer the assembler drew for each scene: rebuilt from the cached voices, as it was drawn
    pipeline = Pipeline(settings_from_env(cache_dir=tmp_path / "cache", scenes=3, width=1920, height=1080))
    script = pipeline.write_script("Why do cats purr?")
    start = 0.0
    for scene in script.scenes:
        track = pipeline.voice_for(scene)
        cues = build_cues(timings_for(track, scene.narration), pipeline.settings.captions, 1920, 1080)
        for cue in cues:
            assert 0 <= cue.x and cue.x + cue.width <= 1920 and 0 <= cue.y and cue.y + cue.height <= 1080, cue
        # and it is on screen where it was placed: outlined text inside the cue's box, in the real frame
        inside = [c for c in cues if 0.6 < (c.start + c.end) / 2 < track.duration - 0.6]  # not in a fade
        cue = max(inside, key=lambda c: c.end - c.start)
        frame = frame_at(path, start + (cue.start + cue.end) / 2, 1920, 1080)
        box = frame[cue.y: cue.y + cue.height, cue.x: cue.x + cue.width]
        assert caption_pixels(box, 0.0, 1.0) > 300
        start += track.duration
    assert pipeline.tally.misses == 0  # every voice came from the run's cache: the very words it drew


@pytest.mark.slow
def test_the_studio_frames_a_project_by_aspect_and_saves_it(fake_settings, cache, tmp_path):
    from tests.test_studio_document import FORMAT_1
    from viralreel_core.studio import Studio, StudioConfig

    def studio() -> Studio:
        return Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)

    first = studio()
    assert first.aspect == "9:16" and (first.settings().width, first.settings().height) == (180, 320)
    first.set_aspect("16:9")  # the resolution stays (short side 180), the shape changes
    assert first.aspect == "16:9" and (first.settings().width, first.settings().height) == (320, 180)
    with pytest.raises(BadConfiguration, match="no aspect ratio"):
        first.set_aspect("2:1")
    first.form.topic, first.form.scenes = "Why owls hoot", 3
    first.start_script().wait()
    first.poll()
    first.accept_script()
    first.start_voices()
    first.start_clips()
    first.wait()
    upload = FakeClipMaker().make("holiday footage", 3.0, tmp_path)  # a person's own portrait clip, too
    first.use_upload(first.uids[1], "holiday.mp4", open(upload.video_path, "rb").read())
    first.start_render()
    first.wait()
    assert not first.errors, first.errors
    path = first.last_render["video_path"]
    info = probe(path)
    assert (info.width, info.height) == (320, 180)
    # the fake's portrait clips and the upload are cover-cropped into the landscape frame: no black bars
    starts = np.cumsum([0.0] + [first.voices[u].asset.duration for u in first.uids])
    for t in (starts[0] + 1.0, starts[1] + 1.0):  # a made clip, then the upload
        frame = frame_at(path, t, 320, 180)
        assert min(frame[:3].mean(), frame[-3:].mean(), frame[:, :3].mean(), frame[:, -3:].mean()) > 20, t

    reopened = studio()
    reopened.open(json.loads(json.dumps(first.to_document())))
    assert reopened.aspect == "16:9" and reopened.settings().width == 320
    old = studio()  # saved before aspects existed: its 180×320 reads as 9:16
    old.set_aspect("1:1")
    old.open(json.loads(FORMAT_1.read_text()))
    assert old.aspect == "9:16" and (old.options["width"], old.options["height"]) == (180, 320)


OFFLINE_SCENES = [
    ("A volcano erupting at night", "Volcanoes form where tectonic plates pull apart or where hot spots melt "
                                    "the crust 30 kilometres down."),
    ("A cat asleep in the sun", "Supercalifragilisticexpialidocious antidisestablishmentarianism everywhere"),
    ("Ocean waves at sunset", "The ocean covers seventy one percent of the planet and holds ninety seven "
                              "percent of its water."),
    ("Mount Fuji", "火山は地下のマグマが地表に噴き出すことで生まれます"),
]


def _visible_box(sprite) -> tuple[int, int, int, int]:
    left, top, right, bottom = sprite.image.getbbox()
    return sprite.x + left, sprite.y + top, sprite.x + right, sprite.y + bottom


@pytest.mark.parametrize("aspect", list(ASPECTS))
def test_offline_clips_lay_their_words_and_symbol_inside_each_frame_above_the_captions(aspect):
    from viralreel_core.providers.clips import kinetic
    from viralreel_core.providers.clips.local_clips import Float, design_scene

    width, height = frame_size(aspect)
    wide = aspect == "16:9"
    caption_top = min(c.y for c in build_cues(estimate_word_timings(SENTENCE, 12.0), width=width, height=height))
    for visuals, narration in OFFLINE_SCENES:
        design = design_scene(visuals, narration, 6.0, width, height, 3.0)
        fixed = [s for s in design.sprites if not isinstance(s.motion, Float)]
        assert fixed and design.plan.beats, (aspect, visuals)
        for sprite in fixed:  # every word and the symbol, where they rest and where they arrive from
            x0, y0, x1, y1 = _visible_box(sprite)
            dy = max(abs(sprite.motion.offset(t)[1]) for t in (sprite.motion.start, sprite.motion.start + 1.0))
            assert 0 <= x0 and x1 <= width and 0 <= y0 - dy and y1 + dy <= height, (aspect, visuals, sprite.shown)
        for variant in kinetic.VARIANTS:
            plan = kinetic.plan_kinetics(narration, 6.0, width, height, pace=3.0, variant=variant)
            for beat in plan.beats:  # the words end above the captions, whatever the layout
                lines = beat.text.count("\n") + 1
                assert beat.y + lines * round(beat.font_size * 1.08) < caption_top, (aspect, variant, beat.text)
                if wide:  # beside the symbol, in the left column, not across the whole frame
                    text_w = max(kinetic.load_font(beat.font_size, beat.text).getlength(line)
                                 for line in beat.text.split("\n"))
                    assert beat.x + text_w <= 0.74 * width + 1, (variant, beat.text)
        badge = [s for s in fixed if not math.isfinite(s.shown[1])]
        if badge and wide:  # a wide frame's symbol stands right of the words, large
            x0, _, _, _ = _visible_box(badge[0])
            assert x0 >= 0.74 * width - 0.02 * width and badge[0].image.height >= 0.3 * height


def test_a_landscape_offline_clip_draws_its_words_where_the_plan_put_them(tmp_path):
    from tests.test_kinetic_clips import sprite_match
    from viralreel_core.providers.clips.local_clips import LocalClipMaker

    width, height = frame_size("16:9", 270)
    maker = LocalClipMaker(width, height, 15)
    visuals, narration = OFFLINE_SCENES[0]
    design = maker.design(visuals, 4.0, narration)
    clip = maker.make(visuals, 4.0, tmp_path, narration=narration)
    assert (probe(clip.video_path).width, probe(clip.video_path).height) == (480, 270)
    words = [s for s in design.sprites if math.isfinite(s.shown[1]) and s.shown[1] - s.shown[0] > 0.6]
    assert words
    for sprite in words[:3]:
        t = sprite.shown[0] + 0.45
        assert sprite_match(frame_at(clip.video_path, t, width, height), sprite, t) < 15, sprite.shown
    assert maker.cache_params()["layout"] == "wide"
    assert "layout" not in LocalClipMaker(1080, 1920).cache_params()  # upright clips keep their cache keys


def test_the_frame_is_in_every_clip_key_that_its_pixels_depend_on():
    from viralreel_core.providers.clips.local_clips import LocalClipMaker
    from viralreel_core.providers.clips.pexels import PexelsClips
    from viralreel_core.providers.clips.runway import RunwayClips

    for maker in (LocalClipMaker, RunwayClips, PexelsClips):
        params = {a: json.dumps(maker.from_settings(settings_from_env(environ={}, width=w, height=h)).cache_params(),
                                sort_keys=True)
                  for a, (w, h) in ((a, frame_size(a)) for a in ("9:16", "1:1", "16:9"))}
        assert len(set(params.values())) == 3, (maker, params)
