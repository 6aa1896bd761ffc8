"""Providers' own options (``image_model``…) from the CLI's ``--option`` and the API's ``options``: checked
before anything is spent, shown by a dry run, and sent to the service in a real run."""

from __future__ import annotations

import json

import pytest

from tests.fakes.servers import FakeOpenAI
from tests.media import probe
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.jobs import check_provider_options, settings_for

KEY = "sk-opt-OPENAI-SECRET-99887766554433221100"
TOPIC = "Why do cats purr?"


@pytest.fixture
def openai_api(monkeypatch):
    with FakeOpenAI(KEY) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", f"{fake.url}/v1")
        monkeypatch.setenv("VIRALREEL_RETRY_BACKOFF", "0.01")  # the fake answers at once: short waits
        yield fake


def _make(tmp_path, capsys, *flags: str) -> tuple[int, str, str]:
    code = cli.main(["make", TOPIC, "--scenes", "3", "--quiet", "--out", str(tmp_path / "out"),
                     "--cache-dir", str(tmp_path / "cache"), *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_dry_run_shows_the_chosen_option_and_asks_nothing(openai_api, tmp_path, capsys):
    code, out, err = _make(tmp_path, capsys, "--dry-run", "--clip-provider", "openai_images",
                           "--option", "image_model=gpt-image-1-mini", "--option", "image_quality=low")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["options"]["image_model"] == "gpt-image-1-mini" and plan["options"]["image_quality"] == "low"
    assert plan["providers"]["clips"].startswith("openai_images gpt-image-1-mini")
    default = json.loads(_make(tmp_path, capsys, "--dry-run", "--clip-provider", "openai_images")[1])
    assert plan["steps"]["clips"]["cost_usd"] < default["steps"]["clips"]["cost_usd"]  # the cheaper model, priced
    assert openai_api.requests_to("/v1/images/generations") == [] and KEY not in out


@pytest.mark.parametrize(("flag", "words"), [
    ("image_model=gpt-9", "image_model cannot be 'gpt-9'. Choose one of: gpt-image-1, gpt-image-1-mini"),
    ("image_quality=ultra", "image_quality cannot be 'ultra'. Choose one of: low, medium, high"),
    ("colour=red", "Unknown provider option 'colour'. Options are: clip_fallback, elevenlabs_model, "),
    ("image_model", "--option takes NAME=VALUE, not 'image_model'."),
])
def test_a_bad_option_is_one_line_and_exit_code_2_before_any_request(openai_api, tmp_path, capsys, flag, words):
    code, out, err = _make(tmp_path, capsys, "--clip-provider", "openai_images", "--option", flag)
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith("error: ") and words in line
    assert openai_api.requests == [] and not (tmp_path / "out").exists()


def test_over_the_api_a_file_path_option_is_refused_and_a_good_one_applied():
    base = settings_from_env(environ={})
    assert settings_for(base, {"provider_options": {"runway_model": "gen4_turbo"}}).option("runway_model") == \
        "gen4_turbo"
    with pytest.raises(BadInput, match="Unknown provider option 'piper_voice_path'"):
        settings_for(base, {"provider_options": {"piper_voice_path": "/etc/passwd"}})
    assert check_provider_options({"piper_voice_path": "voice.onnx"}) == {"piper_voice_path": "voice.onnx"}  # CLI
    with pytest.raises(BadInput, match="openai_voice must be a short text"):
        check_provider_options({"openai_voice": {"nested": 1}})


@pytest.mark.slow
def test_a_real_run_sends_the_chosen_model_and_caches_by_it(openai_api, tmp_path, capsys):
    flags = ("--script-provider", "openai", "--voice-provider", "openai", "--clip-provider", "openai_images",
             "--width", "180", "--height", "320", "--option", "openai_voice=ash")
    code, out, err = _make(tmp_path, capsys, *flags, "--option", "image_model=gpt-image-1-mini")
    assert code == 0, err
    result = json.loads(out)
    assert probe(result["video_path"]).duration > 0
    asked = [r.json for r in openai_api.requests_to("/v1/images/generations")]
    assert len(asked) == 3 and {a["model"] for a in asked} == {"gpt-image-1-mini"}
    assert {r.json["voice"] for r in openai_api.requests_to("/v1/audio/speech")} == {"ash"}
    assert KEY not in out + err
    code, out, err = _make(tmp_path, capsys, *flags, "--option", "image_model=gpt-image-1")  # another model:
    assert code == 0, err  # new images, the voices and script from the cache
    asked = [r.json["model"] for r in openai_api.requests_to("/v1/images/generations")]
    assert asked[3:] == ["gpt-image-1"] * 3 and len(openai_api.requests_to("/v1/audio/speech")) == 3
