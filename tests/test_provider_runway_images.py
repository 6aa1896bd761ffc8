"""Runway ``gen4_image`` plus motion against the local Runway fake: the task sent and polled, the signed PNG
fetched without the key, the clip probed, the price, the failures, and no image paid twice."""

from __future__ import annotations

import threading

import pytest

from tests.fakes.servers import FakeRunway
from tests.media import probe
from viralreel_core import providers
from viralreel_core.cache.store import AssetCache
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AuthError, ClipCancelled, ContentRejected, ProviderError, RateLimited
from viralreel_core.models import Scene
from viralreel_core.providers.clips.image_clips import image_prompt
from viralreel_core.providers.clips.runway_images import RunwayImageClips, ratio_for
from viralreel_core.run.pipeline import Pipeline

KEY = "key_" + "5eed5eed" * 8
VISUALS = "A lighthouse on a cliff in a storm at dusk, waves breaking"
SMALL = {"width": 180, "height": 320, "fps": 12}


@pytest.fixture
def api():
    with FakeRunway(KEY) as fake:
        yield fake


def maker(api, waits=None, **kw) -> RunwayImageClips:
    return RunwayImageClips(kw.pop("key", KEY), base_url=api.url, sleep=(waits.append if waits is not None
                                                                         else lambda s: None),
                            poll_interval=0.01, poll_jitter=0.0, **{**SMALL, **kw})


def creates(api):
    return [r for r in api.requests if r.method == "POST" and r.path == "/v1/text_to_image"]


def test_the_ratio_follows_the_frames_shape_and_size():
    assert ratio_for(1080, 1920) == "1080:1920" and ratio_for(1920, 1080) == "1920:1080"
    assert ratio_for(180, 320) == "720:1280" and ratio_for(1080, 1080) == "1080:1080"
    assert ratio_for(1080, 1350) == "1080:1440" and ratio_for(540, 540) == "720:720"


def test_a_task_is_started_polled_and_its_png_fetched_without_the_key(api, tmp_path):
    clip = maker(api).make(VISUALS, 4, tmp_path)
    (create,) = creates(api)
    assert create.headers["authorization"] == f"Bearer {KEY}" and create.headers["x-runway-version"] == "2024-11-06"
    assert create.json == {"promptText": image_prompt(VISUALS), "model": "gen4_image", "ratio": "720:1280"}
    assert api.requests_to("/v1/tasks/", "GET")
    (download,) = api.requests_to("/outputs/")
    assert download.path.endswith(".png") and "authorization" not in download.headers
    info = probe(clip.video_path)
    assert (info.width, info.height, info.video_codec) == (180, 320, "h264") and info.duration >= 4
    assert clip.provider == "runway_images" and clip.cost_usd == pytest.approx(0.05)


def test_price_is_credits_per_image_whatever_the_length():
    big, small = RunwayImageClips("k", width=1080, height=1920), RunwayImageClips("k", width=540, height=960)
    assert (big.estimate_cost(4), big.estimate_cost(10), small.estimate_cost(6)) == (0.08, 0.08, 0.05)
    assert big.unit_cost() == 0.08 and big.cost_unit == "image"


def test_a_second_run_hits_the_cache_and_auto_keeps_runway_video(api, tmp_path):
    env = {"RUNWAYML_API_SECRET": KEY, "RUNWAYML_BASE_URL": api.url, "VIRALREEL_POLL_INTERVAL": "0.01"}
    settings = settings_from_env(environ=env, clip_provider="runway_images", cache_dir=tmp_path / "c", **SMALL)
    assert providers.resolve_name("clips", "auto", settings) == "runway"
    scene = Scene(1, VISUALS, "Lighthouses once burned whale oil to warn ships off the rocks.")
    Pipeline(settings).clip_for(scene)
    Pipeline(settings).clip_for(scene)
    assert len(creates(api)) == 1


def test_moderation_failure_is_content_rejected(api, tmp_path):
    api.fail("task_failed", code="SAFETY.INPUT.TEXT", failure="The prompt was flagged.")
    with pytest.raises(ContentRejected):
        maker(api).make(VISUALS, 4, tmp_path)


def test_wrong_key_is_an_auth_error_without_the_key(api, tmp_path):
    wrong = "key_" + "badbadba" * 8
    with pytest.raises(AuthError) as info:
        maker(api, key=wrong).make(VISUALS, 4, tmp_path)
    assert wrong not in f"{info.value} {info.value.hint}" and "RUNWAYML_API_SECRET" in info.value.hint


def test_429_waits_what_retry_after_asks(api, tmp_path):
    waits: list[float] = []
    api.fail("status", status=429, match="text_to_image", headers={"Retry-After": "3"})
    maker(api, waits).make(VISUALS, 4, tmp_path)
    assert 3.0 in waits and len(creates(api)) == 2
    api.fail("status", status=429, times=None, match="text_to_image")
    with pytest.raises(RateLimited):
        maker(api, []).make("Another scene entirely", 4, tmp_path)


def test_abort_cancels_the_running_task(api, tmp_path):
    api.fail("task_never_finishes")
    clips = RunwayImageClips(KEY, base_url=api.url, poll_interval=0.02, poll_jitter=0.0, **SMALL)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            clips.make(VISUALS, 4, tmp_path)
        except BaseException as exc:  # noqa: BLE001 - kept for the assertion
            failure.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    while not api.requests_to("/v1/tasks/", "GET"):
        threading.Event().wait(0.01)
    clips.abort()
    worker.join(10)
    assert failure and isinstance(failure[0], ClipCancelled)
    assert api.requests_to("/v1/tasks/", "DELETE")


def test_an_image_paid_for_but_not_fetched_is_fetched_again_by_the_next_process(api, tmp_path):
    api.fail("status", status=503, match=".png", times=3)  # the signed link fails every try of one make
    first = maker(api)
    first.use_cache(AssetCache(tmp_path / "cache"))
    with pytest.raises(ProviderError) as info:
        first.make(VISUALS, 4, tmp_path)
    assert info.value.spent_usd == pytest.approx(0.05)  # the task finished: billed, and counted
    first.close()
    later = maker(api)  # another run on the same cache (the ledger lives beside it)
    later.use_cache(AssetCache(tmp_path / "cache"))
    clip = later.make(VISUALS, 4, tmp_path)
    assert len(creates(api)) == 1 and clip.cost_usd == 0  # was: a second task, $0.05 again
    assert probe(clip.video_path).duration >= 4
