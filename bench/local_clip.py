"""Benchmark: one 8 s 1080×1920@30 offline clip, kinetic typography vs the background alone, in one run.

    python bench/local_clip.py [--repeat 3]

(a) is the background alone: the same ffmpeg lavfi graph the offline clip maker drew before it set the
narration's words (no narration, no symbol: no sprites). (b) is the full clip: the background plus the
subject's emoji and the key phrases (Pillow sprites moved and faded by ffmpeg ``overlay``). Each run is a
fresh process, alternating a and b, so both see the same background load; we report wall and CPU time
(Python + ffmpeg) and peak RSS of the Python process and of its ffmpeg child, and the median ratio b/a.
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

ROOT = Path(__file__).resolve().parents[1]
VISUALS = "A volcano erupting at night, glowing lava and ash"
NARRATION = ("Volcanoes form where tectonic plates pull apart or collide, letting magma rise "
             "30 kilometres to the surface. Then the pressure wins.")


def one(kind: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from viralreel_core.providers.clips.local_clips import LocalClipMaker

    # no symbol font for the background alone
    maker = LocalClipMaker(1080, 1920, 30, fonts={} if kind == "background" else None)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        clip = maker.make(VISUALS, 8.0, Path(out), narration="" if kind == "background" else NARRATION)
        wall = time.perf_counter() - started
        size = os.path.getsize(clip.video_path)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"kind": kind, "wall_s": round(wall, 3),
            "cpu_s": round(me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime, 3),
            "python_rss_mb": round(me.ru_maxrss / 1024), "ffmpeg_rss_mb": round(kids.ru_maxrss / 1024),
            "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", choices=["background", "kinetic"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    runs: dict[str, list[dict]] = {"background": [], "kinetic": []}
    for _ in range(args.repeat):
        for kind in ("background", "kinetic"):
            done = subprocess.run([sys.executable, __file__, "--one", kind], capture_output=True, text=True,
                                  check=True)
            runs[kind].append(json.loads(done.stdout))
            print(runs[kind][-1])
    for key in ("wall_s", "cpu_s"):
        a, b = (statistics.median(r[key] for r in runs[k]) for k in ("background", "kinetic"))
        print(f"{key}: background {a:.2f}, kinetic {b:.2f}, ratio {b / a:.2f}")
    for key in ("python_rss_mb", "ffmpeg_rss_mb"):
        print(f"{key}: background {max(r[key] for r in runs['background'])}, "
              f"kinetic {max(r[key] for r in runs['kinetic'])}")
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
