"""The studio's voices, clips and renders as jobs on the persistent queue (a real SQLite Huey queue and
worker threads): keys never in a record, a typed key kept in this process, renders capped by the render
lane, each visitor reaching only their own workspace's jobs, and a studio server killed mid-job whose job
is retried by the restarted studio and shown to the reloaded page."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import ClassVar

import pytest

from tests.fakes.providers import FakeVoice, SlowClipMaker
from tests.media import probe
from tests.services import REPO_ROOT, RedisServer, wait_until
from viralreel_core import ApiKeys, providers
from viralreel_core.cache.store import AssetCache
from viralreel_core.config import Settings
from viralreel_core.jobs import JobQueue, QueueConfig
from viralreel_core.studio import Studio, StudioConfig
from viralreel_core.studio.engine import StudioEngine

TYPED = "acme-typed-by-a-visitor-0123456789"
OWNER = "acme-the-owners-own-key-9876543210"


class KeyedVoice(FakeVoice):
    """A paid voice (declared like a real one) that notes the key each call was made with."""

    name = "keyed"
    offline = False
    service = "keyed"
    key_env = "KEYED_API_KEY"
    used: ClassVar[list[str]] = []

    def __init__(self, key: str = "") -> None:
        self.key = key

    @classmethod
    def from_settings(cls, settings):
        return cls(settings.keys.get(cls.service, ""))

    def speak(self, text, out_dir):
        type(self).used.append(self.key)
        return super().speak(text, out_dir)


@pytest.fixture
def engine(tmp_path, fake_settings):
    made = StudioEngine(JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2, poll=0.1),
                                 fake_settings), renders=1, others=2)
    yield made
    made.close()


def studio_in(workspace: Path, settings: Settings, cache, engine: StudioEngine, topic: str = "Cats") -> Studio:
    studio = Studio(settings, cache, StudioConfig(projects_dir=workspace / "projects"), sleep=lambda s: None,
                    engine=engine)
    studio.form.topic, studio.form.scenes = topic, 3
    studio.start_script().wait()
    studio.poll()
    studio.accept_script()
    return studio


def made_all(studio: Studio) -> Studio:
    studio.start_voices()
    studio.start_clips()
    studio.wait(60)
    assert not studio.errors and len(studio.voices) == len(studio.clips) == 3
    return studio


def stored_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in tmp_path.glob("jobs.db*") if p.suffix != ".db-shm")


@pytest.fixture
def any_engine(queue_url, fake_settings):
    made = StudioEngine(JobQueue(QueueConfig(url=queue_url, heartbeat=0.2, poll=0.1, name="t" + uuid.uuid4().hex[:8]),
                                 fake_settings), renders=1, others=2)
    yield made
    made.close()


@pytest.mark.slow
def test_voices_clips_and_renders_are_queued_jobs_that_the_studio_applies(any_engine, fake_settings, cache, tmp_path):
    engine = any_engine
    studio = studio_in(tmp_path / "a", fake_settings.with_(music_dir=tmp_path / "a" / "music"), cache, engine)
    studio.form.language = "es"  # a setting the studio takes from its form, not its options
    made_all(studio)
    studio.start_render()
    studio.wait(60)
    assert studio.last_render and probe(studio.last_render["video_path"]).duration > 1
    jobs = {j.kind: j for j in engine.queue.list()}
    for kind in ("voices", "clips", "render"):  # through Huey's queue and its worker threads
        job = jobs[kind]
        assert job.state == "succeeded" and job.params["handler"] == "studio" and job.params["keys"] == "none"
        assert job.params["project_id"] == studio.id and job.params["workspace"] == studio.workspace
        from viralreel_core.studio.tasks import StudioHandler

        worker_settings = StudioHandler().settings(engine.queue.settings, job.params)
        assert worker_settings.language == "es" and worker_settings.output_dir == studio.settings().output_dir
        assert worker_settings.music_dir == tmp_path / "a" / "music"  # the visitor's own music uploads
    assert jobs["script"].params["local"]  # a script runs in the studio's own threads, recorded
    assert jobs["render"].result["video_path"] == studio.last_render["video_path"]
    assert not studio.queued and studio.tally.to_dict()["misses"] >= 6  # the jobs' tallies were added


@pytest.mark.slow
def test_stop_keeps_the_scenes_a_queued_clips_job_made(engine, fake_settings, cache, tmp_path, fakes):
    engine.queue.settings = fake_settings.with_(workers=1)  # the worker makes one scene at a time, in order
    studio = studio_in(tmp_path / "a", fake_settings, cache, engine)
    studio.options["clip_provider"] = "slow"  # scene 1 is quick, scenes 2 and 3 wait
    job = studio.start_clips()
    wait_until(lambda: job.snapshot()["scenes"].get(1) == 1.0, 30, 0.05, "scene 1's clip")
    assert studio.stop("clips")
    job.wait(30)
    studio.poll()
    record = engine.queue.get(list(j.id for j in engine.queue.list() if j.kind == "clips")[0])
    assert record.state == "cancelled" and SlowClipMaker.aborted.is_set()  # the paid work was told to stop
    assert list(studio.clips) == [studio.uids[0]] and "clips" not in studio.errors  # a stop is no failure
    assert studio.take_news() == ["Stopped. The clips made before the stop are kept; make the others when you want."]


@pytest.mark.slow
def test_a_typed_key_stays_in_this_process_and_never_reaches_a_record(engine, fake_settings, cache, tmp_path):
    providers.register("voice", "keyed", KeyedVoice)
    KeyedVoice.used = []
    try:
        engine.queue.settings = fake_settings.with_(keys=ApiKeys(keyed=OWNER))  # the owner's, from Secrets
        visitor = studio_in(tmp_path / "visitor", fake_settings, cache, engine)
        visitor.options["voice_provider"] = "keyed"
        visitor.keys, visitor.key_sources = ApiKeys(keyed=TYPED), {"keyed": "typed"}
        visitor.start_voices()
        own_cache = AssetCache(tmp_path / "owner_cache")  # not the visitor's voices from the cache
        owner = studio_in(tmp_path / "owner", fake_settings.with_(cache_dir=tmp_path / "owner_cache"), own_cache,
                          engine, topic="Dogs")
        owner.options["voice_provider"] = "keyed"
        owner.keys, owner.key_sources = ApiKeys(keyed=OWNER), {"keyed": "owner"}
        owner.start_voices()
        visitor.wait(60)
        owner.wait(60)
    finally:
        providers.unregister("voice", "keyed")
        own_cache.close()
    assert len(visitor.voices) == len(owner.voices) == 3 and not visitor.errors and not owner.errors
    assert sorted(set(KeyedVoice.used)) == sorted({TYPED, OWNER})
    voices = {j.params["project_id"]: j for j in engine.queue.list() if j.kind == "voices"}
    assert voices[visitor.id].params.get("local") and "handler" not in voices[visitor.id].params  # in-process
    assert voices[owner.id].params["handler"] == "studio" and voices[owner.id].params["keys"] == "owner"
    assert TYPED.encode() not in stored_bytes(tmp_path) and OWNER.encode() not in stored_bytes(tmp_path)


@pytest.mark.slow
def test_renders_take_turns_in_the_render_lane_across_workspaces(engine, fake_settings, cache, tmp_path):
    first = made_all(studio_in(tmp_path / "a", fake_settings, cache, engine))
    second = made_all(studio_in(tmp_path / "b", fake_settings, cache, engine, topic="Dogs"))
    first.start_render()
    second.start_render()
    first.wait(90)
    second.wait(90)
    renders = sorted((j for j in engine.queue.list() if j.kind == "render"), key=lambda j: j.started_at)
    assert [j.state for j in renders] == ["succeeded", "succeeded"]
    assert renders[1].started_at >= renders[0].finished_at  # one render at a time on this server
    assert first.last_render and second.last_render


@pytest.mark.slow
def test_a_visitor_reaches_only_their_own_workspace_s_jobs(engine, fake_settings, cache, tmp_path):
    a = made_all(studio_in(tmp_path / "a", fake_settings, cache, engine))
    b = studio_in(tmp_path / "b", fake_settings, cache, engine, topic="Dogs")
    a.start_render()
    job_id = a.queued["assemble"]
    assert engine.record(job_id, b.workspace) is None and not engine.cancel(job_id, b.workspace)
    forged = {**b.to_document(), "jobs": {"assemble": job_id}}  # B's project pointing at A's job
    b.open(forged)
    assert not b.jobs and not b.queued
    a.wait(60)
    assert a.last_render and engine.queue.get(job_id).state == "succeeded"


@pytest.mark.slow  # two studio processes, one killed
def test_a_studio_server_killed_mid_job_retries_it_and_the_reloaded_page_gets_the_clips(tmp_path, monkeypatch, fakes):
    from tests.test_studio_app import ok, settle
    from tests.test_studio_sharing import visit

    for name, value in {"VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_STUDIO_SIZE": "180x320",
                        "VIRALREEL_WORKSPACES": "shared", "VIRALREEL_WORKSPACES_DIR": str(tmp_path / "ws"),
                        "VIRALREEL_JOB_HEARTBEAT": "0.3"}.items():
        monkeypatch.setenv(name, value)
    log = open(tmp_path / "first.log", "wb")  # noqa: SIM115 - closed below
    first = subprocess.Popen([sys.executable, "-m", "tests.fakes.studio_process"], cwd=REPO_ROOT,
                             env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, stdout=subprocess.PIPE, stderr=log)
    try:
        started = json.loads(first.stdout.readline() or "{}")
        assert started, (tmp_path / "first.log").read_text()[-2000:]
        queue = JobQueue(QueueConfig.from_env(os.environ), Settings())  # a look at the records from outside
        assert queue.get(started["job_id"]).state == "running"
        os.kill(first.pid, signal.SIGKILL)  # the studio server dies mid-job, nothing cleaned up
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        first.stdout.close()
        log.close()
    assert queue.get(started["job_id"]).state == "running"  # as the dead process left it

    SlowClipMaker.release.set()  # this time the clips come back
    page = visit(started["token"])  # the studio started again (here); the visitor reloads the link
    studio = page.session_state["studio"]
    assert studio.id == started["project_id"] and studio.busy("clips")  # reattached to the queued job
    ok(settle(page))
    job = queue.get(started["job_id"])
    assert job.state == "succeeded" and job.attempts == 2, job.error  # retried once, by the new process
    assert any("stopped answering" in note for note in job.notes)
    assert len(studio.clips) == 3 and not studio.errors and not studio.queued
    queue.close()




@pytest.mark.slow
def test_a_full_queue_refuses_a_studio_job_with_one_line_and_leaves_nothing_running(tmp_path, fake_settings, cache):
    from viralreel_core.errors import QueueFull

    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2, poll=0.1, limit=1),
                     fake_settings)
    engine = StudioEngine(queue, renders=1, others=0)  # nobody takes voices: the first one waits
    try:
        first = studio_in(tmp_path / "a", fake_settings, cache, engine)
        second = studio_in(tmp_path / "b", fake_settings, cache, engine, topic="Dogs")
        job = first.start_voices()
        assert job.wait(0.5).snapshot()["place"] == 1
        with pytest.raises(QueueFull, match="already holds 1 waiting"):
            second.start_voices()
        assert not second.busy() and not second.queued
        job_id = first.queued["voice"]
        assert first.stop("voice")  # a waiting job is cancelled on the spot and never runs
        first.wait(10)
        assert engine.queue.get(job_id).state == "cancelled"
        assert "voice" not in first.errors and not first.voices
        assert [line for line in first.take_news() if line.startswith("Stopped.")]
    finally:
        engine.close()


@pytest.mark.slow  # a worker process on Redis
def test_with_redis_a_worker_process_renders_the_studio_s_video(tmp_path, fake_settings, cache):
    from tests.services import start_cli, stop_cli

    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis")
    env = {"VIRALREEL_QUEUE_URL": server.url, "VIRALREEL_JOB_HEARTBEAT": "0.3"}
    queue = JobQueue(QueueConfig.from_env(env, poll=0.1), fake_settings)
    engine = StudioEngine(queue, renders=0, others=2)  # this studio renders nothing itself: a worker does
    worker = start_cli(["worker"], env, tmp_path / "worker.log")
    try:
        studio = made_all(studio_in(tmp_path / "a", fake_settings, cache, engine))
        wait_until(lambda: len(queue.live_workers()) == 2, 60, 0.2, "the worker to register")
        studio.start_render()
        studio.wait(120)
        assert studio.last_render, (studio.errors, (tmp_path / "worker.log").read_text()[-2000:])
        render = next(j for j in queue.list() if j.kind == "render")
        assert render.worker.split(":")[1] == str(worker.pid)  # rendered by the worker process
        assert probe(studio.last_render["video_path"]).duration > 1
    finally:
        stop_cli(worker)
        engine.close()
        server.close()
