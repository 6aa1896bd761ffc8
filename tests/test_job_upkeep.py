"""Job records kept within the retention policy (SQLite and Redis), warnings surfaced from workers into
the record, the API's answer and batch results, and the CLI refusing what a job refuses, in one place."""

from __future__ import annotations

import csv
import time
import uuid

import pytest

from viralreel_core.cli import main as cli
from viralreel_core.errors import ProviderError
from viralreel_core.jobs import Job, JobQueue, QueueConfig
from viralreel_core.jobs.records import to_prune

DAY = 86400.0


@pytest.fixture
def queue(queue_url, fake_settings):
    made = JobQueue(QueueConfig(url=queue_url, heartbeat=0.2, stale_after=1.0, name="t" + uuid.uuid4().hex[:8],
                                keep_days=7, keep_jobs=3), fake_settings)
    yield made
    made.close()


def test_the_retention_policy_forgets_only_finished_jobs_past_their_age_or_count():
    now = 100 * DAY
    finished = [("old", now - 8 * DAY), ("a", now - 1), ("b", now - 2), ("c", now - 3), ("d", now - 4), ("never", None)]
    assert sorted(to_prune(finished, now, keep_days=7, keep_jobs=3)) == ["d", "never", "old"]
    assert to_prune(finished, now, keep_days=0, keep_jobs=0) == []  # both limits off
    assert sorted(to_prune(finished, now, keep_days=7, keep_jobs=0)) == ["never", "old"]


def test_pruning_keeps_queued_running_and_the_newest_finished_jobs(queue):
    store, now = queue.store, time.time()
    ages = {"fresh1": 1, "fresh2": 2, "fresh3": 3, "fourth": 4, "stale": 9 * DAY}
    for job_id, age in ages.items():
        assert store.add(Job(id=job_id, kind="make", params={"topic": job_id}, created_at=now - age - 5), 0)
        store.claim(job_id, "w")
        store.finish(job_id, "w", "succeeded", result={"video_path": "x"})
        store._transition(job_id, ("succeeded",), None, {"finished_at": now - age})
    store.add(Job(id="waiting", kind="make", params={"topic": "w"}, created_at=now - 30 * DAY), 0)
    store.add(Job(id="working", kind="make", params={"topic": "r"}, created_at=now - 30 * DAY), 0)
    store.claim("working", "w")

    assert queue.prune() == 2  # "stale" is too old, "fourth" one too many
    left = {job.id for job in store.list(50)}
    assert left == {"fresh1", "fresh2", "fresh3", "waiting", "working"}
    assert store.get("stale") is None and store.counts()["succeeded"] == 3
    assert queue.prune() == 0  # nothing more to forget; the store's indexes agree
    assert [j.id for j in store.in_states(["queued", "running"])] == ["waiting", "working"]


@pytest.mark.slow
def test_skipped_scenes_and_warnings_reach_the_job_record(tmp_path, fake_settings, fakes):
    _, _, clips = fakes
    clips.enqueue_failure(ProviderError("The clip service refused this scene.", hint="Try another picture."))
    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2), fake_settings).start(1)
    try:
        job = queue.wait(queue.submit("make", {"topic": "Why cats purr", "options": {"scenes": 3}}).id, 120)
    finally:
        queue.close()
    assert job.state == "succeeded", job.error
    public = job.public()
    assert len(job.result["skipped_scenes"]) == 1 and public["warnings"] == job.result["warnings"]
    (line,) = public["warnings"]
    assert "was left out (clips failed)" in line and "refused this scene" in line


@pytest.mark.slow
def test_batch_results_carry_each_row_s_warnings(tmp_path, monkeypatch, fakes):
    _, _, clips = fakes
    clips.enqueue_failure(ProviderError("The clip service refused this scene."))
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{tmp_path / 'jobs.db'}")
    topics = tmp_path / "topics.csv"
    topics.write_text("topic,scenes,width,height,script_provider,voice_provider,clip_provider\n"
                      "Why owls hoot,3,180,320,fake,fake,fake\n", encoding="utf-8")
    assert cli.main(["batch", str(topics), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c")]) == 0
    with open(tmp_path / "topics_results.csv", newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["status"] == "succeeded" and "left out" in row["warnings"] and "refused" in row["warnings"]


def test_the_cli_refuses_what_a_job_refuses_with_the_same_line(capsys, tmp_path):
    for args, words in ((["--scenes", "21"], "3 to 20 scenes"), (["--voice-provider", "nope"], "Unknown voice"),
                        (["--width", "181"], "cannot be encoded")):
        assert cli.main(["make", "Cats", "--cache-dir", str(tmp_path / "c"), "--out", str(tmp_path / "o"),
                         *args]) == 2
        assert words in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_request_cannot_pass_for_the_studio_s_own_job(tmp_path, fake_settings):
    from viralreel_core.errors import BadInput

    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}"), fake_settings)
    try:
        for reserved in ("handler", "local", "studio"):  # a studio job names folders a worker writes to
            with pytest.raises(BadInput, match="cannot be set in a request"):
                queue.submit("make", {"topic": "Cats", reserved: "studio"})
        assert queue.list() == []
    finally:
        queue.close()
