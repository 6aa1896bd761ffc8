"""A scene the stock service has no good match for goes to the next clip source in the person's order instead of
showing a poor match. Real HTTP to fakes of Pexels, Pixabay and OpenAI (vision); real cache; real offline clips."""

from __future__ import annotations

import pytest

from tests.fakes.servers import FakeOpenAI, FakePexels, FakePixabay
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.models import Scene, Script
from viralreel_core.run.clip_order import fallback_order
from viralreel_core.run.pipeline import Pipeline

OPENAI_KEY = "sk-test-OPENAI-0123456789abcdef"
PEXELS_KEY = "px-test-0123456789"
PIXABAY_KEY = "12345-pixabaytestkey"
SCRIPT = Script("Ice", "Ice", (
    Scene(1, "A polar bear on glacier ice", "Polar bears walk on ice.", ("glacier ice", "polar bear")),
    Scene(2, "A penguin colony on a snowy beach", "Penguins gather by the sea.", ("penguin colony", "snowy beach")),
))


@pytest.fixture
def fakes():
    with FakeOpenAI(OPENAI_KEY) as openai_api, FakePexels(PEXELS_KEY) as pexels, FakePixabay(PIXABAY_KEY) as pixabay:
        yield openai_api, pexels, pixabay


def settings(fakes, tmp_path, *, pixabay=True, openai=False, **options):
    openai_api, pexels, pixabay_api = fakes
    env = {"PEXELS_API_KEY": PEXELS_KEY, "PEXELS_BASE_URL": pexels.url, "PIXABAY_BASE_URL": pixabay_api.url}
    if pixabay:
        env["PIXABAY_API_KEY"] = PIXABAY_KEY
    if openai:
        env.update(OPENAI_API_KEY=OPENAI_KEY, OPENAI_BASE_URL=f"{openai_api.url}/v1")
    return settings_from_env(environ=env, clip_provider="pexels", cache_dir=tmp_path / "cache", width=180, height=320,
                             provider_options=options)


def clips_of(settings_):
    with Pipeline(settings_) as run:
        _, clips, skipped = run.make_media(SCRIPT, voices=False)
        return clips, skipped, run.warnings, run.tally.spent_usd


def test_the_order_is_the_other_stock_services_with_a_key_then_offline_unless_the_person_names_one(fakes, tmp_path):
    assert fallback_order(settings(fakes, tmp_path), "pexels") == ["pixabay", "local"]
    assert fallback_order(settings(fakes, tmp_path, pixabay=False), "pexels") == ["local"]
    named = settings(fakes, tmp_path, clip_fallback="pixabay, openai_images, runway, local")
    assert fallback_order(named, "pexels") == ["pixabay", "openai_images", "runway", "local"]
    assert fallback_order(named, "pixabay") == ["openai_images", "runway", "local"]
    assert fallback_order(settings(fakes, tmp_path, clip_fallback="none"), "pexels") == []
    with pytest.raises(BadInput, match="Unknown clips provider 'vimeo'"):
        fallback_order(settings(fakes, tmp_path, clip_fallback="vimeo"), "pexels")


def test_a_scene_with_no_matching_candidate_is_made_by_the_next_stock_service(fakes, tmp_path):
    _, pexels, pixabay = fakes
    pexels.shows = lambda query: "office meeting" if query in ("penguin colony", "snowy beach") else query
    clips, skipped, warnings, _ = clips_of(settings(fakes, tmp_path))
    assert skipped == [] and clips[1].provider == "pexels" and clips[2].provider == "pixabay"
    assert "Pexels has no good match for 'penguin colony', 'snowy beach'" in clips[2].choice["fallback_from"]
    assert clips[2].choice["matched"] and "Pixabay" in clips[2].credit
    assert any(w.startswith("Scene 2: Pexels has no good match") and w.endswith("Made with Pixabay instead.")
               for w in warnings)


def test_candidates_the_vision_check_turns_down_trigger_the_fallback_and_their_cost_counts(fakes, tmp_path):
    openai_api, pexels, _ = fakes
    openai_api.off_topic = {"/penguin-colony-preview", "/snowy-beach-preview"}  # Pexels' penguins are no penguins
    clips, skipped, _, spent = clips_of(settings(fakes, tmp_path, openai=True))
    assert skipped == [] and clips[2].provider == "pixabay" and clips[2].choice["vision"] == "yes"
    assert "turned down by the footage check" in clips[2].choice["fallback_from"]
    turned_down = [u for u, _ in openai_api.vision_asked if "preview" in u and ("penguin" in u or "snowy" in u)]
    assert len(turned_down) == 4
    assert spent == pytest.approx(len(openai_api.vision_asked) * 0.00045, rel=0.1)  # every check, kept or not


def test_with_no_other_stock_key_the_offline_maker_makes_the_scene(fakes, tmp_path):
    _, pexels, _ = fakes
    pexels.shows = lambda query: "office meeting" if query in ("penguin colony", "snowy beach") else query
    clips, skipped, _, _ = clips_of(settings(fakes, tmp_path, pixabay=False))
    assert skipped == [] and clips[2].provider == "local" and clips[1].provider == "pexels"


def test_no_fallback_skips_the_scene_and_says_why(fakes, tmp_path):
    _, pexels, _ = fakes
    pexels.shows = lambda query: "office meeting" if query in ("penguin colony", "snowy beach") else query
    clips, skipped, _, _ = clips_of(settings(fakes, tmp_path, clip_fallback="none"))
    assert list(clips) == [1]
    assert [(s["scene"], s["step"]) for s in skipped] == [(2, "clips")]
    assert "no good match for 'penguin colony', 'snowy beach'" in skipped[0]["reason"]


@pytest.mark.slow
def test_an_offline_fallback_beside_offline_voices_never_waits_for_a_thread_the_voices_need(fakes, tmp_path):
    """One pool thread, one CPU slot held by the offline voices' phase: a stock clip that falls back to the
    offline maker must not take the only thread before the voices (it would wait for their slot for ever)."""
    import threading

    _, pexels, _ = fakes
    pexels.shows = lambda query: "office meeting"  # every scene falls back to the offline maker
    run_settings = settings(fakes, tmp_path, pixabay=False).with_(voice_provider="local", workers=1)
    outcome: dict = {}

    def work():
        with Pipeline(run_settings) as run:
            outcome["media"] = run.make_media(SCRIPT)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(240)
    assert not worker.is_alive(), "the run is stuck: a clip job waits for the slot the voices hold"
    voices, clips, skipped = outcome["media"]
    assert skipped == [] and len(voices) == 2 and {c.provider for c in clips.values()} == {"local"}
