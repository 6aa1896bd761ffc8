"""The studio's own work recorded as jobs in the shared store: same records, a render cap per process,
cancelling through the record, and a dead local job failed (never re-queued)."""

from __future__ import annotations

import time

import pytest

from tests.media import probe
from tests.services import wait_until
from viralreel_core import ApiKeys
from viralreel_core.environment import settings_from_env
from viralreel_core.jobs import Job, JobQueue, QueueConfig
from viralreel_core.jobs import local as local_jobs
from viralreel_core.studio import Studio, StudioConfig

SECRET = "sk-typed-in-the-sidebar-0123456789"


@pytest.fixture
def queue(tmp_path):
    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.1, stale_after=1.0),
                     settings_from_env(environ={}))
    local_jobs.enable(queue, render_slots=1)
    yield queue
    local_jobs.disable()
    queue.close()


def made(fake_settings, cache, tmp_path, topic: str) -> Studio:
    studio = Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    studio.form.topic, studio.form.scenes = topic, 3
    studio.start_script().wait()
    studio.poll()
    studio.accept_script()
    studio.start_voices()
    studio.start_clips()
    studio.wait()
    assert not studio.errors
    return studio


@pytest.mark.slow
def test_the_studio_s_work_is_recorded_as_jobs_without_its_keys(queue, fake_settings, cache, tmp_path):
    studio = made(fake_settings, cache, tmp_path, "Cats")
    studio.keys = ApiKeys(openai=SECRET)  # typed in the sidebar: never in a record
    studio.start_render()
    studio.wait()
    jobs = list(reversed(queue.list()))
    kinds = [j.kind for j in jobs]  # voices and clips start together: each thread records its own job, in either order
    assert kinds[0] == "script" and sorted(kinds[1:3]) == ["clips", "voices"] and kinds[3:] == ["render"], kinds
    assert all(j.state == "succeeded" and j.params["project_id"] == studio.id and j.params["local"] for j in jobs)
    render = jobs[-1]
    assert render.result["video_path"] == studio.last_render["video_path"] and render.progress["fraction"] == 1.0
    assert probe(render.result["video_path"]).duration > 1
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("jobs.db*") if p.suffix != ".db-shm")
    assert SECRET.encode() not in stored


@pytest.mark.slow
def test_renders_wait_for_the_process_s_slot_and_a_cancel_through_the_record_stops_one(
        queue, fake_settings, cache, tmp_path):
    first = made(fake_settings, cache, tmp_path, "Cats")
    first.options["width"], first.options["height"] = 720, 1280  # a render long enough to stop halfway
    second = made(fake_settings, cache, tmp_path, "Dogs")
    first.start_render()
    time.sleep(0.3)
    second.start_render()

    def states():
        renders = sorted((j for j in queue.list() if j.kind == "render"), key=lambda j: j.created_at)
        return len(renders) == 2 and [j.state for j in renders] == ["running", "queued"] and renders

    running, waiting = wait_until(states, 30, 0.02, "one render running and one waiting for the slot")
    queue.store.cancel(running.id)  # what DELETE /jobs/{id} does, from any process
    first.wait(30)
    second.wait(60)
    # a cancel is a stop, said once as news, not an error
    assert queue.get(running.id).state == "cancelled" and first.last_render is None
    assert "assemble" not in first.errors and any(line.startswith("Stopped") for line in first.take_news())
    after = queue.get(waiting.id)
    assert after.state == "succeeded" and after.started_at >= queue.get(running.id).finished_at
    assert second.last_render and probe(second.last_render["video_path"]).duration > 1
    assert not list((tmp_path / "out").glob("*.part*"))


@pytest.mark.slow
def test_a_local_job_whose_process_died_is_failed_not_requeued(queue):
    queue.store.add(Job(id="studio1", kind="render", params={"project_id": "p", "local": True}), 0)
    queue.store.claim("studio1", "ghost:9:dead")  # then its process died: no heartbeat ever again
    job = wait_until(lambda: (j := queue.get("studio1")).finished and j, 10, 0.1, "the reaper")  # this process's
    assert job.state == "failed" and job.attempts == 1 and "stopped answering once" in job.error["message"]
