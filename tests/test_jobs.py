"""Jobs in the core: records that move only by the rules (SQLite and Redis), embedded workers that run
every kind of job to a real MP4, failures that always end a job, the reaper, and cancelling paid work."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.fakes.servers import FakeRunway
from tests.media import probe
from tests.services import wait_until
from viralreel_core.config import Settings
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AuthError, BadInput
from viralreel_core.jobs import Job, JobQueue, QueueConfig

RUNWAY_KEY = "key_" + "c0ffee" * 16


@pytest.fixture
def queues(tmp_path):
    """Make queues on either backend with short heartbeats; all closed after the test."""
    made: list[JobQueue] = []

    def make(settings: Settings, url: str = "", **config) -> JobQueue:
        url = url or f"sqlite:///{tmp_path / 'jobs.db'}"
        config = {"heartbeat": 0.2, "stale_after": 1.0, "name": "t" + uuid.uuid4().hex[:8], **config}
        queue = JobQueue(QueueConfig(url=url, **config), settings)
        made.append(queue)
        return queue

    yield make
    for queue in made:
        queue.close()


@pytest.fixture
def any_queue(queue_url, queues, fake_settings):
    return queues(fake_settings, url=queue_url)


def test_a_job_record_moves_only_by_the_rules_and_outlives_its_process(any_queue, queues, fake_settings):
    store = any_queue.store
    assert store.add(Job(id="j1", kind="make", params={"topic": "x"}), limit=1)
    assert not store.add(Job(id="j2", kind="make", params={"topic": "y"}), limit=1)  # the queue is full
    first, second = store.claim("j1", "A"), store.claim("j1", "B")
    assert first.state == "running" and first.worker == "A" and first.attempts == 1 and second is None
    assert store.beat("j1", "A", {"fraction": 0.5, "step": "voice", "message": "half", "scenes": {}}) == "ok"
    assert store.beat("j1", "B") == "lost" and store.finish("j1", "B", "succeeded") is None
    assert store.cancel("j1").cancel_requested and store.beat("j1", "A") == "cancel"
    assert store.finish("j1", "A", "cancelled", error={"message": "Cancelled", "hint": None}).state == "cancelled"
    assert store.finish("j1", "A", "succeeded") is None  # an ended job stays ended
    again = queues(fake_settings, url=any_queue.config.url, name=any_queue.config.name)  # a restart
    job = again.get("j1")
    assert (job.state, job.progress["step"], job.attempts, job.worker) == ("cancelled", "voice", 1, "A")
    assert again.store.counts()["cancelled"] == 1 and job.finished_at >= job.started_at


@pytest.mark.slow
def test_an_embedded_job_runs_to_a_valid_mp4_with_live_progress(queues, fake_settings):
    queue = queues(fake_settings).start(1)
    job = queue.submit("make", {"topic": "Why cats purr", "options": {"scenes": 3}})
    seen = []
    done = wait_until(lambda: (j := queue.get(job.id)) and (seen.append(j.progress["fraction"]) or j.finished) and j,
                      60, 0.05, "the job to end")
    assert done.state == "succeeded", done.error
    assert seen == sorted(seen) and 0 < len(set(seen)) and done.progress["fraction"] == 1.0
    assert all(s == {"voice": "ready", "clips": "ready", "assemble": "ready"} for s in done.progress["scenes"].values())
    info = probe(done.result["video_path"])
    assert (info.video_codec, info.width, info.height) == ("h264", 180, 320) and info.duration > 1
    assert done.result["scenes_count"] == 3 and done.attempts == 1 and done.started_at >= done.created_at


@pytest.mark.slow
def test_every_long_step_is_a_job_script_voices_clips_render(queues, fake_settings):
    queue = queues(fake_settings).start(1)
    script = queue.wait(queue.submit("script", {"topic": "Owls", "options": {"scenes": 3}}).id, 30)
    assert script.state == "succeeded" and len(script.result["script"]["scenes"]) == 3
    edited = script.result["script"]
    edited["scenes"][0]["narration"] = "An edited first line."
    voices = queue.wait(queue.submit("voices", {"script": edited}).id, 30)
    clips = queue.wait(queue.submit("clips", {"script": edited}).id, 30)
    assert voices.state == clips.state == "succeeded"
    assert sorted(voices.result["voices"]) == sorted(clips.result["clips"]) == ["1", "2", "3"]
    render = queue.wait(queue.submit("render", {"script": edited, "voices": voices.result["voices"],
                                                "clips": clips.result["clips"]}).id, 60)
    assert render.state == "succeeded", render.error
    assert probe(render.result["video_path"]).duration > 1 and render.result["scenes_count"] == 3


def test_bad_requests_are_refused_before_anything_is_queued(queues, fake_settings):
    queue = queues(fake_settings)
    for kind, params, words in [("make", {"topic": " "}, "topic is empty"),
                                ("make", {"topic": "x", "options": {"scenes": 21}}, "3 to 20 scenes"),
                                ("make", {"topic": "x", "options": {"voice_provider": "nope"}}, "Unknown voice"),
                                ("make", {"topic": "x", "options": {"width": 181}}, "cannot be encoded"),
                                ("voices", {"script": {"scenes": [{"narration": ""}]}}, "no narration"),
                                ("paint", {}, "Unknown job kind")]:
        with pytest.raises(BadInput, match=words):
            queue.submit(kind, params)
    assert queue.list() == []


def test_a_failing_step_always_ends_the_job_with_what_to_do(queues, fake_settings, fakes):
    writer, _, _ = fakes
    queue = queues(fake_settings).start(1)
    writer.enqueue_failure(AuthError("The OpenAI key was rejected.", hint="Set a valid OPENAI_API_KEY."))
    job = queue.wait(queue.submit("make", {"topic": "Cats"}).id, 30)
    assert job.state == "failed" and "rejected" in job.error["message"] and "OPENAI_API_KEY" in job.error["message"]
    writer.enqueue_failure(RuntimeError("a bug"))  # not ours to explain: still ends, with what to do
    job = queue.wait(queue.submit("script", {"topic": "Dogs"}).id, 30)
    assert job.state == "failed" and job.error["type"] == "InternalError" and "log" in job.error["hint"]
    assert queue.store.counts()["running"] == 0


@pytest.mark.slow
def test_a_silent_worker_s_job_runs_once_more_then_fails_with_the_reason(queues, fake_settings):
    queue = queues(fake_settings, stale_after=1.0)
    job = queue.submit("make", {"topic": "Penguins"})
    queue.store.claim(job.id, "ghost:1:a")  # a worker that took the job and died: it never beats
    time.sleep(1.2)
    assert queue.reap() == [(job.id, "requeued")]
    waiting = queue.get(job.id)
    assert waiting.state == "queued" and waiting.worker is None and "ghost:1:a" in waiting.notes[0]

    queue.start(1)  # a live worker takes the re-queued job: attempt 2 succeeds
    done = queue.wait(job.id, 60)
    assert done.state == "succeeded" and done.attempts == 2, done.error

    queue.stop()
    lost = queue.submit("make", {"topic": "Seals"})
    for ghost in ("ghost:2:a", "ghost:3:b"):  # died twice
        queue.store.claim(lost.id, ghost)
        time.sleep(1.2)
        queue.reap()
    failed = queue.get(lost.id)
    assert failed.state == "failed" and failed.attempts == 2 and failed.error["type"] == "WorkerLost"
    assert "stopped answering 2 times" in failed.error["message"] and "--concurrency" in failed.error["hint"]


@pytest.mark.slow
def test_cancelling_a_queued_job_means_it_never_runs(queues, fake_settings, fakes):
    writer, voice, clips = fakes
    queue = queues(fake_settings)
    job = queue.submit("make", {"topic": "Bees"})
    assert queue.cancel(job.id).state == "cancelled"
    queue.start(1)
    time.sleep(1.5)  # the worker has taken the message by now
    assert queue.get(job.id).state == "cancelled" and writer.calls == voice.calls == clips.calls == []


def test_cancelling_a_running_job_cancels_its_runway_tasks(queues, tmp_path, monkeypatch, fakes):
    with FakeRunway(RUNWAY_KEY) as runway:
        monkeypatch.setenv("RUNWAYML_API_SECRET", RUNWAY_KEY)
        monkeypatch.setenv("RUNWAYML_BASE_URL", runway.url)
        runway.fail("task_never_finishes", times=None)
        settings = settings_from_env(script_provider="fake", voice_provider="fake", clip_provider="runway",
                                     cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", width=180, height=320,
                                     poll_interval=0.01)
        queue = queues(settings).start(1)
        job = queue.submit("make", {"topic": "Volcanoes", "options": {"scenes": 3}})
        wait_until(lambda: len(runway.requests_to("/v1/tasks/", "GET")) >= 3, 30, what="Runway tasks being polled")
        queue.store.cancel(job.id)  # as the API in another process does: the worker hears it at its next beat
        asked = time.monotonic()
        done = queue.wait(job.id, 30)
        assert done.state == "cancelled" and done.error["type"] == "JobCancelled"
        assert time.monotonic() - asked < 5
        assert runway.tasks and all(task.cancelled for task in runway.tasks.values())
        stored = b"".join(p.read_bytes() for p in tmp_path.glob("jobs.db*") if p.suffix != ".db-shm")
        assert RUNWAY_KEY.encode() not in stored  # keys never reach a job record
