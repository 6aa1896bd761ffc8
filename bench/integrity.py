"""Benchmark: what the integrity checks cost, against the work they guard, in the same run.

    python bench/integrity.py [--seconds 30] [--repeat 3]

Inputs are made first (not timed): three 1080×1920 H.264 segments at the product's bitrate, together
``--seconds`` long, and their sound as AAC (an .m4a) of the same length. Then, alternately:
(a) the final join exactly as the assembler runs it (concat demuxer, stream copy of both, +faststart);
(b) ``check_final`` on its output (every video packet compared with the segments', demux only; the sound
    decoded; lengths compared);
(c) the per-segment frame count before the join (``check_segment``, demux only);
(e) what (b) replaced: the whole joined picture decoded (``decode(out, "v")``), and the same for each segment
    on its own (what checking each segment as it is made would cost);
(d) a verified cache read of the three segments: a first read (size + sha256) and a repeat read (size only,
    the hash remembered for the process).
Prints wall and CPU times, the ratios (b)/(a) and (e)/(a) per pair and their medians, and peak RSS of the
process tree's children.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from viralreel_core.cache.store import AssetCache  # noqa: E402
from viralreel_core.media.ffmpeg import ffmpeg_exe, run_ffmpeg  # noqa: E402
from viralreel_core.render.final_check import check_final, check_segment, decode  # noqa: E402

FPS, W, H = 30, 1080, 1920


def make_inputs(work: Path, seconds: float) -> tuple[list[tuple[int, Path, int]], Path]:
    per = int(seconds * FPS) // 3
    scenes = []
    for n in (1, 2, 3):
        path = work / f"segment_{n}.mp4"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=size={W}x{H}:rate={FPS}", "-frames:v", str(per), "-c:v", "libx264",
                        "-preset", "ultrafast", "-b:v", "8000k", "-pix_fmt", "yuv420p", "-profile:v", "high",
                        str(path)], check=True)
        scenes.append((n, path, per))
    narration = work / "narration.wav"
    rate = 44100
    t = np.arange(int(3 * per / FPS * rate)) / rate
    with wave.open(str(narration), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes((0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2").tobytes())
    sound = work / "sound.m4a"  # as the assembler makes it beside the renders
    run_ffmpeg(["-i", str(narration), "-c:a", "aac", "-b:a", "192k", "-ar", "44100", "-f", "mp4", str(sound)],
               what="encode the sound")
    return scenes, sound


def join(work: Path, scenes, sound: Path, out: Path) -> None:
    listing = work / "segments.txt"
    listing.write_text("".join(f"file '{p}'\n" for _, p, _ in scenes), encoding="utf-8")
    run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(sound), "-map", "0:v:0",
                "-map", "1:a:0", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", str(out)], what="join")


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


CPU: dict[str, list[float]] = {}


def timed(call, name: str = "") -> float:
    started, cpu = time.perf_counter(), _cpu()
    call()
    if name:
        CPU.setdefault(name, []).append(round(_cpu() - cpu, 2))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scenes, sound = make_inputs(work, args.seconds)
        out = work / "final.mp4"
        rows = []
        for _ in range(args.repeat):
            a = timed(lambda: join(work, scenes, sound, out), "join")
            b = timed(lambda: check_final(out, scenes, FPS), "final_check")
            e = timed(lambda: decode(out, "v"), "decode_joined")
            e2 = timed(lambda: [decode(p, "v") for _, p, _ in scenes], "decode_each_segment")
            c = timed(lambda: [check_segment(p, n, f) for n, p, f in scenes])
            cache = AssetCache(work / f"cache{len(rows)}")
            for n, p, _ in scenes:
                cache.put(f"k{n}", "segment", {}, {"video": p})
            cache.close()
            cache = AssetCache(work / f"cache{len(rows)}")
            d1 = timed(lambda: [cache.get(f"k{n}") for n, _, _ in scenes])  # noqa: B023
            d2 = timed(lambda: [cache.get(f"k{n}") for n, _, _ in scenes])  # noqa: B023
            cache.close()
            rows.append({"join_s": round(a, 3), "final_check_s": round(b, 3), "segment_counts_s": round(c, 3),
                         "verified_read_first_s": round(d1, 3), "verified_read_again_s": round(d2, 3),
                         "decode_joined_s": round(e, 3), "decode_each_segment_s": round(e2, 3),
                         "check_over_join": round(b / a, 2), "decode_over_join": round(e / a, 2)})
        size_mb = sum(p.stat().st_size for _, p, _ in scenes) / 2**20
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
                   f"{platform.python_version()}",
        "video": f"{W}x{H}, {args.seconds:g} s, 8000k H.264 + AAC; segments {size_mb:.1f} MiB",
        "runs": rows,
        "median_check_over_join": statistics.median(r["check_over_join"] for r in rows),
        "median_decode_over_join": statistics.median(r["decode_over_join"] for r in rows),
        "cpu_s": CPU,
        "load_average_after": round(os.getloadavg()[0], 1),
        "peak_child_rss_mib": round(children, 1),
    }, indent=2))


if __name__ == "__main__":
    main()
