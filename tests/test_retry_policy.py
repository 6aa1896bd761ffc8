"""The one retry policy, counted against the fake services: a failing service gets at most 3 requests per asset.

Waits go through the injected ``sleep`` (recorded, never slept), so Retry-After is checked without waiting.
"""

from __future__ import annotations

import time

import pytest

from tests.fakes.servers import FakeElevenLabs, FakeOpenAI, FakePexels, FakeRunway
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadConfiguration, ProviderError, RateLimited
from viralreel_core.models import Scene
from viralreel_core.providers.clips.pexels import PexelsClips
from viralreel_core.providers.clips.runway import RunwayClips
from viralreel_core.providers.http import retry
from viralreel_core.run.pipeline import Pipeline

KEY = "retry-policy-KEY-0123456789abcdef"
SCENE = Scene(1, "A ginger cat asleep on a sunny windowsill", "Cats purr when they are happy and calm.")


def pipeline(tmp_path, waits, **env) -> Pipeline:
    settings = settings_from_env(environ=env, script_provider="auto", voice_provider="auto", clip_provider="local",
                                 cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", width=180, height=320)
    return Pipeline(settings, sleep=waits.append)


@pytest.fixture
def elevenlabs():
    with FakeElevenLabs(KEY) as fake:
        yield fake


@pytest.fixture
def openai_api():
    with FakeOpenAI(KEY) as fake:
        yield fake


def test_the_policy_states_its_maximum():
    assert retry.ATTEMPTS == 3 and retry.SCRIPT_ATTEMPTS == 2 and "at most 3" in retry.__doc__
    assert retry.wait_before(1, None, jitter=0) == 1.0 and retry.wait_before(2, None, jitter=0) == 2.0
    assert retry.wait_before(1, 7.0) == 7.0 and retry.wait_before(1, 0.0) == 0.0
    assert retry.too_long(retry.MAX_WAIT + 1) and not retry.too_long(retry.MAX_WAIT)


@pytest.mark.parametrize("status", [500, 503])
def test_one_voice_scene_sends_at_most_three_requests_to_a_failing_elevenlabs(elevenlabs, tmp_path, status):
    elevenlabs.fail("status", status=status, times=None)
    waits: list[float] = []
    p = pipeline(tmp_path, waits, ELEVENLABS_API_KEY=KEY, ELEVENLABS_BASE_URL=elevenlabs.url)
    with pytest.raises(ProviderError, match=f"server error \\({status}\\)"):
        p.voice_for(SCENE)
    assert len(elevenlabs.requests_to("/with-timestamps")) == 3
    assert waits == pytest.approx([1.0, 2.0], abs=retry.JITTER)


def test_one_voice_scene_sends_at_most_three_requests_to_a_failing_openai(openai_api, tmp_path):
    openai_api.fail("status", status=503, times=None)
    waits: list[float] = []
    p = pipeline(tmp_path, waits, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=f"{openai_api.url}/v1")
    with pytest.raises(ProviderError, match="server error \\(503\\)"):
        p.voice_for(SCENE)
    assert len(openai_api.requests_to("/audio/speech")) == 3


def test_one_script_sends_at_most_three_requests_to_a_failing_openai(openai_api, tmp_path):
    openai_api.fail("status", status=500, times=None)
    waits: list[float] = []
    p = pipeline(tmp_path, waits, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=f"{openai_api.url}/v1")
    with pytest.raises(ProviderError, match="server error \\(500\\)"):
        p.write_script("Why cats purr")
    assert len(openai_api.requests_to("/chat/completions")) == retry.SCRIPT_ATTEMPTS <= 3


def test_a_script_with_the_json_object_fall_back_still_sends_at_most_three(openai_api, tmp_path):
    openai_api.supports_json_schema = False  # an older compatible server: one extra request, the first time
    openai_api.fail("bad_content", times=None)
    waits: list[float] = []
    p = pipeline(tmp_path, waits, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=f"{openai_api.url}/v1")
    with pytest.raises(ProviderError, match="cannot be used"):
        p.write_script("Why cats purr")
    assert len(openai_api.requests_to("/chat/completions")) == 3


def test_retry_after_is_honoured_by_the_one_wait(elevenlabs, tmp_path):
    elevenlabs.fail("status", status=429, code="concurrent_limit_exceeded", headers={"Retry-After": "0.2"})
    waits: list[float] = []
    p = pipeline(tmp_path, waits, ELEVENLABS_API_KEY=KEY, ELEVENLABS_BASE_URL=elevenlabs.url)
    assert p.voice_for(SCENE).duration > 0
    assert waits == [0.2] and len(elevenlabs.requests_to("/with-timestamps")) == 2


def test_retry_after_on_a_server_error_is_honoured_too(openai_api, tmp_path):
    openai_api.fail("status", status=503, headers={"retry-after-ms": "150"})
    waits: list[float] = []
    p = pipeline(tmp_path, waits, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=f"{openai_api.url}/v1")
    assert p.write_script("Why cats purr").scenes
    assert waits == [0.15] and len(openai_api.requests_to("/chat/completions")) == 2


def test_a_retry_after_past_the_cap_is_reported_at_once(elevenlabs, tmp_path):
    elevenlabs.fail("status", status=429, code="rate_limit_exceeded", times=None,
                    headers={"Retry-After": str(int(retry.MAX_WAIT) + 1)})
    waits: list[float] = []
    p = pipeline(tmp_path, waits, ELEVENLABS_API_KEY=KEY, ELEVENLABS_BASE_URL=elevenlabs.url)
    with pytest.raises(RateLimited):
        p.voice_for(SCENE)
    assert waits == [] and len(elevenlabs.requests_to("/with-timestamps")) == 1


def test_a_failing_stock_search_sends_at_most_three_requests(tmp_path):
    with FakePexels(KEY) as api:
        api.fail("status", status=503, times=None)
        waits: list[float] = []
        with pytest.raises(ProviderError, match="server error"):
            PexelsClips(KEY, base_url=api.url, sleep=waits.append).make(SCENE.visuals, 6, tmp_path)
        assert len(api.requests) == 3 and waits == pytest.approx([1.0, 2.0], abs=retry.JITTER)


def test_a_failing_clip_download_sends_at_most_three_requests(tmp_path):
    with FakeRunway(KEY) as api:
        api.fail("status", status=503, match="/outputs/", times=None)
        waits: list[float] = []
        maker = RunwayClips(KEY, model="gen4.5", base_url=api.url, poll_interval=0.01, poll_jitter=0,
                             sleep=waits.append)
        with pytest.raises(ProviderError):
            maker.make(SCENE.visuals, 6, tmp_path)
        assert len(api.requests_to("/outputs/")) == 3


def test_the_waits_are_settings_read_at_the_edge(elevenlabs, tmp_path):
    """A deployment (or a test whose fakes answer at once) shortens the waits through the environment."""
    elevenlabs.fail("status", status=500, times=None)
    waits: list[float] = []
    p = pipeline(tmp_path, waits, ELEVENLABS_API_KEY=KEY, ELEVENLABS_BASE_URL=elevenlabs.url,
                 VIRALREEL_RETRY_BACKOFF="0.05", VIRALREEL_RETRY_JITTER="0")
    with pytest.raises(ProviderError):
        p.voice_for(SCENE)
    assert waits == pytest.approx([0.05, 0.1])
    settings = p.settings
    assert retry.policy_for(settings) == retry.RetryPolicy(0.05, 0.0)
    assert "retry_backoff" not in settings.public_dict()  # the machine's, not the project's
    assert retry.policy_for(settings_from_env(environ={})) is retry.POLICY
    runway = RunwayClips.from_settings(settings_from_env(environ={"VIRALREEL_POLL_INTERVAL": "0.02"}))
    assert runway.poll_interval == 0.02 and RunwayClips.poll_interval == 5.0


def test_a_provider_made_from_settings_waits_as_they_say(tmp_path):
    with FakePexels(KEY) as api:
        api.fail("status", status=503, times=None)
        settings = settings_from_env(environ={"PEXELS_API_KEY": KEY, "PEXELS_BASE_URL": api.url,
                                              "VIRALREEL_RETRY_BACKOFF": "0.01", "VIRALREEL_RETRY_JITTER": "0"})
        started = time.monotonic()
        with pytest.raises(ProviderError, match="server error"):
            PexelsClips.from_settings(settings).make(SCENE.visuals, 6, tmp_path)
        assert len(api.requests) == 3 and time.monotonic() - started < 1.0  # not the default 1 s + 2 s


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "9999"])
def test_a_wait_that_is_not_seconds_is_one_clear_line(value):
    with pytest.raises(BadConfiguration, match="VIRALREEL_RETRY_BACKOFF=") as info:
        settings_from_env(environ={"VIRALREEL_RETRY_BACKOFF": value})
    assert "\n" not in str(info.value) and "seconds" in info.value.hint
