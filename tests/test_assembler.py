"""The assembler on its own: timing arithmetic, fitting clips, odd inputs and failures leaving nothing behind."""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fakes.providers import write_tone
from tests.media import frame_at, picture_digests, probe
from viralreel_core.cache.store import AssetCache
from viralreel_core.config import Settings
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AssemblyError
from viralreel_core.media import ffmpeg
from viralreel_core.models import Clip, VoiceTrack, WordTiming
from viralreel_core.render.assembler import Assembler, SceneMedia, fit_plan, frames_for

SIZE = {"width": 180, "height": 320}


def make_clip(path, seconds, size="160x284", rate=24, color=None):
    source = f"color=c={color}:size={size}:rate={rate}:duration={seconds}" if color else \
        f"testsrc2=size={size}:rate={rate}:duration={seconds}"
    subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", source, "-pix_fmt", "yuv420p",
                    "-c:v", "libx264", "-preset", "ultrafast", str(path)], check=True)
    w, h = map(int, size.split("x"))
    return Clip(str(path), seconds, w, h)


def make_voice(path, seconds, words=("Hello", "world.")):
    write_tone(path, seconds)
    step = seconds / len(words)
    return VoiceTrack(str(path), seconds, tuple(WordTiming(w, i * step, (i + 0.8) * step) for i, w in enumerate(words)))


@pytest.fixture
def settings(tmp_path):
    return settings_from_env(environ={}, cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", **SIZE)


def test_frames_for_rounds_up_to_whole_frames():
    assert frames_for(1.0, 30) == 30
    assert frames_for(1.01, 30) == 31
    assert frames_for(0.0, 30) == 1
    assert frames_for(2 / 30, 30) == 2  # no float noise turning 2 frames into 3


@pytest.mark.parametrize("clip_seconds, need, how", [(3.0, 1.5, "trim"), (2.0, 2.8, "slow"), (1.0, 3.5, "loop")])
def test_fit_clip_trims_slows_or_loops_to_the_exact_length(tmp_path, settings, clip_seconds, need, how):
    from tests.media import frame_count
    assert fit_plan(clip_seconds, need).how == how
    clip = make_clip(tmp_path / "c.mp4", clip_seconds)
    voice = make_voice(tmp_path / "v.wav", need)
    out = Assembler(settings.with_(transitions=False)).render_segment(SceneMedia(1, "Hello world.", clip, voice),
                                                                    tmp_path / "seg.mp4")
    assert frame_count(out) == frames_for(need, 30)
    # the picture keeps moving to the end: slowed, not frozen; looped, not stuck on the last frame
    last, before = frame_at(out, need - 0.05, 180, 320).astype(int), frame_at(out, need - 0.6, 180, 320).astype(int)
    assert abs(last - before).mean() > 1


def test_fit_plan_slows_by_the_right_factor():
    assert fit_plan(2.0, 2.8).factor == pytest.approx(1.4)
    assert fit_plan(0.0, 3.0).how == "trim"  # an unknown length: trimmed, and padded if short


def test_landscape_clip_is_centre_cropped_to_portrait_and_segment_has_no_audio(tmp_path, settings):
    clip = make_clip(tmp_path / "wide.mp4", 2.0, size="320x180")
    voice = make_voice(tmp_path / "v.wav", 1.0)
    out = Assembler(settings).render_segment(SceneMedia(1, "Hello world.", clip, voice), tmp_path / "seg.mp4")
    info = probe(out)
    assert (info.width, info.height, info.audio_codec) == (180, 320, None)
    assert info.duration == pytest.approx(1.0, abs=0.05)


def test_segments_are_cached_and_reused(tmp_path, settings, cache):
    clip = make_clip(tmp_path / "c.mp4", 2.0)
    voice = make_voice(tmp_path / "v.wav", 1.0)
    scene = SceneMedia(1, "Hello world.", clip, voice)
    first = Assembler(settings, cache)
    first.assemble([scene], tmp_path / "out" / "a.mp4")
    second = Assembler(settings, cache)
    second.assemble([scene], tmp_path / "out" / "b.mp4")
    assert (first.segment_misses, second.segment_hits, second.segment_misses) == (1, 1, 0)
    restyled = Assembler(settings.with_(captions=settings.captions.__class__(highlight_color="#00FF00")), cache)
    restyled.assemble([scene], tmp_path / "out" / "c.mp4")
    assert restyled.segment_misses == 1  # a caption style change re-renders the scene


def test_narration_sits_in_its_scene(tmp_path, settings):
    """Scene 2's audio starts where scene 2's pictures start (a red then a blue scene)."""
    from tests.media import audio_samples, rms
    scenes = []
    for n, (color, secs) in enumerate((("red", 1.0), ("blue", 1.0)), 1):
        voice_path = tmp_path / f"v{n}.wav"
        voice = make_voice(voice_path, secs)
        if n == 1:  # scene 1 is silent, scene 2 is a tone
            write_tone(voice_path, secs, freq=0.0)
        scenes.append(SceneMedia(n, "Hello world.", make_clip(tmp_path / f"c{n}.mp4", 2.0, color=color), voice,
                                 fade_in=False, fade_out=False))
    out = Assembler(settings.with_(transitions=False)).assemble(scenes, tmp_path / "out" / "x.mp4")
    assert rms(audio_samples(out, 0.1, 0.7)) < 0.01 < rms(audio_samples(out, 1.2, 0.6))
    assert frame_at(out, 0.5, 180, 320)[10, 10, 0] > 150 and frame_at(out, 1.5, 180, 320)[10, 10, 2] > 150


def test_broken_clip_names_the_scene_and_writes_nothing(tmp_path, settings):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"this is not a video" * 100)
    good = make_clip(tmp_path / "c.mp4", 2.0)
    scenes = [SceneMedia(1, "Hello world.", good, make_voice(tmp_path / "v1.wav", 1.0)),
              SceneMedia(2, "Hello world.", Clip(str(bad), 2.0, 160, 284), make_voice(tmp_path / "v2.wav", 1.0))]
    with pytest.raises(AssemblyError, match="Scene 2") as info:
        Assembler(settings).assemble(scenes, tmp_path / "out" / "final.mp4")
    assert "again" in str(info.value)
    assert list((tmp_path / "out").iterdir()) == []


def test_unreadable_narration_is_a_clear_error_and_writes_nothing(tmp_path, settings):
    voice = make_voice(tmp_path / "v.wav", 1.0)
    (tmp_path / "v.wav").write_bytes(b"garbage, not audio")
    scene = SceneMedia(1, "Hello world.", make_clip(tmp_path / "c.mp4", 2.0), voice)
    with pytest.raises(AssemblyError, match="narration"):
        Assembler(settings).assemble([scene], tmp_path / "out" / "final.mp4")
    assert list((tmp_path / "out").iterdir()) == []


def test_missing_ffmpeg_names_the_fix(tmp_path, settings, monkeypatch):
    monkeypatch.setenv("IMAGEIO_FFMPEG_EXE", str(tmp_path / "no-ffmpeg-here"))
    ffmpeg.ffmpeg_exe.cache_clear()
    try:
        scene = SceneMedia(1, "Hi.", Clip("x.mp4", 1, 10, 10), VoiceTrack("x.wav", 1.0))
        with pytest.raises(AssemblyError, match="pip install imageio-ffmpeg"):
            Assembler(settings).assemble([scene], tmp_path / "out" / "final.mp4")
    finally:
        monkeypatch.delenv("IMAGEIO_FFMPEG_EXE")
        ffmpeg.ffmpeg_exe.cache_clear()
    assert not (tmp_path / "out" / "final.mp4").exists()


def test_no_scenes_is_a_clear_error(tmp_path, settings):
    with pytest.raises(AssemblyError, match="no scenes"):
        Assembler(settings).assemble([], tmp_path / "out.mp4")


@pytest.mark.parametrize("frames", [123, 61])
def test_segments_hold_exactly_their_frames_even_when_float_rounding_bites(tmp_path, settings, frames):
    """123 / 30 * 30 is 122.99…: a segment one frame short would pull the sound ahead of the picture."""
    from tests.media import frame_count
    clip = make_clip(tmp_path / "c.mp4", 5.0)
    voice = make_voice(tmp_path / "v.wav", frames / 30)
    out = Assembler(settings).render_segment(SceneMedia(1, "Hello world.", clip, voice), tmp_path / "seg.mp4")
    assert frame_count(out) == frames


def test_a_phones_rotated_portrait_clip_is_probed_and_rendered_upright(tmp_path, settings):
    """Phones store portrait video as landscape pixels plus a rotation flag."""
    landscape = make_clip(tmp_path / "land.mp4", 2.0, size="320x180")
    rotated = tmp_path / "rotated.mp4"
    subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "error", "-y", "-display_rotation", "90", "-i", landscape.video_path,
                    "-c", "copy", str(rotated)], check=True)
    info = probe(rotated)
    assert (info.width, info.height) == (180, 320)
    clip = Clip(str(rotated), 2.0, info.width, info.height)
    out = Assembler(settings).render_segment(SceneMedia(1, "Hi.", clip, make_voice(tmp_path / "v.wav", 1.0)),
                                             tmp_path / "seg.mp4")
    # the same picture as the clip turned upright by ffmpeg itself, not a landscape frame squeezed
    upright = tmp_path / "upright.mp4"
    subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "error", "-y", "-i", str(rotated), "-c:v", "libx264",
                    "-pix_fmt", "yuv420p", str(upright)], check=True)  # ffmpeg applies the rotation on decode
    reference = Assembler(settings).render_segment(
        SceneMedia(1, "Hi.", Clip(str(upright), 2.0, 180, 320), make_voice(tmp_path / "v2.wav", 1.0)),
        tmp_path / "ref.mp4")
    a, b = frame_at(out, 0.5, 180, 320).astype(int), frame_at(reference, 0.5, 180, 320).astype(int)
    assert abs(a - b).mean() < 6


def test_bitrate_is_8000k_at_full_size_and_scales_down_with_the_frame():
    assert Settings().frame_bitrate() == "8000k"
    assert Settings(width=540, height=960).frame_bitrate() == "2000k"
    assert Settings(width=180, height=320).frame_bitrate() == "800k"


@pytest.mark.slow
def test_captions_switch_on_the_exact_frames_the_words_start(tmp_path):
    """Each frame shows the caption state ``active_cue`` gives for its time, as the old per-frame blend did."""
    import numpy as np

    from viralreel_core.render.caption_draw import build_cues
    from viralreel_core.render.caption_preview import active_cue, burn_captions
    w, h = 360, 640
    settings = settings_from_env(environ={}, cache_dir=tmp_path / "cache", width=w, height=h, transitions=False)
    words = (WordTiming("One", 0.1, 0.5), WordTiming("two", 0.5, 0.9), WordTiming("three.", 1.0, 1.6))
    write_tone(tmp_path / "v.wav", 2.0)
    voice = VoiceTrack(str(tmp_path / "v.wav"), 2.0, words)
    clip = make_clip(tmp_path / "black.mp4", 2.5, size=f"{w}x{h}", color="black")
    out = Assembler(settings).render_segment(SceneMedia(1, "One two three.", clip, voice), tmp_path / "seg.mp4")
    raw = subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "error", "-i", str(out), "-f", "rawvideo", "-pix_fmt", "rgb24",
                          "-"], capture_output=True, check=True).stdout
    frames = np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3).astype(int)
    assert len(frames) == 60
    cues = build_cues(words, settings.captions, w, h)
    black = np.zeros((h, w, 3), np.uint8)
    states = [black] + [burn_captions(black, c.start, cues) for c in cues]
    for i, frame in enumerate(frames):
        cue = active_cue(cues, i / 30)
        want = 0 if cue is None else 1 + cues.index(cue)
        errors = [np.abs(frame - state.astype(int)).mean() for state in states]
        assert int(np.argmin(errors)) == want, (i, errors)


@pytest.mark.slow
def test_an_unchanged_re_render_copies_the_checked_video_and_an_edit_joins_again(tmp_path, settings, cache):
    clip = make_clip(tmp_path / "c.mp4", 2.0)
    scenes = [SceneMedia(1, "Hello world.", clip, make_voice(tmp_path / "v1.wav", 1.0)),
              SceneMedia(2, "Hello world.", clip, make_voice(tmp_path / "v2.wav", 1.2))]
    first = Assembler(settings, cache)
    a = first.assemble(scenes, tmp_path / "out" / "a.mp4")
    again = Assembler(settings, cache)
    b = again.assemble(scenes, tmp_path / "out" / "b.mp4")
    assert cache.get(again.final_key(scenes)) is not None
    assert b.read_bytes() == a.read_bytes() and (again.segment_hits, again.segment_misses) == (2, 0)
    events = []
    edited = [scenes[0], SceneMedia(2, "Hello there.", clip, make_voice(tmp_path / "v3.wav", 1.5))]
    third = Assembler(settings, cache, events.append)
    c = third.assemble(edited, tmp_path / "out" / "c.mp4")
    assert (third.segment_hits, third.segment_misses) == (1, 1)
    assert probe(c).duration == pytest.approx(2.5, abs=0.05) and "from cache" not in events[-1].message
    # a damaged cached video is never copied: the cache's verified read drops it and it is joined again
    cached = cache.get(third.final_key(edited)).files["video"]
    cached.write_bytes(cached.read_bytes()[:1000])
    d = Assembler(settings, cache).assemble(edited, tmp_path / "out" / "d.mp4")
    assert probe(d).duration == pytest.approx(2.5, abs=0.05)


def test_the_finished_video_is_not_reused_when_its_music_changes(tmp_path, settings):
    clip = make_clip(tmp_path / "c.mp4", 2.0)
    scenes = [SceneMedia(1, "Hello world.", clip, make_voice(tmp_path / "v1.wav", 1.0))]
    keys = {Assembler(settings.with_(music=music, music_volume=volume)).final_key(scenes)
            for music, volume in (("", 0.25), ("calm", 0.25), ("calm", 0.5), ("lofi", 0.25))}
    assert len(keys) == 4


def test_captions_drawn_ahead_are_the_ones_rendered_and_then_removed(tmp_path, settings):
    """A scene's captions drawn before its clip is in (``prefetch_captions``) are used by its render, which
    then removes them: the segment is the one drawing them at the render would give."""
    scene = SceneMedia(2, "Hello world.", make_clip(tmp_path / "c.mp4", 2.0), make_voice(tmp_path / "v.wav", 1.5))
    ahead = tmp_path / "ahead"
    ahead.mkdir()
    early = Assembler(settings)
    with ThreadPoolExecutor(max_workers=1) as pool:
        early.prefetch_captions(scene.number, scene.narration, scene.voice, ahead, pool)
    [drawn] = list(ahead.iterdir())
    assert list(drawn.glob("cue_*.tga")) and (drawn / "captions.ffconcat").is_file()
    early.render_segment(scene, tmp_path / "ahead.mp4")
    assert not drawn.exists()
    Assembler(settings).render_segment(scene, tmp_path / "now.mp4")
    ahead_frames = picture_digests(tmp_path / "ahead.mp4")
    assert len(ahead_frames) == scene.frames(settings.fps)
    assert ahead_frames == picture_digests(tmp_path / "now.mp4")  # the same pictures (not always the same bits)


@pytest.mark.slow
def test_at_community_clouds_memory_the_sound_is_made_before_the_full_hd_renders(tmp_path, machine):
    """At 690 MB a full-HD segment's ffmpeg leaves no room for the sound's beside it: the sound comes first."""
    machine(memory_mb=690)
    settings = settings_from_env(environ={}, width=1080, height=1920, transitions=False)
    cache = AssetCache(tmp_path / "cache")
    scenes = [SceneMedia(n, "Hello world.", make_clip(tmp_path / f"c{n}.mp4", 1.0),
                         make_voice(tmp_path / f"v{n}.wav", 0.5)) for n in (1, 2)]
    renders: list[int] = []
    assembler = Assembler(settings, cache, on_progress=lambda e: renders.append(time.time_ns())
                          if e.message.startswith("Rendering scene") else None)
    assembler.assemble(scenes, tmp_path / "out.mp4")
    sound = cache.get(assembler.sound_key([sc.voice for sc in scenes])).files["audio"]
    assert sound.stat().st_mtime_ns < min(renders)
