"""Benchmark: the assembly with two checkouts' code in the same rounds, so both meet the same load.

    git worktree add /tmp/before <commit>
    python bench/assembly_before_after.py --before /tmp/before --repeat 3 --styles classic pop

Each round: a bare ffmpeg encode (as ``assembly.py``'s), then, for each style, this checkout's and the other's
Assembler on the same 6 scenes, each in a child process (its CPU with its ffmpeg children's). A child that
only imports the package is timed too and taken off. Prints the CPU times and each one's ratio to the bare
encode's median.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from assembly import SCENE_SECONDS, bare_encode  # noqa: E402
from inputs import make_scenes, save  # noqa: E402

from viralreel_core.config import Settings  # noqa: E402

CHILD = """
import sys
root, style, scenes, out = sys.argv[1:5]
sys.path[:0] = [root, root + "/bench"]
from pathlib import Path
from inputs import load
from viralreel_core.config import Settings
from viralreel_core.render.assembler import Assembler
from viralreel_core.render.caption_styles import caption_style
if style != "-":
    Assembler(Settings(captions=caption_style(style)), cache=None).assemble(load(Path(scenes)), Path(out))
"""


def children_cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="the other checkout (the code before)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--styles", nargs="+", default=["classic", "pop"])
    args = parser.parse_args()
    roots = {"now": str(HERE.parent), "before": str(Path(args.before).resolve())}
    runs = [("now", "-")] + [(code, style) for style in args.styles for code in ("now", "before")]
    with tempfile.TemporaryDirectory() as tmp:
        work, settings = Path(tmp), Settings()
        scenes = make_scenes(work, settings, args.scenes, SCENE_SECONDS)
        save(scenes, work / "scenes.json")
        cpu: dict[str, list[float]] = {"bare": []} | {f"{c} {s}": [] for c, s in runs}
        load_before = os.getloadavg()[0]
        for n in range(args.repeat):
            start = children_cpu()
            bare_encode(work, settings, len(scenes) * SCENE_SECONDS)
            cpu["bare"].append(children_cpu() - start)
            for code, style in runs:
                start = children_cpu()
                subprocess.run([sys.executable, "-c", CHILD, roots[code], style, str(work / "scenes.json"),
                                str(work / f"out{n}.mp4")], check=True)
                cpu[f"{code} {style}"].append(children_cpu() - start)
    bare, imports = statistics.median(cpu["bare"]), statistics.median(cpu["now -"])
    print(json.dumps({"cpu_s": {k: [round(v, 2) for v in runs] for k, runs in cpu.items()},
                      "import_cpu_s": round(imports, 2),
                      "cpu_ratio": {k: round((statistics.median(v) - imports) / bare, 3) for k, v in cpu.items()
                                    if k not in ("bare", "now -")},
                      "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)]}, indent=2))


if __name__ == "__main__":
    main()
