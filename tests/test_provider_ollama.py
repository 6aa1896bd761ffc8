"""The local model writer (``ollama``) against an Ollama-like fake on 127.0.0.1: real HTTP, the real SDK."""

from __future__ import annotations

import socket
import time

import pytest

from tests.fakes.servers import FakeOllama
from viralreel_core import providers
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import ProviderError
from viralreel_core.models import Scene, Script
from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.http import model_server, retry
from viralreel_core.providers.script.ollama_script import DEFAULT_BASE_URL, OllamaScriptWriter
from viralreel_core.providers.script.openai_script import SCRIPT_SCHEMA
from viralreel_core.run.pipeline import Pipeline


@pytest.fixture(autouse=True)
def fresh_probes():
    model_server.forget()
    yield
    model_server.forget()


@pytest.fixture
def ollama():
    with FakeOllama() as fake:
        yield fake


def writer(fake: FakeOllama, **kw) -> OllamaScriptWriter:
    return OllamaScriptWriter(base_url=f"{fake.url}/v1", **kw)


def chats(fake: FakeOllama):
    return fake.requests_to("/chat/completions")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the writer ---------------------------------------------------------------------------------------

def test_it_writes_a_script_with_json_schema_output_no_key_and_no_cost(ollama):
    w = writer(ollama)
    request = ScriptRequest("Why cats purr", scenes=4)
    script = w.write(request)
    assert [s.number for s in script.scenes] == [1, 2, 3, 4] and all(s.visuals and s.narration for s in script.scenes)
    (sent,) = chats(ollama)
    assert sent.json["model"] == "llama3.2"
    assert sent.json["response_format"]["type"] == "json_schema"
    assert sent.json["response_format"]["json_schema"]["schema"] == SCRIPT_SCHEMA
    assert w.estimate_cost(request) == 0.0 and w.unit_cost() == 0.0
    assert OllamaScriptWriter.service is None and OllamaScriptWriter.key_env is None and not OllamaScriptWriter.offline


def test_a_server_without_json_schema_is_asked_in_plain_text_and_the_json_is_read_out_of_the_prose(ollama):
    ollama.supports_json_schema = False
    w = writer(ollama)
    script = w.write(ScriptRequest("Dogs", scenes=3))
    assert len(script.scenes) == 3 and script.title == "All about Dogs"
    first, second = chats(ollama)
    assert first.json["response_format"]["type"] == "json_schema"
    assert "response_format" not in second.json  # plain text: the answer came fenced in prose
    w.write(ScriptRequest("Birds", scenes=3))  # remembered: straight to plain text
    assert len(chats(ollama)) == 3 and "response_format" not in chats(ollama)[-1].json


def test_an_unusable_answer_is_retried_once_by_the_pipeline_then_works(ollama, tmp_path):
    ollama.fail("bad_content")  # prose without any JSON
    settings = settings_from_env(environ={"OLLAMA_BASE_URL": f"{ollama.url}/v1"}, script_provider="ollama",
                                 cache_dir=tmp_path / "cache")
    with Pipeline(settings, sleep=lambda s: None) as pipeline:
        script = pipeline.write_script("Why cats purr", 3)
    assert len(script.scenes) == 3 and len(chats(ollama)) == 2
    assert pipeline.tally.spent_usd == 0.0


def test_an_answer_unusable_twice_is_one_clear_error(ollama, tmp_path):
    ollama.fail("few_scenes", times=None)
    settings = settings_from_env(environ={"OLLAMA_BASE_URL": f"{ollama.url}/v1"}, script_provider="ollama",
                                 cache_dir=tmp_path / "cache")
    with Pipeline(settings, sleep=lambda s: None) as pipeline, pytest.raises(ProviderError) as info:
        pipeline.write_script("Cats", 3)
    assert "Ollama wrote a script that cannot be used" in str(info.value)
    assert len(chats(ollama)) == retry.SCRIPT_ATTEMPTS


def test_a_model_not_pulled_says_how_to_pull_it(ollama):
    with pytest.raises(ProviderError) as info:
        writer(ollama, model="mistral").write(ScriptRequest("Cats", scenes=3))
    assert "Ollama" in str(info.value) and "mistral" in str(info.value) and "ollama pull" in str(info.value)
    assert info.value.retryable is False


def test_nothing_listening_is_one_line_saying_how_to_start_it():
    w = OllamaScriptWriter(base_url=f"http://127.0.0.1:{free_port()}/v1")
    with pytest.raises(ProviderError) as info:
        w.write(ScriptRequest("Cats", scenes=3))
    assert "Cannot reach Ollama" in str(info.value) and "ollama serve" in str(info.value)


def test_post_texts_and_visuals_come_from_the_local_model_at_no_cost(ollama):
    w = writer(ollama)
    script = Script("Cats", "All about cats", (Scene(1, "a cat", "Cats purr when they are happy."),
                                              Scene(2, "a cat", "Purring helps their bones heal.")))
    texts, cost = w.write_post(script, "en")
    assert texts.title.startswith("All about cats") and texts.hashtags and cost == 0.0
    visuals, cost = w.write_visuals([s.narration for s in script.scenes], "en")
    assert len(visuals) == 2 and "happy" in visuals[0] and "Purring" in visuals[1] and cost == 0.0
    assert ollama.visuals_asked == [[s.narration for s in script.scenes]]
    assert [c.json["response_format"]["json_schema"]["name"] for c in chats(ollama)] == [
        "short_video_post", "short_video_visuals"]


# --- the registry: settings, auto, doctor ---------------------------------------------------------------

def test_settings_read_its_base_url_and_model_and_it_needs_no_key(ollama):
    settings = settings_from_env(environ={"OLLAMA_BASE_URL": f"{ollama.url}/v1"}, script_provider="ollama")
    assert settings.base_urls["ollama"] == f"{ollama.url}/v1" and settings.option("ollama_model") == "llama3.2"
    made = providers.create("script", settings.with_(ollama_model="qwen2.5:3b"))
    assert isinstance(made, OllamaScriptWriter) and made.model == "qwen2.5:3b" and made.base_url == f"{ollama.url}/v1"
    assert OllamaScriptWriter(base_url=None).base_url == DEFAULT_BASE_URL == "http://127.0.0.1:11434/v1"
    assert "ollama" not in providers.key_envs()


def test_auto_picks_it_before_the_offline_writer_when_it_answers_with_the_model(ollama):
    settings = settings_from_env(environ={"OLLAMA_BASE_URL": f"{ollama.url}/v1"})
    assert providers.resolve_name("script", "auto", settings) == "ollama"
    assert providers.resolve_name("script", "auto", settings) == "ollama"
    assert len(ollama.requests_to("/v1/models")) == 1  # asked once, remembered for the process
    # without the model it is not picked (the doctor says to pull it)
    assert providers.resolve_name("script", "auto", settings.with_(ollama_model="mistral")) == "local"
    # a key for a paid writer comes first, as before
    keyed = settings_from_env(environ={"OLLAMA_BASE_URL": f"{ollama.url}/v1", "OPENAI_API_KEY": "sk-x"})
    assert providers.resolve_name("script", "auto", keyed) == "openai"


@pytest.mark.slow
def test_auto_is_fast_when_nothing_listens_and_never_hangs_on_a_silent_server():
    quiet = settings_from_env(environ={"OLLAMA_BASE_URL": f"http://127.0.0.1:{free_port()}/v1"})
    started = time.perf_counter()
    assert providers.resolve_name("script", "auto", quiet) == "local"
    assert time.perf_counter() - started < model_server.CONNECT_TIMEOUT + 0.5
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings = settings_from_env(environ={"OLLAMA_BASE_URL": f"http://127.0.0.1:{silent.getsockname()[1]}/v1"})
        started = time.perf_counter()
        assert providers.resolve_name("script", "auto", settings) == "local"
        assert time.perf_counter() - started < model_server.CONNECT_TIMEOUT + model_server.READ_TIMEOUT + 0.5
        started = time.perf_counter()
        assert providers.resolve_name("script", "auto", settings) == "local"  # remembered: no wait again
        assert time.perf_counter() - started < 0.1


def test_the_probe_is_asked_again_after_a_while(ollama):
    clock = [100.0]
    url = f"{ollama.url}/v1"
    assert model_server.probe(url, clock=lambda: clock[0]).reachable
    clock[0] += model_server.REMEMBER_SECONDS - 1
    model_server.probe(url, clock=lambda: clock[0])
    assert len(ollama.requests_to("/v1/models")) == 1
    clock[0] += 2
    model_server.probe(url, clock=lambda: clock[0])
    assert len(ollama.requests_to("/v1/models")) == 2


def test_the_doctor_reports_whether_it_answers_and_its_models(ollama, tmp_path):
    settings = settings_from_env(environ={"OLLAMA_BASE_URL": f"{ollama.url}/v1"}, cache_dir=tmp_path / "cache")
    report = cli.doctor(settings)["servers"]["ollama"]
    assert report["ok"] is True and report["reachable"] is True and report["models"] == ["llama3.2:latest"]
    assert report["model"] == "llama3.2" and report["endpoint"] == ollama.url.removeprefix("http://")
    missing = cli.doctor(settings.with_(ollama_model="mistral"))["servers"]["ollama"]
    assert missing["ok"] is False and "ollama pull mistral" in missing["hint"]
    gone = settings_from_env(environ={"OLLAMA_BASE_URL": f"http://127.0.0.1:{free_port()}/v1"},
                             cache_dir=tmp_path / "cache")
    whole = cli.doctor(gone)
    assert whole["servers"]["ollama"]["reachable"] is False and "ollama serve" in whole["servers"]["ollama"]["hint"]
    assert whole["ok"] is True  # optional: a missing local model server never fails the doctor
