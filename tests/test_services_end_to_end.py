"""The whole pipeline against local fakes of OpenAI, ElevenLabs, Runway, Pexels and Pixabay: real HTTP, real MP4s.

Keys and base URLs reach the providers the way they do in production (environment → ``Settings``);
only the fakes' timing is shortened (Runway polls every 10 ms, the retry policy backs off for 10 ms).
"""

from __future__ import annotations

import json
import logging

import pytest

from tests.fakes.environment import KEYS, serving
from tests.media import probe
from viralreel_core import providers
from viralreel_core.cli import main as cli
from viralreel_core.config import Settings
from viralreel_core.environment import settings_from_env
from viralreel_core.run.pipeline import Pipeline

TOPIC = "Why cats purr"
SMALL = {"width": 180, "height": 320}


@pytest.fixture
def services(monkeypatch):
    """The five fakes, with the environment pointing the real providers at them."""
    with serving(monkeypatch) as fakes:
        yield fakes


def settings_for(tmp_path, script="auto", voice="auto", clips="auto", **kw) -> Settings:
    return settings_from_env(script_provider=script, voice_provider=voice, clip_provider=clips,
                             cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", **SMALL, **kw)


def make(settings, waits: list[float] | None = None):
    return Pipeline(settings, sleep=(waits.append if waits is not None else lambda s: None)).make(TOPIC)


def counts(services) -> tuple[int, ...]:
    return tuple(len(fake.requests) for fake in services.all)


# --- every combination, then the cache ------------------------------------------------------------------

@pytest.mark.parametrize("voice, clips", [("auto", "auto"), ("openai", "openai_images"), *(
    pytest.param(*pair, marks=pytest.mark.slow) for pair in (
        ("elevenlabs", "pexels"), ("openai", "runway"), ("openai", "pexels"), ("openai", "pixabay")))])
@pytest.mark.slow
def test_every_provider_combination_makes_a_real_mp4_and_a_second_run_sends_nothing(
        services, tmp_path, voice, clips):
    settings = settings_for(tmp_path, voice=voice, clips=clips)
    voice_name = providers.resolve_name("voice", voice, settings)
    clips_name = providers.resolve_name("clips", clips, settings)
    assert providers.resolve_name("script", "auto", settings) == "openai"

    result = make(settings)
    assert result.success, result.message
    assert result.scenes_count == 3 and result.skipped_scenes == []
    info = probe(result.video_path)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (180, 320, "h264", "aac")
    assert info.duration > 3

    chats = services.openai.requests_to("/chat/completions")
    checks = [r for r in chats if '"image_url"' in r.text()]  # stock candidates checked by the vision model
    assert len(chats) - len(checks) == 2  # the script, then the post kit's texts
    assert len(checks) == (9 if clips_name in ("pexels", "pixabay") else 0)  # the best three of each scene
    voice_api = services.elevenlabs if voice_name == "elevenlabs" else services.openai
    voice_path = "/with-timestamps" if voice_name == "elevenlabs" else "/audio/speech"
    assert len(voice_api.requests_to(voice_path)) == 3
    if clips_name == "runway":
        assert [r.path for r in services.runway.requests if r.method == "POST"].count("/v1/image_to_video") == 3
        assert result.credits == []
    elif clips_name == "openai_images":
        assert len(services.openai.requests_to("/images/generations")) == 3 and result.credits == []
    elif clips_name == "pixabay":
        assert len(services.pixabay.requests_to("/api/videos/")) >= 3
        assert len(result.credits) >= 2 and all(" on Pixabay (https://pixabay.com/videos/" in c for c in result.credits)
    else:
        assert len(services.pexels.requests_to("/videos/search")) >= 3
        assert len(result.credits) >= 2 and all(" on Pexels (https://www.pexels.com/video/" in c
                                                for c in result.credits)
    assert result.cost_usd > 0 and result.cache["misses"] == 8  # script + post texts + 3 voices + 3 clips

    before = counts(services)
    again = make(settings)
    assert again.success and again.scenes_count == 3
    assert counts(services) == before  # not one request
    assert again.cache["misses"] == 0 and again.cache["hits"] == 8
    assert again.cache["saved_usd"] == pytest.approx(result.cost_usd)
    assert again.credits == result.credits


def test_auto_prefers_each_real_service_only_when_its_key_is_present(tmp_path, monkeypatch):
    monkeypatch.setenv("PEXELS_API_KEY", KEYS["PEXELS_API_KEY"])
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["OPENAI_API_KEY"])
    settings = settings_for(tmp_path)
    assert providers.resolve_name("script", "auto", settings) == "openai"
    assert providers.resolve_name("voice", "auto", settings) == "openai"  # no ElevenLabs key
    assert providers.resolve_name("clips", "auto", settings) == "pexels"  # no Runway key
    monkeypatch.setenv("RUNWAYML_API_SECRET", KEYS["RUNWAYML_API_SECRET"])
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEYS["ELEVENLABS_API_KEY"])
    settings = settings_for(tmp_path)
    assert providers.resolve_name("voice", "auto", settings) == "elevenlabs"
    assert providers.resolve_name("clips", "auto", settings) == "runway"


# --- faults: the documented outcome ------------------------------------------------------------------------

@pytest.mark.slow
def test_voice_failing_for_one_scene_skips_it_and_a_rerun_redoes_only_that(services, tmp_path):
    services.elevenlabs.fail("status", status=500, match="Scene 2 ", times=None)
    waits: list[float] = []
    settings = settings_for(tmp_path)
    result = make(settings, waits)
    assert result.success and result.scenes_count == 2
    (skipped,) = result.skipped_scenes
    assert skipped["scene"] == 2 and skipped["step"] == "voice"
    assert "ElevenLabs had a server error (500)" in skipped["reason"]
    scene2 = [r for r in services.elevenlabs.requests if "Scene 2 " in r.text()]
    assert len(scene2) == 3  # the pipeline's 3 attempts, one request each (it was 9 with two layers retrying)
    assert waits == pytest.approx([0.01, 0.02])  # the policy's backoff between its attempts

    services.elevenlabs.clear_faults()  # the service recovers; the person runs again
    before = counts(services)
    again = make(settings)
    assert again.success and again.scenes_count == 3 and again.skipped_scenes == []
    assert again.cache["provider_calls"] == {"voice": 1}
    assert tuple(b - a for a, b in zip(before, counts(services), strict=True)) == (0, 1, 0, 0, 0)


@pytest.mark.slow
def test_voice_rate_limit_waits_for_retry_after_then_succeeds(services, tmp_path):
    services.elevenlabs.fail("status", status=429, code="concurrent_limit_exceeded", headers={"Retry-After": "1"},
                             match="Scene 1 ")
    waits: list[float] = []
    result = make(settings_for(tmp_path), waits)
    assert result.success and result.scenes_count == 3
    assert len([r for r in services.elevenlabs.requests if "Scene 1 " in r.text()]) == 2
    assert waits == [1.0]  # what Retry-After asked, through the pipeline's (injected) sleep


@pytest.mark.slow
def test_clip_refused_by_moderation_is_skipped_not_rerun_and_retried_alone(services, tmp_path):
    services.runway.fail("task_failed", code="SAFETY.INPUT.TEXT", failure="Prompt flagged.", match="shot 3 ")
    settings = settings_for(tmp_path)
    result = make(settings)
    assert result.success and result.scenes_count == 2
    (skipped,) = result.skipped_scenes
    assert skipped["scene"] == 3 and skipped["step"] == "clips"
    assert "moderation" in skipped["reason"] and "SAFETY.INPUT.TEXT" in skipped["reason"]
    assert len([r for r in services.runway.requests if r.method == "POST" and "shot 3 " in r.text()]) == 1

    again = make(settings)  # the person retries: only that scene's clip is asked for
    assert again.success and again.scenes_count == 3 and again.cache["provider_calls"] == {"clips": 1}


@pytest.mark.slow
def test_runway_task_that_fails_is_reported_with_its_failure_code(services, tmp_path):
    services.runway.fail("task_failed", code="INTERNAL.BAD_OUTPUT.CODE01", match="shot 1 ", times=None)
    result = make(settings_for(tmp_path))
    assert [s["scene"] for s in result.skipped_scenes] == [1]
    assert "INTERNAL.BAD_OUTPUT.CODE01" in result.skipped_scenes[0]["reason"]


@pytest.mark.slow
def test_cut_off_clip_download_is_fetched_again_and_nothing_is_lost(services, tmp_path):
    services.runway.fail("truncated", match="/outputs/")
    result = make(settings_for(tmp_path))
    assert result.success and result.scenes_count == 3
    assert len(services.runway.requests_to("/outputs/")) == 4
    assert len([r for r in services.runway.requests if r.path == "/v1/image_to_video"]) == 3


@pytest.mark.slow
def test_stock_search_with_no_match_goes_to_the_next_stock_service_and_credits_both(services, tmp_path):
    services.pexels.unknown_words = {"ocean"}  # scene 3 is "A ocean waves, …"
    result = make(settings_for(tmp_path, clips="pexels"))
    assert result.success and result.scenes_count == 3 and result.skipped_scenes == []
    assert any(w.startswith("Scene 3: Pexels has no good match") for w in result.warnings)
    assert len(result.credits) == 3 and sum(" on Pixabay (" in c for c in result.credits) == 1


@pytest.mark.slow
def test_stock_search_with_no_match_and_no_fallback_skips_that_scene_and_credits_the_rest(services, tmp_path):
    services.pexels.unknown_words = {"ocean"}
    result = make(settings_for(tmp_path, clips="pexels", provider_options={"clip_fallback": "none"}))
    assert result.success and result.scenes_count == 2
    assert [(s["scene"], s["step"]) for s in result.skipped_scenes] == [(3, "clips")]
    assert "no good match" in result.skipped_scenes[0]["reason"]
    assert len(result.credits) == 2


def script_requests(openai) -> list:
    """The chat requests for the script (not the post kit's texts, asked for after the render)."""
    return [r for r in openai.requests_to("/chat/completions") if "the post that goes with" not in r.text()]


@pytest.mark.slow
def test_unusable_script_is_retried_once(services, tmp_path):
    services.openai.fail("bad_content")
    result = make(settings_for(tmp_path))
    assert result.success and len(script_requests(services.openai)) == 2


@pytest.mark.slow
def test_script_server_error_is_retried_by_the_pipeline(services, tmp_path):
    services.openai.fail("status", status=500, headers={"retry-after-ms": "10"})
    result = make(settings_for(tmp_path))
    assert result.success and len(script_requests(services.openai)) == 2


@pytest.mark.parametrize("fault, options, words", [
    ("status", {"status": 429, "code": "insufficient_quota", "times": None}, "no credit left"),
    ("refusal", {}, "declined to write this script"),
])
def test_no_credit_or_a_refusal_stops_at_the_script_with_a_clear_message(services, tmp_path, fault, options, words):
    services.openai.fail(fault, **options)
    result = make(settings_for(tmp_path))
    assert not result.success and result.video_path is None and words in result.message
    assert len(services.openai.requests) == 1  # never retried
    assert counts(services)[1:] == (0, 0, 0, 0)  # nothing else was spent
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("service, env, wrong", [("ElevenLabs", "ELEVENLABS_API_KEY", "el-e2e-WRONG-KEY-123454321"),
                                                 ("Runway", "RUNWAYML_API_SECRET", "key_" + "0badc0de" * 16)])
def test_wrong_keys_give_clear_errors_that_hold_no_key(services, tmp_path, monkeypatch, service, env, wrong):
    monkeypatch.setenv(env, wrong)
    result = make(settings_for(tmp_path))
    assert not result.success and len([s for s in result.skipped_scenes if s["step"] == "clips"]) == 3
    reasons = " ".join(s["reason"] for s in result.skipped_scenes)
    assert f"{service} rejected the API key" in reasons and env in reasons
    # the run's paid work stops at the first rejection (paid_work): the result says why
    assert f"{service} rejected the API key" in result.stopped_because and env in result.message
    assert "123454321" not in reasons + result.message and "0badc0de" not in reasons + result.message
    assert len(services.elevenlabs.requests) <= 3  # an auth error is not retried


# --- secrets -----------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_keys_never_reach_logs_errors_results_cache_or_outputs(services, tmp_path, caplog, capsys, monkeypatch):
    caplog.set_level(logging.DEBUG)
    services.elevenlabs.fail("status", status=500, match="Scene 3 ", times=None)  # error paths run too
    services.runway.fail("task_failed", code="SAFETY.OUTPUT.VIDEO", match="shot 2 ")
    settings = settings_for(tmp_path)
    result = make(settings)
    assert result.success and len(result.skipped_scenes) == 2
    monkeypatch.setenv("OPENAI_API_KEY", "sk-e2e-WRONG-OPENAI-KEY-ffff0000")  # OpenAI echoes part of a bad key
    failed = make(settings_for(tmp_path / "other"))  # its own cache: the script is asked for again
    assert not failed.success and "rejected the API key" in failed.message
    secrets = [*KEYS.values(), "sk-e2e-WRONG-OPENAI-KEY-ffff0000", "ffff0000"]

    texts = {"results": json.dumps([result.to_dict(), failed.to_dict()]), "log": caplog.text,
             "settings": repr(settings) + json.dumps(settings.public_dict(), default=str)}
    out = capsys.readouterr()
    texts["console"] = out.out + out.err
    for name, text in texts.items():
        for secret in secrets:
            assert secret not in text, (name, secret[:6])
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".mp4" for p in files) and any("cache" in p.parts for p in files)
    for path in files:
        try:
            data = path.read_bytes()
        except FileNotFoundError:  # a SQLite -wal/-shm file, folded into its database as a connection closed
            assert path.name.endswith(("-wal", "-shm")), path
            continue
        for secret in secrets:
            assert secret.encode() not in data, path
    for fake in (services.runway, services.pexels):  # output links are fetched without the key
        for r in fake.requests_to("/outputs/") + fake.requests_to("/video-files/"):
            assert "authorization" not in r.headers


# --- make --dry-run ----------------------------------------------------------------------------------------

def test_dry_run_prints_the_plan_and_cost_without_calling_any_service(services, tmp_path, capsys):
    code = cli.main(["make", TOPIC, "--dry-run", "--cache-dir", str(tmp_path / "cache")])
    plan = json.loads(capsys.readouterr().out)
    assert code == 0 and counts(services) == (0, 0, 0, 0, 0)
    assert plan["dry_run"] is True and plan["script_source"] == "assumed" and plan["scenes"] == 5
    assert plan["providers"] == {"script": "openai gpt-4o-mini", "voice": "elevenlabs eleven_multilingual_v2",
                                 "clips": "runway gen4_turbo"}
    steps = plan["steps"]
    assert steps["script"]["calls"] == 1 and 0 < steps["script"]["cost_usd"] < 0.01
    assert steps["voice"]["calls"] == 5 and steps["voice"]["cost_usd"] == pytest.approx(5 * 119 * 0.0001)
    assert steps["clips"]["seconds"] == 40 and steps["clips"]["cost_usd"] == pytest.approx(5 * (5 + 5 * 8) * 0.01)
    assert steps["post"]["calls"] == 1 and 0 < steps["post"]["cost_usd"] < steps["script"]["cost_usd"]
    assert plan["total_cost_usd"] == pytest.approx(sum(s["cost_usd"] for s in steps.values()), abs=1e-6)


@pytest.mark.slow
def test_dry_run_after_a_run_finds_everything_cached_and_free(services, tmp_path, capsys):
    result = make(settings_for(tmp_path))
    assert result.success
    before = counts(services)
    code = cli.main(["make", TOPIC, "--dry-run", "--cache-dir", str(tmp_path / "cache")])
    plan = json.loads(capsys.readouterr().out)
    assert code == 0 and counts(services) == before
    assert plan["script_source"] == "cache" and plan["scenes"] == 3 and plan["total_cost_usd"] == 0
    assert plan["steps"]["voice"]["cached"] == 3 and plan["steps"]["clips"]["cached"] == 3
    assert plan["steps"]["post"] == {"provider": "openai", "calls": 0, "cost_usd": 0.0}  # the kit's texts too


def test_dry_run_with_an_offline_writer_plans_from_the_real_script(services, tmp_path, capsys, fakes):
    code = cli.main(["make", TOPIC, "--dry-run", "--script-provider", "fake", "--scenes", "4",
                     "--cache-dir", str(tmp_path / "cache")])
    plan = json.loads(capsys.readouterr().out)
    assert code == 0 and counts(services) == (0, 0, 0, 0, 0)
    assert plan["script_source"] == "offline writer" and plan["scenes"] == 4
    narration = "Scene 1 says hello world."
    assert plan["scene_plan"][0]["voice_cost_usd"] == pytest.approx(len(narration) * 0.0001)


def test_aborting_a_run_cancels_runway_tasks_and_keeps_the_voices(services, tmp_path):
    import threading
    import time

    services.runway.fail("task_never_finishes", times=None)
    pipeline = Pipeline(settings_for(tmp_path, voice="elevenlabs", clips="runway"), sleep=lambda s: None)
    script = pipeline.write_script(TOPIC)
    outcome: dict = {}
    worker = threading.Thread(target=lambda: outcome.update(media=pipeline.make_media(script)))
    worker.start()
    deadline = time.monotonic() + 10
    # a stop skips scenes whose work has not begun, so wait until every voice was asked for and every
    # clip task is being polled: the voices asked for finish and are kept, the tasks are cancelled
    while (len(services.runway.requests_to("/v1/tasks/", "GET")) < len(script.scenes)
           or len(services.elevenlabs.requests_to("/v1/text-to-speech/")) < len(script.scenes)) \
            and time.monotonic() < deadline:
        time.sleep(0.01)
    pipeline.abort()  # what the CLI does on Ctrl-C and the studio on "Stop"
    worker.join(10)
    assert not worker.is_alive()
    voices, clips, skipped = outcome["media"]
    assert len(voices) == len(script.scenes) and clips == {}
    assert {s["step"] for s in skipped} == {"clips"}, skipped
    assert all("stop" in s["reason"].lower() or "cancel" in s["reason"].lower() for s in skipped), skipped
    assert services.runway.tasks and all(task.cancelled for task in services.runway.tasks.values())
