"""The storyboard says why a stock clip was chosen and offers the next candidates without a new search; a scene that
fell back to another source stays ready. The studio driven without a browser, Pexels and Pixabay as local fakes."""

from __future__ import annotations

import pytest

from tests.fakes.servers import FakePexels, FakePixabay
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.studio import Studio, StudioConfig
from viralreel_core.studio.candidates import next_candidates, use_candidate, why_lines

PEXELS_KEY = "px-test-0123456789"
PIXABAY_KEY = "12345-pixabaytestkey"


@pytest.fixture
def stock():
    with FakePexels(PEXELS_KEY) as pexels, FakePixabay(PIXABAY_KEY) as pixabay:
        yield pexels, pixabay


@pytest.fixture
def studio(stock, cache, tmp_path, fakes) -> Studio:
    pexels, pixabay = stock
    settings = settings_from_env(environ={"PEXELS_API_KEY": PEXELS_KEY, "PEXELS_BASE_URL": pexels.url,
                                          "PIXABAY_API_KEY": PIXABAY_KEY, "PIXABAY_BASE_URL": pixabay.url},
                                 script_provider="fake", voice_provider="fake", clip_provider="pexels",
                                 cache_dir=cache.directory, output_dir=tmp_path / "out", width=180, height=320)
    s = Studio(settings, cache, StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    s.form.topic = "Cats"
    s.form.scenes = 3
    s.start_script().wait()
    s.poll()
    s.accept_script()
    return s


def clips_made(studio: Studio) -> Studio:
    studio.start_clips()
    studio.wait()
    assert not studio.errors, studio.errors
    return studio


def test_each_clip_says_why_it_was_chosen_and_a_next_candidate_is_used_without_a_new_search(studio, stock):
    pexels, _ = stock
    clips_made(studio)
    uid = studio.scenes()[0][0]
    clip = studio.clips[uid].asset
    assert why_lines(clip) and why_lines(clip)[0].startswith("matched: ")
    others = next_candidates(clip)
    assert others and all(o["key"] != clip.choice["key"] and o["why"].startswith("matched: ") for o in others)
    searches = len(pexels.requests_to("/videos/search"))
    picked = use_candidate(studio, uid, others[0]["key"])
    assert len(pexels.requests_to("/videos/search")) == searches  # the cached answers, not a new search
    assert picked.choice["key"] == others[0]["key"] and studio.clips[uid].asset.choice["key"] == others[0]["key"]
    assert studio.clips[uid].take == 1 and [s.status for s in studio.states("clips")][0] == "ready"
    assert clip.choice["key"] in {o["key"] for o in next_candidates(picked)}  # the first pick is offered back


def test_only_an_offered_candidate_can_be_used(studio):
    clips_made(studio)
    uid = studio.scenes()[0][0]
    with pytest.raises(BadInput, match="not among this scene's next candidates"):
        use_candidate(studio, uid, "pexels:1")


def test_a_scene_made_by_the_next_source_is_ready_and_says_why(studio, stock):
    pexels, _ = stock
    pexels.shows = lambda query: "office meeting"  # Pexels matches nothing: every scene goes to Pixabay
    clips_made(studio)
    assert [s.status for s in studio.states("clips")] == ["ready"] * 3
    clip = studio.clips[studio.scenes()[0][0]].asset
    assert clip.provider == "pixabay" and why_lines(clip)[0].startswith("no good match first: Pexels has no good")
