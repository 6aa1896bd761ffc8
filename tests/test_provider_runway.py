"""Runway clips against a local fake of its task API: routes, polling, failures, cancelling, downloads."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from tests.fakes.servers import FakeRunway
from tests.media import probe
from viralreel_core.config import Settings
from viralreel_core.errors import AuthError, ContentRejected, ProviderError, ProviderTimeout, QuotaExceeded
from viralreel_core.media.aspect import frame_size
from viralreel_core.providers.clips.runway import MODELS, ClipCancelled, RunwayClips

KEY = "key_" + "ab12" * 32  # shaped like a real Runway key
VISUALS = "A ginger cat asleep on a sunny windowsill, soft morning light"


class Clock:
    """A fake monotonic clock that the injected sleep moves forward."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def api():
    with FakeRunway(KEY) as fake:
        yield fake


@pytest.fixture
def clock():
    return Clock()


def maker(api, clock, **kw) -> RunwayClips:
    kw.setdefault("poll_jitter", 0)
    return RunwayClips(kw.pop("key", KEY), base_url=api.url, sleep=clock.sleep, clock=clock, **kw)


def creates(api):
    return [r for r in api.requests if r.method == "POST"]


# --- the routes -----------------------------------------------------------------------------------------

def test_gen4_turbo_goes_text_to_image_then_image_to_video_and_downloads(api, clock, tmp_path):
    clip = maker(api, clock).make(VISUALS, 6, tmp_path)
    paths = [(r.method, r.path.split("/")[2] if r.path.startswith("/v1/") else "output") for r in api.requests]
    assert paths == [("POST", "text_to_image"), ("GET", "tasks"), ("POST", "image_to_video"), ("GET", "tasks"),
                     ("GET", "output")]
    image, video = creates(api)
    assert image.json == {"promptText": VISUALS, "model": "gen4_image", "ratio": "720:1280"}
    assert video.json["model"] == "gen4_turbo" and video.json["ratio"] == "720:1280"
    assert video.json["duration"] == 6 and video.json["promptText"] == VISUALS
    assert video.json["promptImage"].startswith(f"{api.url}/outputs/")  # the first frame's URL, passed on
    for r in api.requests[:-1]:
        assert r.headers["authorization"] == f"Bearer {KEY}" and r.headers["x-runway-version"] == "2024-11-06"
    download = api.requests[-1]
    assert "authorization" not in download.headers and "x-runway-version" not in download.headers
    info = probe(clip.video_path)
    assert (clip.width, clip.height, info.video_codec) == (144, 256, "h264")
    assert clip.duration == pytest.approx(6.0, abs=0.1)
    assert clip.cost_usd == pytest.approx((5 + 5 * 6) * 0.01)  # first frame + 5 credits a second
    assert clip.provider == "runway" and clip.credit == ""
    assert clock.waits == [5.0, 5.0]  # the official SDK's rhythm: wait, then ask
    assert list(tmp_path.iterdir()) == [tmp_path / clip.video_path.rsplit("/", 1)[1]]


@pytest.mark.parametrize("model, seconds, ratio, duration", [("gen4.5", 6, "720:1280", 6),
                                                              ("veo3.1", 5, "1080:1920", 6),
                                                              ("veo3.1_fast", 10, "1080:1920", 8),
                                                              ("veo3", 4, "1080:1920", 8)])
def test_text_models_go_straight_to_text_to_video(api, clock, tmp_path, model, seconds, ratio, duration):
    clip = maker(api, clock, model=model).make(VISUALS, seconds, tmp_path)
    (sent,) = creates(api)
    assert sent.path == "/v1/text_to_video"
    assert sent.json == {"promptText": VISUALS, "model": model, "ratio": ratio, "duration": duration}
    assert clip.cost_usd == pytest.approx(MODELS[model].credits_per_second * duration * 0.01)


@pytest.mark.parametrize("aspect, model, ratio, image_ratio", [
    ("9:16", "gen4_turbo", "720:1280", "720:1280"), ("16:9", "gen4_turbo", "1280:720", "1280:720"),
    ("1:1", "gen4_turbo", "960:960", "720:720"), ("4:5", "gen4_turbo", "832:1104", "720:960"),
    ("16:9", "veo3.1", "1920:1080", None), ("4:5", "veo3", "1080:1920", None),
    ("1:1", "gen4.5", "720:1280", None)])  # gen4.5 text_to_video has only 720:1280 and 1280:720: a tie goes portrait
def test_the_ratio_sent_is_the_models_nearest_to_the_frame(api, clock, tmp_path, aspect, model, ratio, image_ratio):
    width, height = frame_size(aspect)
    settings = Settings.from_env(environ={}, width=width, height=height, runway_model=model)
    assert RunwayClips.from_settings(settings).ratio == ratio  # the frame reaches the provider through Settings
    runway = maker(api, clock, model=model, width=width, height=height)
    clip = runway.make(VISUALS, 4, tmp_path)
    video = creates(api)[-1]
    assert video.json["ratio"] == ratio  # the fake answers 400 to a ratio the model does not take
    if image_ratio:
        assert creates(api)[0].json == {"promptText": VISUALS, "model": "gen4_image", "ratio": image_ratio}
    w, h = (int(v) for v in ratio.split(":"))
    assert clip.width / clip.height == pytest.approx(w / h, rel=0.02)  # the clip has the shape asked for
    assert runway.cache_params()["ratio"] == ratio  # another frame shape is another cached clip


def test_estimated_cost_matches_the_services_price_list():
    gen4 = RunwayClips(KEY)
    assert gen4.estimate_cost(5) == pytest.approx(0.30)  # 5 credits/s × 5 s + a 5-credit first frame
    assert RunwayClips(KEY, model="gen4.5").estimate_cost(4) == pytest.approx(0.48)
    assert gen4.cache_params() == {"model": "gen4_turbo", "route": "image_to_video", "ratio": "720:1280",
                                   "image_model": "gen4_image"}


def test_long_visuals_are_cut_to_runways_1000_characters_at_a_word(api, clock, tmp_path):
    maker(api, clock, model="gen4.5").make("word " * 300, 4, tmp_path)
    prompt = creates(api)[0].json["promptText"]
    assert len(prompt) <= 1000 and prompt.endswith("word")


# --- the fake is faithful -----------------------------------------------------------------------------------

def test_fake_rejects_a_missing_version_header_or_key_like_runway(api):
    url = f"{api.url}/v1/text_to_video"
    body = {"promptText": "x", "model": "gen4.5", "ratio": "720:1280", "duration": 5}
    no_version = requests.post(url, json=body, headers={"Authorization": f"Bearer {KEY}"}, timeout=5)
    assert no_version.status_code == 400 and "X-Runway-Version" in no_version.json()["error"]
    no_key = requests.post(url, json=body, headers={"X-Runway-Version": "2024-11-06"}, timeout=5)
    assert no_key.status_code == 401 and "error" in no_key.json()
    old_path = requests.post(f"{api.url}/v1/text-to-video", json=body, timeout=5,
                             headers={"Authorization": f"Bearer {KEY}", "X-Runway-Version": "2024-11-06"})
    assert old_path.status_code == 404  # the seed's outdated path


# --- polling ------------------------------------------------------------------------------------------------

def test_queued_tasks_are_polled_less_often_until_they_run(api, clock, tmp_path):
    api.fail("task_statuses", statuses=["PENDING", "THROTTLED", "THROTTLED", "RUNNING", "RUNNING", "SUCCEEDED"])
    clip = maker(api, clock, model="gen4.5", poll_max_interval=10).make(VISUALS, 4, tmp_path)
    assert clock.waits == [5.0, 7.5, 10.0, 10.0, 5.0, 5.0]
    assert clip.duration > 0 and len(api.requests_to("/v1/tasks/")) == 6


def test_task_that_never_finishes_is_cancelled_at_the_deadline(api, clock, tmp_path):
    api.fail("task_never_finishes")
    with pytest.raises(ProviderTimeout) as info:
        maker(api, clock, model="gen4.5", poll_deadline=60).make(VISUALS, 4, tmp_path)
    (task_id,) = api.tasks
    assert task_id in str(info.value) and "1 min" in str(info.value)
    assert api.requests_to(f"/v1/tasks/{task_id}", "DELETE") and api.tasks[task_id].cancelled
    assert 60 <= clock.now <= 60 + 20 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code, error, retryable", [("SAFETY.INPUT.TEXT", ContentRejected, False),
                                                    ("SAFETY.OUTPUT.VIDEO", ContentRejected, False),
                                                    ("INTERNAL.BAD_OUTPUT.CODE01", ProviderError, True),
                                                    ("ASSET.INVALID", ProviderError, False)])
def test_failed_task_is_reported_with_its_code_and_never_rerun(api, clock, tmp_path, code, error, retryable):
    api.fail("task_failed", code=code, failure="Something about the input.", after_running=True)
    with pytest.raises(error) as info:
        maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)
    assert code in str(info.value) and "Something about the input." in str(info.value)
    assert info.value.retryable is retryable and "retry this scene" in str(info.value).lower()
    assert len(creates(api)) == 1 and not api.requests_to("/outputs/")


def test_cancelled_task_is_reported(api, clock, tmp_path):
    api.fail("task_cancelled")
    with pytest.raises(ProviderError, match="was cancelled"):
        maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)


def test_abort_cancels_the_running_task_at_once(api, tmp_path):
    api.fail("task_never_finishes")
    clips = RunwayClips(KEY, base_url=api.url, model="gen4.5", poll_interval=0.05, poll_jitter=0)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            clips.make(VISUALS, 4, tmp_path)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 5
    while not api.requests_to("/v1/tasks/", "GET") and time.monotonic() < deadline:
        time.sleep(0.01)
    clips.abort()
    worker.join(5)
    assert not worker.is_alive() and isinstance(outcome[0], ClipCancelled)
    (task_id,) = api.tasks
    assert api.tasks[task_id].cancelled and task_id in str(outcome[0])
    with pytest.raises(ClipCancelled):  # a stopped maker stays stopped (the next run makes a new one)
        clips.make(VISUALS, 4, tmp_path)


# --- errors at the edge -------------------------------------------------------------------------------------

def test_wrong_key_is_an_auth_error_without_the_key(api, clock, tmp_path):
    with pytest.raises(AuthError) as info:
        maker(api, clock, key="key_" + "99" * 64).make(VISUALS, 4, tmp_path)
    assert "RUNWAYML_API_SECRET" in str(info.value) and "9999" not in str(info.value)


def test_429_on_create_is_retried_after_retry_after(api, clock, tmp_path):
    api.fail("status", status=429, headers={"Retry-After": "2"}, match="text_to_video")
    maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)
    assert clock.waits[0] == 2 and len(creates(api)) == 2


def test_overloaded_then_ok_and_500_on_create_is_not_resent(api, clock, tmp_path):
    api.fail("status", status=503, match="text_to_video")
    maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)
    assert len(creates(api)) == 2
    api.fail("status", status=500, match="text_to_video")  # may have started a task: not sent twice
    with pytest.raises(ProviderError) as info:
        maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)
    assert info.value.retryable and len(creates(api)) == 3


def test_not_enough_credits_is_quota_exceeded(api, clock, tmp_path):
    api.fail("status", status=400, message="You do not have enough credits to run this task.")
    with pytest.raises(QuotaExceeded, match="credits"):
        maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)


def test_hung_create_times_out(api, clock, tmp_path):
    api.fail("hang")
    with pytest.raises(ProviderTimeout):
        maker(api, clock, model="gen4.5", read_timeout=0.3).make(VISUALS, 4, tmp_path)
    assert len(creates(api)) == 1


# --- downloads ------------------------------------------------------------------------------------------------

def test_cut_off_download_is_fetched_again_without_a_new_task(api, clock, tmp_path):
    api.fail("truncated", match="/outputs/")
    clip = maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)
    assert probe(clip.video_path).duration > 0
    assert len(creates(api)) == 1 and len(api.requests_to("/outputs/")) == 2


def test_download_that_keeps_failing_is_kept_for_the_scenes_retry(api, clock, tmp_path):
    api.fail("truncated", match="/outputs/", times=3)
    clips = maker(api, clock, model="gen4.5")
    with pytest.raises(ProviderError) as info:
        clips.make(VISUALS, 4, tmp_path)
    assert "cut off" in str(info.value) and info.value.retryable
    assert list(tmp_path.iterdir()) == []  # no half-written file
    clip = clips.make(VISUALS, 4, tmp_path)  # the person retries the scene: the paid output is fetched
    assert len(creates(api)) == 1 and clip.cost_usd == 0 and probe(clip.video_path).duration > 0


def test_download_that_is_not_a_video_is_refused(api, clock, tmp_path):
    api.fail("not_video", match="/outputs/")
    with pytest.raises(ProviderError, match="not a video .*web page"):
        maker(api, clock, model="gen4.5").make(VISUALS, 4, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_over_the_size_cap_is_refused(api, clock, tmp_path):
    api.fail("too_big", match="/outputs/", extra=50_000)
    with pytest.raises(ProviderError, match="over the 0 MB limit|MB, over"):
        maker(api, clock, model="gen4.5", max_download_bytes=40_000).make(VISUALS, 4, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_expired_download_link_says_to_make_the_scene_again(api, clock, tmp_path):
    api.fail("expired", match="/outputs/")
    clips = maker(api, clock, model="gen4.5")
    with pytest.raises(ProviderError, match="expired") as info:
        clips.make(VISUALS, 4, tmp_path)
    assert not info.value.retryable
    clips.make(VISUALS, 4, tmp_path)  # the dead link is forgotten: a new task makes the clip
    assert len(creates(api)) == 2


def test_a_kept_output_is_not_used_once_its_link_may_have_expired(api, clock, tmp_path):
    api.fail("truncated", match="/outputs/", times=3)
    clips = maker(api, clock, model="gen4.5")
    with pytest.raises(ProviderError):
        clips.make(VISUALS, 4, tmp_path)
    clock.now += 13 * 3600
    clips.make(VISUALS, 4, tmp_path)
    assert len(creates(api)) == 2
