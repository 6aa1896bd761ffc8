"""Waiting on a service holds no CPU slot: every scene's voice and clip are asked for at once, each service in
its own in-flight limit, and the progress says what waits on whom ("Runway: 6 queued by the service").

Real HTTP to the fakes (OpenAI script, ElevenLabs voices, Runway clips); the assertions are about order and
overlap at the fakes (which request came before which task finished), never about seconds.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.test_services_end_to_end import TOPIC, services, settings_for  # noqa: F401 - the fixture
from viralreel_core.cli import main as cli
from viralreel_core.cli.main import _Bars
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadConfiguration
from viralreel_core.jobs.work import Progress
from viralreel_core.models import Scene
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.run.scheduler import Lane, SceneScheduler, VoicePhase
from viralreel_core.run.waits import Waits
from viralreel_core.studio.step_jobs import StepJob

SCENES = 6
CREATE = "/v1/text_to_video"  # gen4.5 makes a clip from text in one task (no first frame)
SPEAK = "/v1/text-to-speech"


def _settings(tmp_path, **kw):
    return settings_for(tmp_path, script="openai", voice="elevenlabs", clips="runway", scenes=SCENES,
                        runway_model="gen4.5", **kw)


def _videos(runway):
    return [t for t in runway.tasks.values() if t.kind == "video"]


def _wait_until(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_every_clip_task_is_at_runway_before_the_first_one_finishes_and_a_voice_is_asked_for_meanwhile(
        services, tmp_path):  # noqa: F811
    """Runway holds each task in its queue until all six exist and a voice was asked for (or 20 s pass): a run
    that kept a thread per task in a pool of four, voices behind clips, could do neither in that time."""
    both = threading.Event()

    def check(_request) -> None:  # as a request arrives, before it is answered
        creates = len(services.runway.requests_to(CREATE, "POST"))
        if creates >= SCENES and services.elevenlabs.requests_to(SPEAK, "POST"):
            both.set()

    services.runway.on_request(check, times=None)
    services.elevenlabs.on_request(check, times=None)
    services.runway.fail("task_queued", times=None, match=CREATE, until=both, seconds=20.0)
    pipeline = Pipeline(_settings(tmp_path), sleep=lambda s: None)
    voices, clips, skipped = pipeline.make_media(pipeline.write_script(TOPIC))
    assert skipped == [] and len(voices) == len(clips) == SCENES
    videos = _videos(services.runway)
    assert len(videos) == SCENES
    first_done = min(t.done_at for t in videos)
    assert max(t.created_at for t in videos) < first_done  # all six created before any finished
    first_voice = min(r.at for r in services.elevenlabs.requests_to(SPEAK, "POST"))
    assert first_voice < first_done  # the voices did not wait for a clip


def test_voices_are_all_made_while_runway_holds_every_task_and_every_progress_says_so(
        services, tmp_path, capsys):  # noqa: F811
    release = threading.Event()
    services.runway.fail("task_queued", times=None, match=CREATE, until=release, seconds=30.0)
    job, studio, cli = Progress("make"), StepJob("make", "Make", range(1, SCENES + 1)), _Bars()
    events = []

    def report(event) -> None:
        events.append(event)
        for consumer in (job, studio.report, cli):
            consumer(event)

    pipeline = Pipeline(_settings(tmp_path), sleep=lambda s: None, on_progress=report)
    script = pipeline.write_script(TOPIC)
    made = {}
    worker = threading.Thread(target=lambda: made.update(result=pipeline.make_media(script)), daemon=True)
    worker.start()
    try:
        voices_ready = lambda: sum(1 for e in events if e.step == "voice" and e.scene and "ready" in e.message)  # noqa: E731
        assert _wait_until(lambda: voices_ready() == SCENES), "the voices waited behind the clips"
        assert all(t.done_at is None for t in _videos(services.runway))  # Runway still holds every task
        line = "Runway: 6 queued by the service"
        assert _wait_until(lambda: job.snapshot()["message"] == line), job.snapshot()["message"]
        assert studio.message == line  # the studio's progress, the API job's and the CLI's say it
        cli.close()
        assert line in capsys.readouterr().err
    finally:
        release.set()
        worker.join(60)
    voices, clips, skipped = made["result"]
    assert skipped == [] and len(clips) == SCENES
    assert "Runway: 6 queued by the service" in [e.message for e in events if e.step == "clips"]


@pytest.mark.slow
def test_a_service_gets_no_more_calls_at_once_than_its_limit(services, tmp_path, monkeypatch):  # noqa: F811
    """VIRALREEL_RUNWAY_IN_FLIGHT=2: a third task is created only once one of two is over; the rest wait to be
    sent, and the progress says so."""
    monkeypatch.setenv("VIRALREEL_RUNWAY_IN_FLIGHT", "2")
    services.runway.fail("task_takes", times=None, match=CREATE, seconds=0.2)
    events = []
    pipeline = Pipeline(_settings(tmp_path), sleep=lambda s: None, on_progress=events.append)
    assert pipeline.settings.in_flight == {"runway": 2}
    voices, clips, skipped = pipeline.make_media(pipeline.write_script(TOPIC))
    assert skipped == [] and len(clips) == SCENES
    videos = _videos(services.runway)
    for task in videos:  # at most one other task was out (created, not yet finished) when this one was made
        others = [t for t in videos if t is not task and t.created_at < task.created_at < t.done_at]
        assert len(others) <= 1
    assert any("Runway: 4 waiting to be sent" in e.message for e in events)


def test_an_in_flight_limit_that_is_not_a_number_is_one_clear_line():
    with pytest.raises(BadConfiguration) as caught:
        settings_from_env({"VIRALREEL_ELEVENLABS_IN_FLIGHT": "lots"})
    assert "VIRALREEL_ELEVENLABS_IN_FLIGHT" in str(caught.value) and "whole number" in str(caught.value)
    assert settings_from_env({"VIRALREEL_PEXELS_IN_FLIGHT": "3"}).in_flight == {"pexels": 3}


def test_lanes_never_wait_on_each_other():
    """A lane of one thread whose jobs block does not hold back another lane's jobs."""
    scenes = [Scene(n, f"visuals {n}", f"narration {n}") for n in (1, 2, 3)]
    held, voiced = threading.Event(), []

    def clip(scene):
        assert held.wait(10), "the clip was never let go"
        return scene.number

    def voice(scene):
        voiced.append(scene.number)
        if len(voiced) == len(scenes):
            held.set()  # only the voices finishing lets the clips go
        return scene.number

    scheduler = SceneScheduler(1, emit=lambda *a: None, failed=lambda step, n, exc: exc, abort=lambda: None)
    voices, clips, skipped = scheduler.run(scenes, [("clips", clip, Lane("runway", 1, "Runway")),
                                                    ("voice", voice, Lane("elevenlabs", 1, "ElevenLabs"))],
                                           VoicePhase(threading.BoundedSemaphore(1), lambda: None, False))
    assert skipped == [] and sorted(voices) == sorted(clips) == [1, 2, 3]


def test_the_waiting_line_counts_by_state_and_goes_when_nothing_waits():
    said = []
    waits = Waits(lambda step, fraction, message, scene: said.append((step, message)))
    waits.turn("Runway", "clips", 2)
    waits.task("Runway", "clips", "a", "queued")
    waits.task("Runway", "clips", "b", "running")
    waits.task("ElevenLabs", "voice", "c", "running")
    assert waits.line("clips") == "Runway: 2 waiting to be sent, 1 queued by the service, 1 generating"
    waits.turn("Runway", "clips", -2)
    for task in ("a", "b"):
        waits.task("Runway", "clips", task, None)
    assert waits.line("clips") == "" and said[-1] == ("clips", "Runway: 1 generating")
    assert ("voice", "ElevenLabs: 1 generating") in said
    broken = Waits(lambda *a: (_ for _ in ()).throw(RuntimeError("cancelled")))
    broken.task("Runway", "clips", "a", "queued")  # a progress that raises never reaches the provider



def test_the_cli_sets_a_limit_per_service_over_the_environments(monkeypatch):
    monkeypatch.setenv("VIRALREEL_ELEVENLABS_IN_FLIGHT", "2")
    monkeypatch.setenv("VIRALREEL_RUNWAY_IN_FLIGHT", "6")
    args = cli.build_parser().parse_args(["make", "Why cats purr", "--in-flight", "runway=3"])
    assert cli._settings(args).in_flight == {"elevenlabs": 2, "runway": 3}
    bad = cli.build_parser().parse_args(["make", "Why cats purr", "--in-flight", "runwya=3"])
    with pytest.raises(BadConfiguration, match="runwya"):
        cli._settings(bad)
