"""Synthetic scene inputs for the benchmarks: 1080×1920 H.264 clips and narrations with word timings.

Made with ffmpeg and numpy, not timed; each narration's loudness is measured as the pipeline measures a new
voice's (so a render finds it, as it does in the product); ``make_scenes(work, settings, count, seconds)``
returns SceneMedia, ``save``/``load`` pass them to a child process as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viralreel_core.config import Settings  # noqa: E402
from viralreel_core.media.ffmpeg import ffmpeg_exe  # noqa: E402
from viralreel_core.media.music import loudness  # noqa: E402
from viralreel_core.models import Clip, VoiceTrack, WordTiming  # noqa: E402
from viralreel_core.render.assembler import SceneMedia  # noqa: E402

__all__ = ["NARRATIONS", "make_scenes", "save", "load"]

NARRATIONS = [
    "Stop scrolling: the future of AI is closer than you think.",
    "Machines already write, draw and talk, and they learn faster every month.",
    "Follow for more, and tell us what you would build with it.",
]
WORDS_PER_SECOND = 2.8
TITLE = "The Future of AI Is Closer Than You Think"


def _narration(i: int, seconds: float) -> str:
    words: list[str] = []
    k = i
    while len(words) < max(3, round(seconds * WORDS_PER_SECOND)):
        words += NARRATIONS[k % len(NARRATIONS)].split()
        k += 1
    return " ".join(words[: max(3, round(seconds * WORDS_PER_SECOND))])


def make_scenes(work: Path, settings: Settings, count: int = 3, seconds: float = 4.0) -> list[SceneMedia]:
    """``count`` scenes of ``seconds`` narration each, their clips 0.5 s longer (trimmed, like most), as the
    pipeline hands them to the assembler: the first under the title card, the others arriving with the
    transition, none fading to black."""
    scenes = []
    for i in range(1, count + 1):
        clip_path = work / f"clip{i}.mp4"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
                        "-i", f"testsrc2=size={settings.width}x{settings.height}:rate=30:duration={seconds + 0.5}",
                        "-vf", f"hue=h={i * 100}", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                        str(clip_path)], check=True)
        text = _narration(i - 1, seconds)
        words = text.split()
        step = (seconds - 0.2) / len(words)
        timings = tuple(WordTiming(w, round(0.1 + k * step, 3), round(0.1 + (k + 0.8) * step, 3))
                        for k, w in enumerate(words))
        rate = 22050
        t = np.arange(int(seconds * rate)) / rate
        audio_path = work / f"voice{i}.wav"
        with wave.open(str(audio_path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes((0.3 * np.sin(2 * np.pi * 220 * i * t) * 32767).astype("<i2").tobytes())
        scenes.append(SceneMedia(i, text, Clip(str(clip_path), seconds + 0.5, settings.width, settings.height),
                                 VoiceTrack(str(audio_path), seconds, timings,
                                            loudness=loudness(audio_path).lufs),
                                 fade_in=i > 1, fade_out=False, title=TITLE if i == 1 else ""))
    return scenes


def save(scenes: list[SceneMedia], path: Path) -> None:
    path.write_text(json.dumps([{"number": s.number, "narration": s.narration, "clip": s.clip.to_dict(),
                                 "voice": s.voice.to_dict(), "fade_in": s.fade_in, "fade_out": s.fade_out,
                                 "title": s.title}
                                for s in scenes]), encoding="utf-8")


def load(path: Path) -> list[SceneMedia]:
    return [SceneMedia(d["number"], d["narration"], Clip.from_dict(d["clip"]), VoiceTrack.from_dict(d["voice"]),
                       d["fade_in"], d["fade_out"], d.get("title", ""))
            for d in json.loads(path.read_text(encoding="utf-8"))]
