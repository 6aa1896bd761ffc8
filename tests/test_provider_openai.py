"""The OpenAI script writer and voice against a local fake of the API (real HTTP, the real SDK)."""

from __future__ import annotations

import json
import time

import pytest

from tests.fakes.servers import FakeOpenAI
from tests.media import probe
from viralreel_core.errors import (
    AuthError,
    BadInput,
    ContentRejected,
    ProviderError,
    ProviderTimeout,
    QuotaExceeded,
    RateLimited,
)
from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.script.openai_script import SCRIPT_SCHEMA, OpenAIScriptWriter
from viralreel_core.providers.voice.openai_voice import OpenAIVoice

KEY = "sk-test-OPENAI-0123456789abcdef"


@pytest.fixture
def api():
    with FakeOpenAI(KEY) as fake:
        yield fake


def writer(api, **kw) -> OpenAIScriptWriter:
    return OpenAIScriptWriter(kw.pop("key", KEY), base_url=f"{api.url}/v1", **kw)


def chats(api):
    return api.requests_to("/chat/completions")


# --- script: the request ----------------------------------------------------------------------------

def test_script_request_uses_strict_json_schema_and_the_seeds_settings(api):
    script = writer(api).write(ScriptRequest("Why cats purr", scenes=4, tone="funny"))
    assert [s.number for s in script.scenes] == [1, 2, 3, 4]
    assert script.title == "All about Why cats purr" and script.topic == "Why cats purr"
    assert all(s.visuals and s.narration for s in script.scenes)
    (sent,) = chats(api)
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    body = sent.json
    assert body["model"] == "gpt-4o-mini" and body["temperature"] == 0.8 and body["max_tokens"] == 1000
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == SCRIPT_SCHEMA
    system = body["messages"][0]["content"]
    assert "exactly 4 scenes" in system and "funny" in system and "JSON" in system
    assert body["messages"][-1] == {"role": "user", "content": "Topic: Why cats purr"}


def test_script_cost_comes_from_the_reported_usage(api):
    w = writer(api)
    request = ScriptRequest("Cats", scenes=3)
    before = w.estimate_cost(request)
    w.write(request)
    spent = w.estimate_cost(request)  # now the measured cost of that call, from its usage
    assert 0 < spent < 0.001 and spent != before
    assert before < 0.001  # gpt-4o-mini: $0.15 / $0.60 per million tokens
    assert w.cache_params() == {"model": "gpt-4o-mini", "temperature": 0.8, "max_tokens": 1000, "prompt": "3",
                                "endpoint": api.url.removeprefix("http://")}


def test_compatible_server_without_json_schema_falls_back_to_json_object_once(api):
    api.supports_json_schema = False
    w = writer(api, model="llama3.2")
    script = w.write(ScriptRequest("Dogs"))
    assert len(script.scenes) == 3
    first, second = chats(api)
    assert first.json["response_format"]["type"] == "json_schema"
    assert second.json["response_format"] == {"type": "json_object"}
    assert "json" in json.dumps(second.json["messages"]).lower()
    w.write(ScriptRequest("Birds"))  # remembered: straight to json_object
    assert [c.json["response_format"]["type"] for c in chats(api)] == ["json_schema", "json_object", "json_object"]
    assert w.estimate_cost(ScriptRequest("Dogs")) == 0.0  # a local model's price is not ours to guess


# --- script: what comes back ---------------------------------------------------------------------------

def test_refusal_is_content_rejected_and_not_retryable(api):
    api.fail("refusal")
    with pytest.raises(ContentRejected) as info:
        writer(api).write(ScriptRequest("Something bad"))
    assert "declined" in str(info.value) and "I'm sorry" in str(info.value)
    assert info.value.retryable is False and len(chats(api)) == 1


def test_cut_off_answer_is_a_retryable_error_that_says_so(api):
    api.fail("length")
    with pytest.raises(ProviderError) as info:
        writer(api).write(ScriptRequest("Cats"))
    assert "cut off" in str(info.value) and info.value.retryable


@pytest.mark.parametrize("fault, words", [("bad_content", "not valid JSON"), ("few_scenes", "2 scenes"),
                                          ("empty_narration", "scene 2 has no narration")])
def test_unusable_scripts_are_retryable_errors_naming_the_problem(api, fault, words):
    api.fail(fault)
    with pytest.raises(ProviderError) as info:
        writer(api).write(ScriptRequest("Cats", scenes=3 if fault != "few_scenes" else None))
    assert words in str(info.value) and info.value.retryable and not isinstance(info.value, ContentRejected)


def test_malformed_http_body_is_a_retryable_error(api):
    api.fail("malformed")
    with pytest.raises(ProviderError) as info:
        writer(api).write(ScriptRequest("Cats"))
    assert "could not be read" in str(info.value) and info.value.retryable


# --- script: transport faults ----------------------------------------------------------------------------

def test_wrong_key_is_an_auth_error_without_the_key(api):
    with pytest.raises(AuthError) as info:
        writer(api, key="sk-wrong-key-9876543210").write(ScriptRequest("Cats"))
    message = str(info.value)
    assert "OPENAI_API_KEY" in message and "9876543210" not in message and "sk-wro" not in message
    assert len(chats(api)) == 1  # 401 is not retried


def test_insufficient_quota_is_never_retried(api):
    api.fail("status", status=429, code="insufficient_quota", times=None)
    with pytest.raises(QuotaExceeded) as info:
        writer(api).write(ScriptRequest("Cats"))
    assert "credit" in str(info.value) and "billing" in str(info.value)
    assert info.value.retryable is False and len(chats(api)) == 1


def test_rate_limit_is_rate_limited_with_its_retry_after_after_one_request(api):
    api.fail("status", status=429, times=None, headers={"retry-after": "0.05"})
    with pytest.raises(RateLimited) as info:
        writer(api).write(ScriptRequest("Cats"))
    assert info.value.retry_after == pytest.approx(0.05) and len(chats(api)) == 1  # the pipeline retries


def test_server_error_is_retryable_with_its_retry_after_after_one_request(api):
    api.fail("status", status=503, times=None, headers={"retry-after-ms": "10"})
    with pytest.raises(ProviderError) as info:
        writer(api).write(ScriptRequest("Cats"))
    assert "server error (503)" in str(info.value) and info.value.retryable
    assert info.value.retry_after == pytest.approx(0.01) and len(chats(api)) == 1


def test_hung_connection_times_out(api):
    api.fail("hang", times=None)
    started = time.monotonic()
    with pytest.raises(ProviderTimeout) as info:
        writer(api, timeout=0.4).write(ScriptRequest("Cats"))
    assert time.monotonic() - started < 3 and "did not answer in time" in str(info.value)


def test_unknown_model_is_not_retryable(api):
    api.fail("status", status=404, code="model_not_found", message="The model `gpt-9` does not exist.")
    with pytest.raises(ProviderError) as info:
        writer(api, model="gpt-9").write(ScriptRequest("Cats"))
    assert "gpt-9" in str(info.value) and info.value.retryable is False


def test_unreachable_server_says_where_it_looked():
    w = OpenAIScriptWriter(KEY, base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ProviderError) as info:
        w.write(ScriptRequest("Cats"))
    assert "127.0.0.1:9" in str(info.value) and "OPENAI_BASE_URL" in str(info.value)


# --- voice -----------------------------------------------------------------------------------------------

def test_voice_speaks_mp3_with_estimated_word_timings(api, tmp_path):
    voice = OpenAIVoice(KEY, base_url=f"{api.url}/v1", voice="nova", speed=1.25, instructions="Warm and upbeat.")
    text = "Cats purr when they are happy and calm."
    track = voice.speak(text, tmp_path)
    (sent,) = api.requests_to("/audio/speech")
    assert sent.json == {"model": "gpt-4o-mini-tts", "voice": "nova", "input": text, "response_format": "mp3",
                         "speed": 1.25, "instructions": "Warm and upbeat."}
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    info = probe(track.audio_path)
    assert info.audio_codec == "mp3" and track.duration == pytest.approx(info.duration)
    assert [w.word for w in track.words] == text.split()
    assert track.words[-1].end == pytest.approx(track.duration, abs=0.01)
    assert track.cost_usd == pytest.approx(track.duration / 60 * 0.015)
    assert list(tmp_path.iterdir()) == [tmp_path / track.audio_path.rsplit("/", 1)[1]]  # no .part left


def test_voice_tts1_is_priced_per_character_and_sends_no_instructions(api, tmp_path):
    voice = OpenAIVoice(KEY, base_url=f"{api.url}/v1", model="tts-1", instructions="ignored by tts-1")
    track = voice.speak("Hello there.", tmp_path)
    assert "instructions" not in api.requests_to("/audio/speech")[0].json
    assert track.cost_usd == pytest.approx(len("Hello there.") * 15 / 1_000_000)
    assert voice.cache_params()["instructions"] == ""


def test_voice_errors_map_once(api, tmp_path):
    with pytest.raises(AuthError):
        OpenAIVoice("sk-nope-000000000000", base_url=f"{api.url}/v1").speak("Hi there.", tmp_path)
    api.fail("status", status=429, code="insufficient_quota")
    with pytest.raises(QuotaExceeded):
        OpenAIVoice(KEY, base_url=f"{api.url}/v1").speak("Hi there.", tmp_path)
    with pytest.raises(BadInput):
        OpenAIVoice(KEY, base_url=f"{api.url}/v1").speak("x" * 4097, tmp_path)
    with pytest.raises(BadInput):
        OpenAIVoice(KEY, base_url=f"{api.url}/v1", speed=9)
    assert list(tmp_path.iterdir()) == []
