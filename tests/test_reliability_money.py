"""Money: a rerun never pays Runway twice for a task it already paid for (issue: Money, item 4).

Real runs (``Pipeline.make`` and the CLI in a child process) against the local fakes over real HTTP, with a
real cache folder (the task ledger lives beside it) and real ffmpeg.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SMALL
from tests.fakes.environment import serving
from viralreel_core.environment import settings_from_env
from viralreel_core.run.pipeline import Pipeline

TOPIC = "Why cats purr"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def services(monkeypatch):
    with serving(monkeypatch) as fakes:
        yield fakes


def run(tmp_path: Path, model: str = "gen4_turbo"):
    """One ``make`` of TOPIC with OpenAI's script and voice and Runway's clips, on the cache under ``tmp_path``."""
    settings = settings_from_env(script_provider="openai", voice_provider="openai", clip_provider="runway",
                                 runway_model=model, cache_dir=tmp_path / "cache", output_dir=tmp_path / "out",
                                 **SMALL)
    with Pipeline(settings, sleep=lambda s: None) as pipeline:
        return pipeline.make(TOPIC)


def creates(runway) -> list:
    return [r for r in runway.requests if r.method == "POST"]


def video_tasks(runway) -> set[str]:
    return {task_id for task_id, task in runway.tasks.items() if task.kind == "video"}


def gen45_price(runway) -> float:
    """Dollars the fake's gen4.5 video tasks cost (12 credits a second, $0.01 a credit)."""
    return sum(12 * task.seconds * 0.01 for task in runway.tasks.values() if task.kind == "video")


def downloaded(runway, since: int) -> set[str]:
    """The tasks whose video output was fetched in requests ``since`` onwards."""
    return {Path(r.path).stem for r in runway.requests[since:] if r.path.startswith("/outputs/")
            and r.path.endswith(".mp4")}


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["not_video", "truncated", "disconnect"])
def test_a_failed_download_is_fetched_again_on_the_rerun_without_a_new_task(services, tmp_path, fault):
    # "not_video": an HTML page instead of the MP4; "truncated": cut off half way; "disconnect": no answer
    services.runway.fail(fault, match=".mp4", times=None)
    first = run(tmp_path)
    assert not first.success and {s["step"] for s in first.skipped_scenes} == {"clips"}
    paid = len(creates(services.runway))
    assert paid == 6  # 3 first frames and 3 videos
    services.runway.clear_faults()
    seen = len(services.runway.requests)
    again = run(tmp_path)
    assert again.success and again.scenes_count == 3
    assert len(creates(services.runway)) == paid  # was: 6 more tasks, $1.05 paid twice
    assert downloaded(services.runway, seen) == video_tasks(services.runway)  # the first run's tasks
    # every task was counted by the run that saw it finish: the rerun pays only for the post kit's texts
    # (a fraction of a cent, with a finished video), no clip again
    assert again.cost_usd < 0.001


@pytest.mark.slow
def test_a_run_that_fails_while_polling_leaves_its_tasks_for_the_rerun(services, tmp_path):
    services.runway.fail("status", status=500, match="/v1/tasks/", times=None)  # every poll fails
    first = run(tmp_path, "gen4.5")
    assert not first.success and len(creates(services.runway)) == 3
    services.runway.clear_faults()
    again = run(tmp_path, "gen4.5")
    assert again.success and len(creates(services.runway)) == 3  # the same three tasks polled again
    # counted once, by the run that saw them finish (the first paid the script and voices only)
    assert again.cost_usd == pytest.approx(gen45_price(services.runway) + post_price(tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("fate", ["gone", "cancelled", "failed"])
def test_a_recorded_task_that_is_gone_or_over_is_paid_for_again_once(services, tmp_path, fate):
    services.runway.fail("not_video", match=".mp4", times=None)
    run(tmp_path, "gen4.5")
    services.runway.clear_faults()
    tasks = sorted(video_tasks(services.runway))
    victim = tasks[0]
    if fate == "gone":
        del services.runway.tasks[victim]  # Runway answers 404 for it now
    elif fate == "cancelled":
        services.runway.tasks[victim].cancelled = True
    else:
        services.runway.tasks[victim].statuses = ["FAILED"]
        services.runway.tasks[victim].failure_code = "INTERNAL.BAD_OUTPUT.CODE01"
    again = run(tmp_path, "gen4.5")
    assert again.success and len(creates(services.runway)) == 3 + 1  # that one scene, once
    (new,) = video_tasks(services.runway) - {victim} - set(tasks)
    assert again.cost_usd == pytest.approx(12 * services.runway.tasks[new].seconds * 0.01 + post_price(tmp_path))


@pytest.mark.slow
def test_a_run_killed_while_polling_leaves_its_tasks_for_the_rerun(services, tmp_path):
    services.runway.fail("task_takes", seconds=600, times=3)  # the tasks are still running when it dies
    cache, out = tmp_path / "cache", tmp_path / "out"
    command = [sys.executable, "-m", "viralreel_core", "make", TOPIC, "--script-provider", "openai",
               "--voice-provider", "openai", "--clip-provider", "runway", "--option", "runway_model=gen4.5",
               "--cache-dir", str(cache), "--out", str(out), "--quiet",
               "--width", str(SMALL["width"]), "--height", str(SMALL["height"])]
    child = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        # every task polled once: each was written down (the ledger) before its first look
        while len({r.path for r in services.runway.requests_to("/v1/tasks/", "GET")}) < 3:
            assert child.poll() is None and time.monotonic() < deadline, "the run ended before polling"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert len(creates(services.runway)) == 3
    for task in services.runway.tasks.values():
        task.ready_at = 0.0  # they finish while nobody watches
    seen = len(services.runway.requests)
    again = run(tmp_path, "gen4.5")
    assert again.success and again.scenes_count == 3
    assert len(creates(services.runway)) == 3  # was: three new tasks
    assert downloaded(services.runway, seen) == video_tasks(services.runway)
    assert again.cost_usd >= gen45_price(services.runway) - 1e-9  # the dead run counted nothing: this one does


# --- an account-level failure stops the run's paid work (issue: Money, item 5) ------------------------------

def run_with(tmp_path: Path, voice: str, name: str = "run"):
    settings = settings_from_env(script_provider="openai", voice_provider=voice, clip_provider="runway",
                                 cache_dir=tmp_path / name / "cache", output_dir=tmp_path / name / "out", **SMALL)
    with Pipeline(settings, sleep=lambda s: None) as pipeline:
        return pipeline.make(TOPIC)


def post_price(tmp_path: Path) -> float:
    """What the post kit's texts cost (a finished video comes with them)."""
    settings = settings_from_env(script_provider="openai", cache_dir=tmp_path / "post-only")
    with Pipeline(settings) as pipeline:
        script = pipeline.write_script(TOPIC)
        before = pipeline.tally.spent_usd
        pipeline.write_post(script, "en")
        return pipeline.tally.spent_usd - before


def script_price(tmp_path: Path) -> float:
    settings = settings_from_env(script_provider="openai", cache_dir=tmp_path / "script-only")
    with Pipeline(settings) as pipeline:
        pipeline.write_script(TOPIC)
        return pipeline.tally.spent_usd


@pytest.mark.parametrize("voice, fault", [
    ("elevenlabs", {"status": 401, "code": "quota_exceeded",
                    "message": "This request exceeds your quota of 10000. You have 3 credits remaining."}),
    ("openai", {"status": 429, "code": "insufficient_quota"}),
])
@pytest.mark.slow
def test_a_voice_account_out_of_credit_cancels_the_clips_and_says_why(services, tmp_path, monkeypatch, voice,
                                                                      fault):
    monkeypatch.setenv(f"VIRALREEL_{voice.upper()}_IN_FLIGHT", "1")  # one voice at a time: the others wait to be sent
    voice_api = services.elevenlabs if voice == "elevenlabs" else services.openai
    # the videos are generating when it fails; the old code waited them out (15 s here) and paid for them
    services.runway.fail("task_takes", seconds=15, times=None)
    voice_api.latency = 0.5  # the voice answers after every video task was created
    voice_api.fail("status", match="/audio/speech" if voice == "openai" else "/text-to-speech/", times=None,
                   **fault)
    result = run_with(tmp_path, voice)
    voice_api.latency = 0.0
    runway = services.runway
    videos = video_tasks(runway)
    assert not result.success and len(videos) == 3
    refused_at = min(r.at for r in voice_api.requests if "speech" in r.path) + 0.5  # its answer (the latency)
    assert not [r for r in creates(runway) if r.at > refused_at]  # nothing paid started after it
    cancels = {Path(r.path).name: r.at for r in runway.requests_to("/v1/tasks/", "DELETE")}
    assert set(cancels) == videos and max(cancels.values()) < refused_at + 5  # at once; was: made and paid ($1.05)
    speech = [r for r in voice_api.requests if "speech" in r.path]
    assert len(speech) < 3  # the voices not started yet never were
    assert ("quota" in result.stopped_because) and result.stopped_because in result.message
    assert "paid work stopped" in result.message.lower() and f"${result.cost_usd:.2f} spent" in result.message
    frames = len([t for t in runway.tasks.values() if t.kind == "image"]) * 0.05  # finished first frames are billed
    assert result.cost_usd == pytest.approx(script_price(tmp_path) + frames, abs=1e-6)
    assert {s["step"] for s in result.skipped_scenes} == {"voice", "clips"} and len(result.skipped_scenes) == 6


def test_runway_out_of_credits_stops_the_voices_not_started(services, tmp_path, monkeypatch):
    monkeypatch.setenv("VIRALREEL_ELEVENLABS_IN_FLIGHT", "1")  # one voice at a time: the others wait to be sent
    services.runway.fail("status", status=400, message="You do not have enough credits to run this task.",
                         match="text_to_image", times=None)
    services.elevenlabs.latency = 0.3
    result = run_with(tmp_path, "elevenlabs")
    services.elevenlabs.latency = 0.0
    assert not result.success and "credits" in result.stopped_because
    assert not [t for t in services.runway.tasks.values()]  # no task was ever created
    # the three clips and the first voice start at once: the two voices waiting to be sent are refused
    assert len(services.elevenlabs.requests_to("/text-to-speech/")) <= 1
    refused = [s for s in result.skipped_scenes if s["step"] == "voice" and s["reason"].startswith("Not started")]
    assert len(refused) >= 2 and "credits" in refused[0]["reason"]


@pytest.mark.slow
def test_scenes_that_have_everything_are_still_made_when_the_account_runs_dry(services, tmp_path):
    clean = run_with(tmp_path, "elevenlabs", "first")  # scene clips and voices for this topic are now cached
    assert clean.success
    services.runway.fail("status", status=400, message="You do not have enough credits to run this task.",
                         match="text_to_image", times=None)
    settings = settings_from_env(script_provider="openai", voice_provider="elevenlabs", clip_provider="runway",
                                 cache_dir=tmp_path / "first" / "cache", output_dir=tmp_path / "first" / "out",
                                 **SMALL)
    with Pipeline(settings, sleep=lambda s: None) as pipeline:
        script = pipeline.write_script(TOPIC)
        pipeline.cache.drop(pipeline.clip_key(script.scenes[2]))  # scene 3's clip must be paid for again
        result = pipeline.make(TOPIC)
    assert result.success and result.scenes_count == 2  # scenes 1 and 2 came from the cache: still a video
    assert [(s["scene"], s["step"]) for s in result.skipped_scenes] == [(3, "clips")]
    assert "credits" in result.stopped_because and "paid work stopped" in result.message


def test_one_place_says_which_failures_end_paid_work():
    from viralreel_core.errors import (
        AuthError,
        ContentRejected,
        ProviderError,
        ProviderTimeout,
        QuotaExceeded,
        RateLimited,
    )
    from viralreel_core.providers.http.retry import ends_paid_work

    assert ends_paid_work(AuthError("key rejected")) and ends_paid_work(QuotaExceeded("no credit"))
    for passing in (RateLimited("slow down"), ProviderTimeout("late"), ContentRejected("no"), ProviderError("500"),
                    ValueError("a bug")):
        assert not ends_paid_work(passing)
