"""Benchmark: the caption work alone — drawing every cue image and writing them as the render does — per style.

    python bench/caption_cost.py [--repeat 3] [--scenes 6] [--styles classic pop karaoke] [--root OTHER_CHECKOUT]

The narrations and word timings of ``bench/assembly.py`` (as ``inputs.py`` makes them), 1080×1920, each
scene's cues built with ``caption_draw.build_cues`` and written with ``segment.write_caption_track`` into a
temporary folder. Prints, per style, the number of cue images and the CPU seconds of this process (all of it
Python and Pillow: no ffmpeg), the styles interleaved in every round. ``--root`` imports the package from
another checkout (``git worktree add /tmp/before <commit>``), to compare code in the same session.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

# inputs.py's narrations and timings, repeated here: importing it would import this checkout's package
NARRATIONS = [
    "Stop scrolling: the future of AI is closer than you think.",
    "Machines already write, draw and talk, and they learn faster every month.",
    "Follow for more, and tell us what you would build with it.",
]
WORDS_PER_SECOND, SCENE_SECONDS = 2.8, 4.0


def scene_words(i: int, seconds: float = SCENE_SECONDS) -> list[tuple[str, float, float]]:
    count = max(3, round(seconds * WORDS_PER_SECOND))
    words: list[str] = []
    k = i
    while len(words) < count:
        words += NARRATIONS[k % len(NARRATIONS)].split()
        k += 1
    step = (seconds - 0.2) / count
    return [(w, round(0.1 + n * step, 3), round(0.1 + (n + 0.8) * step, 3)) for n, w in enumerate(words[:count])]


def cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--styles", nargs="+", default=["classic", "pop", "karaoke"])
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]),
                        help="the checkout whose viralreel_core is measured")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.root).resolve()))
    from viralreel_core.models import WordTiming
    from viralreel_core.render.caption_draw import build_cues
    from viralreel_core.render.caption_styles import caption_style
    from viralreel_core.render.segment import write_caption_track

    scenes = [[WordTiming(*w) for w in scene_words(i)] for i in range(args.scenes)]
    build_cues(scenes[0], caption_style(args.styles[0]), 1080, 1920)  # fonts loaded before timing
    cpu: dict[str, list[float]] = {s: [] for s in args.styles}
    images: dict[str, int] = {}
    load_before = os.getloadavg()[0]
    for _ in range(args.repeat):
        for name in args.styles:
            style = caption_style(name)
            with tempfile.TemporaryDirectory() as tmp:
                start, count = cpu_seconds(), 0
                for i, words in enumerate(scenes):
                    cues = build_cues(words, style, 1080, 1920)
                    folder = Path(tmp) / str(i)
                    folder.mkdir()
                    write_caption_track(cues, folder, 30)
                    count += len(cues)
                cpu[name].append(cpu_seconds() - start)
                images[name] = count
    print(json.dumps({"root": args.root, "scenes": args.scenes,
                      **{n: {"cue_images": images[n], "cpu_s": [round(c, 3) for c in runs],
                             "cpu_s_median": round(statistics.median(runs), 3)} for n, runs in cpu.items()},
                      "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)]}, indent=2))


if __name__ == "__main__":
    main()
