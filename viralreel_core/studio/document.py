"""A studio project as a saved document, and back: the script, the person's choices, asset references.

The document never holds a key. Assets are referenced by their cache key and file; on opening, each is
pointed at its cache file again, and the ones the cache has since evicted are forgotten (their step
makes them again). A person's own clips are copied into the project's folder on saving, since nothing
could make them again, and used from the cache again on opening.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ..cache import AssetCache
from ..errors import ViralReelError
from ..models import Clip, Project, Script, VoiceTrack
from ..pipeline import RunTally
from ..projects import ProjectStore
from ..uploads import UPLOAD_TYPES, store_upload
from .assets import Made, SceneAssets
from .draft import Draft, TopicForm

__all__ = ["Opened", "keep_uploads", "reconnect", "read_document", "write_document"]

_LOGGER = logging.getLogger(__name__)


@dataclass
class Opened:
    """What a saved document holds, read back."""

    id: str
    name: str
    form: TopicForm
    options: dict[str, Any]
    draft: Draft
    assets: SceneAssets
    tally: RunTally
    last_render: dict[str, Any] | None
    script_attempt: int
    rewrites: dict[str, int]


def write_document(*, id: str, name: str, form: TopicForm, options: Mapping[str, Any], draft: Draft,
                   assets: SceneAssets, settings: Mapping[str, Any], tally: RunTally,
                   last_render: Mapping[str, Any] | None, script_attempt: int,
                   rewrites: Mapping[str, int]) -> dict[str, Any]:
    """The project as a JSON-ready document (``settings``: the public settings, never the keys)."""
    script = draft.script or draft.draft or Script(form.topic, "", ())
    numbers = dict(zip(draft.uids, range(1, len(draft.uids) + 1), strict=True))
    project = Project(id=id, script=script,
                      voices={numbers[u]: m.asset for u, m in assets.voices.items() if u in numbers},  # type: ignore[misc]
                      clips={numbers[u]: m.asset for u, m in assets.clips.items() if u in numbers},  # type: ignore[misc]
                      settings=dict(settings))
    return {
        "id": id, "name": name, "topic": form.topic, "project": project.to_dict(),
        "studio": {
            "form": asdict(form), "options": dict(options),
            "draft": draft.draft.to_dict() if draft.draft else None, "draft_uids": draft.draft_uids,
            "script": draft.script.to_dict() if draft.script else None, "uids": draft.uids,
            "voices": {u: m.to_dict() for u, m in assets.voices.items()},
            "clips": {u: m.to_dict() for u, m in assets.clips.items()},
            "script_attempt": script_attempt, "rewrites": dict(rewrites),
            "tally": tally.to_dict(), "last_render": last_render,
        },
    }


def read_document(document: Mapping[str, Any], option_names: tuple[str, ...]) -> Opened:
    """A saved document read back (options outside ``option_names`` and ``captions`` are ignored)."""
    studio = document.get("studio") or {}
    saved_form = studio.get("form") or {}
    form = TopicForm(**{f.name: saved_form[f.name] for f in fields(TopicForm) if f.name in saved_form})
    options = {k: v for k, v in (studio.get("options") or {}).items() if k in option_names or k == "captions"}
    draft = Draft()
    draft.draft = Script.from_dict(studio["draft"]) if studio.get("draft") else None
    draft.draft_uids = list(studio.get("draft_uids") or [])
    draft.script = Script.from_dict(studio["script"]) if studio.get("script") else None
    draft.uids = list(studio.get("uids") or [])
    assets = SceneAssets()
    assets.voices = {u: Made.from_dict(m, VoiceTrack) for u, m in (studio.get("voices") or {}).items()}
    assets.clips = {u: Made.from_dict(m, Clip) for u, m in (studio.get("clips") or {}).items()}
    tally = RunTally()
    saved = studio.get("tally") or {}
    tally.hits, tally.misses = int(saved.get("hits", 0)), int(saved.get("misses", 0))
    tally.spent_usd, tally.saved_usd = float(saved.get("spent_usd", 0)), float(saved.get("saved_usd", 0))
    return Opened(id=str(document["id"]), name=str(document.get("name") or ""), form=form, options=options,
                  draft=draft, assets=assets, tally=tally, last_render=studio.get("last_render"),
                  script_attempt=int(studio.get("script_attempt", 0)), rewrites=dict(studio.get("rewrites") or {}))


def keep_uploads(assets: SceneAssets, store: ProjectStore, project_id: str) -> SceneAssets:
    """``assets`` with the person's own clips pointing at copies in the project's folder."""
    kept = SceneAssets()
    kept.voices = dict(assets.voices)
    for uid, made in assets.clips.items():
        if made.uploaded:
            made = made.at(store.keep_file(project_id, made.path, f"upload_{made.key.split(':')[-1]}"))
        kept.clips[uid] = made
    return kept


def reconnect(assets: SceneAssets, draft: Draft, cache: AssetCache) -> list[str]:
    """Point assets at their cache files again; forget the ones the cache evicted (made again later).

    Returns the notices to show (empty when nothing was lost).
    """
    lost = []
    for noun, made_by_uid in (("voice", assets.voices), ("clip", assets.clips)):
        for uid, made in list(made_by_uid.items()):
            if made.exists() and made.uploaded:
                made_by_uid[uid] = _upload_from_cache(made, cache)
                continue
            if made.exists():
                continue
            found = None if made.uploaded else cache.get(made.key)
            if found is not None and found.files:
                made_by_uid[uid] = made.at(next(iter(found.files.values())))
            else:
                del made_by_uid[uid]
                lost.append(f"scene {draft.number_of(uid) or '?'}'s {noun}")
    if not lost:
        return []
    one = len(lost) == 1
    return [f"The cache no longer has {', '.join(lost)}: {'it' if one else 'they'} will be made again on "
            f"{'its' if one else 'their'} step."]


def _upload_from_cache(made: Made, cache: AssetCache) -> Made:
    """An uploaded clip kept in a project's folder, used from the cache again (stored there if it must
    be), so deleting the saved project leaves the open one whole."""
    path = Path(made.path)
    # the cache names its files by content (``.val``); the suffix only names the probed file
    name = path.name if path.suffix.lower().lstrip(".") in UPLOAD_TYPES else f"{path.stem}.mp4"
    try:
        clip = store_upload(cache, name, path.read_bytes())
    except (ViralReelError, OSError) as exc:
        _LOGGER.warning("kept using %s: %s", path, exc)
        return made
    return replace(made, asset=replace(made.asset, video_path=clip.video_path))
