"""The offline clip maker: real ffmpeg renders, probed and read back frame by frame."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import subprocess

import numpy as np
import pytest

from tests.media import frame_at, probe
from viralreel_core import providers
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.providers.clips import local_backdrop
from viralreel_core.providers.clips.local_backdrop import palette_for, style_for
from viralreel_core.providers.clips.local_clips import LocalClipMaker

W, H = 270, 480

OCEAN = "A deep blue ocean with waves rolling in"
FIRE = "A roaring fire at sunset"
FOREST = "Sunlight through a lush green forest"


@pytest.fixture(scope="module")
def maker() -> LocalClipMaker:
    return LocalClipMaker(width=W, height=H, fps=30)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, maker):
    """One 2 s clip per visuals text, rendered once for the whole module."""
    out = tmp_path_factory.mktemp("clips")
    cache: dict[str, object] = {}

    def get(visuals: str):
        if visuals not in cache:
            cache[visuals] = maker.make(visuals, 2.0, out)
        return cache[visuals]

    return get


def mean_rgb(path: str, times=(0.3, 1.0, 1.8), size=(W, H)) -> np.ndarray:
    return np.mean([frame_at(path, t, *size).reshape(-1, 3).mean(axis=0) for t in times], axis=0)


def pixel_format(path: str) -> str:
    log = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", path], capture_output=True, text=True).stderr
    line = next(line for line in log.splitlines() if "Video:" in line)
    return line.split("Video:")[1].split(",")[1].strip().split("(")[0]


# -- the file --------------------------------------------------------------------------------------
def test_clip_is_h264_yuv420p_of_the_asked_size_fps_and_a_little_longer(rendered, tmp_path):
    clip = rendered(OCEAN)
    info = probe(clip.video_path)
    assert info.video_codec == "h264"
    assert (info.width, info.height) == (W, H) == (clip.width, clip.height)
    assert info.fps == pytest.approx(30)
    assert info.audio_codec is None
    assert pixel_format(clip.video_path) == "yuv420p"
    assert info.duration >= 2.0
    assert clip.duration == pytest.approx(2.5) and info.duration == pytest.approx(clip.duration, abs=0.05)
    assert clip.provider == "local" and clip.cost_usd == 0.0


def test_writes_unique_names_under_out_dir_through_a_temporary_file(tmp_path):
    seen: list[list[str]] = []

    def spy(cmd, *args, **kwargs):
        seen.append(list(cmd))
        return subprocess.run(cmd, *args, **kwargs)

    maker = LocalClipMaker(width=W, height=H, fps=30, run=spy)
    out = tmp_path / "new" / "dir"
    first = maker.make("a quiet lake", 0.5, out)
    second = maker.make("a quiet lake", 0.5, out)
    assert first.video_path != second.video_path
    written = seen[0][-1]
    assert written.endswith(".part") and written != first.video_path  # ffmpeg never writes the final name
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.split("/")[-1] for p in (first.video_path, second.video_path))
    assert all(p.suffix == ".mp4" for p in out.iterdir())


@pytest.mark.parametrize("cpus, threads", [("1", "1"), ("3.5", "4")])
def test_ffmpeg_threads_come_from_the_cpu_quota_not_the_host(tmp_path, machine, cpus, threads):
    machine(cpus=float(cpus))  # one place for the CPU policy: resources.ffmpeg_threads
    seen: list[list[str]] = []
    maker = LocalClipMaker(width=W, height=H, fps=30,
                           run=lambda cmd, *a, **k: seen.append(list(cmd)) or subprocess.run(cmd, *a, **k))
    clip = maker.make("a quiet lake", 0.5, tmp_path)
    cmd = seen[0]
    assert cmd[cmd.index("-threads") + 1] == threads and cmd[cmd.index("-filter_complex_threads") + 1] == threads
    assert probe(clip.video_path).duration >= 0.5


# -- determinism and variety -----------------------------------------------------------------------
def test_same_visuals_and_size_give_the_same_bytes(rendered, tmp_path):
    again = LocalClipMaker(width=W, height=H, fps=30).make(OCEAN, 2.0, tmp_path)

    def digest(path):
        return hashlib.sha256(open(path, "rb").read()).hexdigest()

    assert digest(again.video_path) == digest(rendered(OCEAN).video_path)
    assert style_for("  a DEEP blue\nocean ") == style_for("a deep blue ocean")  # case, spacing ignored


@pytest.mark.slow
def test_different_visuals_look_clearly_different(rendered):
    ocean, fire = mean_rgb(rendered(OCEAN).video_path), mean_rgb(rendered(FIRE).video_path)
    assert np.linalg.norm(ocean - fire) > 80, (ocean, fire)
    a, b = mean_rgb(rendered("scene one").video_path), mean_rgb(rendered("a cat on a sofa").video_path)
    assert np.abs(a - b).max() > 10, (a, b)  # no keywords: the hash still gives each its own look


@pytest.mark.slow
@pytest.mark.parametrize(("visuals", "channel"), [(OCEAN, 2), (FIRE, 0), (FOREST, 1)])
def test_palette_words_colour_the_clip(rendered, visuals, channel):
    r, g, b = mean = mean_rgb(rendered(visuals).video_path)
    others = [c for i, c in enumerate(mean) if i != channel]
    assert mean[channel] > max(others) + 15, (visuals, r, g, b)


def test_the_picture_moves(rendered):
    for visuals in (OCEAN, FIRE, FOREST, "scene one"):
        path = rendered(visuals).video_path
        frames = [frame_at(path, t, W, H).astype(np.int16) for t in (0.4, 1.4)]
        change = np.abs(frames[1] - frames[0]).mean()
        assert change > 1.5, (visuals, change)


@pytest.mark.parametrize("motion", local_backdrop.MOTIONS)
def test_every_camera_move_renders_and_moves(motion, tmp_path):
    """Each filter-graph variant is valid for this ffmpeg, and its picture changes over time."""
    moving = LocalClipMaker(width=96, height=160, fps=24,
                            style_of=lambda v, n="": dataclasses.replace(style_for(v, n), motion=motion))
    clip = moving.make("a quiet harbour", 1.0, tmp_path)
    first, last = (frame_at(clip.video_path, t, 96, 160).astype(np.int16) for t in (0.0, 1.4))
    assert np.abs(last - first).mean() > 1.5


def test_empty_visuals_use_the_default_palette(maker, tmp_path):
    assert palette_for("")[0] == palette_for("   ")[0] == "default"
    clip = maker.make("", 0.5, tmp_path)
    assert probe(clip.video_path).duration >= 0.5


def test_palette_keywords_plurals_and_prefixes():
    assert palette_for("Oceans and beaches")[0] == "ocean"
    assert palette_for("flames everywhere")[0] == "fire"
    assert palette_for("a futuristic neon city run by AI")[0] == "tech"
    assert palette_for("stars over a dark galaxy")[0] == "night"
    assert palette_for("piles of coins and treasure")[0] == "gold"
    assert palette_for("quarterly review meeting")[0] == "hash"
    assert palette_for("season")[0] != "ocean"  # short keywords ("sea") match whole words only
    mood, colours = palette_for("the ocean at sunset")
    assert mood == "ocean" and len(colours) == 5 and all(0 <= c <= 255 for rgb in colours for c in rgb)


# -- inputs and failures ---------------------------------------------------------------------------
@pytest.mark.parametrize("seconds", [0, -1, math.nan, math.inf, "soon", 10_000])
def test_bad_lengths_are_refused_without_writing(maker, tmp_path, seconds):
    with pytest.raises(BadInput):
        maker.make("a quiet lake", seconds, tmp_path)
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_sizes_are_made_even_and_tiny_or_silly_ones_refused():
    m = LocalClipMaker(width=271, height=481, fps=25)
    assert (m.width, m.height, m.fps) == (270, 480, 25)
    for bad in ({"width": 8}, {"height": 0}, {"fps": 0}, {"fps": 500}):
        with pytest.raises(BadInput):
            LocalClipMaker(**bad)


@pytest.fixture
def ffmpeg_at(monkeypatch):
    """Point imageio-ffmpeg at another executable (the way a person's setting would), then restore."""
    from viralreel_core.media import ffmpeg

    def use(path):
        monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(path))
        ffmpeg.ffmpeg_exe.cache_clear()

    yield use
    ffmpeg.ffmpeg_exe.cache_clear()


def test_missing_ffmpeg_names_the_fix(maker, tmp_path, ffmpeg_at):
    ffmpeg_at(tmp_path / "no-ffmpeg-here")
    with pytest.raises(ProviderError) as err:
        maker.make("a quiet lake", 1.0, tmp_path)
    assert "pip install imageio-ffmpeg" in str(err.value)
    assert err.value.provider == "local" and not err.value.retryable


def test_failing_ffmpeg_reports_its_log_and_leaves_no_file(maker, tmp_path, ffmpeg_at):
    broken = tmp_path / "bin" / "ffmpeg"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\necho 'No such filter: nosuchfilter' >&2\nexit 1\n")
    broken.chmod(0o755)
    ffmpeg_at(broken)
    out = tmp_path / "out"
    with pytest.raises(ProviderError) as err:
        maker.make("a quiet lake", 1.0, out)
    assert "nosuchfilter" in str(err.value) and "pip install imageio-ffmpeg" in str(err.value)
    assert not out.exists() or list(out.iterdir()) == []


# -- the provider contract -------------------------------------------------------------------------
def test_provider_declarations_settings_and_cache_params(tmp_path):
    settings = settings_from_env(environ={}, width=540, height=960, fps=24, cache_dir=tmp_path)
    made = providers.create("clips", settings, "local")
    assert isinstance(made, LocalClipMaker)
    assert (made.name, made.offline, made.service, made.step) == ("local", True, None, "clips")
    params = made.cache_params()
    assert {"width": 540, "height": 960, "fps": 24}.items() <= params.items() and "style_version" in params
    assert {"pace", "symbol_font"} <= params.keys()
    assert LocalClipMaker(540, 960, 30).cache_params() != params
    assert made.uses_narration
    assert made.estimate_cost(4.0) == 0.0


@pytest.mark.slow
def test_full_size_clip(tmp_path):
    clip = LocalClipMaker().make("Neon city streets at night, futuristic AI", 4.0, tmp_path)
    info = probe(clip.video_path)
    assert (info.width, info.height, info.video_codec) == (1080, 1920, "h264")
    assert info.duration >= 4.0
