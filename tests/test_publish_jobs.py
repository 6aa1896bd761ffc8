"""Publishing as a job, from the CLI (``youtube connect`` on a loopback address, ``publish VIDEO_ID --youtube``)
and the HTTP API (``POST /jobs/{id}/publish``), against the fake Google; no token text in any answer."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.fakes.google import FakeGoogle
from tests.services import ApiServer, wait_until
from tests.youtube_helpers import config_for, connect, environment_for, make_video
from viralreel_core.api import create_app
from viralreel_core.cli.main import main
from viralreel_core.jobs import JobQueue, QueueConfig

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"width": 180, "height": 320}


@pytest.fixture
def google(tmp_path, monkeypatch):
    with FakeGoogle() as fake:
        for name, value in environment_for(fake, tmp_path / "config").items():
            monkeypatch.setenv(name, value)
        yield fake


@pytest.fixture
def rendered(tmp_path):
    """A render in the output folder with the post kit beside it (title, description, hashtags, cover)."""
    out = tmp_path / "out"
    out.mkdir()
    video = make_video(out / "viralreel_20261210_120000_a1b2c3d4.mp4")
    cover = out / "viralreel_20261210_120000_a1b2c3d4.cover.jpg"
    cover.write_bytes(b"\xff\xd8\xff\xe0" + b"1" * 500)
    (out / "viralreel_20261210_120000_a1b2c3d4.post.json").write_text(json.dumps({
        "title": "Why cats purr", "description": "Purring, explained. #cats #science",
        "hashtags": ["#cats", "#science", "#shorts"], "cover_path": str(cover)}))
    return video


def test_connect_on_a_loopback_address_then_status_and_disconnect(google, tmp_path, capsys):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "viralreel_core", "youtube", "connect", "--no-browser"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        shown = []
        while not any(line.strip().startswith("http") for line in shown):
            line = process.stderr.readline()
            assert line, "the CLI ended without showing the consent address"
            shown.append(line)
        url = next(line.strip() for line in shown if line.strip().startswith("http"))
        assert url.startswith(f"{google.url}/o/oauth2/v2/auth?") and "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in url
        landed = requests.get(url, timeout=10)  # the consent page sends the browser to the CLI's listener
        assert landed.status_code == 200 and "got Google's answer" in landed.text
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    token_file = tmp_path / "config" / "youtube" / "token.json"
    assert json.loads(out) == {"connected": True, "token_file": str(token_file)}
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert google.leaked(out + err + "".join(shown)) == []

    assert main(["youtube", "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["connected"] is True and google.leaked(json.dumps(status)) == []
    refresh = json.loads(token_file.read_text())["refresh_token"]
    assert main(["youtube", "disconnect"]) == 0
    assert json.loads(capsys.readouterr().out) == {"connected": False, "revoked": True}
    assert google.revoked == [refresh] and not token_file.exists()


def test_cli_publish_takes_the_video_id_and_the_post_kit(google, rendered, tmp_path, capsys):
    connect(config_for(google, tmp_path / "config"))
    code = main(["publish", "a1b2c3d4", "--youtube", "--out", str(rendered.parent), "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    video = google.videos[result["youtube_id"]]
    assert result["state"] == "succeeded" and result["url"] == f"https://www.youtube.com/shorts/{result['youtube_id']}"
    assert result["video_id"] == "a1b2c3d4" and result["format"] == "short" and result["thumbnail"] == "set"
    assert video["snippet"]["title"] == "Why cats purr" and video["snippet"]["tags"] == ["cats", "science", "shorts"]
    assert video["snippet"]["description"] == "Purring, explained. #cats #science\n\n#Shorts"
    assert video["status"]["privacyStatus"] == "private"
    assert google.uploads[result["youtube_id"]] == rendered.read_bytes()
    assert google.leaked(captured.out + captured.err) == []
    queue_db = Path(os.environ["VIRALREEL_QUEUE_URL"].removeprefix("sqlite:///"))
    assert google.leaked(queue_db.read_bytes()) == []  # the job record holds no token


def test_cli_publish_says_what_is_missing_in_one_line(google, rendered, tmp_path, capsys):
    assert main(["publish", "a1b2c3d4", "--out", str(rendered.parent)]) == 2
    assert "Add --youtube" in capsys.readouterr().err
    assert main(["publish", "a1b2c3d4", "--youtube", "--out", str(rendered.parent)]) == 1
    assert "No YouTube channel is connected" in capsys.readouterr().err
    connect(config_for(google, tmp_path / "config"))
    assert main(["publish", "ffffffff", "--youtube", "--out", str(rendered.parent)]) == 2
    assert "There is no video 'ffffffff'" in capsys.readouterr().err
    assert main(["publish", "../../etc/passwd", "--youtube", "--out", str(rendered.parent)]) == 2
    google.fail("status", status=403, code="quotaExceeded", match="/upload/youtube/v3/videos")
    assert main(["publish", rendered.name, "--youtube", "--out", str(rendered.parent), "--quiet"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: YouTube's daily API quota") and google.videos == {}


@pytest.fixture
def api(tmp_path, fake_settings, google):
    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2), fake_settings)
    server = ApiServer(create_app(queue, workers=1))
    yield server
    server.close()
    queue.close()


@pytest.mark.slow
def test_the_api_publishes_the_video_a_job_made(api, google, tmp_path, fake_settings):
    connect(config_for(google, tmp_path / "config"))
    made = api.post("/create-video", json={"topic": "Why owls hoot", "scenes": 3, "wait": True, **SMALL}).json()
    assert made["success"] is True, made
    answer = api.post(f"/jobs/{made['job_id']}/publish", json={"privacy": "unlisted", "made_for_kids": True,
                                                               "tags": ["owls"], "wait": True})
    job = answer.json()
    assert answer.status_code == 200 and job["kind"] == "publish" and job["state"] == "succeeded", job
    result = job["result"]
    video = google.videos[result["youtube_id"]]
    assert video["status"]["privacyStatus"] == "unlisted" and video["status"]["selfDeclaredMadeForKids"] is True
    assert video["snippet"]["tags"] == ["owls"] and result["video_id"] == made["video_id"]
    assert result["short"] is True and job["progress"]["percent"] == 100
    published = Path(fake_settings.output_dir) / made["video_url"].rsplit("/", 1)[1]
    assert google.uploads[result["youtube_id"]] == published.read_bytes()
    every = [answer.text, api.get(f"/jobs/{job['id']}").text, api.get("/jobs").text]
    assert google.leaked("".join(every)) == [] and google.client_secret not in "".join(every)

    queued = api.post(f"/jobs/{made['job_id']}/publish", json={}).json()  # without wait: 202 and a status URL
    done = wait_until(lambda: (j := api.get(queued["status_url"]).json())["state"] == "succeeded" and j, 30)
    assert done["result"]["privacy"] == "private" and done["result"]["youtube_id"] != result["youtube_id"]


@pytest.mark.slow
def test_the_api_refuses_what_cannot_be_published_in_one_line(api, google, tmp_path):
    assert api.post("/jobs/nosuchjob/publish", json={}).status_code == 404
    script = api.post("/create-video", json={"topic": "Why owls hoot", "scenes": 3, **SMALL}).json()
    refused = api.post(f"/jobs/{script['job_id']}/publish", json={})  # still running, or done but not this way
    if refused.status_code == 409:
        assert "no finished video to publish" in refused.json()["message"]
    made = wait_until(lambda: (j := api.get(script["status_url"]).json())["state"] == "succeeded" and j, 60)
    assert api.post(f"/jobs/{made['id']}/publish", json={"title": "x" * 101}).status_code == 400
    assert api.post(f"/jobs/{made['id']}/publish", json={"privacy": "friends"}).status_code == 422
    unconnected = api.post(f"/jobs/{made['id']}/publish", json={"wait": True})
    body = unconnected.json()
    assert unconnected.status_code == 502 and body["state"] == "failed"
    assert body["error"]["message"] == "No YouTube channel is connected." and body["error"]["type"] == "AuthError"
