"""Offline clips show their narration: key words laid out in time, and those very pixels in the rendered frames."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.media import frame_at, probe
from viralreel_core import Pipeline, providers
from viralreel_core.environment import settings_from_env
from viralreel_core.models import Scene
from viralreel_core.providers.clips import kinetic, local_backdrop, symbols
from viralreel_core.providers.clips.kinetic import key_phrases, narration_timings, plan_kinetics
from viralreel_core.providers.clips.local_backdrop import luma
from viralreel_core.providers.clips.local_clips import (
    FLOATERS,
    LOCAL_VOICE_PACE,
    OTHER_VOICE_PACE,
    Float,
    LocalClipMaker,
)

W, H, FPS = 360, 640, 30
VISUALS = "A volcano erupting at night, glowing lava"
NARRATION = ("Volcanoes form where tectonic plates pull apart or collide, letting magma rise "
             "30 kilometres to the surface.")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    maker = LocalClipMaker(W, H, FPS)
    out = tmp_path_factory.mktemp("kinetic")
    return maker, maker.design(VISUALS, 6.0, NARRATION), maker.make(VISUALS, 6.0, out, narration=NARRATION)


def sprite_match(frame: np.ndarray, sprite, t: float) -> float:
    """Mean difference between the frame and the sprite's solid pixels where ffmpeg should have put them.

    The sprite's position at ``t`` comes from its Motion (the same motion ffmpeg's overlay evaluates);
    a couple of pixels either way are allowed for yuv420's even positions. Edges are left out (chroma
    subsampling smears them); what remains must be the sprite's own colours.
    """
    image = np.asarray(sprite.image.convert("RGBA"))
    solid = image[..., 3] == 255
    inner = solid.copy()  # solid pixels whose neighbours are solid too
    for dy, dx in ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, -1), (2, 0), (0, 2)):
        inner &= np.roll(np.roll(solid, dy, axis=0), dx, axis=1)
    dx, dy = sprite.motion.offset(t)
    best = math.inf
    for ox in range(-2, 3):
        for oy in range(-2, 3):
            x, y = round(sprite.x + dx) + ox, round(sprite.y + dy) + oy
            ys, xs = np.nonzero(inner)
            fy, fx = ys + y, xs + x
            keep = (fy >= 0) & (fy < frame.shape[0]) & (fx >= 0) & (fx < frame.shape[1])
            if keep.sum() < 50:
                continue
            got = frame[fy[keep], fx[keep]].astype(int)
            want = image[ys[keep], xs[keep], :3].astype(int)
            best = min(best, float(np.abs(got - want).mean()))
    return best


def test_key_phrases_are_the_narrations_content_words_in_order():
    texts = [p.text for p in key_phrases(NARRATION)]
    assert texts[:3] == ["Volcanoes form", "tectonic plates", "pull apart"]
    assert "30 kilometres" in texts  # a number keeps its noun and starts its own phrase
    words = {w.lower() for t in texts for w in t.split()}
    assert not words & {"where", "or", "to", "the"}  # function words are never set large


def test_a_counted_word_keeps_its_number_even_one():
    """A how-to's "Step one" was headlined STEP ("one" is a stop word); "Reason two" always kept its number."""
    assert [p.text for p in key_phrases("Step one: loosen the nuts before you lift the car.")][0] == "Step one"
    assert [p.text for p in key_phrases("Reason two is the wax.")][0] == "Reason two"
    assert [p.text for p in key_phrases("This one is mine, and one thing matters.")] == ["matters"]  # no count


def test_a_sentences_frame_words_label_it_where_they_open_it_and_nowhere_else():
    """A draft's call to action was headlined "SEND / KEEPS ASKING", a point "LINE" (from "…in one line:"):
    frame words (``STRUCTURE_WORDS``) may open a sentence as its label, never headline it from further in."""
    topic = "How honeybees choose a new home"
    cta = key_phrases("Send this to someone who keeps asking about how honeybees choose a new home.", known=topic)
    assert [p.text for p in cta] == ["Send"]
    assert key_phrases(f"{topic} in one line: [{topic.lower()}, explained simply].", known=topic) == []
    assert [p.text for p in key_phrases(f"A number about {topic.lower()}: [one figure].", known=topic)] == ["number"]
    assert [p.text for p in key_phrases("Step one: loosen the nuts.")][0] == "Step one"  # a count is no frame
    own = [p.text for p in key_phrases("Bees vote. The scouts dance for the best site in one line of bees.")]
    assert "line" not in own and "scouts dance" in own


@pytest.mark.slow
def test_the_plan_times_each_key_phrase_to_its_word_and_keeps_it_in_the_text_area(made):
    maker, design, _ = made
    beats = design.plan.beats
    assert len(beats) == kinetic.MAX_BEATS  # a headline of two, not the caption line again
    said = NARRATION.split()
    timings = narration_timings(NARRATION, maker.pace)
    shown = " ".join(b.text.replace("\n", " ") for b in beats)
    assert "VOLCANOES" in shown
    assert all(b.end > 6.0 for b in beats)  # they stay: the captions run on below them
    for beat in beats:
        first = next(i for i in range(len(said)) if tuple(said[i:i + len(beat.words)]) == beat.words)
        assert beat.start == pytest.approx(max(0.0, timings[first].start - 0.08), abs=0.01)
        assert beat.start < beat.end and 0 <= beat.x and beat.x + 10 < W
        assert kinetic.TEXT_TOP * H <= beat.y < kinetic.TEXT_BOTTOM * H
    assert [b.start for b in beats] == sorted(b.start for b in beats)
    assert sum(b.boxed for b in beats) == 1  # one strongest phrase per scene


@pytest.mark.slow
def test_each_key_phrase_is_drawn_in_the_frames_while_it_is_on_screen(made):
    _, design, clip = made
    info = probe(clip.video_path)
    assert (info.width, info.height, info.fps) == (W, H, FPS) and info.duration == pytest.approx(6.5, abs=0.05)
    text_sprites = [s for s in design.sprites if math.isfinite(s.shown[1])]
    assert len(text_sprites) >= len(design.plan.beats)
    checked = 0
    for sprite in text_sprites:
        start, end = sprite.shown
        t = min(end - 0.1, start + (0.4 if sprite.fade_in else 0.1))
        if t <= start or t > 6.4:
            continue
        frame = frame_at(clip.video_path, t, W, H)
        assert sprite_match(frame, sprite, t) < 15, (sprite.shown, t)
        if start > 0.4:  # before it arrives, those pixels show something else
            before = frame_at(clip.video_path, start - 0.3, W, H)
            assert sprite_match(before, sprite, t) > 45, (sprite.shown, t)
        checked += 1
    assert checked >= 2


@pytest.mark.slow
def test_the_scenes_other_symbols_stand_beside_its_subject_and_rise_in_as_their_words_are_said(tmp_path):
    if not symbols.symbol_font():
        pytest.skip("no emoji or symbol font installed here (.ci/run installs fonts-noto-color-emoji)")
    narration = "Volcanoes pour their lava into the sea, and a whole new island of rock is born."
    visuals = "Aerial shot of a volcano at sunset, glowing orange and deep red tones, rich cinematic lighting"
    maker = LocalClipMaker(W, H, FPS)
    design = maker.design(visuals, 6.0, narration)
    assert design.symbol[0] == "🌋"
    sides = [s for s in design.sprites if s.shown[0] > 0 and not math.isfinite(s.shown[1])]
    assert len(sides) >= 1
    timings = narration_timings(narration, maker.pace)
    sea = narration.split().index("sea,")
    first = min(sides, key=lambda s: s.shown[0])
    assert first.shown[0] == pytest.approx(timings[sea].start - 0.08, abs=0.01)  # as the voice says "sea"
    assert first.y + first.image.height < kinetic.TEXT_TOP * H + 40  # up with the subject, above the words
    clip = maker.make(visuals, 6.0, tmp_path, narration=narration)
    later = first.shown[0] + 0.6
    assert sprite_match(frame_at(clip.video_path, later, W, H), first, later) < 15
    assert sprite_match(frame_at(clip.video_path, max(0.0, first.shown[0] - 0.3), W, H), first, later) > 45


def test_the_words_of_a_place_to_fill_in_are_never_set_large_nor_give_a_symbol():
    narration = "Black holes: [the one fact about black holes that made you stop scrolling, with a child]."
    phrases = [p.text.lower() for p in key_phrases(narration)]
    assert phrases == ["black holes"]
    assert [h.emoji for h in symbols.scene_symbols(narration)] == ["⚫"]  # not 👶 from the bracket's "child"


def test_the_subjects_symbol_is_drawn_near_the_top(made):
    _, design, clip = made
    if not symbols.symbol_font():
        pytest.skip("no emoji or symbol font installed here (.ci/run installs fonts-noto-color-emoji)")
    assert design.symbol is not None and design.symbol[0] == "🌋"
    badge, = (s for s in design.sprites if isinstance(s.motion, kinetic.Motion) and not math.isfinite(s.shown[1]))
    assert badge.y + badge.image.height < kinetic.TEXT_TOP * H + 20
    assert sprite_match(frame_at(clip.video_path, 2.0, W, H), badge, 2.0) < 15
    floaters = [s for s in design.sprites if isinstance(s.motion, Float)]
    assert len(floaters) == FLOATERS
    assert len({s.x for s in floaters}) == FLOATERS and all(s.image.getchannel("A").getextrema()[1] < 100
                                                           for s in floaters)  # faint, spread out
    y0, y1 = (floaters[0].motion.offset(t)[1] for t in (0.5, 1.5))
    assert y1 < y0  # they rise


def test_without_a_symbol_font_the_clip_is_still_made(tmp_path):
    maker = LocalClipMaker(W, H, FPS, fonts={})  # a machine with no emoji or symbol font installed
    assert maker.cache_params()["symbol_font"] == ""
    design = maker.design(VISUALS, 2.0, NARRATION)
    assert design.symbol is not None and all(math.isfinite(s.shown[1]) for s in design.sprites)
    assert probe(maker.make(VISUALS, 2.0, tmp_path, narration=NARRATION).video_path).duration >= 2.0


def test_scenes_of_one_video_look_different():
    maker = LocalClipMaker(W, H, FPS)
    scenes = [("A cat asleep in a sunbeam", "Why do cats purr? Give me thirty seconds."),
              ("A cat purring on a lap", "Purring runs at 25 to 150 hertz, which may help bones heal."),
              ("A vet listening to a cat", "Vets think purring also calms the cat itself when it is hurt."),
              ("A happy cat stretching", "Follow for more cat science every week.")]
    designs = [maker.design(v, 4.0, n) for v, n in scenes]
    assert len({d.style for d in designs}) == 4
    assert len({tuple(b.text for b in d.plan.beats) for d in designs}) == 4
    assert {d.symbol[0] for d in designs if d.symbol} == {"🐱"}  # the subject, every time


def test_symbols_follow_the_subject():
    assert symbols.subject_symbol("How volcanoes work")[0] == "🌋"
    assert symbols.subject_symbol("Why do cats purr?")[0] == "🐱"
    assert symbols.subject_symbol("The future of AI")[0] == "🤖"
    assert symbols.subject_symbol("Why is the sky blue?")[0] == "❓"  # a question, nothing more specific
    assert symbols.subject_symbol("How to fall asleep in two minutes")[0] == "😴"  # it was ❓ from "how"
    assert symbols.subject_symbol("quarterly review meeting") is None


@pytest.mark.parametrize(("narration", "visuals", "emoji"), [
    # the cases: the style words used to win ("rich" -> 💰, "golden" -> 🥇, "history" first -> 🏛)
    ("Black holes: [the one fact about black holes that made you stop scrolling].",
     "Overhead shot of black holes under a sky full of stars, deep purple and starlight silver tones, "
     "rich cinematic lighting", "⚫"),
    ("Here is the reason, in short: [your answer in one line].",
     "Close-up of a fluffy cat in a sunbeam, soft golden and warm cream tones, glowing golden-hour warmth", "🐱"),
    ("A number about the history of the bicycle: [one figure, and where it comes from].",
     "Handheld shot of history bicycle in a dusty old library, sepia and warm amber tones", "🚲"),
    ("Money is rich in history.", "a golden coin", "💰"),  # nouns still count: "money" is the subject
])
def test_the_subject_symbol_comes_from_the_scenes_nouns_never_its_style_words(narration, visuals, emoji):
    assert symbols.subject_symbol(narration, visuals)[0] == emoji
    assert symbols.subject_symbol("", "rich cinematic lighting, golden tones, bold high-contrast look") is None


def test_the_palette_the_visuals_name_is_the_clips_palette():
    import colorsys

    def hue(rgb):
        return colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0] * 360

    mood, colours = local_backdrop.palette_for(
        "Overhead shot of black holes, deep purple and starlight silver tones, rich cinematic lighting")
    assert mood == "named" and 260 <= hue(colours[1]) <= 290  # purple, not the "rich" -> gold of before
    mood, colours = local_backdrop.palette_for("A robot hand, electric blue and neon purple tones, bold look")
    assert mood == "named" and 200 <= hue(colours[1]) <= 240 and 260 <= hue(colours[3]) <= 290
    assert local_backdrop.palette_for("a cat in a sunbeam, rich cinematic lighting")[0] != "gold"
    assert [luma(c) for c in colours] == sorted(luma(c) for c in colours)  # dark to light, as before



def test_every_palette_the_offline_writer_names_is_the_clips_palette():
    """The writer's own palettes colour the clip whatever the subject ("vibrant rainbow tones" once named
    nothing the backdrop knew, and a bee video came out honey-yellow)."""
    from viralreel_core.providers.script.local_script_data import DEFAULT_PALETTES, THEMES

    for palette in {*DEFAULT_PALETTES, *(theme[3] for theme in THEMES.values())}:
        visuals = f"Close-up of honeybees on a flower, {palette} tones, rich cinematic lighting"
        assert local_backdrop.palette_for(visuals)[0] == "named", palette


def test_rainbow_tones_are_three_colours_far_apart_and_no_subject():
    import colorsys

    from viralreel_core.providers.clips.scene_words import named_colours

    hues = [colorsys.rgb_to_hsv(*(c / 255 for c in rgb))[0] * 360
            for rgb in named_colours("Time-lapse of honeybees, vibrant rainbow tones")]
    assert len(hues) == 3
    assert all(min(abs(a - b), 360 - abs(a - b)) >= 90 for i, a in enumerate(hues) for b in hues[i + 1:]), hues


def test_a_lights_time_of_day_or_source_names_no_symbol_nor_stock_search():
    """"Soft morning light" is how a scene is lit: no ⏰ beside the bees, no "morning" in its stock search;
    a morning that is the subject still counts."""
    from viralreel_core.providers.clips.search_phrases import phrases_from_text

    visuals = "Slow zoom out from honeybees in soft morning light, vibrant rainbow tones, vibrant cinematic colours"
    assert [hit.emoji for hit in symbols.scene_symbols("", visuals)] == ["🐝"]
    assert phrases_from_text(visuals) == ("honeybees",)
    assert [hit.emoji for hit in symbols.scene_symbols("", "Under dramatic studio lights, a fluffy cat")] == ["🐱"]
    assert "⏰" in [hit.emoji for hit in symbols.scene_symbols("", "A morning run through the park")]
    assert phrases_from_text("A morning run through the park") == ("morning run", "park")


def test_the_first_scenes_words_wait_for_the_title_card_to_go():
    """The title card covers the first ~1.5 s of the video's first scene, where the headline goes: a key
    phrase said under it arrives as it goes (it showed through the card's band), a page it would leave
    within ``MIN_SHOWN`` is dropped, and the plan is otherwise the same."""
    from viralreel_core.render.title_card import TITLE_SECONDS

    plain = plan_kinetics(NARRATION, 6.0, W, H, pace=3.0)
    opened = plan_kinetics(NARRATION, 6.0, W, H, pace=3.0, opening=TITLE_SECONDS)
    assert plain.beats[0].start < TITLE_SECONDS  # said under the card
    assert all(b.start >= TITLE_SECONDS for b in opened.beats)
    assert [b.text for b in opened.beats] == [b.text for b in plain.beats]
    assert [b.end for b in opened.beats] == [b.end for b in plain.beats]
    two_pages = "Volcanoes. And then, quite suddenly, magma pours everywhere around us."  # the second at ~1.9 s
    pages = plan_kinetics(two_pages, 6.0, W, H, pace=3.0, variant="hero")
    assert len({b.end for b in pages.beats}) == 2 and pages.beats[0].end < 1.5 + kinetic.MIN_SHOWN
    late = plan_kinetics(two_pages, 6.0, W, H, pace=3.0, variant="hero", opening=1.5)
    assert [b.text for b in late.beats] == [b.text for b in pages.beats][1:]


def test_only_the_first_scene_of_an_offline_maker_keeps_the_title_cards_seconds_clear(tmp_path):
    from viralreel_core.render.title_card import TITLE_SECONDS
    from viralreel_core.run.steps import clip_opening

    local = Pipeline(settings_from_env(environ={}, clip_provider="local", cache_dir=tmp_path, **SMALL))
    maker = local.provider("clips")
    first, second = Scene(1, VISUALS, NARRATION), Scene(2, VISUALS, NARRATION)
    assert clip_opening(maker, first, "volcanoes") == TITLE_SECONDS
    assert clip_opening(maker, second, "volcanoes") == 0.0 and clip_opening(maker, first, "") == 0.0
    assert local.clip_key(first, topic="volcanoes") != local.clip_key(first)  # a different clip, cached apart
    stock = Pipeline(settings_from_env(environ={}, clip_provider="fake", cache_dir=tmp_path / "b", **SMALL))
    assert clip_opening(stock.provider("clips"), first, "volcanoes") == 0.0  # draws no words


def test_long_and_non_latin_narrations_fit_the_frame():
    for text in ("Supercalifragilisticexpialidocious antidisestablishmentarianism everywhere",
                 "火山は地下のマグマが地表に噴き出すことで生まれます", "Вулканы образуются там, где расходятся плиты"):
        for variant in kinetic.VARIANTS:
            plan = plan_kinetics(text, 4.0, W, H, pace=3.0, variant=variant)
            assert plan.beats, (text, variant)
            for beat in plan.beats:
                width = max(kinetic.load_font(beat.font_size, beat.text).getlength(line)
                            for line in beat.text.split("\n"))
                assert beat.x >= 0 and beat.x + width <= W + 1, (beat.text, variant)


@pytest.mark.slow
def test_the_pipeline_keys_and_passes_the_narration_only_to_makers_that_draw_it(tmp_path, fakes):
    scene = Scene(1, VISUALS, NARRATION)
    edited = Scene(1, VISUALS, NARRATION.replace("30", "40"))
    local = Pipeline(settings_from_env(environ={}, clip_provider="local", cache_dir=tmp_path / "a", **SMALL))
    assert local.clip_key(scene) != local.clip_key(edited)
    clip = local.clip_for(scene)
    assert probe(clip.video_path).duration >= local.clip_seconds(scene)
    fake = Pipeline(settings_from_env(environ={}, clip_provider="fake", cache_dir=tmp_path / "b", **SMALL))
    assert fake.clip_key(scene) == fake.clip_key(edited)  # a paid maker is never re-run for a narration edit


def test_words_are_timed_at_the_pace_of_the_voice_in_use(tmp_path):
    def maker(**kw):
        return providers.create("clips", settings_from_env(environ={}, clip_provider="local",
                                                             cache_dir=tmp_path, **kw))
    assert maker(voice_provider="local").pace == LOCAL_VOICE_PACE
    assert maker(voice_provider="local", voice_speed=1.5).pace == pytest.approx(1.5 * LOCAL_VOICE_PACE)
    slower = providers.create("clips", settings_from_env(environ={"ELEVENLABS_API_KEY": "el-test"},
                                                         voice_provider="elevenlabs", clip_provider="local",
                                                         cache_dir=tmp_path))
    assert slower.pace == OTHER_VOICE_PACE
    assert slower.cache_params() != maker(voice_provider="local").cache_params()


SMALL = {"width": W, "height": H, "fps": FPS}


def test_a_spanish_narrations_headline_words_are_what_it_is_about_not_its_function_words():
    narrations = ["Los gatos ronronean cuando están tranquilos, pero no solo entonces.",
                  "El sonido nace en la laringe: los músculos vibran unas veinticinco veces por segundo.",
                  "La próxima vez que tu gato ronronee, fíjate en qué está pasando a su alrededor."]
    for narration in narrations:
        words = {w.lower().strip(",.:") for phrase in key_phrases(narration) for w in phrase.text.split()}
        assert not words & {"cuando", "están", "unas", "veces", "próxima", "vez", "está", "pero", "solo"}, words
        assert words, narration
