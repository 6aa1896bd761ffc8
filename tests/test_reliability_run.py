"""A run under bad configuration, hostile text and paid work that fails a check (issue 8).

``make`` through the CLI, keys pointed at the local fakes over real HTTP; real folders and real ffmpeg.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import SMALL
from tests.fakes.environment import serving
from tests.media import audio_samples, frame_count
from viralreel_core.cache.store import AssetCache
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.run.checks import validate_topic
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.workspace.projects import ProjectStore

TOPIC = "Why cats purr"
PAID = ["--script-provider", "openai", "--voice-provider", "openai", "--clip-provider", "runway"]


@pytest.fixture
def services(monkeypatch):
    with serving(monkeypatch) as fakes:
        yield fakes


def sent(services) -> int:
    return sum(len(fake.requests) for fake in services.all)


def make_cli(*args: str) -> list[str]:
    return ["make", TOPIC, *PAID, "--quiet", "--width", str(SMALL["width"]), "--height", str(SMALL["height"]),
            *args]


# --- paths are made absolute at the edge -------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("how", ["flag", "environment"])
def test_a_relative_cache_folder_works_to_the_end(services, tmp_path, monkeypatch, capsys, how):
    monkeypatch.chdir(tmp_path)
    if how == "flag":
        code = cli.main(make_cli("--cache-dir", "mycache", "--out", "videos"))
    else:
        monkeypatch.setenv("VIRALREEL_CACHE_DIR", "mycache")
        code = cli.main(make_cli("--out", "videos"))
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["success"], result["message"]  # was: "Impossible to open …/mycache/…" at the join
    assert Path(result["video_path"]).is_absolute() and Path(result["video_path"]).parent == tmp_path / "videos"
    assert (tmp_path / "mycache" / "assets").is_dir()
    assert settings_from_env(cache_dir=Path("mycache")).cache_dir == tmp_path / "mycache"


# --- checks before spending ---------------------------------------------------------------------------

@pytest.mark.parametrize("size", [("100000", "1920"), ("1080", "8192"), ("1081", "1920"), ("8", "16")])
def test_an_impossible_frame_is_bad_configuration_before_any_call(services, tmp_path, capsys, size):
    code = cli.main(make_cli("--cache-dir", str(tmp_path / "c"), "--out", str(tmp_path / "o"))[:-4]
                    + ["--width", size[0], "--height", size[1]])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""  # was: paid calls, then an OverflowError traceback
    assert len(err.strip().splitlines()) == 1 and "cannot be encoded" in err and "4096" in err
    assert sent(services) == 0


@contextlib.contextmanager
def unwritable(folder: Path):
    """An existing folder this process cannot write to: ``folder`` read-only, or immutable when we are root
    (root ignores modes); where the file system has no immutable flag, a sysfs folder (even root cannot
    create files there)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
        if made.returncode != 0:
            yield Path("/sys/kernel")
            return
        try:
            yield folder
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)


def test_an_unwritable_output_folder_is_bad_configuration_before_any_call(services, tmp_path, capsys):
    with unwritable(tmp_path / "out") as out:
        code = cli.main(make_cli("--cache-dir", str(tmp_path / "c"), "--out", str(out)))
        assert not [p for p in out.iterdir() if "viralreel" in p.name]
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""  # was: paid calls, then a traceback or ffmpeg's 3-line error
    assert len(captured.err.strip().splitlines()) == 1 and "Cannot write videos to" in captured.err
    assert sent(services) == 0


def test_an_unwritable_cache_folder_is_bad_configuration(services, tmp_path, capsys):
    with unwritable(tmp_path / "cache") as cache_dir:
        code = cli.main(make_cli("--cache-dir", str(cache_dir), "--out", str(tmp_path / "out")))
    captured = capsys.readouterr()
    assert code == 2  # was: exit 1, unlike every other piece of bad input
    assert len(captured.err.strip().splitlines()) == 1 and "cache" in captured.err
    assert sent(services) == 0


# --- honest money -----------------------------------------------------------------------------------

def run(tmp_path: Path, name: str, **providers: str):
    settings = settings_from_env(**{f"{step}_provider": p for step, p in
                                    {"script": "openai", "voice": "openai", "clip": "runway", **providers}.items()},
                                 cache_dir=tmp_path / name / "cache", output_dir=tmp_path / name / "out", **SMALL)
    return Pipeline(settings, sleep=lambda s: None).make(TOPIC)


def script_cost(tmp_path: Path) -> float:
    """What writing the script alone costs (from a fresh cache)."""
    settings = settings_from_env(script_provider="openai", cache_dir=tmp_path / "script-only")
    pipeline = Pipeline(settings)
    pipeline.write_script(TOPIC)
    return pipeline.tally.spent_usd


def post_cost(tmp_path: Path) -> float:
    """What the post kit's texts for that script cost (they come only with a finished video)."""
    pipeline = Pipeline(settings_from_env(script_provider="openai", cache_dir=tmp_path / "post-only"))
    script = pipeline.write_script(TOPIC)
    before = pipeline.tally.spent_usd
    pipeline.write_post(script, "en")
    return pipeline.tally.spent_usd - before


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["not_video", "truncated"])
def test_clips_paid_for_but_unusable_are_still_counted(services, tmp_path, fault):
    clean = run(tmp_path, "clean")
    assert clean.success and clean.spent_on_skipped_usd == 0
    # "not_video": Runway's link serves an HTML page; "truncated": every download is cut off, again and again
    services.runway.fail(fault, match="/outputs/", times=None)
    faulted = run(tmp_path, "faulted")
    assert not faulted.success and len(faulted.skipped_scenes) == 3
    spent = clean.cost_usd - post_cost(tmp_path)  # no video, so no post kit
    assert faulted.cost_usd == pytest.approx(spent)  # was: 0.0 though every task ran
    stats = AssetCache(tmp_path / "faulted" / "cache")
    assert stats.stats()["money_spent_usd"] == pytest.approx(spent)  # `cache stats` agrees
    stats.close()
    assert faulted.spent_on_skipped_usd == pytest.approx(spent - script_cost(tmp_path))


@pytest.mark.slow
def test_voices_paid_for_but_unusable_are_counted_and_the_skipped_scene_priced(services, tmp_path):
    clean = run(tmp_path, "clean", voice="elevenlabs")  # 3 scenes alike: script + 3 × (voice + clip) + post texts
    assert clean.success
    services.elevenlabs.fail("bad_audio", match="Scene 2 ", times=None)  # 200 with junk audio, every try
    faulted = run(tmp_path, "faulted", voice="elevenlabs")
    assert faulted.success and [(s["scene"], s["step"]) for s in faulted.skipped_scenes] == [(2, "voice")]
    assert len([r for r in services.elevenlabs.requests if "Scene 2 " in r.text()]) == 1 + 3  # clean + 3 tries

    voice = (faulted.cost_usd - clean.cost_usd) / 2  # three junk answers billed instead of one good one
    clip = (clean.cost_usd - script_cost(tmp_path) - post_cost(tmp_path) - 3 * voice) / 3
    assert voice > 0 and clip > 0
    assert faulted.spent_on_skipped_usd == pytest.approx(3 * voice + clip)  # its clip was made meanwhile


# --- hostile text -----------------------------------------------------------------------------------

def test_control_characters_never_reach_a_service_and_every_script_is_kept(services, tmp_path, capsys):
    topic = "cats\x01\x07\x1b[31mred\x1b[0m — ¿por qué? 猫は喉を鳴らす 🐱\u200d"
    assert validate_topic(topic) == "catsred — ¿por qué? 猫は喉を鳴らす 🐱\u200d"
    code = cli.main(["script", topic, "--script-provider", "openai", "--cache-dir", str(tmp_path / "c")])
    assert code == 0
    (request,) = services.openai.requests_to("/chat/completions")
    body = request.text()
    assert "catsred" in body and "猫は喉を鳴らす" in body
    assert not any(bad in json.loads(body)["messages"][-1]["content"] for bad in ("\x01", "\x07", "\x1b", "[31m"))


def test_a_nul_in_the_topic_is_bad_input_before_anything_is_spent(services, tmp_path):
    settings = settings_from_env(script_provider="openai", voice_provider="openai", clip_provider="runway",
                                 cache_dir=tmp_path / "c", output_dir=tmp_path / "o", **SMALL)
    with pytest.raises(BadInput, match="NUL"):
        Pipeline(settings).make("cats\x00purr")  # was: clips paid for, then every voice failed
    assert sent(services) == 0


def test_a_nul_in_an_edited_narration_stops_the_scenes_before_any_is_paid(services, tmp_path):
    settings = settings_from_env(script_provider="openai", voice_provider="openai", clip_provider="runway",
                                 cache_dir=tmp_path / "c", output_dir=tmp_path / "o", **SMALL)
    pipeline = Pipeline(settings, sleep=lambda s: None)
    script = pipeline.write_script(TOPIC)
    edited = replace(script, scenes=tuple(replace(s, narration="Cats purr\x00 loudly.") if s.number == 2 else s
                                          for s in script.scenes))
    before = sent(services)
    with pytest.raises(BadInput, match="Scene 2's narration"):
        pipeline.make_media(edited)
    assert sent(services) == before


@pytest.mark.slow
def test_the_final_video_keeps_sound_and_picture_together(services, tmp_path):
    result = run(tmp_path, "plain")
    assert result.success
    assert abs(frame_count(result.video_path) / 30 - len(audio_samples(result.video_path)) / 16000) <= 1 / 30


# --- hostile names ----------------------------------------------------------------------------------

@pytest.mark.parametrize("project_id", ["abc\n", "abc\n/../x", "../abc", "ABC", "", "a" * 41])
def test_a_project_id_must_match_in_full(tmp_path, project_id):
    with pytest.raises(BadInput, match="not a project id"):
        ProjectStore(tmp_path / "projects").save({"id": project_id, "name": "x"})
    assert not (tmp_path / "projects").exists() or list((tmp_path / "projects").iterdir()) == []


def test_a_symlinked_project_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    projects = tmp_path / "projects"
    projects.mkdir()
    (projects / "abc").symlink_to(outside, target_is_directory=True)
    store = ProjectStore(projects)
    with pytest.raises(BadInput, match="not in this workspace"):
        store.save({"id": "abc", "name": "x"})
    with pytest.raises(BadInput, match="not in this workspace"):
        store.keep_file("abc", __file__, "clip.mp4")
    with pytest.raises(BadInput, match="not in this workspace"):
        store.delete("abc")
    assert list(outside.iterdir()) == [] and store.list() == []


@pytest.mark.parametrize("name", ["", ".", "..", "../..", "/", "\x00"])
def test_a_file_name_that_names_nothing_is_refused(tmp_path, name):
    source = tmp_path / "upload.mp4"
    source.write_bytes(b"video")
    with pytest.raises(BadInput, match="cannot be used as a file name"):
        ProjectStore(tmp_path / "projects").keep_file("abc", source, name)


@pytest.mark.parametrize("name, kept", [
    ("a" * 300 + ".mp4", "a" * 196 + ".mp4"), ("../../etc/clip.mp4", "clip.mp4"),
    ("my\x07 clip\x1b.mov", "my clip.mov"), ("猫" * 100 + ".mp4", "猫" * 65 + ".mp4"),
])
def test_a_long_or_strange_file_name_is_stored_safely(tmp_path, name, kept):
    source = tmp_path / "upload.mp4"
    source.write_bytes(b"video")
    target = ProjectStore(tmp_path / "projects").keep_file("abc", source, name)
    assert target.name == kept and target.read_bytes() == b"video"
    assert target.parent == tmp_path / "projects" / "abc" / "files"


def test_the_studio_projects_folder_is_absolute_from_the_edge(tmp_path, monkeypatch):
    from viralreel_core.studio import StudioConfig

    monkeypatch.chdir(tmp_path)
    assert StudioConfig.from_env({"VIRALREEL_PROJECTS_DIR": "proj"}).projects_dir == tmp_path / "proj"
    with pytest.raises(BadInput, match="cannot be encoded"):
        StudioConfig.from_env({"VIRALREEL_STUDIO_SIZE": "9000x1920"})
