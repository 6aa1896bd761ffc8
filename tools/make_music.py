"""Synthesize the offline background tracks shipped in ``viralreel_core/media/music/`` (made by the project, CC0).

    python tools/make_music.py [--out viralreel_core/media/music]

Each track is a seamless loop (a whole number of bars, every note ending inside the loop) built from sine
and noise with numpy, then encoded to Ogg Vorbis by the ffmpeg imageio-ffmpeg ships. The output is
deterministic for a given numpy, so re-running it rewrites the same music.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viralreel_core.media.ffmpeg import ffmpeg_exe  # noqa: E402

RATE = 44100


def _midi(note: float) -> float:
    return 440.0 * 2 ** ((note - 69) / 12)


def _tone(freq: float, seconds: float, *, harmonics=(1.0,), attack=0.01, decay=0.3, vibrato=0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    phase = 2 * np.pi * freq * t + vibrato * np.sin(2 * np.pi * 5 * t)
    wave_ = sum(a * np.sin((i + 1) * phase) for i, a in enumerate(harmonics))
    env = np.minimum(1.0, t / attack) * np.exp(-t / decay)
    tail = np.minimum(1.0, (seconds - t) / 0.02)  # every note ends at zero: no clicks, loops cleanly
    return wave_ * env * tail


def _place(track: np.ndarray, sound: np.ndarray, start: float, gain: float, pan: float = 0.0) -> None:
    i = int(start * RATE)
    n = min(len(sound), track.shape[1] - i)
    track[0, i:i + n] += sound[:n] * gain * (1 - pan) / 2 * 2 ** 0.5
    track[1, i:i + n] += sound[:n] * gain * (1 + pan) / 2 * 2 ** 0.5


def _kick(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.25 * RATE)) / RATE
    return np.sin(2 * np.pi * (50 + 90 * np.exp(-t * 30)) * t) * np.exp(-t * 14)


def _hat(rng: np.random.Generator) -> np.ndarray:
    noise = rng.standard_normal(int(0.06 * RATE))
    noise = np.diff(noise, prepend=0.0)  # crude high-pass
    return noise * np.exp(-np.arange(len(noise)) / RATE * 60) * 0.3


def track(name: str) -> np.ndarray:
    """One loop as float stereo (2, samples), peak about -3 dBFS."""
    rng = np.random.default_rng(sum(map(ord, name)))
    if name == "calm":  # slow pads and a soft bell melody, 70 bpm
        beat, bars = 60 / 70, 4
        chords = [(57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62)]
        melody = [76, 74, 72, 71, 72, 69, 67, 71]
    elif name == "upbeat":  # driving bass, kick and hats, a plucked arpeggio, 112 bpm
        beat, bars = 60 / 112, 8
        chords = [(48, 52, 55), (55, 59, 62), (57, 60, 64), (53, 57, 60)] * 2
        melody = [72, 76, 79, 76, 74, 79, 83, 79, 72, 76, 81, 76, 72, 77, 81, 77] * 2
    elif name == "lofi":  # warm keys, lazy kick, 84 bpm
        beat, bars = 60 / 84, 4
        chords = [(50, 53, 57, 60), (55, 59, 62, 65), (48, 52, 55, 59), (45, 48, 52, 55)]
        melody = [69, 67, 65, 64, 62, 64, 65, 67]
    else:
        raise ValueError(name)
    bar = 4 * beat
    out = np.zeros((2, int(round(bars * bar * RATE))))
    for b in range(bars):
        chord = chords[b % len(chords)]
        for k, note in enumerate(chord):
            pad = _tone(_midi(note), bar, harmonics=(1, 0.3, 0.1), attack=0.4 if name != "upbeat" else 0.02,
                        decay=3.0 if name != "upbeat" else 0.5, vibrato=0.002)
            _place(out, pad, b * bar, 0.12, pan=(k - 1) * 0.4)
        bass = _tone(_midi(chord[0] - 12), bar if name == "calm" else beat * 2, harmonics=(1, 0.5),
                     attack=0.02, decay=1.2)
        for half in range(1 if name == "calm" else 2):
            _place(out, bass, b * bar + half * 2 * beat, 0.25)
        if name != "calm":
            for q in range(4):
                if name == "upbeat" or q in (0, 2):
                    _place(out, _kick(rng), b * bar + q * beat, 0.35)
                for e in range(2 if name == "upbeat" else 1):
                    _place(out, _hat(rng), b * bar + (q + 0.5 * e + (0.5 if name == "lofi" else 0)) * beat, 0.15,
                           pan=0.3)
    step = bars * bar / len(melody)
    for i, note in enumerate(melody):
        bell = _tone(_midi(note), min(step * 1.8, bars * bar - i * step), harmonics=(1, 0.2, 0.15),
                     attack=0.005, decay=0.6 if name != "calm" else 1.2)
        _place(out, bell, i * step, 0.14, pan=-0.2)
    return out / np.abs(out).max() * 10 ** (-3 / 20)


def write(name: str, folder: Path) -> Path:
    audio = track(name)
    target = folder / f"{name}.ogg"
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "loop.wav"
        with wave.open(str(wav), "wb") as handle:
            handle.setnchannels(2)
            handle.setsampwidth(2)
            handle.setframerate(RATE)
            handle.writeframes((audio.T * 32767).astype("<i2").tobytes())
        subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(wav), "-c:a", "libvorbis",
                        "-q:a", "1", "-map_metadata", "-1", "-fflags", "+bitexact", "-metadata",
                        "LICENSE=CC0-1.0 (made by ViralReel Studio, tools/make_music.py)", str(target)], check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "viralreel_core" / "music")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name in ("calm", "upbeat", "lofi"):
        path = write(name, args.out)
        print(f"{path}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
