"""Workers past one machine: a real redis-server, two real worker processes, one killed with SIGKILL
mid-render — every job ends, none is lost, the killed one is run again by the other worker, every MP4 plays."""

from __future__ import annotations

import os
import signal

import pytest

from tests.media import probe
from tests.services import ApiServer, RedisServer, start_cli, stop_cli, wait_until
from viralreel_core.api import create_app
from viralreel_core.environment import settings_from_env
from viralreel_core.jobs import JobQueue, QueueConfig

pytestmark = pytest.mark.waits  # worker processes doing the work: started first (conftest.py)

TOPICS = ("Why cats purr", "Why owls hoot", "How bees dance", "Why the sea is salty")


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.close()


@pytest.mark.slow  # about a minute: two worker processes, four renders, a reaping
def test_a_worker_killed_mid_render_loses_no_job(tmp_path, redis_server):
    env = {"VIRALREEL_QUEUE_URL": redis_server.url, "VIRALREEL_OUTPUT_DIR": str(tmp_path / "out"),
           "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_JOB_HEARTBEAT": "0.5",
           "VIRALREEL_JOB_STALE_AFTER": "6"}
    workers = [start_cli(["worker"], env, tmp_path / f"worker{n}.log") for n in range(2)]
    queue = JobQueue(QueueConfig.from_env(env), settings_from_env(environ=env))
    api = ApiServer(create_app(queue))  # the HTTP API runs no jobs itself here: the workers do
    try:
        wait_until(lambda: api.get("/health").json()["workers"] == 2, 60, 0.2, "two workers to register")
        answers = [api.post("/create-video", json={"topic": t, "scenes": 3, "width": 180, "height": 320})
                   for t in TOPICS]
        assert [a.status_code for a in answers] == [202] * 4
        jobs = [a.json()["job_id"] for a in answers]
        victim = wait_until(lambda: next((j for j in queue.store.running()
                                          if j.progress.get("step") == "assemble"), None), 120, 0.02,
                            "a job to be rendering")
        pid = int(victim.worker.split(":")[1])
        killed = next(w for w in workers if w.pid == pid)
        os.kill(pid, signal.SIGKILL)
        killed.wait(10)
        survivor = next(w for w in workers if w is not killed)

        def all_ended():
            found = [queue.get(i) for i in jobs]
            return all(j.finished for j in found) and found

        done = wait_until(all_ended, 240, 0.5, "every job to end")
        assert [j.state for j in done] == ["succeeded"] * 4, [(j.id, j.state, j.error) for j in done]
        again = next(j for j in done if j.id == victim.id)
        assert again.attempts == 2 and victim.worker in again.notes[0] and "assemble" in again.notes[0]
        assert again.worker.split(":")[1] == str(survivor.pid)  # the other worker ran it again
        assert all(j.attempts == 1 for j in done if j.id != victim.id)
        assert queue.store.counts() == {"queued": 0, "running": 0, "succeeded": 4, "failed": 0, "cancelled": 0}
        for job in done:
            info = probe(job.result["video_path"])
            assert (info.video_codec, info.width, info.height) == ("h264", 180, 320) and info.duration > 1
        assert sorted(p.name for p in (tmp_path / "out").glob("*.mp4")) == \
            sorted(os.path.basename(j.result["video_path"]) for j in done)  # no half-written file left
        assert survivor.poll() is None
        listed = api.get("/jobs?limit=10").json()["jobs"]
        assert sorted(j["id"] for j in listed) == sorted(jobs) and {j["state"] for j in listed} == {"succeeded"}
    finally:
        api.close()
        for worker in workers:
            stop_cli(worker)
        queue.close()


def test_without_redis_the_api_says_so_in_one_line(tmp_path, redis_server, fake_settings):
    queue = JobQueue(QueueConfig(url=redis_server.url), fake_settings)
    api = ApiServer(create_app(queue))
    try:
        assert api.get("/health").status_code == 200
        redis_server.close()
        answer = api.post("/create-video", json={"topic": "Why cats purr"})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "10"
        assert answer.json()["message"].startswith("The job queue's Redis cannot be reached.")
        health = api.get("/health")
        assert health.status_code == 503 and health.json()["queue"]["ok"] is False
        assert health.json()["ffmpeg"]["ok"] is True
    finally:
        api.close()
        queue.close()


@pytest.mark.slow  # two worker processes, one after the other, and an offline render
def test_a_worker_told_to_stop_puts_its_job_back_for_the_next_one(tmp_path, redis_server):
    env = {"VIRALREEL_QUEUE_URL": redis_server.url, "VIRALREEL_OUTPUT_DIR": str(tmp_path / "out"),
           "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_JOB_HEARTBEAT": "0.3"}
    queue = JobQueue(QueueConfig.from_env(env), settings_from_env(environ=env))
    first = start_cli(["worker"], env, tmp_path / "first.log")
    second = None
    try:
        job_id = queue.submit("make", {"topic": "Why owls hoot", "options": {"scenes": 3, "width": 180,
                                                                            "height": 320}}).id
        wait_until(lambda: queue.get(job_id).progress.get("step") in ("voice", "clips", "assemble"), 120, 0.05,
                   "the job to be working")
        first.terminate()  # SIGTERM: Huey stops at once; the job in hand goes back to the queue
        first.wait(10)  # and the process ends: no scene of it waits on a slot its stopped voices hold (it hung 20 s)
        stop_cli(first)
        back = queue.get(job_id)
        assert back.state == "queued" and back.attempts == 0 and "worker was stopped" in back.notes[-1]
        second = start_cli(["worker"], env, tmp_path / "second.log")
        done = queue.wait(job_id, 120)
        assert done.state == "succeeded" and done.attempts == 1, done.error
        assert probe(done.result["video_path"]).duration > 1
    finally:
        for worker in (first, second):
            if worker is not None:
                stop_cli(worker)
        queue.close()
