"""A whole offline video as a person sees it: no dip to black at a scene change, captions through the cuts,
and a first frame (the poster, every thumbnail) that shows the video's title over its first scene."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.fakes.providers import write_tone
from tests.media import caption_pixels, frame_at
from viralreel_core import Pipeline
from viralreel_core.environment import settings_from_env
from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.models import Clip, VoiceTrack, WordTiming
from viralreel_core.render.assembler import Assembler, SceneMedia, frames_for
from viralreel_core.render.title_card import TITLE_CENTER, TITLE_FADE, TITLE_SECONDS, title_card_image

W, H = 180, 320
MIN_LUMA = 30  # the issue: every cut dipped to luma 16 (black) for about half a second


@pytest.fixture(scope="module")
def offline_video(tmp_path_factory):
    """A small 3-scene video made fully offline (local writer, Piper voice, drawn clips), and its cuts."""
    root = tmp_path_factory.mktemp("offline_look")
    settings = settings_from_env(environ={}, cache_dir=root / "cache", output_dir=root / "out", width=W, height=H)
    pipeline = Pipeline(settings)
    script = pipeline.write_script("How tides work", 3)
    voices, clips, skipped = pipeline.make_media(script)
    assert not skipped
    video = pipeline.assemble(script, voices, clips)
    cuts, at = [], 0
    for scene in script.scenes:
        at += frames_for(voices[scene.number].duration, settings.fps)
        cuts.append(at)
    return video, cuts[:-1], settings.fps, script


def luma_per_frame(video) -> list[float]:
    """Each frame's mean luma (Y, 16 = black) as ffmpeg's signalstats measures it."""
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(video), "-vf",
                          "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stdout
    return [float(line.split("=")[1]) for line in out.splitlines() if "YAVG=" in line]


@pytest.mark.slow
def test_no_frame_dips_to_black_at_a_scene_change(offline_video):
    video, cuts, fps, _ = offline_video
    luma = luma_per_frame(video)
    assert len(cuts) == 2
    for cut in cuts:
        around = luma[cut - fps // 2: cut + fps // 2]  # half a second either side of the cut
        assert min(around) >= MIN_LUMA, (cut, [round(v) for v in around])


def test_captions_stay_on_screen_through_each_cut(offline_video):
    video, cuts, fps, _ = offline_video
    for cut in cuts:
        before = frame_at(video, (cut - 3) / fps, W, H)  # the outgoing scene's last words, at full strength
        assert caption_pixels(before) > 20, cut


def test_the_first_frame_is_a_title_card_over_the_first_scene(offline_video):
    video, _, fps, script = offline_video
    first = frame_at(video, 0.0, W, H).astype(int)
    later = frame_at(video, TITLE_SECONDS + 0.3, W, H).astype(int)
    band = slice(int(H * (TITLE_CENTER - 0.06)), int(H * (TITLE_CENTER + 0.06)))
    white_text = (first[band].min(axis=2) > 215).sum()
    assert white_text > 150, white_text  # the title's letters
    assert (later[band].min(axis=2) > 215).sum() < white_text / 2  # gone once the scene has begun
    assert first.mean() > 30  # the first scene's look behind it, not a black card
    assert script.title


def _segment(tmp_path, title: str):
    clip_path = tmp_path / "clip.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=0x3050A0:size={W}x{H}:rate=30:"
                    "duration=3", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", str(clip_path)],
                   check=True)
    write_tone(tmp_path / "v.wav", 2.5)
    voice = VoiceTrack(str(tmp_path / "v.wav"), 2.5, (WordTiming("Hello", 1.8, 2.0), WordTiming("there.", 2.0, 2.3)))
    settings = settings_from_env(environ={}, cache_dir=tmp_path / "cache", width=W, height=H)
    scene = SceneMedia(1, "Hello there.", Clip(str(clip_path), 3.0, W, H), voice, fade_in=False, fade_out=False,
                       title=title)
    return Assembler(settings).render_segment(scene, tmp_path / f"seg_{bool(title)}.mp4")


def test_the_title_card_draws_the_title_where_a_render_without_it_has_none(tmp_path):
    titled, plain = _segment(tmp_path, "Why the Moon Pulls the Sea"), _segment(tmp_path, "")
    a, b = frame_at(titled, 0.0, W, H).astype(int), frame_at(plain, 0.0, W, H).astype(int)
    image, top = title_card_image("Why the Moon Pulls the Sea", W, H)
    rows = slice(top, top + image.height)
    assert np.abs(a[rows] - b[rows]).mean() > 20  # the band and its words
    assert (a[rows].min(axis=2) > 215).sum() > 150 and (b[rows].min(axis=2) > 215).sum() == 0
    assert np.abs(a[:top] - b[:top]).mean() < 3  # the rest of the picture is the scene's own
    after = frame_at(titled, TITLE_SECONDS + 0.1, W, H).astype(int)
    assert np.abs(after - frame_at(plain, TITLE_SECONDS + 0.1, W, H).astype(int)).mean() < 3  # then it is gone


def test_the_title_card_stays_whole_then_fades_out_over_its_last_frames(tmp_path):
    """Frame by frame: the card at full strength until its fade begins, fading over ``TITLE_FADE``, gone from
    frame ``TITLE_SECONDS * fps`` on (the card is read once and repeated, not decoded every frame)."""
    titled, plain = _segment(tmp_path, "Why the Moon Pulls the Sea"), _segment(tmp_path, "")

    def frames(path: Path) -> np.ndarray:
        raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray",
                              "-"], capture_output=True, check=True).stdout
        return np.frombuffer(raw, dtype=np.uint8).reshape(-1, H, W).astype(int)

    a, b = frames(titled), frames(plain)
    strength = np.abs(a - b).mean(axis=(1, 2))  # how much of the card each frame shows
    fps, shown, fading = 30, round(TITLE_SECONDS * 30), round(TITLE_FADE * 30)
    whole = strength[0]
    assert whole > 10
    assert np.all(np.abs(strength[:shown - fading] - whole) < 0.05 * whole)  # every frame the same card
    assert np.all(np.diff(strength[shown - fading:shown]) < 0)  # fading, frame by frame
    assert np.all(strength[shown:] < 1.5), strength[shown:shown + 5]  # gone
    assert len(a) == len(b) == frames_for(2.5, fps)


def test_a_scene_arrives_zoomed_in_and_settles_on_its_whole_frame_in_exactly_its_frames(tmp_path):
    """The arrival move against the same segment without it: the first frame shows the middle
    ``ARRIVAL_ZOOM`` of the picture, the next ones more, and from the move's last frame on the picture is
    exactly the plain one; the segment keeps its frame count."""
    from PIL import Image

    from viralreel_core.render.segment import ARRIVAL_ZOOM, segment_command

    clip = tmp_path / "grid.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={W}x{H}:rate=30:d=2",
                    "-c:v", "libx264", "-qp", "0", str(clip)], check=True)
    frames = 45

    def render(arrive: float) -> np.ndarray:
        out = tmp_path / f"segment_{arrive}.mp4"
        subprocess.run(segment_command(
            clip_path=str(clip), clip_size=(W, H), clip_seconds=2.0, frames=frames, width=W, height=H, fps=30,
            captions=None, arrive=arrive, fade_out=0.0, encoder_args=["-c:v", "libx264", "-qp", "0"], threads=1,
            out_path=out), check=True, stdout=subprocess.DEVNULL)
        raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(out), "-f", "rawvideo", "-pix_fmt", "rgb24",
                              "-"], capture_output=True, check=True).stdout
        return np.frombuffer(raw, dtype=np.uint8).reshape(-1, H, W, 3).astype(np.float64)

    plain, moved = render(0.0), render(0.35)
    w, h = W * ARRIVAL_ZOOM, H * ARRIVAL_ZOOM
    first = Image.fromarray(plain[0].astype(np.uint8)).resize(
        (W, H), Image.BILINEAR, box=((W - w) / 2, (H - h) / 2, (W + w) / 2, (H + h) / 2))
    assert len(plain) == len(moved) == frames
    assert np.abs(moved[0] - np.asarray(first)).mean() < 0.3 * np.abs(moved[0] - plain[0]).mean()  # zoomed in
    away = [float(np.abs(moved[n] - plain[n]).mean()) for n in range(frames)]
    assert away[0] > away[3] > away[6] > away[9], away  # settling out
    assert max(away[10:]) < 0.5, away  # then the picture as it is, to the last frame


def test_a_clip_of_the_frames_size_is_not_scaled_and_keeps_its_pixels(tmp_path):
    """A clip already of the frame's size (every offline clip, much stock footage) skips the scale filter (~4 %
    of a full-HD segment's CPU, BENCHMARKS.md) and comes out as it went in; another size is still scaled to
    cover the frame and cropped."""
    from viralreel_core.render.segment import segment_command

    clip = tmp_path / "grid.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=size={W}x{H}:rate=30:d=1",
                    "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p", str(clip)], check=True)

    def command(size: tuple[int, int], out: Path) -> list[str]:
        return segment_command(clip_path=str(clip), clip_size=size, clip_seconds=1.0, frames=20, width=W, height=H,
                               fps=30, captions=None, arrive=0.0, fade_out=0.0, threads=1, out_path=out,
                               encoder_args=["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv420p"])

    def graph(cmd: list[str]) -> str:
        return cmd[cmd.index("-filter_complex") + 1]

    def frames(path: Path) -> bytes:
        return subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "20", "-f", "rawvideo",
                               "-pix_fmt", "yuv420p", "-"], capture_output=True, check=True).stdout

    same = command((W, H), tmp_path / "same.mp4")
    assert "scale=" not in graph(same) and "crop=" not in graph(same)
    other = graph(command((W * 2, H * 3), tmp_path / "other.mp4"))
    assert f"scale={W * 2}:{H * 3}" not in other and "scale=" in other and f"crop={W}:{H}" in other
    subprocess.run(same, check=True, stdout=subprocess.DEVNULL)
    assert frames(tmp_path / "same.mp4") == frames(clip)  # lossless in, lossless out: the very pixels
