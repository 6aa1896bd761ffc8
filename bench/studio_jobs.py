"""Benchmark: what going through the job queue costs a studio step, and how soon a restarted studio
picks its job up again.

    python bench/studio_jobs.py [--rounds 10]

One process, offline providers, 180×320, every asset already cached, so the step's own work is a few
milliseconds and what is timed is the way there and back: the studio's voices step started and its
result applied (``Studio.wait``), in the studio's own thread (no engine) and as a queued job (the
embedded SQLite queue with its worker threads, the app's 0.25 s poll). Then the restart: a job left
``running`` by a process that is gone (pid not alive), and the seconds until a new engine has it
running again and finished.
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viralreel_core.cache.store import AssetCache  # noqa: E402
from viralreel_core.config import Settings  # noqa: E402
from viralreel_core.jobs import JobQueue, QueueConfig  # noqa: E402
from viralreel_core.jobs.records import Job as Record  # noqa: E402
from viralreel_core.studio import Studio, StudioConfig  # noqa: E402
from viralreel_core.studio.engine import StudioEngine  # noqa: E402


def _studio(work: Path, engine: StudioEngine | None) -> Studio:
    settings = Settings.from_env(environ={}, script_provider="local", voice_provider="local",
                                 clip_provider="local", cache_dir=work / "cache", output_dir=work / "out",
                                 width=180, height=320)
    studio = Studio(settings, AssetCache(work / "cache"), StudioConfig(projects_dir=work / "projects"),
                    engine=engine)
    studio.form.topic, studio.form.scenes = "Why cats purr", 3
    studio.start_script().wait()
    studio.poll()
    studio.accept_script()
    return studio


def _voices_round_trip(studio: Studio) -> float:
    studio.voices.clear()  # made again: from the cache, so the step itself costs milliseconds
    started = time.perf_counter()
    studio.start_voices()
    studio.wait(60)
    assert len(studio.voices) == 3 and not studio.errors, studio.errors
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_studio_jobs_"))
    settings = Settings.from_env(environ={}, cache_dir=work / "cache", output_dir=work / "out")
    config = QueueConfig(url=f"sqlite:///{work / 'jobs.db'}", poll=0.25)
    engine = StudioEngine(JobQueue(config, settings), renders=1, others=4)
    results = {}
    for name, eng in (("in the studio's thread", None), ("queued job", engine)):
        studio = _studio(work, eng)
        _voices_round_trip(studio)  # warm: the voices are cached from here on
        times = [_voices_round_trip(studio) for _ in range(args.rounds)]
        results[name] = {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}
    # a restart: a voices job left running by a process that no longer exists on this machine
    studio.voices.clear()
    studio.start_voices()
    studio.wait(60)
    queued = next(j for j in engine.queue.list() if j.kind == "voices" and j.params.get("handler") == "studio")
    engine.queue.store.add(Record(id="restart01", kind="voices", params=queued.params), 0)
    engine.queue.store.claim("restart01", f"{socket.gethostname()}:999999:dead00")  # its process is gone
    engine.close()
    started = time.perf_counter()
    second = StudioEngine(JobQueue(config, settings), renders=1, others=4)
    done = second.queue.wait("restart01", 60, poll=0.02)
    results["restart: dead worker's job finished by the new engine"] = {
        "seconds": round(time.perf_counter() - started, 3), "state": done.state, "attempts": done.attempts}
    second.close()
    print(json.dumps({"machine": f"{platform.machine()}, {platform.python_version()}", **results}, indent=2))


if __name__ == "__main__":
    main()
