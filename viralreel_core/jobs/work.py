"""What each kind of job does with a Pipeline, and how its progress events become a job's progress."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Protocol

from viralreel_core.config import Settings
from viralreel_core.errors import JobCancelled, ViralReelError
from viralreel_core.jobs.options import script_from, script_to_api, settings_for
from viralreel_core.models import Clip, ProgressEvent, VoiceTrack
from viralreel_core.run.own_script import fill_visuals
from viralreel_core.run.pipeline import Pipeline

__all__ = ["Handler", "Progress", "handler_for", "register_handler", "run_kind", "warnings_of", "STEP_WEIGHTS"]

#: how much of a job each step is, per kind (voice and clips run at the same time)
STEP_WEIGHTS = {
    "script": {"script": 1.0},
    "voices": {"voice": 1.0},
    "clips": {"clips": 1.0},
    "render": {"assemble": 1.0},
    "make": {"script": 0.05, "voice": 0.2, "clips": 0.25, "assemble": 0.5},
    "publish": {"publish": 1.0},  # viralreel_core.publish.jobs
}


class Progress:
    """A job's live progress, fed by pipeline events (any thread); raises JobCancelled once cancelled."""

    def __init__(self, kind: str) -> None:
        self.weights = STEP_WEIGHTS[kind]
        self.steps: dict[str, float] = {}
        self.scenes: dict[str, dict[str, str]] = {}
        self.step = ""
        self.message = "Starting"
        self.cancelled = threading.Event()
        self.version = 0
        self._lock = threading.Lock()

    def __call__(self, event: ProgressEvent) -> None:
        if self.cancelled.is_set():
            raise JobCancelled("The job was cancelled.")
        with self._lock:
            self.steps[event.step] = max(self.steps.get(event.step, 0.0), min(1.0, event.fraction))
            self.step, self.message = event.step, event.message
            if event.scene is not None:
                status = "failed" if "failed" in event.message.lower() else (
                    "rendering" if event.step == "assemble" else "ready")
                self.scenes.setdefault(str(event.scene), {})[event.step] = status
            self.version += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            total = sum(self.weights.values())
            fraction = sum(w * self.steps.get(step, 0.0) for step, w in self.weights.items()) / total
            return {"fraction": round(min(1.0, fraction), 4), "step": self.step, "message": self.message,
                    "steps": dict(self.steps), "scenes": {k: dict(v) for k, v in self.scenes.items()}}

    def done(self, message: str) -> dict[str, Any]:
        with self._lock:
            self.message = message
            for scene in self.scenes.values():
                for step, status in scene.items():
                    if status == "rendering":
                        scene[step] = "ready"
        snap = self.snapshot()
        return snap


def _media_result(voices: dict[int, VoiceTrack], clips: dict[int, Clip], skipped: list[dict[str, Any]],
                  pipeline: Pipeline) -> dict[str, Any]:
    return {"voices": {str(n): v.to_dict() for n, v in sorted(voices.items())},
            "clips": {str(n): c.to_dict() for n, c in sorted(clips.items())},
            "skipped_scenes": skipped, "cost_usd": round(pipeline.tally.spent_usd, 6),
            "cache": pipeline.tally.to_dict(), "stopped_because": pipeline.stopped_because}


def warnings_of(result: dict[str, Any], pipeline: Pipeline) -> list[str]:
    """The lines a person must see about a finished job: the run's warnings (e.g. a damaged cache entry
    paid for again) and one per scene left out, with its reason."""
    lines = [*result.get("warnings", []), *(w for w in pipeline.warnings if w not in result.get("warnings", []))]
    for item in result.get("skipped_scenes") or []:
        if isinstance(item, dict) and "scene" in item:
            lines.append(f"Scene {item['scene']} was left out ({item.get('step', 'a step')} failed): "
                         f"{item.get('reason', 'no reason given')}")
    return lines


def run_kind(kind: str, params: dict[str, Any], pipeline: Pipeline, out_dir: Path) -> dict[str, Any]:
    """Do the job's work; the result as JSON, with its ``warnings``. Failures raise (a ViralReelError says
    what to do)."""
    result = _run_kind(kind, params, pipeline, out_dir)
    result["warnings"] = warnings_of(result, pipeline)
    return result


def _run_kind(kind: str, params: dict[str, Any], pipeline: Pipeline, out_dir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    if kind == "script":
        script = pipeline.write_script(params["topic"], pipeline.settings.scenes)
        return {"script": script_to_api(script), "cost_usd": round(pipeline.tally.spent_usd, 6)}
    if kind == "make":
        script = script_from(params["script"]) if params.get("script") else None
        result = pipeline.make(params.get("topic") or script.topic, out_dir, script=script)
        data = result.to_dict()
        data["video_file"] = Path(result.video_path).name if result.video_path else None
        return data  # an unsuccessful one ends the job as failed, its skipped scenes and cost kept
    script = script_from(params["script"])
    if kind == "clips":
        script = fill_visuals(pipeline, script)  # a scene sent without visuals gets the writer's
    if kind in ("voices", "clips"):
        voices, clips, skipped = pipeline.make_media(script, voices=kind == "voices", clips=kind == "clips")
        return _media_result(voices, clips, skipped, pipeline)
    voices = {int(n): VoiceTrack.from_dict(v) for n, v in params["voices"].items()}
    clips = {int(n): Clip.from_dict(c) for n, c in params["clips"].items()}
    media = pipeline.scene_media(script, voices, clips)
    path = pipeline.assemble_scenes(media, out_dir)
    kit = pipeline.make_post_kit(script, media, path)
    return {"video_path": str(path), "video_file": path.name, "post_kit": kit.to_dict(), "scenes_count": len(media),
            "seconds": round(time.perf_counter() - started, 2), "cost_usd": round(pipeline.tally.spent_usd, 6)}


class Handler(Protocol):
    """What a worker does with a job of some origin: its settings (from the worker's base, which holds the
    worker's own keys) and its work. The API's and batch's jobs use the standard one; the studio registers
    its own (``params["handler"] == "studio"``)."""

    def settings(self, base: Settings, params: dict[str, Any]) -> Settings: ...

    def run(self, kind: str, params: dict[str, Any], pipeline: Pipeline) -> dict[str, Any]: ...


class _Standard:
    def settings(self, base: Settings, params: dict[str, Any]) -> Settings:
        return settings_for(base, params.get("options") or {})

    def run(self, kind: str, params: dict[str, Any], pipeline: Pipeline) -> dict[str, Any]:
        return run_kind(kind, params, pipeline, pipeline.settings.output_dir)


_HANDLERS: dict[str, Handler] = {}


def register_handler(name: str, handler: Handler) -> None:
    """Let this process's workers run jobs whose ``params["handler"]`` is ``name``."""
    _HANDLERS[name] = handler


def handler_for(params: dict[str, Any]) -> Handler:
    """The handler of a job's params; a ViralReelError when this worker does not know it."""
    name = params.get("handler")
    if not name:
        return _Standard()
    if name not in _HANDLERS:
        raise ViralReelError(f"This worker cannot run {name} jobs.",
                             hint="Run workers with python -m viralreel_core worker, which knows every kind.")
    return _HANDLERS[name]
