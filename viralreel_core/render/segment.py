"""One scene's segment as a single ffmpeg run: decode, fit, scale, captions, fades and encode in one filter graph.

The per-pixel work stays inside ffmpeg, with no raw frames piped through Python (measured in
docs/BENCHMARKS.md: the piped MoviePy path cost 1.9× a bare encode and ~570 MB a segment)::

    [clip] setpts (slow down) ─ scale to cover ─ crop ─ fps ─ tpad (never short)
          └─ overlay [caption images, each shown from its cue's start to its end]
          └─ fade in / fade out ─ yuv420p ─ encoder ─ exactly ``frames`` frames

Captions are the cue images ``caption_draw.build_cues`` draws (the same pictures the studio previews),
written once as run-length Targa images of one common box (lossless like PNG, ~4× quicker to write: an
animated style writes several a word) and played by ffmpeg's concat demuxer, each at its cue's start time:
the overlay shows the latest image whose time has come, so a cue is on screen for
``start <= t < end``, as before.
"""

from __future__ import annotations

import math
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from viralreel_core.errors import AssemblyError
from viralreel_core.media.ffmpeg import ffmpeg_exe, raise_disk_fault

if TYPE_CHECKING:
    from viralreel_core.render.caption_draw import CaptionCue

__all__ = ["FitPlan", "fit_plan", "write_caption_track", "segment_command", "run_with_progress",
           "SLOW_DOWN_LIMIT"]

SLOW_DOWN_LIMIT = 1.5  # a clip up to this much shorter than its narration is slowed, beyond it is looped
_MICRO = 1_000_000


@dataclass(frozen=True)
class FitPlan:
    """How a clip of one length is made to last another: ``trim``, ``slow`` (by ``factor``) or ``loop``."""

    how: str
    factor: float = 1.0


def fit_plan(clip_seconds: float, seconds: float) -> FitPlan:
    """Trim a long enough clip, slow one up to 1.5× too short, loop a shorter one."""
    if clip_seconds <= 0 or clip_seconds >= seconds:
        return FitPlan("trim")
    if clip_seconds * SLOW_DOWN_LIMIT >= seconds:
        return FitPlan("slow", seconds / clip_seconds)
    return FitPlan("loop")


@dataclass(frozen=True)
class CaptionTrack:
    """The caption images as an ffconcat playlist, and where their common box sits in the frame."""

    playlist: Path
    x: int
    y: int


def write_caption_track(cues: Sequence[CaptionCue], folder: Path, fps: int) -> CaptionTrack | None:
    """Write each cue as an RGBA image of the cues' common box and a playlist timing them; None without cues.

    Times are whole output frames: frame ``i`` (at ``i / fps``) shows the cue with ``start <= i / fps < end``.
    """
    import numpy as np  # here, not at import: a cached re-render never draws
    from PIL import Image

    if not cues:
        return None
    x0, y0 = min(c.x for c in cues), min(c.y for c in cues)
    x1, y1 = max(c.x + c.width for c in cues), max(c.y + c.height for c in cues)
    width, height = x1 - x0, y1 - y0
    blank = folder / "cue_blank.tga"
    Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(blank, compression="tga_rle")
    events: list[tuple[Path, int]] = []  # (image, from which output frame), in time order
    for i, cue in enumerate(cues):
        pixels = np.zeros((height, width, 4), np.uint8)
        rows, cols = slice(cue.y - y0, cue.y - y0 + cue.height), slice(cue.x - x0, cue.x - x0 + cue.width)
        pixels[rows, cols, :3] = cue.rgb
        pixels[rows, cols, 3] = cue.alpha[..., 0]
        image = folder / f"cue_{i}.tga"
        Image.fromarray(pixels).save(image, compression="tga_rle")
        events += [(image, _first_frame_at(cue.start, fps)), (blank, _first_frame_at(cue.end, fps))]
    return CaptionTrack(_playlist(events, folder, fps), max(0, x0), max(0, y0))


def _first_frame_at(t: float, fps: int) -> int:
    """The first frame index ``i`` with ``i / fps >= t`` (float noise forgiven)."""
    return max(0, math.ceil(t * fps - 1e-6))


def _playlist(events: list[tuple[Path, int]], folder: Path, fps: int) -> Path:
    """An ffconcat file showing each image from its frame until the next one's.

    Each image is read at ``fps`` (``option framerate``), so its times are exact frame multiples; the
    demuxer's default 25 fps time base would move a cue by up to 20 ms.
    """
    timeline: list[tuple[Path, int]] = []
    for image, start in events:  # an event replaces any at the same time (a cue starting as one ends)
        while timeline and timeline[-1][1] >= start:
            timeline.pop()
        timeline.append((image, start))
    if timeline[0][1] > 0:
        timeline.insert(0, (folder / "cue_blank.tga", 0))
    lines = ["ffconcat version 1.0"]
    for (image, start), nxt in zip(timeline, timeline[1:] + [(None, timeline[-1][1] + fps)], strict=True):
        lines += [f"file '{_quote(image)}'", f"option framerate {fps}",
                  f"duration {round((nxt[1] - start) * _MICRO / fps)}us"]
    # the demuxer ignores the last image's duration: end on the blank (the overlay keeps the last image)
    lines += [f"file '{_quote(folder / 'cue_blank.tga')}'", f"option framerate {fps}"]
    path = folder / "captions.ffconcat"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _quote(path: Path) -> str:
    return str(path).replace("'", "'\\''")


def segment_command(*, clip_path: str, clip_size: tuple[int, int], clip_seconds: float, frames: int,
                    width: int, height: int, fps: int, captions: CaptionTrack | None, fade_in: float,
                    fade_out: float, encoder_args: Sequence[str], threads: int, out_path: Path) -> list[str]:
    """The ffmpeg command that renders one segment of exactly ``frames`` frames (video only)."""
    seconds = frames / fps
    plan = fit_plan(clip_seconds, seconds)
    cw, ch = max(1, clip_size[0]), max(1, clip_size[1])
    scale = max(width / cw, height / ch)
    sw, sh = max(width, round(cw * scale)), max(height, round(ch * scale))
    sw, sh = sw + sw % 2, sh + sh % 2
    chain = ["setpts=PTS-STARTPTS"]
    if plan.how == "slow":
        chain.append(f"setpts={plan.factor:.6f}*PTS")
    chain.append(f"scale={sw}:{sh}:flags=bicubic")
    if (sw, sh) != (width, height):
        chain.append(f"crop={width}:{height}")
    chain += ["setsar=1", f"fps={fps}", "tpad=stop=-1:stop_mode=clone"]  # a clip a little short never cuts early
    graph = f"[0:v]{','.join(chain)}[base]"
    last = "base"
    if captions is not None:
        graph += f";[base][1:v]overlay={captions.x}:{captions.y}:eof_action=repeat:format=yuv420[cap]"
        last = "cap"
    after = []
    if fade_in > 0:
        after.append(f"fade=t=in:st=0:d={fade_in:.4f}")
    if fade_out > 0:
        after.append(f"fade=t=out:st={max(0.0, seconds - fade_out):.4f}:d={fade_out:.4f}")
    after.append("format=yuv420p")
    graph += f";[{last}]{','.join(after)}[out]"
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats",
           "-progress", "pipe:1", "-threads", str(threads)]
    if plan.how == "loop":
        cmd += ["-stream_loop", "-1"]
    cmd += ["-i", clip_path]
    if captions is not None:
        cmd += ["-f", "concat", "-safe", "0", "-i", str(captions.playlist)]
    cmd += ["-filter_complex", graph, "-filter_complex_threads", "1", "-map", "[out]", "-an",
            "-frames:v", str(frames), *encoder_args, "-threads", str(threads), "-f", "mp4", str(out_path)]
    return cmd


def run_with_progress(cmd: list[str], frames: int, report: Callable[[float], None], *, what: str,
                      log_path: Path, timeout: float = 1800) -> None:
    """Run ffmpeg, reporting the fraction of ``frames`` written; AssemblyError with its log's end on failure."""
    with open(log_path, "w+", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if line.startswith("frame="):
                    try:
                        report(min(1.0, int(line[6:]) / max(1, frames)))
                    except ValueError:
                        pass
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        if code != 0:
            log.seek(0)
            text = log.read()
            raise_disk_fault(text, cmd[-1])
            tail = "\n".join(text.strip().splitlines()[-6:]) or f"exit code {code}"
            raise AssemblyError(f"ffmpeg could not {what}: {tail}")
