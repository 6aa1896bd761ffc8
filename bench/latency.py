"""Benchmark: no waiting on the slowest clip. End-to-end wall time with slow services against compute time.

    python bench/latency.py [--repeat 2]

The real providers (OpenAI script, ElevenLabs voice, Runway clips) talk to the local fakes of
tests/fakes/servers.py at 1080×1920, 3 scenes, each run with a fresh cache:
- (a) without latencies: the wall time is the compute time C (parsing, decoding, downloads, segments, join);
- (b) with the issue's latencies: script 2 s, voice 1 s per scene, Runway clips that take 8, 16 and 24 s.
The slowest chain is script + slowest clip = 26 s; (b) − 26 s is what the run adds after the last clip
arrives plus what it could not overlap. Target: ((b) − 26) ÷ C ≤ 0.35 (before: every segment waited for
the last clip, so about 1.0). Runway is polled every 0.25 s here (``--poll``; 5 s in production) so that
the wait is the clip's, not the poll's. (a) and (b) alternate. Each run also prints when its last clip
came (``last_clip_at_s``: in (b), past 26 s by the startup, Runway's first-frame image task and the
polls), the wall time after it, and its ffmpeg's system time after it (see bench/cold_start.py).
A first run without latencies, not counted, loads the libraries.

On a loaded machine the wall figures are the scheduler's: each pair also prints the CPU time (b) spent
after its last clip arrived (the work left: the last segment, the join, the check) over (a)'s CPU time,
the same ratio in the unit a shared machine cannot distort as much.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.servers import FakeElevenLabs, FakeOpenAI, FakeRunway  # noqa: E402
from viralreel_core.environment import settings_from_env  # noqa: E402
from viralreel_core.run.pipeline import Pipeline  # noqa: E402

KEYS = {"OPENAI_API_KEY": "sk-bench-0011223344556677", "ELEVENLABS_API_KEY": "el-bench-8899aabbccddeeff",
        "RUNWAYML_API_SECRET": "key_" + "b3" * 62}
SCRIPT_S, VOICE_S, CLIP_S = 2.0, 1.0, (8.0, 16.0, 24.0)
SLOWEST_CHAIN = SCRIPT_S + max(CLIP_S)


def run(work: Path, slow: bool, poll: float) -> dict:
    with FakeOpenAI(KEYS["OPENAI_API_KEY"], latency=SCRIPT_S if slow else 0.0) as openai_api, \
            FakeElevenLabs(KEYS["ELEVENLABS_API_KEY"], latency=VOICE_S if slow else 0.0) as eleven_api, \
            FakeRunway(KEYS["RUNWAYML_API_SECRET"]) as runway_api:
        for seconds in CLIP_S:
            runway_api.fail("task_takes", times=1, seconds=seconds if slow else 0.0)
        env = {**KEYS, "OPENAI_BASE_URL": f"{openai_api.url}/v1", "ELEVENLABS_BASE_URL": eleven_api.url,
               "RUNWAYML_BASE_URL": runway_api.url}
        settings = settings_from_env(environ=env, script_provider="openai", voice_provider="elevenlabs",
                                     clip_provider="runway", scenes=3, cache_dir=work / "cache",
                                     output_dir=work / "out", poll_interval=poll)
        marks: dict[str, float] = {}

        def note(event) -> None:  # when the last clip is in, and the CPU time used by then
            if event.step == "clips" and event.fraction >= 1.0:
                marks.update(last_clip=time.perf_counter(), last_clip_cpu=cpu_seconds(),
                             last_clip_sys=children_sys_seconds())

        started, cpu = time.perf_counter(), cpu_seconds()
        result = Pipeline(settings, on_progress=note).make("Why cats purr")
        ended = time.perf_counter()
        wall, cpu = ended - started, cpu_seconds() - cpu
        tail_cpu = cpu_seconds() - marks.get("last_clip_cpu", cpu_seconds())
    assert result.success, result.message
    last_clip = marks.get("last_clip", ended) - started
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "cpu_after_last_clip_s": round(tail_cpu, 2),
            "segments_rendered": result.cache["segments_rendered"],
            # where the time after the slowest chain goes: getting the last clip (startup, the script's
            # parsing, Runway's first-frame image task, the polls), then what is left after it
            "last_clip_at_s": round(last_clip, 2), "after_last_clip_s": round(ended - started - last_clip, 2),
            "ffmpeg_sys_after_last_clip_s": round(children_sys_seconds() - marks.get("last_clip_sys", 0.0), 2)}


def cpu_seconds() -> float:
    """CPU time of this process (the pipeline and the fakes' threads) and its finished children (ffmpeg)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def children_sys_seconds() -> float:
    """System CPU time of the finished children (ffmpeg): where a VM's page faults show (bench/cold_start.py)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between Runway polls")
    args = parser.parse_args()
    report: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                    "load_average_before": round(os.getloadavg()[0], 1), "slowest_chain_s": SLOWEST_CHAIN,
                    "runway_poll_s": args.poll}
    # not counted: the first run imports the libraries (the OpenAI SDK alone ~0.6 s), which lengthened pair 1's C
    with tempfile.TemporaryDirectory() as warmup:
        run(Path(warmup), slow=False, poll=args.poll)
    pairs = []
    for n in range(args.repeat):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            compute = run(Path(a), slow=False, poll=args.poll)
            slow = run(Path(b), slow=True, poll=args.poll)
        ratio = (slow["wall_s"] - SLOWEST_CHAIN) / compute["wall_s"]
        cpu_ratio = slow["cpu_after_last_clip_s"] / compute["cpu_s"]
        pairs.append({"compute": compute, "with_latencies": slow, "ratio": round(ratio, 2),
                      "cpu_ratio": round(cpu_ratio, 2)})
        print(f"pair {n + 1}: {pairs[-1]}", file=sys.stderr)
    report["pairs"] = pairs
    report["ratio_median"] = round(statistics.median(p["ratio"] for p in pairs), 2)
    report["cpu_ratio_median"] = round(statistics.median(p["cpu_ratio"] for p in pairs), 2)
    report["load_average_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
