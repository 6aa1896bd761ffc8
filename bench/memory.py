"""Benchmark: peak memory of the whole process tree (Python + every ffmpeg child), at 1080×1920.

    python bench/memory.py [--only make6,assembly,length,make20]

Each case runs in a fresh child process, sampled every 50 ms (bench/tree.py):
- ``make6``: ``python -m viralreel_core make … --scenes 6`` offline, from an empty cache (script, Piper
  voice, local clips, assembly: what a person's first render costs);
- ``assembly``: the assembly alone, every segment rendered, with the voices and clips of that run cached;
- ``length``: the assembly of a 12 s video (3 scenes × 4 s) and of a 60 s one (6 scenes × 10 s) from
  synthetic inputs; prints peak(60 s) ÷ peak(12 s) (target ≤ 1.2) and time(60 s) ÷ time(12 s) (≤ 5.5);
- ``make20`` (only when asked for: it takes minutes): ``make … --length 180`` offline from an empty cache, the
  longest video a person can ask for, in 20 scenes (target: the tree under 600 MB, as for 6 scenes).
Prints one JSON report; the machine and the resource limits the code saw are included.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tree import run_sampled  # noqa: E402

TOPIC = "The future of AI"
OFFLINE = ["--script-provider", "local", "--voice-provider", "local", "--clip-provider", "local"]


def clean_env() -> dict[str, str]:
    """The environment without any service key or base URL: every provider offline."""
    return {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_API_SECRET", "_BASE_URL"))}


def make_cmd(cache: Path, out: Path, scenes: int) -> list[str]:
    return [sys.executable, "-m", "viralreel_core", "make", TOPIC, "--scenes", str(scenes), *OFFLINE,
            "--cache-dir", str(cache), "--out", str(out), "--quiet"]


def child_assemble_cached(cache: str, out: str, scenes: str) -> None:
    """In the child: voices and clips from the cache (nothing loaded to make them), every segment rendered."""
    from viralreel_core.environment import settings_from_env
    from viralreel_core.render.assembler import Assembler
    from viralreel_core.run.pipeline import Pipeline

    settings = settings_from_env(cache_dir=Path(cache), scenes=int(scenes), script_provider="local",
                                 voice_provider="local", clip_provider="local")
    pipeline = Pipeline(settings)
    script = pipeline.write_script(TOPIC)
    voices, clips, _ = pipeline.make_media(script)
    assert pipeline.tally.misses == 0, "the voices and clips should all be cached"
    media = pipeline.scene_media(script, voices, clips)
    started = time.perf_counter()
    Assembler(settings, cache=None).assemble(media, Path(out) / "assembled.mp4")
    print(json.dumps({"assembly_s": round(time.perf_counter() - started, 2)}))


def child_assemble_synthetic(manifest: str, out: str) -> None:
    """In the child: assemble the saved synthetic scenes with no segment cache."""
    from inputs import load

    from viralreel_core.config import Settings
    from viralreel_core.render.assembler import Assembler

    scenes = load(Path(manifest))
    started = time.perf_counter()
    Assembler(Settings(), cache=None).assemble(scenes, Path(out))
    print(json.dumps({"assembly_s": round(time.perf_counter() - started, 2)}))


def _child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", *args]


def _summary(run: dict) -> dict:
    return {k: run[k] for k in ("wall_s", "peak_mb", "peak_parts")}


def case_make6(work: Path) -> dict:
    first = run_sampled(make_cmd(work / "cache", work / "out", 6), env=clean_env(), cwd=str(ROOT))
    seconds = json.loads(first["stdout"]).get("seconds")
    again = run_sampled(make_cmd(work / "cache", work / "out", 6), env=clean_env(), cwd=str(ROOT))
    return {"make6_first": {**_summary(first), "pipeline_s": seconds},
            "make6_unchanged": {**_summary(again), "pipeline_s": json.loads(again["stdout"]).get("seconds")}}


def case_make20(work: Path) -> dict:
    from viralreel_core.media.ffmpeg import probe

    cmd = [*make_cmd(work / "cache20", work / "out20", 20), "--length", "180"]
    run = run_sampled(cmd, env=clean_env(), cwd=str(ROOT))
    result = json.loads(run["stdout"])
    return {"make20_length180": {**_summary(run), "pipeline_s": result.get("seconds"),
                                 "scenes": result.get("scenes_count"),
                                 "video_s": round(probe(result["video_path"]).duration, 2)}}


def case_assembly(work: Path) -> dict:
    if not (work / "cache").exists():
        run_sampled(make_cmd(work / "cache", work / "out", 6), env=clean_env(), cwd=str(ROOT))
    run = run_sampled(_child("cached", str(work / "cache"), str(work / "out"), "6"), env=clean_env(), cwd=str(ROOT))
    return {"assembly6": {**_summary(run), **json.loads(run["stdout"].strip().splitlines()[-1])}}


def case_length(work: Path) -> dict:
    from inputs import make_scenes, save

    from viralreel_core.config import Settings

    report = {}
    for name, count, seconds in (("12s", 3, 4.0), ("60s", 6, 10.0)):
        folder = work / name
        folder.mkdir()
        save(make_scenes(folder, Settings(), count, seconds), folder / "scenes.json")
    runs: dict[str, list[dict]] = {"12s": [], "60s": []}
    for _ in range(2):  # alternate, so both see the same background load
        for name in ("12s", "60s"):
            run = run_sampled(_child("synthetic", str(work / name / "scenes.json"), str(work / name / "out.mp4")),
                              env=clean_env(), cwd=str(ROOT))
            runs[name].append({**_summary(run), **json.loads(run["stdout"].strip().splitlines()[-1])})
    for name, rs in runs.items():
        report[f"assembly_{name}"] = rs
    peak = {n: max(r["peak_mb"] for r in rs) for n, rs in runs.items()}
    times = {n: min(r["assembly_s"] for r in rs) for n, rs in runs.items()}
    report["peak_ratio_60s_12s"] = round(peak["60s"] / peak["12s"], 2)
    report["time_ratio_60s_12s"] = round(times["60s"] / times["12s"], 2)
    return report


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        {"cached": child_assemble_cached, "synthetic": child_assemble_synthetic}[sys.argv[2]](*sys.argv[3:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="make6,assembly,length")
    args = parser.parse_args()
    from viralreel_core.media import resources

    report: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores visible, Python "
                               f"{platform.python_version()}", "limits": resources.describe(),
                    "load_average_before": round(os.getloadavg()[0], 1)}
    with tempfile.TemporaryDirectory(prefix="viralreel_bench_") as tmp:
        work = Path(tmp)
        for case in args.only.split(","):
            report.update({"make6": case_make6, "assembly": case_assembly, "length": case_length,
                           "make20": case_make20}[case](work))
    report["load_average_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
