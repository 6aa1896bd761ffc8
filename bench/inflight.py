"""Benchmark: waiting on a service holds no CPU slot. Six scenes with keys, against the local fakes.

    python bench/inflight.py [--repeat 1] [--small] [--poll 0.25]

The real providers (OpenAI script, ElevenLabs voice, Runway clips, ``gen4_turbo``: a first frame, then the
video) talk to the fakes of tests/fakes/servers.py with the issue's latencies: the script 2 s (every OpenAI
answer, the post kit's texts too), each voice 1 s, Runway video tasks 8, 16, 24, 8, 16, 24 s. Each run has a
fresh cache and prints, from the requests the fakes recorded and the run's progress:

- ``first_voice_after_script_s``: the first voice request after the script request (target ≤ 6 s);
- ``task_spread_s``: from the first Runway video task created to the sixth (target ≤ 12 s);
- ``after_last_clip_s``: from the last clip's arrival to the run's end, against ``segment_join_check_s``, one
  segment's render (the median of this run's) plus the join and the check (from the last segment's end to
  the video written). ``post_kit_s`` is the part after the video is written; ``segments_left_at_last_clip``
  the segments still to render when the last clip came (scenes 3 and 6 both wait 24 s: at least two, and a
  2-core machine renders one full-HD segment at a time).

Runway is polled every 0.25 s (``--poll``; 5 s in production) so that a wait is the task's, not the poll's.
A first run without latencies, not counted, loads the libraries. Frames are 1080×1920 (``--small``: 360×640).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.servers import FakeElevenLabs, FakeOpenAI, FakeRunway  # noqa: E402
from viralreel_core.environment import settings_from_env  # noqa: E402
from viralreel_core.providers.clips.runway import RunwayClips  # noqa: E402
from viralreel_core.run.pipeline import Pipeline  # noqa: E402

KEYS = {"OPENAI_API_KEY": "sk-bench-0011223344556677", "ELEVENLABS_API_KEY": "el-bench-8899aabbccddeeff",
        "RUNWAYML_API_SECRET": "key_" + "b3" * 62}
SCENES = 6
SCRIPT_S, VOICE_S, CLIP_S = 2.0, 1.0, (8.0, 16.0, 24.0)
CREATES = ("/v1/image_to_video", "/v1/text_to_video")


def run(work: Path, slow: bool, frame: tuple[int, int]) -> dict:
    with FakeOpenAI(KEYS["OPENAI_API_KEY"], latency=SCRIPT_S if slow else 0.0) as openai_api, \
            FakeElevenLabs(KEYS["ELEVENLABS_API_KEY"], latency=VOICE_S if slow else 0.0) as eleven_api, \
            FakeRunway(KEYS["RUNWAYML_API_SECRET"]) as runway_api:
        for n in range(SCENES):
            runway_api.fail("task_takes", times=1, seconds=CLIP_S[n % len(CLIP_S)] if slow else 0.0)
        env = {**KEYS, "OPENAI_BASE_URL": f"{openai_api.url}/v1", "ELEVENLABS_BASE_URL": eleven_api.url,
               "RUNWAYML_BASE_URL": runway_api.url}
        settings = settings_from_env(environ=env, script_provider="openai", voice_provider="elevenlabs",
                                     clip_provider="runway", scenes=SCENES, cache_dir=work / "cache",
                                     output_dir=work / "out", width=frame[0], height=frame[1])
        events: list[tuple[float, object]] = []
        started = time.monotonic()
        result = Pipeline(settings, on_progress=lambda e: events.append((time.monotonic(), e))).make("Why cats purr")
        ended = time.monotonic()
        script_at = min(r.at for r in openai_api.requests_to("/chat/completions", "POST"))
        voice_at = min(r.at for r in eleven_api.requests_to("/v1/text-to-speech", "POST"))
        creates = sorted(r.at for r in runway_api.requests if r.method == "POST" and r.path in CREATES)
    assert result.success, result.message
    assert len(creates) == SCENES, creates
    last_clip = max(t for t, e in events if e.step == "clips" and e.scene is not None)
    wrote = max(t for t, e in events if e.step == "assemble" and e.fraction >= 1.0)
    spans: dict[int, list[float]] = {}  # each scene's segment: its first and last frames' progress (not its wait)
    for t, e in events:
        if e.step == "assemble" and e.scene is not None and e.fraction > 0 and not e.message.endswith("from cache"):
            spans.setdefault(e.scene, []).append(t)
    segment = statistics.median(max(ts) - min(ts) for ts in spans.values()) if spans else 0.0
    last_segment_end = max(max(ts) for ts in spans.values()) if spans else last_clip
    join_check = wrote - last_segment_end
    left = sum(1 for ts in spans.values() if max(ts) > last_clip)  # segments not yet rendered at the last clip
    return {"wall_s": round(ended - started, 2),
            "first_voice_after_script_s": round(voice_at - script_at, 2),
            "task_spread_s": round(creates[-1] - creates[0], 2),
            "last_clip_at_s": round(last_clip - started, 2),
            "after_last_clip_s": round(ended - last_clip, 2),
            "segment_s": round(segment, 2), "join_check_s": round(join_check, 2),
            "segment_join_check_s": round(segment + join_check, 2),
            "video_written_after_last_clip_s": round(wrote - last_clip, 2),
            "post_kit_s": round(ended - wrote, 2),
            "segments_left_at_last_clip": left, "segments_rendered": result.cache["segments_rendered"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--small", action="store_true", help="360×640 frames instead of 1080×1920")
    parser.add_argument("--poll", type=float, default=0.25, help="seconds between Runway polls")
    args = parser.parse_args()
    RunwayClips.poll_interval, RunwayClips.poll_jitter = args.poll, 0.0
    frame = (360, 640) if args.small else (1080, 1920)
    report: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                    "load_average_before": round(os.getloadavg()[0], 1), "frame": f"{frame[0]}x{frame[1]}",
                    "runway_poll_s": args.poll, "targets": {"first_voice_after_script_s": 6.0, "task_spread_s": 12.0}}
    with tempfile.TemporaryDirectory() as warmup:  # not counted: imports, the fakes' media
        run(Path(warmup), slow=False, frame=frame)
    runs = []
    for n in range(args.repeat):
        with tempfile.TemporaryDirectory() as work:
            runs.append(run(Path(work), slow=True, frame=frame))
        print(f"run {n + 1}: {runs[-1]}", file=sys.stderr)
    report["runs"] = runs
    report["load_average_after"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
