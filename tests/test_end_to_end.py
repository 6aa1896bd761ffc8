"""Offline end to end: `python -m viralreel_core make` at full size, probed like a person's player would."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.media import audio_samples, caption_pixels, frame_at, probe, rms
from viralreel_core import Pipeline
from viralreel_core.environment import settings_from_env

TOPIC = "The future of AI"
ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_API_SECRET", "_BASE_URL"))}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "viralreel_core", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=900)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One full-size offline run and a second identical one."""
    root = tmp_path_factory.mktemp("e2e")
    args = ["make", TOPIC, "--scenes", "3", "--out", str(root / "out"), "--cache-dir", str(root / "cache")]
    first = run_cli(*args)
    assert first.returncode == 0, first.stderr[-3000:]
    second = run_cli(*args)
    assert second.returncode == 0, second.stderr[-3000:]
    return root, first, second


def voices_of(root: Path):
    """The voice tracks the run used, read back through the (now warm) cache."""
    pipeline = Pipeline(settings_from_env(cache_dir=root / "cache", scenes=3))
    script = pipeline.write_script(TOPIC)
    tracks = [pipeline.voice_for(scene) for scene in script.scenes]
    assert pipeline.tally.misses == 0
    return script, tracks


@pytest.mark.slow
def test_offline_make_writes_a_postable_video(made):
    root, first, _ = made
    result = json.loads(first.stdout)
    assert result["success"] and result["scenes_count"] == 3 and result["skipped_scenes"] == []
    assert result["cache"]["provider_calls"] == {"script": 1, "voice": 3, "clips": 3}
    path = Path(result["video_path"])
    assert re.fullmatch(r"viralreel_\d{8}_\d{6}_" + result["video_id"] + r"\.mp4", path.name)
    assert json.loads(path.with_suffix(".json").read_text())["video_id"] == result["video_id"]
    names = [p.name for p in path.parent.iterdir()]  # two runs: video, record, post kit (cover, captions); no partial
    assert len(names) == 12 and all(re.fullmatch(r"viralreel_\d{8}_\d{6}_\w{8}\.(mp4|json|jpg|srt|vtt|post\.json)", n)
                                    for n in names)

    info = probe(path)
    assert (info.width, info.height, info.fps) == (1080, 1920, 30.0)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert 6500 <= info.video_bitrate_kbps <= 9500, info
    assert 170 <= info.audio_bitrate_kbps <= 200, info
    data = path.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat"), "not +faststart: the index must come first"

    script, tracks = voices_of(root)
    assert info.duration == pytest.approx(sum(t.duration for t in tracks), abs=0.3)

    # the narration is there and audible
    assert rms(audio_samples(path)) > 0.02
    first_word = tracks[0].words[1]
    assert rms(audio_samples(path, first_word.start, first_word.end - first_word.start)) > 0.03

    # captions are on screen while words are spoken, in every scene
    start = 0.0
    for track in tracks:
        word = track.words[len(track.words) // 2]
        t = start + (word.start + word.end) / 2
        assert caption_pixels(frame_at(path, t, 1080, 1920)) > 2000, (t, word)
        start += np.ceil(track.duration * 30 - 1e-6) / 30

    # each scene looks different and moves
    b1 = np.ceil(tracks[0].duration * 30) / 30
    one = frame_at(path, b1 / 2, 1080, 1920)[:800].astype(int)
    two = frame_at(path, b1 + 1.5, 1080, 1920)[:800].astype(int)
    assert abs(one - two).mean() > 8
    later = frame_at(path, b1 / 2 + 1.0, 1080, 1920)[:800].astype(int)
    assert abs(one - later).mean() > 1

    # progress bars per step on stderr
    for label in ("Script", "Voice", "Clips", "Assemble"):
        assert label in first.stderr


@pytest.mark.slow
def test_second_identical_run_is_all_cache_hits(made):
    _, first, second = made
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert two["success"] and two["video_path"] != one["video_path"]
    assert two["cache"]["misses"] == 0 and two["cache"]["provider_calls"] == {}
    assert two["cache"]["hits"] == 7 and two["cache"]["segments_reused"] == 3
    assert probe(two["video_path"]).duration == pytest.approx(probe(one["video_path"]).duration, abs=0.05)


@pytest.mark.parametrize("args, message", [
    (["make", ""], "topic is empty"),
    (["make", "x" * 501], "501 characters"),
    (["make", "Cats", "--voice-provider", "nope"], "Unknown voice provider 'nope'"),
    (["make", "Cats", "--scenes", "21"], "3 to 20"),
    (["make", "Cats", "--scenes", "0"], "3 to 20"),
    (["script", "   "], "topic is empty"),
])
def test_bad_input_is_one_clear_line_and_exit_code_2(tmp_path, args, message):
    done = run_cli(*args, "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "out").exists()


def test_script_command_prints_the_script_json(tmp_path):
    done = run_cli("script", TOPIC, "--scenes", "4", "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    script = json.loads(done.stdout)
    assert script["topic"] == TOPIC and len(script["scenes"]) == 4
    assert all(s["visuals"] and s["narration"] for s in script["scenes"])


def test_doctor_reports_parts_and_key_presence_never_values(tmp_path):
    secret = "sk-doctor-SECRET-42"
    done = run_cli("doctor", "--cache-dir", str(tmp_path / "cache"), env_extra={"OPENAI_API_KEY": secret})
    assert secret not in done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ffmpeg"]["ok"] and report["offline_voice"]["ok"] and report["cache_dir"]["ok"]
    assert report["keys"]["OPENAI_API_KEY"] is True and report["keys"]["PEXELS_API_KEY"] is False
    assert done.returncode == 0


@pytest.mark.slow
def test_cache_stats_and_clear(tmp_path):
    cache_dir = str(tmp_path / "cache")
    written = run_cli("script", "Cats", "--cache-dir", cache_dir)
    assert written.returncode == 0
    assert "[square brackets] wait for your own" in written.stderr  # the offline draft says it has no facts
    stats = json.loads(run_cli("cache", "stats", "--cache-dir", cache_dir).stdout)
    assert stats["entries"] == 1 and stats["misses"] == 1
    cleared = run_cli("cache", "clear", "--cache-dir", cache_dir)
    assert cleared.returncode == 0
    assert json.loads(run_cli("cache", "stats", "--cache-dir", cache_dir).stdout)["entries"] == 0
