"""The ElevenLabs voice against a local fake of its API: timings from the alignment, errors.

One ``speak`` is one request whatever goes wrong: retrying is the pipeline's (tests/test_retry_policy.py).
"""

from __future__ import annotations

import time

import pytest

from tests.fakes.servers import CHARACTER_SECONDS, FakeElevenLabs
from tests.media import probe
from viralreel_core.errors import AuthError, BadInput, ProviderError, ProviderTimeout, QuotaExceeded, RateLimited
from viralreel_core.models import WordTiming
from viralreel_core.providers.voice.elevenlabs import ElevenLabsVoice, words_from_alignment

KEY = "el-test-ELEVEN-0123456789abcdef"
TEXT = "Cats purr when they are happy."


@pytest.fixture
def api():
    with FakeElevenLabs(KEY) as fake:
        yield fake


def voice(api, **kw) -> ElevenLabsVoice:
    return ElevenLabsVoice(kw.pop("key", KEY), base_url=api.url, **kw)


def speech_requests(api):
    return api.requests_to("/v1/text-to-speech/")


# --- the alignment ---------------------------------------------------------------------------------

def test_words_from_alignment_groups_characters_on_whitespace():
    chars = list(" Hi  there,\nfriend!")
    starts = [i * 0.1 for i in range(len(chars))]
    ends = [s + 0.1 for s in starts]
    words = words_from_alignment(chars, starts, ends)
    assert [w.word for w in words] == ["Hi", "there,", "friend!"]
    assert words[0] == WordTiming("Hi", pytest.approx(0.1), pytest.approx(0.3))
    assert words[2].start == pytest.approx(1.2) and words[2].end == pytest.approx(1.9)


def test_words_from_alignment_keeps_the_narrations_words_when_counts_match():
    chars = list("two words")
    times = [i * 0.1 for i in range(len(chars))]
    words = words_from_alignment(chars, times, times, narration="Two Words")
    assert [w.word for w in words] == ["Two", "Words"]


# --- speaking ---------------------------------------------------------------------------------------

def test_speak_uses_with_timestamps_and_times_captions_to_the_speech(api, tmp_path):
    v = voice(api, speed=1.1)
    track = v.speak(TEXT, tmp_path)
    (sent,) = speech_requests(api)
    assert sent.path == "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/with-timestamps"
    assert sent.param("output_format") == "mp3_44100_128"
    assert sent.headers["xi-api-key"] == KEY and "authorization" not in sent.headers
    assert sent.json == {"text": TEXT, "model_id": "eleven_multilingual_v2",
                         "voice_settings": {"stability": 0.5, "similarity_boost": 0.75, "speed": 1.1}}
    info = probe(track.audio_path)
    assert info.audio_codec == "mp3" and track.duration == pytest.approx(info.duration)
    assert [w.word for w in track.words] == TEXT.split()
    # the fake speaks a character every 65 ms from 0.1 s: "purr" is characters 5..8
    purr = track.words[1]
    assert purr.start == pytest.approx(0.1 + 5 * CHARACTER_SECONDS, abs=0.002)
    assert purr.end == pytest.approx(0.1 + 9 * CHARACTER_SECONDS, abs=0.002)
    assert all(a.end <= b.start for a, b in zip(track.words, track.words[1:], strict=False))
    assert track.cost_usd == pytest.approx(len(TEXT) * 0.0001)  # the character-cost header, in credits
    assert track.provider == "elevenlabs" and track.cost_usd == pytest.approx(v.estimate_cost(TEXT))


def test_flash_model_costs_half_and_speed_is_clamped_to_what_the_api_takes(api, tmp_path):
    v = voice(api, model="eleven_flash_v2_5", speed=2.0)
    assert v.speed == 1.2 and v.cache_params()["speed"] == 1.2
    track = v.speak(TEXT, tmp_path)
    assert track.cost_usd == pytest.approx(len(TEXT) // 2 * 0.0001)
    assert v.estimate_cost(TEXT) == pytest.approx(len(TEXT) * 0.5 * 0.0001)


def test_missing_alignment_falls_back_to_estimated_timings(api, tmp_path):
    api.fail("no_alignment")
    track = voice(api).speak(TEXT, tmp_path)
    assert [w.word for w in track.words] == TEXT.split()
    assert track.words[-1].end == pytest.approx(track.duration, abs=0.01)


def test_audio_that_is_not_audio_is_a_retryable_error_and_leaves_no_file(api, tmp_path):
    api.fail("bad_audio")
    with pytest.raises(ProviderError) as info:
        voice(api).speak(TEXT, tmp_path)
    assert "cannot be played" in str(info.value) and info.value.retryable
    assert list(tmp_path.iterdir()) == []


def test_voice_list_for_the_picker(api):
    voices = voice(api).voices()
    assert {"voice_id": "JBFqnCBsd6RMkjVDRZzb", "name": "George", "category": "premade",
            "labels": {"accent": "british"}, "preview_url": f"{api.url}/previews/JBFqnCBsd6RMkjVDRZzb.mp3"} in voices
    assert api.requests[-1].path == "/v1/voices"


# --- faults ----------------------------------------------------------------------------------------------

def test_429_is_rate_limited_with_the_retry_after_it_names_after_one_request(api, tmp_path):
    api.fail("status", status=429, code="rate_limit_exceeded", headers={"Retry-After": "7"}, times=None)
    with pytest.raises(RateLimited) as info:
        voice(api).speak(TEXT, tmp_path)
    assert info.value.retry_after == 7 and len(speech_requests(api)) == 1
    assert "rate_limit_exceeded" in str(info.value)


def test_server_error_is_retryable_after_one_request(api, tmp_path):
    api.fail("status", status=503, code="system_busy", times=None, headers={"Retry-After": "2"})
    with pytest.raises(ProviderError) as info:
        voice(api).speak(TEXT, tmp_path)
    assert info.value.retryable and info.value.retry_after == 2
    assert "503" in str(info.value) and len(speech_requests(api)) == 1


@pytest.mark.parametrize("status, code, error, words", [
    (401, "quota_exceeded", QuotaExceeded, "credit"),
    (402, "paid_plan_required", QuotaExceeded, "paid plan"),
])
def test_out_of_credit_is_never_retried(api, tmp_path, status, code, error, words):
    api.fail("status", status=status, code=code, times=None)
    with pytest.raises(error) as info:
        voice(api).speak(TEXT, tmp_path)
    assert words in str(info.value) and not info.value.retryable and len(speech_requests(api)) == 1


def test_wrong_key_is_an_auth_error_without_the_key(api, tmp_path):
    with pytest.raises(AuthError) as info:
        voice(api, key="el-wrong-key-555555").speak(TEXT, tmp_path)
    assert "ELEVENLABS_API_KEY" in str(info.value) and "555555" not in str(info.value)
    assert api.requests[0].headers["xi-api-key"] == "el-wrong-key-555555"


def test_unknown_voice_says_to_pick_one(api, tmp_path):
    with pytest.raises(ProviderError) as info:
        voice(api, voice_id="nope").speak(TEXT, tmp_path)
    assert "nope" in str(info.value) and "voice list" in str(info.value) and not info.value.retryable


def test_hung_connection_times_out_without_a_second_paid_request(api, tmp_path):
    api.fail("hang")
    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        voice(api, read_timeout=0.3).speak(TEXT, tmp_path)
    assert time.monotonic() - started < 2 and len(speech_requests(api)) == 1


def test_malformed_answer_is_retryable(api, tmp_path):
    api.fail("malformed")
    with pytest.raises(ProviderError) as info:
        voice(api).speak(TEXT, tmp_path)
    assert "could not be read" in str(info.value) and info.value.retryable


def test_dropped_connection_is_retryable_but_not_resent_by_the_transport(api, tmp_path):
    api.fail("disconnect")  # the request arrived: it may have been spoken (and paid for) already
    with pytest.raises(ProviderError) as info:
        voice(api).speak(TEXT, tmp_path)
    assert "closed the connection" in str(info.value) and info.value.retryable
    assert len(speech_requests(api)) == 1


def test_unreachable_server_is_retryable_and_names_the_base_url_variable(tmp_path):
    with pytest.raises(ProviderError) as info:
        ElevenLabsVoice(KEY, base_url="http://127.0.0.1:9").speak(TEXT, tmp_path)
    assert "Cannot reach ElevenLabs at 127.0.0.1:9" in str(info.value) and "ELEVENLABS_BASE_URL" in str(info.value)
    assert info.value.retryable


def test_overlong_narration_is_refused_before_any_request(api, tmp_path):
    with pytest.raises(BadInput, match="at most 5000"):
        voice(api, model="eleven_v3").speak("word " * 1200, tmp_path)
    assert api.requests == []
