"""A job's request checked before anything is queued or spent: options → Settings, topic or script.

The same rules and one-line messages as the CLI, so the HTTP API and ``batch`` fail the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from viralreel_core.config import CaptionStyle, Settings
from viralreel_core.errors import BadInput
from viralreel_core.jobs.records import KINDS
from viralreel_core.limits import MAX_SCENES
from viralreel_core.media.aspect import frame_for
from viralreel_core.models import Script
from viralreel_core.option_names import JOB_OPTIONS
from viralreel_core.render.caption_styles import PRESETS, caption_style
from viralreel_core.run.checks import check_provider_options, check_settings, validate_topic
from viralreel_core.run.language_check import check_languages
from viralreel_core.text.script_text import script_from_data, script_from_text

__all__ = ["check_provider_options", "settings_for", "check_request", "script_from",
           "script_to_api"]

MAX_SCRIPT_SCENES = MAX_SCENES  # an edited script sent to the API: up to what a writer writes


def settings_for(base: Settings, options: Mapping[str, Any]) -> Settings:
    """``base`` with the job's options applied; BadInput (the CLI's messages) for anything unusable."""
    unknown = sorted(set(options) - set(JOB_OPTIONS))
    if unknown:
        raise BadInput(f"Unknown option(s): {', '.join(unknown)}.", hint=f"Options are: {', '.join(JOB_OPTIONS)}.")
    changes = {name: options[name] for name in JOB_OPTIONS
               if options.get(name) is not None
               and name not in ("caption_style", "captions", "aspect", "width", "height", "provider_options")}
    changes["width"], changes["height"] = frame_for(options.get("aspect"), options.get("width"), options.get("height"),
                                                    default=(base.width, base.height))
    if options.get("caption_style") is not None or options.get("captions") is not None:
        changes["captions"] = _caption_style(base.captions, options.get("caption_style"), options.get("captions"))
    if options.get("provider_options"):
        changes.update(check_provider_options(options["provider_options"], paths=False))
    return check_settings(base.with_(**changes), music_files=False)


def _caption_style(base: CaptionStyle, name: Any, changes: Any) -> CaptionStyle:
    """A named preset (else ``base``) with the job's ``captions`` fields changed; BadInput if unusable."""
    if name is not None and not isinstance(name, str):
        raise BadInput("caption_style must be a caption style's name.", hint=f"Use one of: {', '.join(PRESETS)}.")
    if changes is not None and not isinstance(changes, Mapping):
        names = sorted(f.name for f in fields(CaptionStyle))
        raise BadInput("captions must be an object of caption settings.", hint=f"Use any of: {', '.join(names)}.")
    if name is not None:
        return caption_style(name, changes)
    return caption_style(base.preset if base.preset in PRESETS else None, {**base.to_dict(), **changes})


def script_from(data: Any, topic: str | None = None) -> Script:
    """An edited script from JSON (scenes with ``scene_number`` or ``number``, ``visuals``, ``narration``), or a
    person's own narration as plain text (one paragraph a scene); ``topic``, if given, is what it is about.
    Visuals left empty are written by the script writer when the job runs (``run/own_script.py``)."""
    if isinstance(data, str):
        return script_from_text(data, max_scenes=MAX_SCRIPT_SCENES, topic=topic)
    return script_from_data(data, max_scenes=MAX_SCRIPT_SCENES, topic=topic)


def script_to_api(script: Script) -> dict[str, Any]:
    """A script as the original design's JSON: scenes with ``scene_number``, ``visuals``, ``narration``."""
    return {"topic": script.topic, "title": script.title,
            "scenes": [{"scene_number": s.number, "visuals": s.visuals, "narration": s.narration,
                        **({"search_terms": list(s.search_terms)} if s.search_terms else {})}
                       for s in script.scenes]}


def check_request(kind: str, params: Mapping[str, Any], base: Settings) -> dict[str, Any]:
    """The job's params, checked and normalised (topic trimmed, script renumbered); BadInput if unusable."""
    if kind not in KINDS:
        raise BadInput(f"Unknown job kind {kind!r}.", hint=f"Kinds are: {', '.join(KINDS)}.")
    params = dict(params)
    reserved = sorted({"handler", "local", "studio"} & set(params))
    if reserved:  # set by the server for its own jobs (e.g. the studio's), never by a request
        raise BadInput(f"{', '.join(reserved)} cannot be set in a request.", hint="Leave them out.")
    settings = settings_for(base, params.get("options") or {})
    if kind in ("script", "make") and params.get("script") is None:
        params["topic"] = validate_topic(params.get("topic") or "")
    elif kind == "script":
        raise BadInput("A script job takes a topic, not a script.", hint="Send {\"topic\": \"…\"}.")
    else:
        if params.get("topic"):  # what a script sent with a topic is about
            params["topic"] = validate_topic(params["topic"])
        params["script"] = script_to_api(script_from(params.get("script"), params.get("topic")))
    if kind == "make":  # a language no voice here speaks is refused now, not found out at the first scene
        check_languages(settings, params.get("topic") or "",
                        script_from(params["script"]) if params.get("script") is not None else None)
    if kind == "render":
        for part in ("voices", "clips"):
            if not isinstance(params.get(part), Mapping) or not params[part]:
                raise BadInput(f"A render job needs the scenes' {part}.",
                               hint=f"Pass the {part} a voices/clips job returned.")
    return params
