"""Checks on a finished video before it gets its final name: every scene there, bit for bit, and its sound.

A damaged input (a truncated segment, overwritten bytes) must never become a video called a success.
Each segment comes from our own encoder (exit 0, its frames counted when made, its bytes sealed by the
cache's sha256), and the join copies its packets without re-encoding, so the joined picture is checked
by comparing packets, not by decoding it again: every video packet of the joined file must equal, byte for
byte, the segments' packets in order (both demuxed through ``h264_mp4toannexb``, the conversion the concat
demuxer applies). That finds any changed byte a decode would, and the ones a decode would not, for ~1/20
of a decode's CPU (docs/BENCHMARKS.md). The sound, which the join copies from the AAC made beside the
renders, is decoded in full (milliseconds), at the same time. Only when something is wrong are the scenes
decoded one by one to say which of them is at fault.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from viralreel_core.cache.store import file_sha256
from viralreel_core.errors import AssemblyError
from viralreel_core.media.ffmpeg import ffmpeg_exe

__all__ = ["Decoded", "decode", "packet_digests", "check_segment", "check_final"]


@dataclass(frozen=True)
class Decoded:
    """What decoding one stream of a file found: frames (video), seconds, and any decoder complaints."""

    frames: int
    seconds: float
    errors: str


def _run(cmd: list[str], path: str | Path, timeout: float) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise AssemblyError(f"Checking {Path(path).name} took longer than {timeout:.0f} s.") from exc


def _errors(done: subprocess.CompletedProcess) -> str:
    return done.stderr.strip() if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


def decode(path: str | Path, stream: str, *, copy: bool = False, timeout: float = 600) -> Decoded:
    """Decode (or with ``copy`` only demux) ``stream`` ("v" or "a") of ``path`` to nowhere and report on it."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:{stream}:0",
           *(["-c", "copy"] if copy else []), "-f", "null", "-", "-progress", "pipe:1", "-nostats"]
    done = _run(cmd, path, timeout)
    facts: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition("=")
        facts[name.strip()] = value.strip()
    errors = _errors(done)
    try:
        frames = int(facts.get("frame", "0") or 0)
        seconds = max(0, int(facts.get("out_time_us", "0") or 0)) / 1e6
    except ValueError:
        frames, seconds = 0, 0.0
    return Decoded(frames=frames, seconds=seconds, errors=errors)


#: segments' packet digests, read cleanly, by the file's sha256: a segment is read when it is rendered
#: (from its scratch file) and again when found in the cache and by the final check (from the cache's copy)
_DIGESTS: dict[str, list[str]] = {}
_DIGESTS_LOCK = threading.Lock()
_DIGESTS_KEPT = 256


def packet_digests(path: str | Path, *, remember: bool = False, timeout: float = 600) -> tuple[list[str], str]:
    """(size and MD5 of each H.264 packet of ``path``'s video in Annex B form, demuxer errors): no decoding.

    ``remember``: keep a clean result for this process by the file's sha256 (segments, read more than once;
    hashing a segment costs milliseconds, starting ffmpeg a tenth of a second).
    """
    mark = None
    if remember:
        try:
            mark = file_sha256(path)
        except OSError as exc:
            return [], f"{Path(path).name} cannot be opened ({exc.strerror})"
        with _DIGESTS_LOCK:
            if mark in _DIGESTS:
                return list(_DIGESTS[mark]), ""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:v:0",
           "-c", "copy", "-bsf:v", "h264_mp4toannexb", "-f", "framemd5", "-"]
    done = _run(cmd, path, timeout)
    # framemd5 rows: stream, dts, pts, duration, size, md5 -- the timestamps move with the join, the bytes may not
    rows = [line.split(",") for line in done.stdout.splitlines() if line and not line.startswith("#")]
    digests, errors = [f"{row[4].strip()}:{row[5].strip()}" for row in rows if len(row) >= 6], _errors(done)
    if mark is not None and not errors and digests:
        with _DIGESTS_LOCK:
            if len(_DIGESTS) >= _DIGESTS_KEPT:
                _DIGESTS.pop(next(iter(_DIGESTS)))
            _DIGESTS[mark] = digests
    return digests, errors


def check_segment(path: str | Path, number: int, frames: int, *, full: bool = False) -> str | None:
    """What is wrong with scene ``number``'s segment (None if nothing): its frame count (its packets,
    demuxed; ``full``: decoded), or demuxer or decoder errors."""
    if full:
        found = decode(path, "v")
        count, errors = found.frames, found.errors
    else:
        packets, errors = packet_digests(path, remember=True)
        count = len(packets)
    if errors and not full and count == 0:
        return f"scene {number}'s segment cannot be read"
    if errors:
        return f"scene {number}'s segment does not decode ({errors.splitlines()[0][:120]})"
    if count != frames:
        return f"scene {number}'s segment has {count} of its {frames} frames"
    return None


def check_final(path: str | Path, scenes: Sequence[tuple[int, Path, int]], fps: int) -> None:
    """AssemblyError naming the scene at fault unless the video's picture is exactly its segments' packets
    (every scene's frames, in order, no byte changed) and its sound decodes and lasts as long as its
    picture, within one frame.

    ``scenes`` lists ``(number, segment file, frames)`` in order; each segment must be one this app
    rendered and counted (``check_segment``), as the assembler's are.
    """
    expected = sum(frames for _, _, frames in scenes)
    with ThreadPoolExecutor(max_workers=1) as side:  # two ffmpeg reads at once: the check is on the critical path
        audio_read = side.submit(decode, path, "a")
        joined, errors = packet_digests(path)
        audio = audio_read.result()
    problem = None
    if errors or len(joined) != expected or joined != [
            d for _, seg, _ in scenes for d in packet_digests(seg, remember=True)[0]]:
        # find the culprit: decode each scene's segment on its own (only on this rare path)
        culprit = next((p for p in (check_segment(seg, n, f, full=True) for n, seg, f in scenes) if p), None)
        problem = culprit or (f"the joined video cannot be read ({errors.splitlines()[0][:120]})" if errors
                              else f"the joined video has {len(joined)} of its {expected} frames"
                              if len(joined) != expected else "the joined video differs from its scenes' segments")
    elif audio.errors:
        problem = f"its sound does not decode ({audio.errors.splitlines()[0][:120]})"
    elif abs(audio.seconds - expected / fps) > 1 / fps:
        problem = f"its sound lasts {audio.seconds:.2f} s but its picture {expected / fps:.2f} s"
    if problem:
        raise AssemblyError(f"The finished video failed its check: {problem}.",
                            hint="Nothing was saved under the video's name; run again to remake what was damaged.")
