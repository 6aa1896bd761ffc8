"""Benchmark: one segment rendered straight after another (warm) against the same after an idle wait (cold).

    python bench/cold_start.py [--repeat 4] [--idle 5]

Why: in `bench/latency.py` the last scene's segment starts after seconds of waiting for its clip, and
it took longer than the same segment in the run without latencies. On a VM whose balloon driver hands
free memory back to the host (virtio_balloon free page reporting, as on this Firecracker VM), a process
that starts after an idle spell pays the host again for every page it touches: x264's ~230 MB of frame
buffers at 1080×1920. This prints, per pair, the wall, user and system time of the segment's ffmpeg warm
and cold (alternated), and the cold ÷ warm ratios; system time is where the host's page faults land.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inputs import make_scenes  # noqa: E402

from viralreel_core.config import Settings  # noqa: E402
from viralreel_core.render.assembler import Assembler  # noqa: E402

REPORTING = Path("/sys/module/page_reporting/parameters")


def timed_render(assembler: Assembler, scene, out: Path) -> dict:
    """Wall, user and system seconds of one segment render (its ffmpeg is this process's only child)."""
    before, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    assembler.render_segment(scene, out)
    wall, after = time.perf_counter() - wall, resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": round(wall, 2), "user_s": round(after.ru_utime - before.ru_utime, 2),
            "sys_s": round(after.ru_stime - before.ru_stime, 2)}


def page_reporting() -> str:
    """Whether this kernel reports free pages to the host, as its module says."""
    if not REPORTING.is_dir():
        return "no page_reporting module"
    values = {p.name: p.read_text().strip() for p in REPORTING.iterdir() if p.is_file()}
    return f"page_reporting order {values.get('page_reporting_order')}, reported {values.get('reported_kib')} KiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds of waiting before the cold render")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scene = make_scenes(work, settings, 1, 4.0)[0]
        assembler = Assembler(settings, cache=None)
        pairs = []
        for n in range(args.repeat):
            timed_render(assembler, scene, work / "primer.mp4")  # the warm render follows a render at once
            warm = timed_render(assembler, scene, work / f"warm{n}.mp4")
            time.sleep(args.idle)
            cold = timed_render(assembler, scene, work / f"cold{n}.mp4")
            pairs.append({"warm": warm, "cold": cold})
            print(f"pair {n + 1}: {pairs[-1]}", file=sys.stderr)

    def median_ratio(what: str) -> float:
        return round(statistics.median(p["cold"][what] / max(0.01, p["warm"][what]) for p in pairs), 2)

    print(json.dumps({
        "segment": f"{scene.frames(settings.fps)} frames at {settings.width}x{settings.height}, "
                   f"x264 {settings.x264_preset} {settings.video_bitrate}",
        "idle_s": args.idle, "pairs": pairs,
        "cold_over_warm_median": {w: median_ratio(w) for w in ("wall_s", "user_s", "sys_s")},
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                   f"kernel {platform.release()}, {page_reporting()}",
        "load_average_after": round(os.getloadavg()[0], 1),
    }, indent=2))


if __name__ == "__main__":
    main()
