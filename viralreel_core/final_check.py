"""Checks on a finished video before it gets its final name: every scene there, sound and picture agree, it decodes.

A damaged input (a truncated segment, overwritten bytes) must never become a video called a success,
so the joined file is decoded once in full; only when that fails are the scenes decoded one by one to
say which of them is at fault.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import AssemblyError
from .ffmpeg import ffmpeg_exe

__all__ = ["Decoded", "decode", "check_segment", "check_final"]


@dataclass(frozen=True)
class Decoded:
    """What decoding one stream of a file found: frames (video), seconds, and any decoder complaints."""

    frames: int
    seconds: float
    errors: str


def decode(path: str | Path, stream: str, *, copy: bool = False, timeout: float = 600) -> Decoded:
    """Decode (or with ``copy`` only demux) ``stream`` ("v" or "a") of ``path`` to nowhere and report on it."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:{stream}:0",
           *(["-c", "copy"] if copy else []), "-f", "null", "-", "-progress", "pipe:1", "-nostats"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise AssemblyError(f"Checking {Path(path).name} took longer than {timeout:.0f} s.") from exc
    facts: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition("=")
        facts[name.strip()] = value.strip()
    errors = done.stderr.strip() if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")
    try:
        frames = int(facts.get("frame", "0") or 0)
        seconds = max(0, int(facts.get("out_time_us", "0") or 0)) / 1e6
    except ValueError:
        frames, seconds = 0, 0.0
    return Decoded(frames=frames, seconds=seconds, errors=errors)


def check_segment(path: str | Path, number: int, frames: int, *, full: bool = False) -> str | None:
    """What is wrong with scene ``number``'s segment (None if nothing): its frame count, or decode errors."""
    found = decode(path, "v", copy=not full)
    if found.errors and not full and found.frames == 0:
        return f"scene {number}'s segment cannot be read"
    if found.errors:
        return f"scene {number}'s segment does not decode ({found.errors.splitlines()[0][:120]})"
    if found.frames != frames:
        return f"scene {number}'s segment has {found.frames} of its {frames} frames"
    return None


def check_final(path: str | Path, scenes: Sequence[tuple[int, Path, int]], fps: int) -> None:
    """AssemblyError naming the scene at fault unless the video decodes cleanly with every scene's frames
    and its sound lasts as long as its picture, within one frame.

    ``scenes`` lists ``(number, segment file, frames)`` in order.
    """
    expected = sum(frames for _, _, frames in scenes)
    video = decode(path, "v")
    audio = decode(path, "a")
    problem = None
    if video.errors or video.frames != expected:
        # find the culprit: decode each scene's segment on its own (only on this rare path)
        culprit = next((p for p in (check_segment(seg, n, f, full=True) for n, seg, f in scenes) if p), None)
        problem = culprit or (f"the joined video does not decode ({video.errors.splitlines()[0][:120]})"
                              if video.errors else f"the joined video has {video.frames} of its {expected} frames")
    elif audio.errors:
        problem = f"its sound does not decode ({audio.errors.splitlines()[0][:120]})"
    elif abs(audio.seconds - expected / fps) > 1 / fps:
        problem = f"its sound lasts {audio.seconds:.2f} s but its picture {expected / fps:.2f} s"
    if problem:
        raise AssemblyError(f"The finished video failed its check: {problem}.",
                            hint="Nothing was saved under the video's name; run again to remake what was damaged.")
