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
from viralreel_core.config import Settings
from viralreel_core.pipeline import Pipeline

TOPIC = "Why cats purr"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def services(monkeypatch):
    with serving(monkeypatch) as fakes:
        yield fakes


def run(tmp_path: Path, model: str = "gen4_turbo"):
    """One ``make`` of TOPIC with OpenAI's script and voice and Runway's clips, on the cache under ``tmp_path``."""
    settings = Settings.from_env(script_provider="openai", voice_provider="openai", clip_provider="runway",
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
    assert again.cost_usd == 0  # every task was counted by the run that saw it finish


def test_a_run_that_fails_while_polling_leaves_its_tasks_for_the_rerun(services, tmp_path):
    services.runway.fail("status", status=500, match="/v1/tasks/", times=None)  # every poll fails
    first = run(tmp_path, "gen4.5")
    assert not first.success and len(creates(services.runway)) == 3
    services.runway.clear_faults()
    again = run(tmp_path, "gen4.5")
    assert again.success and len(creates(services.runway)) == 3  # the same three tasks polled again
    # counted once, by the run that saw them finish (the first paid the script and voices only)
    assert again.cost_usd == pytest.approx(gen45_price(services.runway))


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
    assert again.cost_usd == pytest.approx(12 * services.runway.tasks[new].seconds * 0.01)


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
        while len(services.runway.requests_to("/v1/tasks/", "GET")) < 1:  # its first poll (after ~5 s)
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
