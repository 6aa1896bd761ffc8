"""Benchmark: one 6 s 1080×1920@30 Ken Burns clip from a 1024×1536 still, three ways, in one run.

    python bench/ken_burns.py [--repeat 3]

(a) ``perspective``: what ``providers/ken_burns.py`` runs (scale once, ``loop``, per-frame corners,
bilinear); (b) ``zoompan`` on a source scaled to 2× the frame (its usual de-jitter trick); (c) Python
frames: a Pillow affine transform per frame (what a MoviePy ``transform`` does, without MoviePy's own
overhead) piped as raw RGB to the same x264 settings. Each is a fresh process, the three alternating, so
all see the same background load. Reported: wall and CPU (Python + ffmpeg), peak RSS of each, and how
many consecutive frame pairs are identical (a stutter: the camera stood still for a frame).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
W, H, FPS, SECONDS = 1080, 1920, 30, 6.0


def _still(directory: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from viralreel_core.media.ffmpeg import ffmpeg_exe

    path = directory / "still.png"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1024x1536",
                    "-frames:v", "1", str(path)], check=True)
    return path


def _x264(out: Path) -> list[str]:
    return ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-r", str(FPS),
            "-an", str(out)]


def one(kind: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from viralreel_core.media.ffmpeg import ffmpeg_exe
    from viralreel_core.providers.clips.ken_burns import MOTIONS, motion_filter

    motion = MOTIONS[2]  # a pan with a slow zoom: the hardest case for whole-pixel steps
    frames = round(SECONDS * FPS)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        still, out = _still(work), work / "out.mp4"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        if kind == "perspective":
            subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(still), "-vf",
                            motion_filter(motion, frames, W, H, FPS), "-frames:v", str(frames), *_x264(out)],
                           check=True)
        elif kind == "zoompan":
            last = frames - 1
            e = f"(on/{last})"
            ease = f"({e}*0.5+0.5*{e}*{e}*(3-2*{e}))"
            (z0, z1), (x0, x1) = motion.zoom, motion.x
            vf = (f"scale={2 * W}:{2 * H}:force_original_aspect_ratio=increase,crop={2 * W}:{2 * H},"
                  f"zoompan=z='{z0}+({z1 - z0})*{ease}':x='(iw-iw/zoom)*({x0}+({x1 - x0})*{ease})'"
                  f":y='(ih-ih/zoom)*0.5':d={frames}:s={W}x{H}:fps={FPS},format=yuv420p")
            subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(still), "-vf", vf,
                            "-frames:v", str(frames), *_x264(out)], check=True)
        else:
            _python_frames(still, out, motion, frames, ffmpeg_exe())
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        me = resource.getrusage(resource.RUSAGE_SELF)
        held = _held_frames(out, ffmpeg_exe())
    return {"kind": kind, "wall_s": round(wall, 2),
            "cpu_s": round(me.ru_utime + me.ru_stime + after.ru_utime + after.ru_stime
                           - before.ru_utime - before.ru_stime, 2),
            "python_rss_mb": round(me.ru_maxrss / 1024), "ffmpeg_rss_mb": round(after.ru_maxrss / 1024),
            "held_frames": held}


def _python_frames(still: Path, out: Path, motion, frames: int, ffmpeg: str) -> None:
    from PIL import Image

    src = Image.open(still).convert("RGB")
    cover = max(W / src.width, H / src.height)
    pipe = subprocess.Popen([ffmpeg, "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}",
                             "-r", str(FPS), "-i", "-", *_x264(out)], stdin=subprocess.PIPE)
    for n in range(frames):
        p = n / (frames - 1)
        e = p * 0.5 + 0.5 * p * p * (3 - 2 * p)
        zoom = cover * (motion.zoom[0] + (motion.zoom[1] - motion.zoom[0]) * e)
        view_w, view_h = W / zoom, H / zoom
        fx = motion.x[0] + (motion.x[1] - motion.x[0]) * e
        left, top = (src.width - view_w) * fx, (src.height - view_h) * 0.5
        frame = src.transform((W, H), Image.AFFINE, (1 / zoom, 0, left, 0, 1 / zoom, top), resample=Image.BILINEAR)
        pipe.stdin.write(frame.tobytes())
    pipe.stdin.close()
    pipe.wait()


def _held_frames(path: Path, ffmpeg: str) -> int:
    """Consecutive frame pairs that are the same picture (mean change under 0.05 grey levels at 1/4 size)."""
    import numpy as np

    raw = subprocess.run([ffmpeg, "-v", "error", "-i", str(path), "-vf", f"scale={W // 4}:{H // 4}", "-f",
                          "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    video = np.frombuffer(raw, np.uint8).reshape(-1, H // 4, W // 4).astype(np.int16)
    return int((np.abs(np.diff(video, axis=0)).mean(axis=(1, 2)) < 0.05).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=["perspective", "zoompan", "python"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    load_before = Path("/proc/loadavg").read_text().split()[0]
    runs: dict[str, list[dict]] = {"perspective": [], "zoompan": [], "python": []}
    for _ in range(args.repeat):
        for kind in runs:
            done = subprocess.run([sys.executable, __file__, "--one", kind], capture_output=True, text=True,
                                  check=True)
            runs[kind].append(json.loads(done.stdout.strip().splitlines()[-1]))
    load_after = Path("/proc/loadavg").read_text().split()[0]
    base = statistics.median(r["cpu_s"] for r in runs["perspective"])
    print(f"machine: {platform.machine()}, {platform.python_version()}, load {load_before} -> {load_after}")
    for kind, results in runs.items():
        cpu = statistics.median(r["cpu_s"] for r in results)
        print(f"{kind:12s} wall {statistics.median(r['wall_s'] for r in results):6.2f} s  cpu {cpu:6.2f} s "
              f"(x{cpu / base:.2f})  rss py/ffmpeg {results[-1]['python_rss_mb']}/{results[-1]['ffmpeg_rss_mb']} MB  "
              f"held frames {[r['held_frames'] for r in results]}")


if __name__ == "__main__":
    main()
