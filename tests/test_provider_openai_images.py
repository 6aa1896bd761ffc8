"""OpenAI images plus motion against a local fake of ``/v1/images/generations``: the request sent, the clip
made (probed), the price, the errors, and an image never paid for twice."""

from __future__ import annotations

import logging
import subprocess

import numpy as np
import pytest

from tests.fakes.servers import FakeOpenAI
from tests.media import frame_at, frame_count, probe
from viralreel_core import providers
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AuthError, BadInput, ContentRejected, ProviderError, QuotaExceeded, RateLimited
from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.providers.clips.image_clips import image_prompt, nearest_size
from viralreel_core.providers.clips.ken_burns import MOTIONS, Motion, motion_for, render_motion
from viralreel_core.providers.clips.openai_images import OpenAIImageClips
from viralreel_core.providers.clips.runway import RunwayClips
from viralreel_core.providers.http import retry
from viralreel_core.run.pipeline import Pipeline

KEY = "sk-img-OPENAI-SECRET-00112233445566778899"
VISUALS = "A ginger cat asleep on a sunny windowsill, dust in the light"
SMALL = {"width": 180, "height": 320, "fps": 12}  # the real sizes are asked of the service; the clip is small


@pytest.fixture
def api():
    with FakeOpenAI(KEY) as fake:
        yield fake


def maker(api, waits=None, **kw) -> OpenAIImageClips:
    frame = {**SMALL, **{k: kw.pop(k) for k in ("width", "height", "fps") if k in kw}}
    return OpenAIImageClips(kw.pop("key", KEY), base_url=f"{api.url}/v1", sleep=(waits.append if waits is not None
                                                                               else None), **frame, **kw)


def images(api):
    return api.requests_to("/v1/images/generations")


def test_the_size_asked_follows_the_frames_shape():
    gpt, dalle = ("1024x1024", "1024x1536", "1536x1024"), ("1024x1024", "1024x1792", "1792x1024")
    assert nearest_size(1080, 1920, gpt) == "1024x1536" and nearest_size(1080, 1920, dalle) == "1024x1792"
    assert nearest_size(1920, 1080, gpt) == "1536x1024" and nearest_size(1080, 1080, gpt) == "1024x1024"
    assert nearest_size(1080, 1350, gpt) == "1024x1536"  # 4:5 is nearer 2:3 than square


def test_a_gpt_image_request_is_documented_json_with_bearer_auth(api, tmp_path):
    clip = maker(api).make(VISUALS, 4, tmp_path)
    (request,) = images(api)
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json == {"model": "gpt-image-1", "prompt": image_prompt(VISUALS), "n": 1, "size": "1024x1536",
                            "quality": "medium", "output_format": "jpeg"}
    assert VISUALS in request.json["prompt"] and "No text" in request.json["prompt"]
    assert clip.provider == "openai_images" and clip.credit == ""
    text_tokens = len(image_prompt(VISUALS)) // 4 + 1  # what the fake reports in ``usage``
    assert clip.cost_usd == pytest.approx(0.063 + text_tokens * 5e-6)


def test_the_clip_is_a_real_mp4_at_the_frame_size_covering_the_scene_and_moving(api, tmp_path):
    clip = maker(api).make(VISUALS, 4, tmp_path)
    info = probe(clip.video_path)
    assert (info.video_codec, info.width, info.height) == ("h264", 180, 320)
    assert 4.0 <= info.duration <= 4.7 and clip.duration == pytest.approx(4.5)
    assert frame_count(clip.video_path) == 54  # 4.5 s at 12 fps: the assembler trims, never loops
    steps = frame_steps(clip.video_path, 180, 320)
    assert len(steps) == 53 and min(steps) > 0.05, steps  # every frame differs from the one before: it moves
    assert frame_at(clip.video_path, 0, 180, 320).std() > 20  # the image itself, not a blank frame
    still = tmp_path / "still.mp4"  # the same measure on a camera that does not move: it can fail
    image = tmp_path / "still.png"
    image.write_bytes(api.media.still(1024, 1536))
    render_motion(image, still, seconds=1, width=180, height=320, fps=12, motion=Motion("still", (1.0, 1.0)),
                  provider="test")
    assert max(frame_steps(still, 180, 320)) < 0.02


def frame_steps(path, width, height) -> list[float]:
    """The mean absolute change between each decoded frame and the one before it (grey levels)."""
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, height, width).astype(np.int16)
    return [float(v) for v in np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))]


def test_landscape_and_dalle_follow_the_frame_and_the_model(api, tmp_path):
    clip = maker(api, width=320, height=180, model="dall-e-3", quality="high").make(VISUALS, 4, tmp_path)
    (request,) = images(api)
    assert request.json["size"] == "1792x1024" and request.json["quality"] == "hd"
    assert request.json["response_format"] == "b64_json" and "output_format" not in request.json
    assert (probe(clip.video_path).width, probe(clip.video_path).height) == (320, 180)
    assert clip.cost_usd == pytest.approx(0.12)


def test_price_and_estimate_come_from_the_model_quality_and_size():
    def price(**kw):
        return OpenAIImageClips("k", **kw).estimate_cost(8)

    assert price() == 0.063 and price(quality="low") == 0.016 and price(model="gpt-image-1-mini") == 0.015
    assert price(width=1080, height=1080) == 0.042  # square is cheaper
    assert price(model="dall-e-3") == 0.08 and price(model="dall-e-3", quality="high") == 0.12
    made = OpenAIImageClips("k")
    assert made.estimate_cost(4) == made.estimate_cost(10) == made.unit_cost()  # one image, whatever the length
    runway = RunwayClips("k").estimate_cost(6)
    assert made.estimate_cost(6) < runway / 4  # a fraction of an AI video's price
    with pytest.raises(BadInput, match="gpt-image-1"):
        OpenAIImageClips("k", model="midjourney")
    with pytest.raises(BadInput, match="quality"):
        OpenAIImageClips("k", quality="ultra")


def test_the_registry_settings_and_auto_know_it(api, monkeypatch):
    settings = settings_from_env(environ={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"{api.url}/v1"},
                                 clip_provider="openai_images", width=1920, height=1080)
    made = providers.create("clips", settings.with_(image_model="gpt-image-1-mini", image_quality="low"))
    assert isinstance(made, OpenAIImageClips) and (made.model, made.quality, made.size) == \
        ("gpt-image-1-mini", "low", "1536x1024")
    assert "openai_images" in providers.available("clips")
    assert KEY not in repr(made) and KEY not in str(made.cache_params())
    only_openai = settings_from_env(environ={"OPENAI_API_KEY": KEY})
    assert providers.resolve_name("clips", "auto", only_openai) == "local"  # images only when named
    with_stock = settings_from_env(environ={"OPENAI_API_KEY": KEY, "PIXABAY_API_KEY": "px"})
    assert providers.resolve_name("clips", "auto", with_stock) == "pixabay"  # free stock first


def test_a_second_run_is_served_from_the_cache_without_a_request(api, tmp_path):
    settings = settings_from_env(environ={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"{api.url}/v1"},
                                 clip_provider="openai_images", cache_dir=tmp_path / "cache", **SMALL)
    from viralreel_core.models import Scene

    scene = Scene(1, VISUALS, "Cats sleep up to sixteen hours a day, mostly in the sun.")
    first = Pipeline(settings).clip_for(scene)
    again = Pipeline(settings).clip_for(scene)  # a new pipeline: the disk cache, not memory
    assert len(images(api)) == 1 and first.cost_usd > 0
    assert probe(again.video_path).duration == pytest.approx(probe(first.video_path).duration, abs=0.05)


def test_a_new_length_in_a_later_run_reuses_the_cached_image_and_money_is_counted_once(api, tmp_path):
    settings = settings_from_env(environ={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"{api.url}/v1"},
                                 clip_provider="openai_images", cache_dir=tmp_path / "cache", **SMALL)
    from viralreel_core.models import Scene

    scene = Scene(1, VISUALS, "Cats sleep up to sixteen hours a day.")
    first = Pipeline(settings).clip_for(scene, seconds=4)
    later = Pipeline(settings)  # another run (another process would find the same files)
    longer = later.clip_for(scene, seconds=8)  # the narration grew: a new clip, not a new image
    assert len(images(api)) == 1 and first.cost_usd > 0 and longer.cost_usd == 0.0
    assert probe(longer.video_path).duration > 8
    stats = later.cache.stats()
    assert stats["money_spent_usd"] == pytest.approx(first.cost_usd)  # the image's price once, with its clip


def test_a_new_clip_length_reuses_the_image_already_paid_for(api, tmp_path):
    clips = maker(api)
    first = clips.make(VISUALS, 4, tmp_path)
    longer = clips.make(VISUALS, 8, tmp_path)
    assert len(images(api)) == 1 and first.cost_usd > 0 and longer.cost_usd == 0.0
    assert probe(longer.video_path).duration > 8


def test_the_move_depends_on_the_scene_and_never_changes_for_one():
    assert motion_for(VISUALS) == motion_for("  " + VISUALS.upper())
    moves = {motion_for(f"scene {i} of a volcano").name for i in range(40)}
    assert len(moves) >= len(MOTIONS) - 2


def test_wrong_key_is_an_auth_error_that_never_shows_the_key(api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as info:
        maker(api, key="sk-img-WRONG-KEY-99887766554433221100").make(VISUALS, 4, tmp_path)
    text = f"{info.value} {info.value.hint}"
    assert "OPENAI_API_KEY" in text and "WRONG-KEY" not in text and "99887766" not in text
    assert "99887766" not in caplog.text and KEY not in caplog.text
    assert len(images(api)) == 1  # a refused key is not asked again


def test_429_waits_what_retry_after_asks_then_succeeds(api, tmp_path):
    waits: list[float] = []
    api.fail("status", status=429, headers={"Retry-After": "2"})
    clip = maker(api, waits).make(VISUALS, 4, tmp_path)
    assert waits == [2.0] and len(images(api)) == 2 and clip.cost_usd > 0


def test_429_that_persists_is_rate_limited_with_its_wait(api, tmp_path):
    api.fail("status", status=429, times=None, headers={"Retry-After": "3"})
    waits: list[float] = []
    with pytest.raises(RateLimited) as info:
        maker(api, waits).make(VISUALS, 4, tmp_path)
    assert info.value.retry_after == 3.0 and len(images(api)) == retry.ATTEMPTS and KEY not in str(info.value)


def test_no_credit_left_is_quota_exceeded(api, tmp_path):
    api.fail("status", status=429, times=None, code="insufficient_quota")
    with pytest.raises(QuotaExceeded, match="no credit"):
        maker(api, []).make(VISUALS, 4, tmp_path)


def test_moderation_is_content_rejected_and_not_paid(api, tmp_path):
    api.fail("moderation")
    with pytest.raises(ContentRejected) as info:
        maker(api).make(VISUALS, 4, tmp_path)
    assert "safety" in str(info.value) and info.value.spent_usd == 0.0


def test_an_answer_that_is_not_an_image_is_refused_and_counted_as_spent(api, tmp_path):
    api.fail("not_image")
    with pytest.raises(ProviderError) as info:
        maker(api).make(VISUALS, 4, tmp_path)
    assert "not an image" in str(info.value) and info.value.spent_usd > 0 and not info.value.retryable
    assert not list(tmp_path.glob("*.mp4"))  # no clip left under any name


def test_server_trouble_is_retried_by_the_transport(api, tmp_path):
    api.fail("status", status=503)
    maker(api, []).make(VISUALS, 4, tmp_path)
    assert len(images(api)) == 2


def test_visuals_without_words_are_bad_input_before_any_request(api, tmp_path):
    with pytest.raises(BadInput):
        maker(api).make("   ", 4, tmp_path)
    assert not images(api)
