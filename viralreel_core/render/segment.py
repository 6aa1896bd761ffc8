"""One scene's segment as a single ffmpeg run: decode, fit, scale, captions, transition and encode in one graph.

The per-pixel work stays inside ffmpeg, with no raw frames piped through Python (measured in
docs/BENCHMARKS.md: the piped MoviePy path cost 1.9× a bare encode and ~570 MB a segment)::

    [clip] setpts (slow down) ─ scale to cover (unless already the frame's size) ─ crop ─ fps ─ tpad (never short)
          └─ arrival (a quick push that settles: scenes change without a dip to black)
          └─ fade out (the video's last scene only) ─ overlay [the title card: the first scene only]
          └─ overlay [caption images, each shown from its cue's start to its end] ─ yuv420p ─ encoder

Segments are joined by stream copy, so a scene change cannot blend two scenes' frames: each scene
arrives with a short zoom that settles (``ARRIVAL_ZOOM``, eased over ``arrive`` seconds) straight after
the last frame of the one before, at full brightness. Captions are drawn after the transition and the
fade, so they stay on screen through both.

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
    from viralreel_core.render.title_card import TitleCard

__all__ = ["FitPlan", "fit_plan", "write_caption_track", "segment_command", "run_with_progress",
           "SLOW_DOWN_LIMIT", "ARRIVAL_ZOOM"]

SLOW_DOWN_LIMIT = 1.5  # a clip up to this much shorter than its narration is slowed, beyond it is looped
ARRIVAL_ZOOM = 0.9  # a scene arrives showing this much of its frame (zoomed in), settling to all of it
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
    pixels, drawn = np.zeros((height, width, 4), np.uint8), None  # one buffer: cleared only when the box moves
    for i, cue in enumerate(cues):
        if drawn is not None and drawn != cue.box:
            pixels[:] = 0
        drawn = cue.box
        rows, cols = slice(cue.y - y0, cue.y - y0 + cue.height), slice(cue.x - x0, cue.x - x0 + cue.width)
        if cue.rgba is not None:
            pixels[rows, cols] = cue.rgba
        else:
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


def _arrival(seconds: float, fps: int, width: int, height: int) -> str:
    """The graph that moves the stream's first frames from ``ARRIVAL_ZOOM`` of the frame eased out to all of
    it, its input and output the pads ``[move]`` and ``[moved]``: only those frames go through ``zoompan`` (a
    crop and one swscale each), the rest pass as they are. The ``perspective`` window this replaces cost
    ~0.27 s of CPU per full-HD scene, zoompan ~0.05 s; its whole-pixel crop is at most half a pixel off and
    the window moves a pixel or more a frame until its last two, so it settles without zoompan's slow-zoom judder."""
    frames = max(1, round(seconds * fps))
    z = f"(1-{1 - ARRIVAL_ZOOM:.4f}*pow(1-min(on/{frames},1),3))"  # the share of the frame shown
    return (f"[move]split[head][tail];[head]trim=end_frame={frames},"
            f"zoompan=z='1/{z}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s={width}x{height}:fps={fps},setsar=1[zoomed];"
            f"[tail]trim=start_frame={frames},setpts=PTS-STARTPTS[rest];[zoomed][rest]concat=n=2:v=1:a=0[moved]")


def segment_command(*, clip_path: str, clip_size: tuple[int, int], clip_seconds: float, frames: int,
                    width: int, height: int, fps: int, captions: CaptionTrack | None, arrive: float,
                    fade_out: float, encoder_args: Sequence[str], threads: int, out_path: Path,
                    title: TitleCard | None = None, title_seconds: float = 0.0, title_fade: float = 0.0) -> list[str]:
    """The ffmpeg command that renders one segment of exactly ``frames`` frames (video only).

    ``arrive``: seconds of the arrival move (0: a plain cut); ``fade_out``: seconds of a fade to black at
    the end (the video's last scene); ``title``: a card shown for ``title_seconds``, fading out over
    ``title_fade``.
    """
    seconds = frames / fps
    plan = fit_plan(clip_seconds, seconds)
    cw, ch = max(1, clip_size[0]), max(1, clip_size[1])
    scale = max(width / cw, height / ch)
    sw, sh = max(width, round(cw * scale)), max(height, round(ch * scale))
    sw, sh = sw + sw % 2, sh + sh % 2
    chain = ["setpts=PTS-STARTPTS"]
    if plan.how == "slow":
        chain.append(f"setpts={plan.factor:.6f}*PTS")
    if (sw, sh) != (cw, ch):  # a clip of the frame's size (offline, much stock) skips a no-op scale: ~4 % of CPU
        chain.append(f"scale={sw}:{sh}:flags=bicubic")
    if (sw, sh) != (width, height):
        chain.append(f"crop={width}:{height}")
    chain += ["setsar=1", f"fps={fps}", "tpad=stop=-1:stop_mode=clone"]  # a clip a little short never cuts early
    after: list[str] = []
    if fade_out > 0:  # before the overlays: the captions stay on to the last frame
        after.append(f"fade=t=out:st={max(0.0, seconds - fade_out):.4f}:d={fade_out:.4f}")
    if arrive > 0:
        graph = (f"[0:v]{','.join(chain)}[move];{_arrival(min(arrive, seconds / 2), fps, width, height)};"
                 f"[moved]{','.join(after) or 'null'}[base]")
    else:
        graph = f"[0:v]{','.join(chain + after)}[base]"
    last, inputs = "base", 1
    extra: list[str] = []
    if title is not None and title_seconds > 0:
        shown = min(title_seconds, seconds)
        fade = min(title_fade, shown)
        # the card read and converted once, then repeated in memory: ``-loop 1`` decoded its PNG every
        # frame (~0.3 s of CPU a video); the frames are the same bit for bit
        shown_frames = max(1, math.ceil(shown * fps - 1e-6))
        graph += (f";[{inputs}:v]format=yuva420p,loop=loop={shown_frames - 1}:size=1:start=0,setpts=N/{fps}/TB,"
                  f"fade=t=out:st={shown - fade:.4f}:d={fade:.4f}:alpha=1[card]"
                  f";[{last}][card]overlay=0:{title.y}:eof_action=pass:format=yuv420[titled]")
        extra += ["-framerate", str(fps), "-i", str(title.path)]
        last, inputs = "titled", inputs + 1
    if captions is not None:
        graph += f";[{last}][{inputs}:v]overlay={captions.x}:{captions.y}:eof_action=repeat:format=yuv420[cap]"
        extra += ["-f", "concat", "-safe", "0", "-i", str(captions.playlist)]
        last = "cap"
    graph += f";[{last}]format=yuv420p[out]"
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-nostats",
           "-progress", "pipe:1", "-threads", str(threads)]
    if plan.how == "loop":
        cmd += ["-stream_loop", "-1"]
    cmd += ["-i", clip_path, *extra]
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
