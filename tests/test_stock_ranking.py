"""Stock footage that fits the words: phrases searched and ranked, a vision check of the best candidates, no
video twice in one video. Real HTTP to fakes of Pexels, Pixabay and OpenAI's chat completions (vision)."""

from __future__ import annotations

import pytest

from tests.fakes.servers import FakeOpenAI, FakePexels, FakePixabay
from viralreel_core.cache.store import AssetCache
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import NoGoodFootage
from viralreel_core.models import Scene, Script
from viralreel_core.providers.clips.pexels import PexelsClips
from viralreel_core.providers.clips.pixabay import PixabayClips
from viralreel_core.providers.clips.stock import VISION_MAX, VISION_TOP
from viralreel_core.providers.clips.vision_check import VisionCheck
from viralreel_core.run.pipeline import Pipeline

OPENAI_KEY = "sk-test-OPENAI-0123456789abcdef"
PEXELS_KEY = "px-test-0123456789"
PIXABAY_KEY = "12345-pixabaytestkey"
VISUALS = "A polar bear walking across glacier ice, cool blue tones, rich cinematic lighting"
PHRASES = ("glacier ice", "polar bear")


@pytest.fixture
def openai_api():
    with FakeOpenAI(OPENAI_KEY) as fake:
        yield fake


@pytest.fixture
def pexels():
    with FakePexels(PEXELS_KEY) as fake:
        yield fake


def vision(openai_api) -> VisionCheck:
    return VisionCheck(OPENAI_KEY, base_url=f"{openai_api.url}/v1")


def maker(pexels, check=None, **kw) -> PexelsClips:
    return PexelsClips(PEXELS_KEY, base_url=pexels.url, width=180, height=320, vision=check, **kw)


def test_each_phrase_is_searched_and_a_match_beats_a_better_fit_that_matches_nothing(pexels, tmp_path):
    pexels.shows = lambda query: "office meeting" if query == "glacier ice" else query
    pexels.keep = lambda v: v["duration"] == 12 or "bear" not in v["url"]  # the bear's only long video is left
    clip = maker(pexels).make(VISUALS, 6, tmp_path, PHRASES)
    assert [r.param("query") for r in pexels.requests_to("/videos/search")] == ["glacier ice", "polar bear"]
    assert clip.choice["matched"] == ["polar bear"] and "polar-bear" in clip.choice["page"]
    assert clip.choice["why"] == "matched: 'polar bear'"
    assert all("office" not in other["page"] for other in clip.choice["others"])  # only matching ones are offered


def test_phrases_are_read_from_the_visuals_without_style_words_when_a_scene_has_none(pexels, tmp_path):
    maker(pexels).make(VISUALS, 6, tmp_path)
    assert [r.param("query") for r in pexels.requests_to("/videos/search")] == ["polar bear walking", "glacier ice"]


def test_a_candidate_the_vision_check_turns_down_is_never_chosen(pexels, openai_api, tmp_path):
    openai_api.off_topic = {"glacier-ice-preview"}  # every video the first phrase finds shows something else
    clip = maker(pexels, vision(openai_api)).make(VISUALS, 6, tmp_path, PHRASES)
    assert "glacier-ice" not in clip.choice["preview"] and clip.choice["vision"] == "yes"
    assert clip.choice["why"] == "matched: 'polar bear', vision: yes (8/10)"
    assert any("glacier-ice" in url for url, _ in openai_api.vision_asked)  # it was asked, and said no
    assert all("glacier-ice" not in other["preview"] for other in clip.choice["others"])
    assert clip.choice["rejected"] >= 1
    sent = openai_api.requests_to("/chat/completions")[0].json
    assert sent["model"] == "gpt-4o-mini" and sent["response_format"]["json_schema"]["strict"] is True
    assert {detail for _, detail in openai_api.vision_asked} == {"low"}


def test_the_checks_cost_is_the_clips_and_is_in_the_estimate(pexels, openai_api, tmp_path):
    clips = maker(pexels, vision(openai_api))
    estimate = clips.estimate_cost(6)
    clip = clips.make(VISUALS, 6, tmp_path, PHRASES)
    asked = len(openai_api.vision_asked)
    assert asked == VISION_TOP  # the best three, at once
    # gpt-4o-mini bills a low-detail image as 2833 input tokens: about $0.00045 a check
    assert clip.cost_usd == pytest.approx(asked * 0.00045, rel=0.1)
    assert estimate == pytest.approx(clip.cost_usd, rel=0.15)
    assert maker(pexels).estimate_cost(6) == 0.0  # no vision check: stock is free


def test_no_good_candidate_says_so_and_carries_what_the_checks_cost(pexels, openai_api, tmp_path):
    openai_api.off_topic = {"-preview"}  # the vision model turns every candidate down
    with pytest.raises(NoGoodFootage) as info:
        maker(pexels, vision(openai_api)).make(VISUALS, 6, tmp_path, PHRASES)
    assert "no good match for 'glacier ice', 'polar bear'" in str(info.value)
    assert "turned down by the footage check" in str(info.value)
    assert len(openai_api.vision_asked) == 4 <= VISION_MAX  # every portrait Full HD candidate, each once
    assert info.value.spent_usd == pytest.approx(4 * 0.00045, rel=0.1)


def test_at_most_vision_max_candidates_are_checked_for_one_scene(pexels, openai_api, tmp_path):
    openai_api.off_topic = {"-preview"}
    with pytest.raises(NoGoodFootage):
        maker(pexels, vision(openai_api)).make(VISUALS, 6, tmp_path, ("glacier ice", "polar bear", "iceberg", "snow"))
    assert len(openai_api.vision_asked) == VISION_MAX


def test_nothing_matching_any_phrase_is_no_good_match_without_asking_the_vision_model(pexels, openai_api, tmp_path):
    pexels.shows = lambda query: "office meeting"
    with pytest.raises(NoGoodFootage, match="match no phrase"):
        maker(pexels, vision(openai_api)).make(VISUALS, 6, tmp_path, PHRASES)
    assert openai_api.vision_asked == []


def test_verdicts_and_searches_are_cached_by_content_so_a_rerun_pays_nothing(pexels, openai_api, tmp_path):
    cache = AssetCache(tmp_path / "cache")
    first = maker(pexels, vision(openai_api))
    first.use_cache(cache)
    made = first.make(VISUALS, 6, tmp_path, PHRASES)
    searched, asked = len(pexels.requests_to("/videos/search")), len(openai_api.vision_asked)
    again = maker(pexels, vision(openai_api))  # another run, same scene
    again.use_cache(cache)
    remade = again.make(VISUALS, 6, tmp_path, PHRASES)
    assert remade.choice["key"] == made.choice["key"] and remade.cost_usd == 0.0 < made.cost_usd
    assert len(pexels.requests_to("/videos/search")) == searched and len(openai_api.vision_asked) == asked


def test_vision_follows_the_setting_and_needs_an_openai_key(openai_api):
    base = {"PEXELS_API_KEY": PEXELS_KEY, "OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": f"{openai_api.url}/v1"}
    assert PexelsClips.from_settings(settings_from_env(environ=base))._vision is not None
    assert PexelsClips.from_settings(settings_from_env(environ=base)).cache_params()["vision"] == "gpt-4o-mini"
    off = settings_from_env(environ=base, provider_options={"stock_vision": "false"})
    assert PexelsClips.from_settings(off)._vision is None and PexelsClips.from_settings(off).estimate_cost(6) == 0
    no_key = settings_from_env(environ={"PEXELS_API_KEY": PEXELS_KEY})
    assert PixabayClips.from_settings(no_key)._vision is None


def test_pixabay_candidates_are_checked_by_their_thumbnails(openai_api, tmp_path):
    with FakePixabay(PIXABAY_KEY) as pixabay:
        openai_api.off_topic = {"/glacier-ice.jpg"}
        clips = PixabayClips(PIXABAY_KEY, base_url=pixabay.url, width=180, height=320, vision=vision(openai_api))
        clip = clips.make(VISUALS, 6, tmp_path, PHRASES)
    assert clip.choice["matched"] == ["polar bear"] and clip.choice["preview"].endswith("/polar-bear.jpg")
    assert all(url.startswith("https://cdn.pixabay.com/video/") for url, _ in openai_api.vision_asked)


def scenes(count: int) -> Script:
    return Script("Ice", "Ice", tuple(Scene(i, f"{VISUALS} {'again ' * i}", f"Scene {i} says ice.", PHRASES)
                                      for i in range(1, count + 1)))


def pipeline(pexels, tmp_path) -> Pipeline:
    settings = settings_from_env(environ={"PEXELS_API_KEY": PEXELS_KEY, "PEXELS_BASE_URL": pexels.url},
                                 clip_provider="pexels", cache_dir=tmp_path / "cache", width=180, height=320)
    return Pipeline(settings)


def test_no_video_is_used_twice_in_one_video_even_beside_clips_from_the_cache(pexels, tmp_path):
    with pipeline(pexels, tmp_path) as first:
        _, clips, skipped = first.make_media(scenes(1), voices=False)
    cached = clips[1].choice["key"]
    with pipeline(pexels, tmp_path) as again:  # scene 1 comes from the cache; four more scenes search
        _, clips, skipped = again.make_media(scenes(5), voices=False)
    keys = [clips[n].choice["key"] for n in sorted(clips)]
    assert skipped == [] and clips[1].choice["key"] == cached
    assert len(set(keys)) == 5, keys


def test_the_vision_checks_are_in_the_runs_estimate_and_its_tally(pexels, openai_api, tmp_path):
    settings = settings_from_env(environ={"PEXELS_API_KEY": PEXELS_KEY, "PEXELS_BASE_URL": pexels.url,
                                          "OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": f"{openai_api.url}/v1"},
                                 clip_provider="pexels", cache_dir=tmp_path / "cache", width=180, height=320)
    script = scenes(3)
    with Pipeline(settings) as run:
        estimate = run.estimate_cost("clips", script.scenes)
        _, clips, skipped = run.make_media(script, voices=False)
        spent = run.tally.spent_usd
    assert skipped == [] and len(openai_api.vision_asked) == 3 * VISION_TOP
    assert spent == pytest.approx(sum(c.cost_usd for c in clips.values())) and spent > 0
    assert estimate == pytest.approx(spent, rel=0.15)
