"""Ken Burns motion: one still image turned into a clip that slowly zooms and pans across it.

One ffmpeg run per clip: the image is scaled once to cover the frame, repeated for every frame
(``loop``), and ``perspective`` samples each frame's view of it with per-frame corner expressions:
bilinear, so the view moves by fractions of a pixel and the motion never stutters. (``zoompan``, the
usual choice, moves in whole input pixels: a slow pan holds a frame, then jumps.) On this 2-core
machine it costs about the same CPU as ``zoompan`` on a 2× source and about two thirds of drawing the
frames in Python (a MoviePy/Pillow transform piped to ffmpeg); docs/BENCHMARKS.md has the figures
(``bench/ken_burns.py``).

The move is chosen from the image's prompt (``motion_for``), so the same scene always moves the same
way and neighbouring scenes move differently; it eases in and out (half smoothstep, half linear, so it
moves from the first frame)::

    render_motion(Path("cat.jpg"), Path("out/clip.mp4"), seconds=6.0, width=1080, height=1920, fps=30,
                  motion=motion_for("A cat asleep on a sunny windowsill"))
"""

from __future__ import annotations

import hashlib
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from viralreel_core.errors import AssemblyError, ProviderError, ProviderTimeout
from viralreel_core.media import resources
from viralreel_core.media.admission import GATE
from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.media.files import atomic_path

__all__ = ["Motion", "MOTIONS", "motion_for", "motion_filter", "motion_command", "render_motion",
           "EXTRA_SECONDS", "MOTION_VERSION"]

EXTRA_SECONDS = 0.5  # clips run this much longer than asked so the assembler trims rather than loops
EASING = 0.5  # how much of the move is smoothstep (the rest linear)
X264_PRESET = "veryfast"
X264_CRF = 20
MOTION_VERSION = "2"  # bump when the same image and move start giving different pixels
_FFMPEG_NOISE = re.compile(r"Task finished with error|Terminating thread|Could not open encoder|Nothing was written")
INSTALL_HINT = "Install ffmpeg for Python with `pip install imageio-ffmpeg` (it ships its own ffmpeg binary)."


@dataclass(frozen=True)
class Motion:
    """A camera move over the image: zoom (1 = the whole frame-covering image) and where the view sits.

    ``x``/``y`` place the view inside the room the zoom leaves: 0 is the left/top edge, 1 the right/bottom.
    """

    name: str
    zoom: tuple[float, float]
    x: tuple[float, float] = (0.5, 0.5)
    y: tuple[float, float] = (0.5, 0.5)


#: the moves a scene can get; each keeps at least 8% zoom so a pan always has room to travel
MOTIONS: tuple[Motion, ...] = (
    Motion("zoom in", (1.0, 1.18)),
    Motion("zoom out", (1.18, 1.0)),
    Motion("pan right", (1.12, 1.16), x=(0.1, 0.9)),
    Motion("pan left", (1.16, 1.12), x=(0.9, 0.1)),
    Motion("tilt down", (1.1, 1.16), y=(0.15, 0.85)),
    Motion("tilt up", (1.16, 1.1), y=(0.85, 0.15)),
    Motion("push to top left", (1.0, 1.2), x=(0.5, 0.25), y=(0.5, 0.3)),
    Motion("pull from bottom right", (1.2, 1.0), x=(0.75, 0.5), y=(0.7, 0.5)),
)


def motion_for(prompt: str) -> Motion:
    """The move for an image made from ``prompt`` (pure: the same prompt always gets the same move)."""
    digest = hashlib.sha256(" ".join(str(prompt or "").lower().split()).encode("utf-8")).digest()
    return MOTIONS[digest[0] % len(MOTIONS)]


def motion_filter(motion: Motion, frames: int, width: int, height: int, fps: int) -> str:
    """The filter chain: cover-scale and centre-crop to the frame once, repeat it, then the eased move."""
    last = max(1, frames - 1)
    p = f"(on/{last})"
    # half linear, half smoothstep: gentle at both ends, yet moving from the first frame (smoothstep alone
    # stands still for the first and last few frames, which reads as a freeze at each cut)
    ease = f"({p}*{1 - EASING:.2f}+{EASING:.2f}*{p}*{p}*(3-2*{p}))"

    def between(pair: tuple[float, float]) -> str:
        start, end = pair
        return f"({start:.4f}+({end - start:.4f})*{ease})"

    zoom = between(motion.zoom)
    left, top = f"((W-W/{zoom})*{between(motion.x)})", f"((H-H/{zoom})*{between(motion.y)})"
    right, bottom = f"({left}+W/{zoom})", f"({top}+H/{zoom})"
    corners = {"x0": left, "y0": top, "x1": right, "y1": top, "x2": left, "y2": bottom, "x3": right, "y3": bottom}
    view = ":".join(f"{name}='{expr}'" for name, expr in corners.items())
    return (f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic,"
            f"crop={width}:{height},setsar=1,format=yuv420p,"
            f"loop=loop={frames - 1}:size=1,setpts=N/{fps}/TB,"
            f"perspective={view}:interpolation=linear:sense=source:eval=frame")


def motion_command(image: Path, out: Path, frames: int, width: int, height: int, fps: int,
                   motion: Motion) -> list[str]:
    """The ffmpeg command writing the ``frames``-frame move over ``image`` to ``out`` (an MP4)."""
    return [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", "-i", str(image),
            "-vf", motion_filter(motion, frames, width, height, fps), "-frames:v", str(frames), "-an",
            "-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF), "-pix_fmt", "yuv420p",
            "-r", str(fps), "-g", str(fps * 2), "-map_metadata", "-1", "-movflags", "+faststart",
            "-f", "mp4", str(out)]


def render_motion(image: Path, out: Path, *, seconds: float, width: int, height: int, fps: int,
                  motion: Motion, provider: str) -> int:
    """Write the move over ``image`` lasting ``seconds`` (+ ``EXTRA_SECONDS``) to ``out``; its frame count.

    The file appears under ``out`` only when complete; failures are ProviderErrors naming ffmpeg's reason.
    """
    frames = math.ceil((seconds + EXTRA_SECONDS) * fps - 1e-6)
    timeout = 120 + 20 * seconds * width * height / (1080 * 1920)
    with atomic_path(out) as partial:
        try:
            cmd = motion_command(image, partial, frames, width, height, fps, motion)
        except AssemblyError as exc:
            raise ProviderError("ffmpeg is needed to animate the image and was not found.", provider=provider,
                                hint=INSTALL_HINT, retryable=False) from exc
        try:
            with GATE.admit("clip", resources.local_clip_mb(width, height)):  # the server's memory line
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ProviderTimeout(f"ffmpeg took longer than {timeout:.0f} s to animate a {seconds:g} s clip.",
                                  provider=provider, hint="Try a smaller frame or a shorter scene.") from exc
        except OSError as exc:
            raise ProviderError(f"ffmpeg could not be started to animate the image ({exc}).", provider=provider,
                                hint=INSTALL_HINT, retryable=False) from exc
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            lines = [line for line in done.stderr.strip().splitlines() if not _FFMPEG_NOISE.search(line)]
            tail = "\n".join(lines[-4:]) or f"exit code {done.returncode}"
            raise ProviderError(f"ffmpeg could not animate the image: {tail}", provider=provider,
                                retryable=False, hint="Make this scene again; if it keeps failing, choose "
                                                      "another clip provider.")
    return frames
