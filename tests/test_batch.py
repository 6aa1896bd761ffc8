"""``python -m viralreel_core batch``: one job per row, a results CSV, bad rows reported, reruns skip done rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.media import probe
from viralreel_core.cli import main as cli
from viralreel_core.config import Settings
from viralreel_core.jobs import JobQueue, QueueConfig, settings_for


def _results(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_batch_makes_a_video_per_row_and_a_rerun_skips_the_done_ones(tmp_path, monkeypatch, fakes, capsys):
    writer, _, _ = fakes
    db = tmp_path / "jobs.db"
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{db}")
    topics = tmp_path / "topics.csv"
    providers = "script_provider,voice_provider,clip_provider"
    topics.write_text(f"topic,scenes,tone,width,height,{providers}\n"
                      "Why cats purr,3,funny,180,320,fake,fake,fake\n"
                      ",3,,180,320,fake,fake,fake\n"
                      "Why owls hoot,,serious,180,320,fake,fake,fake\n"
                      "Too many scenes,21,,180,320,fake,fake,fake\n", encoding="utf-8")
    args = ["batch", str(topics), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]

    assert cli.main(args) == 1  # two rows are bad: reported, the others still made
    captured = capsys.readouterr()
    assert "Batch" in captured.err  # the progress bar
    rows = _results(tmp_path / "topics_results.csv")
    assert [r["status"] for r in rows] == ["succeeded", "invalid", "succeeded", "invalid"]
    assert "topic is empty" in rows[1]["message"] and "3 to 20 scenes" in rows[3]["message"]
    for row in (rows[0], rows[2]):
        assert probe(row["path"]).width == 180 and float(row["seconds"]) > 0 and float(row["cost_usd"]) > 0
        assert row["job_id"] and row["message"].startswith("Made ")
    calls = len(writer.calls)

    assert cli.main(args) == 1  # the rerun: nothing new is made
    again = _results(tmp_path / "topics_results.csv")
    assert [r["path"] for r in again] == [r["path"] for r in rows] and len(writer.calls) == calls
    queue = JobQueue(QueueConfig(url=f"sqlite:///{db}"), Settings())  # a look at the records
    assert len(queue.list(50)) == 2  # two jobs in all, from the first run
    queue.close()


def test_a_csv_without_a_topic_column_is_one_clear_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{tmp_path / 'jobs.db'}")
    topics = tmp_path / "t.csv"
    topics.write_text("subject\nCats\n", encoding="utf-8")
    assert cli.main(["batch", str(topics)]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("error: t.csv has no 'topic' column.")
    assert not (tmp_path / "jobs.db").exists()  # refused before any queue was opened


@pytest.mark.slow
def test_a_row_sets_the_providers_own_options_and_a_bad_value_is_its_own_line(tmp_path, monkeypatch, fakes):
    db = tmp_path / "jobs.db"
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{db}")
    topics = tmp_path / "topics.csv"
    topics.write_text("topic,width,height,script_provider,voice_provider,clip_provider,image_model,image_quality,"
                      "music,music_volume\n"
                      "Why cats purr,180,320,fake,fake,fake,gpt-image-1-mini,low,calm,0.2\n"
                      "Why owls hoot,180,320,fake,fake,fake,,ultra,,\n", encoding="utf-8")
    assert cli.main(["batch", str(topics), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]) == 1
    rows = _results(tmp_path / "topics_results.csv")
    assert [r["status"] for r in rows] == ["succeeded", "invalid"]
    assert "image_quality cannot be 'ultra'" in rows[1]["message"]
    assert probe(rows[0]["path"]).audio_codec == "aac"
    queue = JobQueue(QueueConfig(url=f"sqlite:///{db}"), Settings())  # a look at the records
    try:
        [job] = queue.list(5)
        assert job.params["options"]["provider_options"] == {"image_model": "gpt-image-1-mini", "image_quality": "low"}
        settings = settings_for(Settings(), job.params["options"])
    finally:
        queue.close()
    assert settings.option("image_model") == "gpt-image-1-mini" and settings.option("image_quality") == "low"
    assert settings.music_volume == 0.2  # a number, as the CLI's: the same cache keys


@pytest.mark.slow
def test_equal_rows_make_a_video_each_and_invalid_rows_are_not_done(tmp_path, monkeypatch, fakes, capsys):
    db = tmp_path / "jobs.db"
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{db}")
    topics = tmp_path / "topics.csv"
    row = "Why cats purr,3,180,320,fake,fake,fake\n"
    topics.write_text("topic,scenes,width,height,script_provider,voice_provider,clip_provider\n"
                      f"{row}{row},3,180,320,fake,fake,fake\n", encoding="utf-8")
    args = ["batch", str(topics), "--quiet", "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]

    assert cli.main(args) == 1
    summary = json.loads(capsys.readouterr().out)
    rows = _results(tmp_path / "topics_results.csv")
    assert [(r["row"], r["status"]) for r in rows] == [("1", "succeeded"), ("2", "succeeded"), ("3", "invalid")]
    assert rows[0]["path"] != rows[1]["path"] and all(Path(r["path"]).is_file() for r in rows[:2])  # was: one line
    assert summary["skipped_as_done"] == 0 and summary["counts"] == {"succeeded": 2, "invalid": 1}  # was: 1 done

    Path(rows[1]["path"]).unlink()  # one of the two videos is gone: only one is made again
    assert cli.main(args) == 1
    summary = json.loads(capsys.readouterr().out)
    again = _results(tmp_path / "topics_results.csv")
    assert [r["status"] for r in again] == ["succeeded", "succeeded", "invalid"]
    assert again[0]["path"] == rows[0]["path"] and Path(again[1]["path"]).is_file()
    assert summary["skipped_as_done"] == 1 and summary["counts"] == {"succeeded": 2, "invalid": 1}
    queue = JobQueue(QueueConfig(url=f"sqlite:///{db}"), Settings())  # a look at the records
    try:
        assert len(queue.list(50)) == 3  # two jobs, then one
    finally:
        queue.close()
