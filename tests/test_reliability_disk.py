"""A disk that fills up, or turns read-only, under the cache or the output folder (issue 9, items 6 and 7).

Real file systems: a small tmpfs stands for a nearly full disk, and an ext4 image mounted with
``errors=remount-ro`` for a disk the kernel turns read-only mid-run (as after an I/O error; a tmpfs
cannot be remounted read-only while the cache's index is open for writing). The fault strikes the moment
a fake service is first asked (``on_request``), as it would from another program filling the disk.
``make`` runs through the CLI, with keys pointed at the local fakes. Mounting needs root: skipped without.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import logging
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import diskcache
import pytest

from tests.conftest import SMALL
from tests.fakes.environment import serving
from viralreel_core.cache.store import _WholeFiles
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.run.pipeline import Pipeline

TOPIC = "Why cats purr"
SCENES = 3
PAID = ["--script-provider", "openai", "--voice-provider", "openai", "--clip-provider", "runway"]


@pytest.fixture
def services(monkeypatch):
    with serving(monkeypatch) as fakes:
        yield fakes


def sent(services) -> int:
    return sum(len(fake.requests) for fake in services.all)


def make(cache: Path, out: Path, *, small: bool = True) -> list[str]:
    size = ["--width", str(SMALL["width"]), "--height", str(SMALL["height"])] if small else []
    return ["make", TOPIC, *PAID, "--scenes", str(SCENES), "--quiet", *size, "--cache-dir", str(cache),
            "--out", str(out)]


def once_every_clip_is_paid(services, action) -> None:
    """Run ``action`` as Runway is asked for the last scene's clip: every clip is then paid for, whatever
    order the scenes' threads run in."""
    tasks = []

    def count(request) -> None:
        tasks.append(request)
        if len(tasks) == SCENES:
            action()

    services.runway.on_request(count, match="/v1/image_to_video", times=None)


def _run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True)


def _unmount(folder: Path) -> None:
    gc.collect()  # the CLI's cache index, still open, would hold the mount busy
    if _run("umount", str(folder)).returncode != 0:
        _run("umount", "-l", str(folder))


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``folder`` for the block: a small disk of its own."""
    folder.mkdir()
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here ({done.stderr.strip()}); it needs root")
    try:
        yield folder
    finally:
        _unmount(folder)


@contextlib.contextmanager
def ext4(folder: Path, size: str = "96M") -> Iterator[tuple[Path, Path]]:
    """An ext4 image mounted at ``folder`` with ``errors=remount-ro``, and the file that makes the kernel
    turn it read-only (``/sys/fs/ext4/<device>/trigger_fs_error``, as a real I/O error would)."""
    image = folder.with_suffix(".img")
    folder.mkdir()
    made = _run("truncate", "-s", size, str(image))
    if made.returncode == 0:
        made = _run("mkfs.ext4", "-q", str(image))
    if made.returncode != 0:
        pytest.skip(f"cannot make an ext4 image here ({made.stderr.strip()})")
    done = _run("mount", "-o", "loop,errors=remount-ro", str(image), str(folder))
    if done.returncode != 0:
        pytest.skip(f"mounting a loop device is not permitted here ({done.stderr.strip()}); it needs root")
    try:
        device = _run("findmnt", "-n", "-o", "SOURCE", str(folder)).stdout.strip()
        trigger = Path("/sys/fs/ext4") / Path(device).name / "trigger_fs_error"
        if not trigger.exists():
            pytest.skip(f"this kernel has no {trigger}")
        yield folder, trigger
    finally:
        _unmount(folder)


def fill(disk: Path) -> None:
    """Write to ``disk`` until it is full, to the last block."""
    with open(disk / "filler", "wb", buffering=0) as handle:
        for block in (1 << 20, 1 << 12):
            with contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * block)


def one_error_line(err: str, caplog) -> str:
    """The one line on stderr, checking there is no other (nor a traceback, nor a log record that a real
    run would print there: logging's last resort writes warnings to stderr)."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    return lines[0].removeprefix("error: ")


def no_space(folder: Path) -> str:
    return rf"No space left on device in {re.escape(str(folder))} \((\d+) MB free, about (\d+) MB needed\)\. .+"


def whole_cache(cache: Path) -> None:
    """No half-written file in the cache: nothing in its scratch, no partial, and every stored file listed."""
    assert not list(cache.rglob("*.partial*"))
    assert not [p for p in (cache / "tmp").iterdir() if p.is_dir()]
    stored = {p.relative_to(cache / "assets").as_posix() for p in (cache / "assets").rglob("*.val")}
    with contextlib.closing(sqlite3.connect(cache / "assets" / "cache.db")) as index:
        listed = {row[0] for row in index.execute("SELECT filename FROM Cache WHERE filename IS NOT NULL")}
    assert stored == listed


# --- before spending --------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["cache", "output"])
def test_a_video_that_cannot_fit_is_refused_before_any_call(services, tmp_path, capsys, caplog, where):
    with tmpfs(tmp_path / "small", "20m") as small:
        cache, out = (small / "cache", tmp_path / "out") if where == "cache" else (tmp_path / "cache", small / "out")
        code = cli.main(make(cache, out, small=False))  # full HD: about 32 MB of video, 135 MB in the cache
        captured = capsys.readouterr()
        line = one_error_line(captured.err, caplog)
        assert code == 2 and captured.out == ""
        free, needed = map(int, re.fullmatch(no_space(cache if where == "cache" else out), line).groups())
        assert 18 <= free <= 20 and needed > 30
        assert sent(services) == 0  # was: the script, voices and clips paid for, then the disk ran out


# --- during the run ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_cache_disk_filling_up_ends_the_run_with_its_cost_and_one_line(services, tmp_path, capsys, caplog):
    with tmpfs(tmp_path / "disk", "64m") as disk:
        cache, out = disk / "cache", tmp_path / "out"
        once_every_clip_is_paid(services, lambda: fill(disk))  # the script is kept, then the disk is full
        code = cli.main(make(cache, out))
        captured = capsys.readouterr()
        line = one_error_line(captured.err, caplog)  # was: "Scene 1's clips failed unexpectedly (OSError)"
        result = json.loads(captured.out)
        assert code == 1 and not result["success"] and result["message"] == line
        free, needed = map(int, re.fullmatch(no_space(cache), line).groups())
        assert free == 0 and needed > 0
        whole_cache(cache)
        assert not out.exists() or not list(out.iterdir())

        (disk / "filler").unlink()  # room again: what was made is kept, the rest is made
        scripts = len(services.openai.requests_to("/chat/completions"))
        assert cli.main(make(cache, out)) == 0
        again = json.loads(capsys.readouterr().out)
        # the script came from the cache: the one new chat call is the post kit's texts
        assert again["success"] and len(services.openai.requests_to("/chat/completions")) == scripts + 1
        # what the full disk could not keep was charged and counted; the rerun picks up the Runway tasks the
        # ledger wrote down before the disk filled and pays again only for those it could not (how many depends
        # on when the disk filled: at most one more of each)
        frames = [t for t in services.runway.tasks.values() if t.kind != "video"]
        videos = [t for t in services.runway.tasks.values() if t.kind == "video"]
        assert SCENES <= len(frames) <= 2 * SCENES and SCENES <= len(videos) <= 2 * SCENES
        charged = 0.01 * (5 * len(frames) + sum(5 * t.seconds for t in videos))  # gen4_turbo, gen4_image
        assert result["cost_usd"] > 0 and result["cost_usd"] + again["cost_usd"] >= charged - 0.01
        whole_cache(cache)


@pytest.mark.slow
def test_the_output_disk_filling_up_keeps_every_scene_and_leaves_no_partial(services, tmp_path, capsys, caplog):
    with tmpfs(tmp_path / "disk", "20m") as disk:
        cache, out = tmp_path / "cache", disk / "out"
        services.openai.on_request(lambda request: fill(disk))  # after the checks, as the script is asked for
        code = cli.main(make(cache, out))
        captured = capsys.readouterr()
        line = one_error_line(captured.err, caplog)  # was: ffmpeg's "Could not write header …" or its last line
        result = json.loads(captured.out)
        assert code == 1 and not result["success"] and result["message"] == line
        assert re.fullmatch(no_space(out), line) and result["cost_usd"] > 0
        assert [p.name for p in out.iterdir()] == []  # no video, no partial

        (disk / "filler").unlink()
        before = sent(services)
        assert cli.main(make(cache, out)) == 0  # every scene was kept: only the join again
        again = json.loads(capsys.readouterr().out)
        # every scene was kept, and the post kit's texts too (asked for beside the last segment's render, once the
        # last clip was in): nothing is sent again
        assert again["success"] and sent(services) == before and again["cost_usd"] < 0.001
        assert services.openai.requests[-1].path.endswith("/chat/completions")
        assert [p.suffix for p in out.glob("viralreel_*.mp4")] == [".mp4"]


@pytest.mark.slow
def test_the_cache_turning_read_only_ends_the_run_with_its_cost_and_one_line(services, tmp_path, capsys, caplog):
    settings = settings_from_env(script_provider="openai", voice_provider="openai", clip_provider="runway",
                                 scenes=SCENES, cache_dir=tmp_path / "clean" / "cache",
                                 output_dir=tmp_path / "clean" / "out", **SMALL)
    clean = Pipeline(settings, sleep=lambda s: None).make(TOPIC)  # what the same run costs, all of it kept
    assert clean.success
    with ext4(tmp_path / "disk") as (disk, turn_read_only):
        cache = disk / "cache"
        once_every_clip_is_paid(services, lambda: turn_read_only.write_text("test\n"))
        code = cli.main(make(cache, tmp_path / "out"))
        captured = capsys.readouterr()
        line = one_error_line(captured.err, caplog)  # was: a traceback, and no result
        result = json.loads(captured.out)
        assert code == 1 and not result["success"] and result["message"] == line
        assert line.startswith(f"{cache} turned read-only")
        # every clip was paid for before the disk failed under its download: counted (was: $1.05 left out)
        assert result["cost_usd"] == pytest.approx(clean.cost_usd, abs=0.01) and result["cost_usd"] > 1


def test_a_stored_file_cut_short_by_a_full_disk_is_removed(tmp_path):
    """diskcache leaves a value file it could not finish writing, unlisted; the cache's own files do not."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(bytes(range(256)) * (6 * 2**12))  # 6 MB
    with tmpfs(tmp_path / "disk", "4m") as disk:
        store = diskcache.Cache(str(disk / "assets"), disk=_WholeFiles)
        try:
            with pytest.raises(OSError) as failed, open(clip, "rb") as handle:
                store.add(("blob", "abc"), handle, read=True)
            assert failed.value.errno == errno.ENOSPC
            assert not list((disk / "assets").rglob("*.val"))  # was: a 4 MB piece of the clip, listed nowhere
        finally:
            store.close()
