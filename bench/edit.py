"""Benchmark: an edit costs what it changes; an unchanged re-render costs almost nothing.

    python bench/edit.py [--scenes 6] [--repeat 2]

Offline providers, 1080×1920, one fresh cache. After a first full render:
- ``edit``: one scene's narration is changed (a different last word) and its voice made again (not
  timed); then the re-render (``Pipeline.assemble``) is timed against the same run's cost of that
  scene's segment alone (``render_segment``, no cache) plus the join (an assemble where every segment
  is cached but the finished video and its sound are not: another AAC bitrate). Target: edit ÷ (segment
  + join) ≤ 1.3.
- ``unchanged``: ``python -m viralreel_core make`` again with everything cached: the pipeline's own
  seconds (target < 1) and the CLI's wall time (target < 2 s), with the CLI's CPU time (the figure that
  survives a loaded machine).
Prints one JSON report.
"""

from __future__ import annotations

import argparse
import dataclasses
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
sys.path.insert(0, str(ROOT))

from memory import OFFLINE, TOPIC, clean_env  # noqa: E402

from viralreel_core.config import Settings  # noqa: E402
from viralreel_core.render.assembler import Assembler  # noqa: E402
from viralreel_core.run.pipeline import Pipeline  # noqa: E402

EDIT_WORDS = ["today.", "now.", "tonight.", "again."]


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (ffmpeg) so far."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    value = run()
    return time.perf_counter() - started, value


def timed_cpu(run) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of ``run()``: CPU time is the steadier figure on a shared machine."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    run()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    report: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                    "load_average_before": round(os.getloadavg()[0], 1)}
    with tempfile.TemporaryDirectory(prefix="viralreel_bench_edit_") as tmp:
        work = Path(tmp)
        cache_dir, out = work / "cache", work / "out"
        cli = [sys.executable, "-m", "viralreel_core", "make", TOPIC, "--scenes", str(args.scenes), *OFFLINE,
               "--cache-dir", str(cache_dir), "--out", str(out), "--quiet"]
        first_wall, first = timed(lambda: subprocess.run(cli, env=clean_env(), cwd=ROOT, capture_output=True,
                                                         text=True, check=True))
        report["first_render_cli_wall_s"] = round(first_wall, 2)
        unchanged = []
        for _ in range(args.repeat):
            cpu = cpu_seconds()
            wall, done = timed(lambda: subprocess.run(cli, env=clean_env(), cwd=ROOT, capture_output=True,
                                                      text=True, check=True))
            unchanged.append({"cli_wall_s": round(wall, 2), "cli_cpu_s": round(cpu_seconds() - cpu, 2),
                              "pipeline_s": json.loads(done.stdout)["seconds"]})
        report["unchanged"] = unchanged

        settings = Settings.from_env(environ={}, cache_dir=cache_dir, scenes=args.scenes, script_provider="local",
                                     voice_provider="local", clip_provider="local")
        pipeline = Pipeline(settings)
        script = pipeline.write_script(TOPIC)
        voices, clips, _ = pipeline.make_media(script)
        target = script.scenes[len(script.scenes) // 2].number
        edits = []
        for n in range(args.repeat):
            words = next(s for s in script.scenes if s.number == target).narration.split()
            edited = dataclasses.replace(script, scenes=[
                dataclasses.replace(s, narration=" ".join(words[:-1] + [EDIT_WORDS[n % len(EDIT_WORDS)]]))
                if s.number == target else s for s in script.scenes])
            edited_voices = {**voices, target: pipeline.voice_for(next(s for s in edited.scenes if s.number == target))}
            edit = timed_cpu(lambda: pipeline.assemble(edited, edited_voices, clips, out))  # noqa: B023
            # the join alone: every segment cached, the finished video and its sound not (another AAC bitrate
            # changes only those two)
            rejoin = Pipeline(settings.with_(audio_bitrate=f"{190 - n}k"), pipeline.cache)
            join = timed_cpu(lambda: rejoin.assemble(edited, edited_voices, clips, out))  # noqa: B023
            scene = next(m for m in pipeline.scene_media(edited, edited_voices, clips) if m.number == target)
            segment = timed_cpu(lambda: Assembler(settings, cache=None).render_segment(scene, work / "seg.mp4"))  # noqa: B023
            edits.append({"edit_rerender_wall_cpu_s": [round(x, 2) for x in edit],
                          "segment_wall_cpu_s": [round(x, 2) for x in segment],
                          "join_wall_cpu_s": [round(x, 2) for x in join],
                          "wall_ratio": round(edit[0] / (segment[0] + join[0]), 2),
                          "cpu_ratio": round(edit[1] / (segment[1] + join[1]), 2)})
        report["edits"] = edits
        report["edit_wall_ratio_median"] = round(statistics.median(e["wall_ratio"] for e in edits), 2)
        report["edit_cpu_ratio_median"] = round(statistics.median(e["cpu_ratio"] for e in edits), 2)
    report["load_average_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
