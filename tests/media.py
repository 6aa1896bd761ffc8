"""Probing helpers for tests: frames and audio read back from real files with ffmpeg."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from viralreel_core.media.ffmpeg import ffmpeg_exe, probe

__all__ = ["probe", "frame_at", "audio_samples", "rms"]


def frame_at(path: str | Path, t: float, width: int, height: int) -> np.ndarray:
    """The decoded RGB frame shown at ``t`` seconds."""
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.uint8)[: width * height * 3].reshape(height, width, 3)


def audio_samples(path: str | Path, start: float = 0.0, seconds: float | None = None, rate: int = 16000) -> np.ndarray:
    """Mono float samples in -1..1 of the file's audio from ``start``."""
    args = [ffmpeg_exe(), "-v", "error", "-ss", f"{start:.3f}", "-i", str(path)]
    if seconds is not None:
        args += ["-t", f"{seconds:.3f}"]
    out = subprocess.run(args + ["-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype="<i2").astype(np.float64) / 32768


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0


def caption_pixels(frame: np.ndarray, top: float = 0.5, bottom: float = 0.9) -> int:
    """How many pixels in the caption band look like outlined caption text.

    Caption letters are bright (white or the highlight colour) with a thick black outline, so we count
    bright pixels that have a near-black pixel within 3 px: smooth backgrounds have almost none.
    """
    h = frame.shape[0]
    band = frame[int(h * top): int(h * bottom)].astype(np.int16)
    bright = (band.min(axis=2) > 200) | ((band[..., 0] > 200) & (band[..., 1] > 160) & (band[..., 2] < 120))
    dark = band.max(axis=2) < 50
    near_dark = np.zeros_like(dark)
    for dy in range(-3, 4):
        for dx in range(-3, 4):
            near_dark |= np.roll(np.roll(dark, dy, axis=0), dx, axis=1)
    return int((bright & near_dark).sum())


def frame_count(path: str | Path) -> int:
    """How many video frames the file really holds (decoded, not estimated from the duration)."""
    import re
    log = subprocess.run([ffmpeg_exe(), "-v", "info", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    return int(re.findall(r"frame=\s*(\d+)", log)[-1])


def picture_digests(path: str | Path) -> list[str]:
    """The MD5 of each decoded video frame: what a viewer sees (two encodes of the same frames may differ in
    their bits: x264's threaded rate control is not always repeatable)."""
    out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "framemd5", "-"],
                         capture_output=True, text=True, check=True).stdout
    return [line.rsplit(",", 1)[-1].strip() for line in out.splitlines() if line and not line.startswith("#")]
