"""Which scenes can go into the video, and the render itself: a new MP4 with its record and thumbnail."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from viralreel_core.models import Clip, Scene, Script, VoiceTrack
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.studio.assets import SceneState
from viralreel_core.workspace.projects import record_render

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
    video_id = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    path = pipeline.assemble(chosen, voices, clips, pipeline.settings.output_dir, video_id)
    seconds = round(time.perf_counter() - started, 2)
    credits = sorted({c.credit for c in clips.values() if c.credit})
    result = {"success": True, "video_path": str(path), "video_id": video_id, "scenes_count": len(media),
              "message": f"Made {len(media)} scenes", "skipped_scenes": list(skipped), "seconds": seconds,
              "credits": credits, "segments_rendered": pipeline.tally.segments_rendered,
              "segments_reused": pipeline.tally.segments_reused,
              "assets_cost_usd": round(sum(a.cost_usd for a in [*voices.values(), *clips.values()]), 6)}
    record = record_render(path, result, **extra)
    return {**result, **json.loads(Path(record).read_text(encoding="utf-8"))}
