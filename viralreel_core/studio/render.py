"""Which scenes can go into the video, and the render itself: a new MP4 with its post kit, record and thumbnail.

An unchanged re-render makes no new file: when this project's output folder already holds the finished
video for the same content (``Assembler.final_key``: segments, narrations, music), that video is the result.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from viralreel_core.models import Clip, ProgressEvent, Scene, Script, VoiceTrack
from viralreel_core.render.assembler import Assembler, SceneMedia
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.studio.assets import SceneState
from viralreel_core.workspace.projects import list_renders, record_render

__all__ = ["plan", "render"]


def plan(scenes: Sequence[tuple[str, Scene]], voices: Sequence[SceneState], clips: Sequence[SceneState]
         ) -> tuple[list[tuple[str, Scene]], list[str]]:
    """The scenes that can go in the video, and what keeps the others out."""
    voice_of = {s.uid: s for s in voices}
    clip_of = {s.uid: s for s in clips}
    usable, missing = [], []
    for uid, scene in scenes:
        lacks = [("an up-to-date " if state.status == "stale" else "a ") + noun
                 for noun, state in (("voice", voice_of[uid]), ("clip", clip_of[uid])) if not state.usable]
        if lacks:
            missing.append(f"Scene {scene.number} needs {' and '.join(lacks)}.")
        else:
            usable.append((uid, scene))
    return usable, missing


def render(pipeline: Pipeline, script: Script, media: Sequence[tuple[Scene, VoiceTrack, Clip]],
           skipped: Sequence[int], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Assemble ``media`` (each usable scene with its voice and clip) into a new MP4 in the output folder.

    Returns the result with the render's record; ``skipped`` are the accepted scenes left out, ``extra``
    what the record says about the project that made it.
    """
    chosen = replace(script, scenes=tuple(scene for scene, _, _ in media)).renumbered()
    voices = {i: voice for i, (_, voice, _) in enumerate(media, 1)}
    clips = {i: clip for i, (_, _, clip) in enumerate(media, 1)}
    started = time.perf_counter()
    scenes = pipeline.scene_media(chosen, voices, clips)
    key = content_key(pipeline, scenes)
    earlier = same_render(pipeline.settings.output_dir, key, str(extra.get("project_id") or ""))
    if earlier is not None:
        pipeline.tally.segments_reused += len(media)  # the job's own pipeline: nothing else counts on it
        pipeline.on_progress(ProgressEvent("assemble", 1.0, "Nothing changed: this is the video made before"))
        return {**earlier, "reused": True, "skipped_scenes": list(skipped), "segments_rendered": 0,
                "segments_reused": len(media), "seconds": round(time.perf_counter() - started, 2)}
    video_id = uuid.uuid4().hex[:8]
    path = pipeline.assemble_scenes(scenes, pipeline.settings.output_dir, video_id)
    kit = pipeline.make_post_kit(chosen, scenes, path)  # before the record: its cover is the thumbnail
    seconds = round(time.perf_counter() - started, 2)
    credits = sorted({c.credit for c in clips.values() if c.credit})
    result = {"success": True, "video_path": str(path), "video_id": video_id, "scenes_count": len(media),
              "message": f"Made {len(media)} scenes", "skipped_scenes": list(skipped), "seconds": seconds,
              "credits": credits, "segments_rendered": pipeline.tally.segments_rendered,
              "segments_reused": pipeline.tally.segments_reused, "content_key": key,
              "assets_cost_usd": round(sum(a.cost_usd for a in [*voices.values(), *clips.values()]), 6),
              "post_kit": kit.to_dict()}
    record = record_render(path, result, **extra)
    return {**result, **json.loads(Path(record).read_text(encoding="utf-8"))}


def content_key(pipeline: Pipeline, scenes: list[SceneMedia]) -> str | None:
    """The finished video's content key (what the cache keeps it under); None when an input file is missing
    (the render itself then says which)."""
    try:
        return Assembler(pipeline.settings, pipeline.cache).final_key(scenes)
    except OSError:
        return None


def same_render(output_dir: str | Path, key: str | None, project_id: str) -> dict[str, Any] | None:
    """The record of ``project_id``'s newest render in ``output_dir`` made from content ``key``, if its video is
    still there whole (the size it was written with); None otherwise."""
    if not key:
        return None
    for earlier in list_renders(output_dir, project_id):
        try:
            data = json.loads(earlier.video_path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("content_key") == key and data.get("size_bytes") == earlier.size_bytes:
            return {**data, "video_path": str(earlier.video_path)}
    return None
