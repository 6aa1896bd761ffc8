"""Benchmark: what one worker sustains here — videos per hour, peak memory, disk per video.

    python bench/jobs.py [--videos 4] [--concurrency 1 2] [--size 1080x1920] [--queue sqlite|redis]
    python bench/jobs.py --overhead 200      # the queue alone: tiny script jobs through SQLite and Redis

Per concurrency, in one run: a fresh cache and output folder; one ``python -m viralreel_core worker``
process (offline providers, so every scene is really made: script, Piper voice, procedural clip,
render); N ``make`` jobs with distinct topics submitted at once. Memory is the worker's whole process
tree (its ffmpeg children included), sampled every 0.1 s. Then the same N jobs again: every step comes
from the cache. ``--overhead`` times offline script jobs (milliseconds of work) end to end, so what is
measured is the queue: submit, wake, claim, heartbeat, finish.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viralreel_core.environment import settings_from_env  # noqa: E402
from viralreel_core.jobs import JobQueue, QueueConfig  # noqa: E402

TOPICS = ["Why cats purr", "How bees dance", "Why the sea is salty", "How volcanoes erupt", "Why owls hoot",
          "How rainbows form", "Why leaves turn red", "How glaciers move"]


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_round(queue: JobQueue, worker: psutil.Process, topics: list[str], options: dict) -> dict:
    started = time.monotonic()
    ids = [queue.submit("make", {"topic": t, "options": options}).id for t in topics]
    peak = 0
    while True:
        peak = max(peak, tree_rss(worker))
        jobs = [queue.get(i) for i in ids]
        if all(j.finished for j in jobs):
            break
        time.sleep(0.1)
    wall = time.monotonic() - started
    bad = [(j.id, j.state, j.error) for j in jobs if j.state != "succeeded"]
    if bad:
        raise SystemExit(f"jobs failed: {bad}")
    per_job = [j.finished_at - j.started_at for j in jobs]
    waits = [j.started_at - j.created_at for j in jobs]
    return {"videos": len(ids), "wall_s": round(wall, 1), "videos_per_hour": round(3600 * len(ids) / wall, 1),
            "job_s_median": round(statistics.median(per_job), 1), "first_start_latency_s": round(min(waits), 2),
            "peak_tree_rss_mb": round(peak / 2**20),
            "mp4_mb": [round(os.path.getsize(j.result["video_path"]) / 2**20, 2) for j in jobs]}


def start_redis(port: int) -> subprocess.Popen:
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return redis


def worker_round(work: Path, url: str, concurrency: int, topics: list[str], options: dict) -> dict:
    env = {"VIRALREEL_QUEUE_URL": url, "VIRALREEL_OUTPUT_DIR": str(work / "out"),
           "VIRALREEL_CACHE_DIR": str(work / "cache"), "VIRALREEL_QUEUE_LIMIT": "0"}
    queue = JobQueue(QueueConfig.from_env(env), settings_from_env(environ=env))
    worker = subprocess.Popen([sys.executable, "-m", "viralreel_core", "worker", "--concurrency", str(concurrency)],
                              cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        while not queue.live_workers():
            time.sleep(0.1)
        load = os.getloadavg()[0]
        cold = run_round(queue, psutil.Process(worker.pid), topics, options)
        cache_mb = folder_bytes(work / "cache") / 2**20
        warm = run_round(queue, psutil.Process(worker.pid), topics, options)
    finally:
        worker.terminate()
        worker.wait(30)
        queue.close()
    return {"concurrency": concurrency, "load_avg_at_start": round(load, 1), "cold": cold, "warm_cache": warm,
            "cache_mb_per_video": round(cache_mb / len(topics), 2)}


def overhead_round(url: str, jobs: int, work: Path) -> dict:
    env = {"VIRALREEL_QUEUE_URL": url, "VIRALREEL_CACHE_DIR": str(work / "cache_o"), "VIRALREEL_QUEUE_LIMIT": "0"}
    queue = JobQueue(QueueConfig.from_env(env), settings_from_env(environ=env, script_provider="local"))
    queue.start(1)
    try:
        started = time.monotonic()
        ids = [queue.submit("script", {"topic": f"Topic number {n}"}).id for n in range(jobs)]
        submitted = time.monotonic() - started
        while not all(j.finished for j in queue.list(jobs)):
            time.sleep(0.05)
        wall = time.monotonic() - started
        done = [queue.get(i) for i in ids]
        assert all(j.state == "succeeded" for j in done)
        work_s = statistics.median(j.finished_at - j.started_at for j in done)
    finally:
        queue.close()
    return {"backend": url.split(":")[0], "jobs": jobs, "submit_ms_each": round(1000 * submitted / jobs, 2),
            "jobs_per_s": round(jobs / wall, 1), "job_work_ms_median": round(1000 * work_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--size", default="1080x1920")
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--queue", choices=["sqlite", "redis"], default="sqlite")
    parser.add_argument("--overhead", type=int, default=0, help="only time this many tiny jobs per backend")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    work = Path(tempfile.mkdtemp(prefix="viralreel_bench_jobs_"))
    redis = start_redis(6399) if args.queue == "redis" or args.overhead else None
    report: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                               f"{round(psutil.virtual_memory().total / 2**30)} GB, Python {platform.python_version()}"}
    try:
        if args.overhead:
            report["overhead"] = [overhead_round(f"sqlite:///{work / 'o.db'}", args.overhead, work),
                                  overhead_round("redis://127.0.0.1:6399/1", args.overhead, work)]
        else:
            options = {"scenes": args.scenes, "width": width, "height": height}
            report.update(queue=args.queue, size=args.size, scenes=args.scenes, rounds=[])
            for n, concurrency in enumerate(args.concurrency):
                folder = work / f"round{n}"
                url = f"sqlite:///{folder / 'jobs.db'}" if args.queue == "sqlite" else f"redis://127.0.0.1:6399/{n}"
                report["rounds"].append(worker_round(folder, url, concurrency, TOPICS[: args.videos], options))
        report["load_avg_at_end"] = round(os.getloadavg()[0], 1)
        print(json.dumps(report, indent=2))
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
