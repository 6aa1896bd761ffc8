"""Benchmark: assembling a 3-scene, ~12 s, 1080×1920 video vs a bare ffmpeg encode, in the same run.

    python bench/assembly.py [--repeat 2] [--scenes 3] [--caption-style classic]
    python bench/assembly.py --repeat 3 --scenes 6 --compare-styles classic pop karaoke

Inputs are made first (not timed): three 1080×1920 H.264 clips and three ~4 s narrations with word
timings. Then, alternately, (a) a bare ffmpeg encode of a synthetic source of the same length with the
same codec settings and (b) our Assembler (captions, fades, narration, no segment cache) are timed.
Prints wall and CPU times, the ratio (b)/(a) per alternated pair and its median — the figure to compare
across machines; CPU time is the steadier one on a shared machine — and peak RSS.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inputs import make_scenes  # noqa: E402

from viralreel_core.config import Settings  # noqa: E402
from viralreel_core.media.ffmpeg import ffmpeg_exe, probe  # noqa: E402
from viralreel_core.render.assembler import Assembler, SceneMedia  # noqa: E402
from viralreel_core.render.caption_styles import PRESETS, caption_style  # noqa: E402

SCENES, SCENE_SECONDS = 3, 4.0

def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (ffmpeg)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(run) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``run()``."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    run()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def bare_encode(work: Path, settings: Settings, seconds: float) -> None:
    out = work / "bare.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y",
                    "-f", "lavfi",
                    "-i", f"testsrc2=size={settings.width}x{settings.height}:rate={settings.fps}:duration={seconds}",
                    "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                    "-c:v", "libx264", "-preset", settings.x264_preset, "-b:v", settings.video_bitrate,
                    "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", settings.audio_bitrate,
                    "-movflags", "+faststart", str(out)], check=True)


def ours(work: Path, settings: Settings, scenes: list[SceneMedia], n: int) -> None:
    out = work / f"ours{n}.mp4"
    Assembler(settings, cache=None).assemble(scenes, out)
    info = probe(out)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (settings.width, settings.height,
                                                                               "h264", "aac"), info


def compare_styles(styles: list[str], repeat: int, count: int) -> None:
    """Each style's assembly CPU time against the same bare encodes, the styles interleaved in every round, so
    a difference between them is not the machine's load changing between runs."""
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scenes = make_scenes(work, settings, count, SCENE_SECONDS)
        bare, cpu = [], {s: [] for s in styles}
        load_before = os.getloadavg()[0]
        for n in range(repeat):
            bare.append(timed(lambda: bare_encode(work, settings, len(scenes) * SCENE_SECONDS))[1])
            for style in styles:
                styled = Settings(captions=caption_style(style))
                cpu[style].append(timed(lambda n=n, styled=styled: ours(work, styled, scenes, n))[1])
    middle = statistics.median(bare)
    print(json.dumps({"video": f"{count} scenes, {count * SCENE_SECONDS:.0f} s", "bare_ffmpeg_cpu_s": bare,
                      **{style: {"assembler_cpu_s": [round(c, 2) for c in runs],
                                 "cpu_ratio": round(statistics.median(runs) / middle, 3)}
                         for style, runs in cpu.items()},
                      "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)]}, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--scenes", type=int, default=SCENES)
    parser.add_argument("--caption-style", default="classic", choices=list(PRESETS),
                        help="the captions' preset (their animations cost more cue images)")
    parser.add_argument("--compare-styles", nargs="+", choices=list(PRESETS), metavar="STYLE",
                        help="assemble with each of these styles in turn after each bare encode; CPU only")
    args = parser.parse_args()
    if args.compare_styles:
        compare_styles(args.compare_styles, args.repeat, args.scenes)
        return
    settings = Settings(captions=caption_style(args.caption_style))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scenes = make_scenes(work, settings, args.scenes, SCENE_SECONDS)
        seconds = len(scenes) * SCENE_SECONDS
        bare, mine = [], []
        load_before = os.getloadavg()[0]
        for n in range(args.repeat):  # alternate, so both see the same background load
            bare.append(timed(lambda: bare_encode(work, settings, seconds)))
            mine.append(timed(lambda n=n: ours(work, settings, scenes, n)))
    wall_ratios = sorted(m[0] / b[0] for m, b in zip(mine, bare, strict=True))
    cpu_ratios = sorted(m[1] / b[1] for m, b in zip(mine, bare, strict=True))
    report = {
        "video": f"{len(scenes)} scenes, {seconds:.0f} s, {settings.width}x{settings.height}@{settings.fps}, "
                 f"x264 {settings.x264_preset} {settings.video_bitrate}, captions {args.caption_style}",
        "bare_ffmpeg_wall_s": [round(b[0], 2) for b in bare],
        "assembler_wall_s": [round(m[0], 2) for m in mine],
        "wall_ratio_per_pair": [round(r, 2) for r in wall_ratios],
        "wall_ratio_median": round(statistics.median(wall_ratios), 2),
        "bare_ffmpeg_cpu_s": [round(b[1], 2) for b in bare],
        "assembler_cpu_s": [round(m[1], 2) for m in mine],
        "cpu_ratio_median": round(statistics.median(cpu_ratios), 2),
        "peak_rss_python_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_rss_child_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
