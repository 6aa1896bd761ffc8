"""Background music: real renders decoded and measured (ducking, scene evening, −14 LUFS, true peak)."""

from __future__ import annotations

import json
import re
import subprocess
import wave
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from tests.test_assembler import SIZE, make_clip
from tests.test_end_to_end import run_cli
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AssemblyError, BadInput
from viralreel_core.jobs.options import settings_for
from viralreel_core.media import ffmpeg, music
from viralreel_core.models import VoiceTrack, WordTiming
from viralreel_core.render.assembler import Assembler, SceneMedia

RATE = 44100
TONE = 440.0
SPEECH = [(0.2, 1.4), (2.6, 3.6)]  # each scene: tone while "speaking", silence between and after
SCENE_SECONDS = 4.6


def ebur128(path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) by ffmpeg's own EBU R128 scanner."""
    done = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-vn", "-af",
                           "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True)
    summary = done.stderr[done.stderr.rindex("Summary:"):]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def decoded(path) -> np.ndarray:
    pcm = subprocess.run([ffmpeg.ffmpeg_exe(), "-v", "error", "-i", str(path), "-vn", "-ac", "1", "-ar", str(RATE),
                          "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(pcm, "<f4")


def band_db(x: np.ndarray, start: float, end: float, *, voice: bool) -> float:
    """Power (dB) in the window: of the voice's tone band, or of everything but it (the music)."""
    seg = x[int(start * RATE):int(end * RATE)]
    seg = seg * np.hanning(len(seg))
    freqs = np.fft.rfftfreq(len(seg), 1 / RATE)
    power = np.abs(np.fft.rfft(seg)) ** 2
    in_band = (freqs > TONE - 60) & (freqs < TONE + 60)
    return float(10 * np.log10(power[in_band if voice else ~in_band].sum() / len(seg) + 1e-20))


def speaking_voice(path, amplitude: float) -> VoiceTrack:
    """A 440 Hz tone while speaking (SPEECH windows), true silence between; word timings to match."""
    t = np.arange(int(SCENE_SECONDS * RATE)) / RATE
    gate = np.zeros_like(t)
    for a, b in SPEECH:
        gate[(t >= a) & (t < b)] = 1.0
    gate = np.convolve(gate, np.ones(441) / 441, "same")  # 10 ms ramps: no clicks
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((amplitude * np.sin(2 * np.pi * TONE * t) * gate * 32767).astype("<i2").tobytes())
    return VoiceTrack(str(path), SCENE_SECONDS, tuple(WordTiming(f"w{i}", a, b) for i, (a, b) in enumerate(SPEECH)))


def render_two_scenes(tmp, track: str, **settings):
    """Two scenes, the second narrated 14 dB quieter, rendered with ``track`` (or none)."""
    settings = settings_from_env(environ={}, cache_dir=tmp / "cache", output_dir=tmp / "out", music=track,
                                 music_dir=tmp / "music", **SIZE, **settings)
    scenes = [SceneMedia(n, "w0 w1", make_clip(tmp / f"c{n}.mp4", 5.0), speaking_voice(tmp / f"v{n}.wav", amp),
                         fade_in=n > 1) for n, amp in ((1, 0.4), (2, 0.08))]
    out = Assembler(settings).assemble(scenes, tmp / "out" / "music.mp4")
    return out, decoded(out)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Two scenes, the second narrated 14 dB quieter, rendered with the shipped ``upbeat`` track."""
    return render_two_scenes(tmp_path_factory.mktemp("music"), "upbeat")


def scene_lufs(path, start: float, seconds: float) -> float:
    """Integrated loudness (LUFS) of ``seconds`` of ``path`` from ``start``, by ffmpeg's EBU R128 scanner."""
    done = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-nostdin", "-ss", f"{start}", "-t", f"{seconds}",
                           "-i", str(path), "-vn", "-af", "ebur128", "-f", "null", "-"], capture_output=True, text=True)
    return float(re.search(r"I:\s+(-?[\d.]+) LUFS", done.stderr[done.stderr.rindex("Summary:"):]).group(1))


@pytest.mark.slow
def test_without_music_scenes_are_evened_and_the_video_normalized(tmp_path):
    """No music: each scene's narration still evened out (recorded 14 dB apart, within 1 LU after) and
    the whole video at −14 LUFS, true peak ≤ −1 dBTP, like a video with music."""
    out, _ = render_two_scenes(tmp_path, "")
    one, two = scene_lufs(out, 0.0, SCENE_SECONDS), scene_lufs(out, SCENE_SECONDS, SCENE_SECONDS)
    assert abs(one - two) <= 1.0, (one, two)
    lufs, peak = ebur128(out)
    assert lufs == pytest.approx(-14.0, abs=1.0) and peak <= -1.0, (lufs, peak)


def windows(kind: str):
    """Speech windows (inside the words, away from the edges) or pause windows (after the release)."""
    starts = [0.0, SCENE_SECONDS]
    if kind == "speech":
        return [(s + a + 0.3, s + b - 0.1) for s in starts for a, b in SPEECH]
    return [(s + SPEECH[0][1] + 0.6, s + SPEECH[1][0] - 0.05) for s in starts]


@pytest.mark.slow
def test_music_is_ducked_under_speech_by_at_least_6_db(rendered):
    _, x = rendered
    under = np.mean([band_db(x, a, b, voice=False) for a, b in windows("speech")])
    pauses = np.mean([band_db(x, a, b, voice=False) for a, b in windows("pause")])
    assert pauses - under >= 6.0, (pauses, under)
    # and audible: in the pauses the music is far above the silence the narration has there
    assert max(np.sqrt(np.mean(x[int(a * RATE):int(b * RATE)] ** 2)) for a, b in windows("pause")) > 10 ** (-40 / 20)


@pytest.mark.slow
def test_mix_is_minus_14_lufs_with_true_peak_under_minus_1(rendered):
    out, _ = rendered
    lufs, peak = ebur128(out)
    assert lufs == pytest.approx(-14.0, abs=1.0)
    assert peak <= -1.0


def test_scene_narrations_are_evened_out(rendered):
    _, x = rendered
    one = np.mean([band_db(x, a, b, voice=True) for a, b in windows("speech")[:2]])
    two = np.mean([band_db(x, a, b, voice=True) for a, b in windows("speech")[2:]])
    assert abs(one - two) < 2.0, (one, two)  # recorded 14 dB apart


def test_output_records_the_music_and_its_volume(rendered):
    out, _ = rendered
    done = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-i", str(out)], capture_output=True, text=True)
    comment = json.loads(re.search(r"comment\s*:\s*(\{.*\})", done.stderr).group(1))
    assert comment == {"scenes": 2, "music": {"track": "upbeat", "volume": 0.25}}


def test_shipped_tracks_are_small_loops_with_a_stated_licence():
    assert set(music.tracks()) == {"calm", "lofi", "upbeat"}
    for path in music.tracks().values():
        assert path.stat().st_size < 300_000
        assert 8 < ffmpeg.probe(path).duration < 30
    assert "CC0" in (music.MUSIC_DIR / "LICENSE.md").read_text()


def test_music_choices_are_checked_before_anything_is_spent(tmp_path):
    assert music.resolve("none") is None and music.resolve("") is None
    assert music.resolve("Calm") == music.tracks()["calm"]
    with pytest.raises(BadInput, match="no music called 'nope'"):
        music.check_music("nope", 0.25)
    with pytest.raises(BadInput, match="music volume"):
        music.check_music("calm", 1.5)
    base = settings_from_env(environ={}, cache_dir=tmp_path / "cache")
    assert settings_for(base, {"music": "lofi", "music_volume": 0.5}).music_volume == 0.5
    track = tmp_path / "mine.ogg"
    track.write_bytes(music.tracks()["calm"].read_bytes())
    with pytest.raises(BadInput, match="no music called"):  # the API never reads a server path
        settings_for(base, {"music": str(track)})


@pytest.mark.parametrize("args, message", [
    (["--music", "nope"], "no music called 'nope'"),
    (["--music", "calm", "--music-volume", "3"], "music volume of 3.0"),
])
def test_cli_bad_music_is_one_clear_line(tmp_path, args, message, capsys):
    # in this process (``main`` returns the exit code the shell gets): a command of its own took ~5 s each here
    code = cli.main(["make", "Cats", *args, "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_offline_cli_render_with_a_music_file_is_normalized(tmp_path):
    """The real offline voice (speech, not a tone) through the CLI, with an audio file's path as the music:
    −14 ± 1 LUFS, true peak ≤ −1 dBTP."""
    track = tmp_path / "my track.mp3"
    ffmpeg.run_ffmpeg(["-i", str(music.tracks()["calm"]), str(track)], what="encode a test track")
    done = run_cli("make", "How volcanoes work", "--scenes", "3", "--width", "180", "--height", "320",
                   "--music", str(track), "--music-volume", "0.3", "--quiet", "--out", str(tmp_path / "out"),
                   "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr[-2000:]
    video = json.loads(done.stdout)["video_path"]
    lufs, peak = ebur128(video)
    assert lufs == pytest.approx(-14.0, abs=1.0) and peak <= -1.0, (lufs, peak)


@pytest.mark.slow
def test_studio_picks_previews_and_renders_with_music(tmp_path, monkeypatch, fakes):
    from tests.test_studio_app import make_all, new_app, ok, page, settle, use_fakes, write_and_accept
    for name in ("cache", "out", "projects"):
        monkeypatch.setenv(f"VIRALREEL_{name.upper()}_DIR" if name != "out" else "VIRALREEL_OUTPUT_DIR",
                           str(tmp_path / name))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    at = write_and_accept(use_fakes(new_app()))
    make_all(at)
    page(at, "assemble").selectbox(key="music").select("lofi").run()
    ok(at).slider(key="music_volume").set_value(0.4).run()
    assert ok(at).get("audio")  # the track can be heard before rendering
    at.button(key="render").click().run()
    video = ok(settle(at)).session_state["studio"].last_render["video_path"]
    done = subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-i", video], capture_output=True, text=True)
    assert json.loads(re.search(r"comment\s*:\s*(\{.*\})", done.stderr).group(1))["music"] == \
        {"track": "lofi", "volume": 0.4}
    assert ebur128(video)[0] == pytest.approx(-14.0, abs=1.0)


@pytest.mark.slow
def test_a_take_is_evened_by_the_loudness_recorded_when_it_was_made(tmp_path):
    """The loudness a voice carries (measured once, when it was made) is what evens its scene out: two takes
    recorded alike, the second said to be 10 dB louder, come out 10 dB apart."""
    settings = settings_from_env(environ={}, cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", music="",
                                 **SIZE)
    takes = [speaking_voice(tmp_path / f"v{n}.wav", 0.1) for n in (1, 2)]
    measured = music.loudness(Path(takes[0].audio_path)).lufs
    scenes = [SceneMedia(n, "w0 w1", make_clip(tmp_path / f"c{n}.mp4", 5.0), replace(take, loudness=lufs),
                         fade_in=n > 1) for n, take, lufs in ((1, takes[0], measured), (2, takes[1], measured + 10))]
    out = Assembler(settings).assemble(scenes, tmp_path / "out" / "levels.mp4")
    one, two = scene_lufs(out, 0.0, SCENE_SECONDS), scene_lufs(out, SCENE_SECONDS, SCENE_SECONDS)
    assert one - two == pytest.approx(10.0, abs=1.0), (one, two)


def test_loudness_is_ebur128s_and_unreadable_sound_is_a_clear_error(tmp_path):
    take = speaking_voice(tmp_path / "v.wav", 0.3)
    found = music.loudness(Path(take.audio_path))
    assert (found.lufs, found.true_peak) == pytest.approx(ebur128(take.audio_path), abs=0.05)
    silent = speaking_voice(tmp_path / "silent.wav", 0.0)
    assert music.loudness(Path(silent.audio_path)).silent
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF not really")
    with pytest.raises(AssemblyError, match="measure the loudness of bad.wav"):
        music.loudness(bad)


def test_a_narration_with_high_peaks_still_lands_on_minus_14_lufs(tmp_path):
    """Sound whose peaks stand far above its loudness (3 ms clicks over a quiet tone): the limiter that keeps
    the peaks under −1 dBTP takes back much of any gain (a plain gain after it gave −15.5 LUFS), and the
    sound still comes out at −14 LUFS."""
    seconds = 6.0
    t = np.arange(int(seconds * RATE)) / RATE
    x = 0.06 * np.sin(2 * np.pi * TONE * t)
    for start in np.arange(0.05, seconds, 0.25):
        click = (t >= start) & (t < start + 0.003)
        x[click] = 0.9 * np.sin(2 * np.pi * 1000 * t[click])
    narration = tmp_path / "narration.wav"
    with wave.open(str(narration), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((x * 32767).astype("<i2").tobytes())
    evened = tmp_path / "evened.wav"  # at VOICE_LUFS, as the assembler evens each take (float: no clipping)
    ffmpeg.run_ffmpeg(["-i", str(narration), "-af", f"volume={music.VOICE_LUFS - music.loudness(narration).lufs:.2f}dB",
                       "-c:a", "pcm_f32le", str(evened)], what="even out the test narration")
    sound = music.final_sound(evened, None, 0.25, seconds, tmp_path, "192k")
    lufs, peak = ebur128(sound)
    assert lufs == pytest.approx(-14.0, abs=0.5) and peak <= -1.0, (lufs, peak)
