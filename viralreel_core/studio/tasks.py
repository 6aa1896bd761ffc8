"""The studio's voices, clips and renders as queued jobs: the params a job carries and what a worker does.

A studio job's params say everything the work needs and nothing secret: the project and workspace it
belongs to, the studio's settings without keys, *where* keys come from (``"owner"``: the worker's own —
its environment, or the owner's Secrets in the studio server; ``"none"``: no key, so ``auto`` picks the
offline providers), the scenes with their ids and takes, or for a render each scene's voice and clip.
The result is plain JSON the studio applies when it next polls: the made assets with their cache keys,
the scenes skipped and why, the run's tally and warnings. (Work with a key typed in the sidebar never
comes here: it runs inside the studio, see ``engine.py``.)

    params = tasks.media_params(studio_settings, "voice", script, chosen, takes, who)   # in the studio
    register()   # in any process whose workers should run studio jobs (the studio, ``worker``, ``serve``)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from viralreel_core.config import ApiKeys, CaptionStyle, Settings
from viralreel_core.errors import BadInput, JobCancelled
from viralreel_core.jobs.work import register_handler, warnings_of
from viralreel_core.models import Clip, ProgressEvent, Scene, Script, VoiceTrack
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.studio import render
from viralreel_core.studio.assets import make_media

__all__ = ["KEY_SOURCES", "STEP_KINDS", "media_params", "render_params", "register", "StudioHandler"]

KEY_SOURCES = ("owner", "none")
STEP_KINDS = {"voice": "voices", "clips": "clips", "assemble": "render"}
_FOLDERS = ("output_dir", "cache_dir", "music_dir")  # the workspace's renders and music, the shared cache
_SETTINGS_KEPT = (*_FOLDERS, "tone", "language")  # what the studio sets beside the options


def _settings_params(settings: Settings, options: Sequence[str]) -> dict[str, Any]:
    """The studio's settings a job needs (the person's choices and folders), never the keys."""
    data = {name: settings.option(name) for name in options}
    data["captions"] = settings.captions.to_dict()
    data.update({name: str(getattr(settings, name)) for name in _SETTINGS_KEPT})
    return data


def _common(settings: Settings, options: Sequence[str], step: str, who: Mapping[str, str]) -> dict[str, Any]:
    if who.get("keys") not in KEY_SOURCES:
        raise ValueError(f"unknown key source {who.get('keys')!r}")
    return {"handler": "studio", "step": step, "project_id": who["project_id"], "label": who["label"],
            "workspace": who["workspace"], "keys": who["keys"], "settings": _settings_params(settings, options)}


def media_params(settings: Settings, options: Sequence[str], step: str, script: Script,
                 chosen: Sequence[tuple[str, Scene]], takes: Mapping[str, int], who: Mapping[str, str]
                 ) -> dict[str, Any]:
    """A voices or clips job: the ``chosen`` scenes (id, scene) of ``script`` with their takes."""
    return {**_common(settings, options, step, who), "script": script.to_dict(),
            "scenes": [[uid, scene.to_dict()] for uid, scene in chosen],
            "takes": {uid: take for uid, take in takes.items()}, "uids": [uid for uid, _ in chosen]}


def render_params(settings: Settings, options: Sequence[str], script: Script,
                  media: Sequence[tuple[Scene, VoiceTrack, Clip]], skipped: Sequence[int],
                  extra: Mapping[str, Any], who: Mapping[str, str]) -> dict[str, Any]:
    """A render job: each usable scene with its voice and clip (files by path), the scenes left out."""
    return {**_common(settings, options, "assemble", who), "script": script.to_dict(),
            "media": [[scene.to_dict(), voice.to_dict(), clip.to_dict()] for scene, voice, clip in media],
            "skipped": list(skipped), "extra": dict(extra), "uids": []}


class StudioHandler:
    """Runs studio jobs on a worker (``params["handler"] == "studio"``)."""

    def settings(self, base: Settings, params: dict[str, Any]) -> Settings:
        """The worker's base with the studio's choices; keys by their source, never from the params."""
        chosen = dict(params.get("settings") or {})
        captions = CaptionStyle(**chosen.pop("captions", {}))
        folders = {name: Path(chosen.pop(name)) for name in _FOLDERS if chosen.get(name)}
        keys = base.keys if params.get("keys") == "owner" else ApiKeys()
        try:
            return base.with_(**chosen, **folders, captions=captions, keys=keys)
        except TypeError as exc:  # a setting this worker's version does not know
            raise BadInput(f"This worker cannot run the studio's job ({exc}).",
                           hint="Run the same version of ViralReel on the studio and its workers.") from None

    def run(self, kind: str, params: dict[str, Any], pipeline: Pipeline) -> dict[str, Any]:
        report = pipeline.on_progress

        def keep_going(event: ProgressEvent) -> None:
            """A cancel stops paid work (abort), but what was made already comes back as the result."""
            try:
                report(event)
            except JobCancelled:
                pipeline.abort()

        pipeline.on_progress = keep_going
        script = Script.from_dict(params["script"])
        if kind == "render":
            media = [(Scene.from_dict(s), VoiceTrack.from_dict(v), Clip.from_dict(c)) for s, v, c in params["media"]]
            result = render.render(pipeline, script, media, params["skipped"], params["extra"])
        else:
            chosen = [(uid, Scene.from_dict(scene)) for uid, scene in params["scenes"]]
            made, skipped = make_media(pipeline, script, params["step"], chosen, params["takes"])
            result = {"made": {uid: m.to_dict() for uid, m in made.items()}, "skipped_scenes": skipped,
                      "cost_usd": round(pipeline.tally.spent_usd, 6)}
        result["tally"] = pipeline.tally.to_dict()
        result["notices"] = list(pipeline.warnings)  # the studio shows these; skipped scenes it shows itself
        result["warnings"] = warnings_of(result if kind != "render" else {}, pipeline)
        return result


def register() -> None:
    """Let this process's workers run studio jobs."""
    register_handler("studio", StudioHandler())
