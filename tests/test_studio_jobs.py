"""Background jobs (viralreel_core/studio/step_jobs.py): progress, stopping, errors, one job per step."""

from __future__ import annotations

import gc
import logging
import threading
import weakref

import pytest

from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.models import ProgressEvent
from viralreel_core.studio.step_jobs import JobBoard, StepJob, describe_error


def test_progress_counts_scenes_done_or_each_scenes_own_fraction():
    job = StepJob("voice", "Voices", [1, 2])
    job.report(ProgressEvent("voice", 0.5, "Scene 1 ready", 1))
    assert job.snapshot()["scenes"] == {1: 1.0, 2: 0.0} and job.snapshot()["fraction"] == 0.5
    job.report(ProgressEvent("voice", 0.2, "late and lower"))  # progress never goes back
    assert job.snapshot()["fraction"] == 0.5 and job.snapshot()["message"] == "late and lower"

    render = StepJob("assemble", "Render", [1, 2], per_scene=True)
    render.report(ProgressEvent("assemble", 0.5, "", 1))
    assert render.snapshot()["scenes"][1] == 0.5 and render.snapshot()["fraction"] == pytest.approx(0.95 * 0.25)
    render.report(ProgressEvent("assemble", 1.0, "Done"))
    assert render.snapshot()["fraction"] == 1.0


def test_a_job_runs_in_its_own_thread_and_hands_back_its_result_or_error():
    seen = []
    job = StepJob("script", "Writing").start(lambda j: seen.append(threading.current_thread().name) or "a script")
    job.wait(10)
    assert job.done and job.result == "a script" and job.error is None and seen == ["viralreel-script"]
    failed = StepJob("voice", "Voices").start(lambda j: (_ for _ in ()).throw(ProviderError("down")))
    failed.wait(10)
    assert failed.done and isinstance(failed.error, ProviderError) and failed.result is None


def test_a_finished_job_collects_the_cycles_its_work_left_and_the_server_does_not_after_every_rerun():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text("utf-8"))
    assert config["runner"]["postScriptGC"] is False  # a page polling twice a second collected every time
    left: list[weakref.ref] = []

    class Frames:
        pass

    def work(job):
        frames = Frames()
        frames.me = frames  # a cycle: only a collection frees it
        left.append(weakref.ref(frames))
        return "done"

    gc.disable()  # so only the job's own collection can free it
    try:
        StepJob("voice", "Voices").start(work).wait(10)
        assert left[0]() is None
    finally:
        gc.enable()


def test_an_unexpected_failure_is_logged_without_the_key(caplog):
    def work(job):
        raise RuntimeError("boom with sk-secret-123 inside")

    with caplog.at_level(logging.ERROR):
        job = StepJob("clips", "Clips").start(work, redact=lambda text: text.replace("sk-secret-123", "•••"))
        job.wait(10)
    assert "boom with ••• inside" in caplog.text and "sk-secret-123" not in caplog.text
    assert "unexpected" in describe_error(job.error) and "RuntimeError" in describe_error(job.error)


def test_stop_cancels_once_and_only_a_job_that_can_be_cancelled():
    release, cancelled = threading.Event(), []
    job = StepJob("clips", "Clips", cancel=lambda: (cancelled.append(1), release.set()))
    job.start(lambda j: release.wait(10))
    assert job.can_stop and job.stop() and job.snapshot()["stopping"] and job.snapshot()["message"] == "Stopping…"
    job.wait(10)
    assert cancelled == [1] and not job.can_stop and not job.stop()
    plain = StepJob("voice", "Voices").start(lambda j: None)
    assert not plain.can_stop and not plain.stop()
    plain.wait(10)


def test_the_board_keeps_one_job_per_step_and_applies_results_when_polled():
    board, applied, gate = JobBoard(), [], threading.Event()
    board.start(StepJob("voice", "Voices"), lambda j: gate.wait(10) and "voices", applied.append, uids=["a", "b"])
    assert board.busy("voice") and board.busy() and not board.busy("clips")
    assert board.working_on("voice") == {"a", "b"} and list(board) == ["voice"] and board["voice"].label == "Voices"
    with pytest.raises(BadInput, match="already working"):
        board.start(StepJob("voice", "Again"), lambda j: None, applied.append)
    assert board.poll() == [] and applied == []  # still running: nothing applied
    gate.set()
    board.wait(10)
    assert board.poll() == [("voice", None)] and applied == ["voices"] and len(board) == 0

    def bad_apply(result):
        raise BadInput("the scene went away")

    board.start(StepJob("clips", "Clips"), lambda j: "clips", bad_apply)
    board.wait(10)
    [(step, error)] = board.poll()
    assert step == "clips" and str(error).startswith("the scene went away")
