"""A studio project as a saved document, and back: the script, the person's choices, asset references.

One shape (format 2), everything once::

    {"format": 2, "id", "name", "topic", "saved_at",
     "form": {topic, scenes, tone, target_seconds}, "options": {the person's choices}, "settings": {…},
     "draft": {"script": Script | null, "uids": [...]}, "script": {"script": Script | null, "uids": [...]},
     "voices": {uid: Made}, "clips": {uid: Made},
     "script_attempt": n, "rewrites": {uid: n}, "tally": RunTally, "last_render": {…} | null,
     "jobs": {step: job id}}

``jobs`` are the queued jobs working for the project when it was saved (the studio follows them again
when it reopens the project: after a reload, or a restart of the studio server).

``settings`` records every public setting the project was made with (never a key); opening it uses only
``options``. Format 1 (until 2026-12) stored the assets twice, under ``"project"`` by scene number and
under ``"studio"`` by scene id; it is read by moving its ``"studio"`` part into this shape.

Assets are referenced by their cache key and file. Saving copies every voice and clip into the
project's folder (``keep_files``) and the document points there, so a saved project reopens whole after
the cache is cleared or evicts them; a document that points at cache files (an older save) is pointed
at the cache again on opening, and what the cache no longer has is forgotten (its step makes it again).
A person's own clips are used from the cache again on opening.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from viralreel_core.cache.store import AssetCache
from viralreel_core.errors import BadInput, ViralReelError
from viralreel_core.models import Clip, Script, VoiceTrack
from viralreel_core.run.tally import RunTally
from viralreel_core.studio.assets import Made, SceneAssets
from viralreel_core.studio.draft import Draft, TopicForm
from viralreel_core.workspace.projects import FORMAT, ProjectStore
from viralreel_core.workspace.uploads import UPLOAD_TYPES, store_upload

__all__ = ["SavedProject", "keep_files", "migrate", "relink", "read_document", "reconnect", "write_document"]

_LOGGER = logging.getLogger(__name__)


@dataclass
class SavedProject:
    """Everything a saved project holds about the work (what a ``Studio`` saves and opens)."""

    id: str
    name: str = ""
    form: TopicForm = field(default_factory=TopicForm)
    options: dict[str, Any] = field(default_factory=dict)
    draft: Draft = field(default_factory=Draft)
    assets: SceneAssets = field(default_factory=SceneAssets)
    tally: RunTally = field(default_factory=RunTally)
    last_render: dict[str, Any] | None = None
    script_attempt: int = 0
    rewrites: dict[str, int] = field(default_factory=dict)
    jobs: dict[str, str] = field(default_factory=dict)  # step → queued job id


def _script(script: Script | None, uids: list[str]) -> dict[str, Any]:
    return {"script": script.to_dict() if script else None, "uids": list(uids)}


def write_document(project: SavedProject, settings: Mapping[str, Any]) -> dict[str, Any]:
    """The project as a JSON-ready document (``settings``: the public settings, never the keys)."""
    draft = project.draft
    return {
        "format": FORMAT, "id": project.id, "name": project.name, "topic": project.form.topic,
        "form": asdict(project.form), "options": dict(project.options), "settings": dict(settings),
        "draft": _script(draft.draft, draft.draft_uids), "script": _script(draft.script, draft.uids),
        "voices": {u: m.to_dict() for u, m in project.assets.voices.items()},
        "clips": {u: m.to_dict() for u, m in project.assets.clips.items()},
        "script_attempt": project.script_attempt, "rewrites": dict(project.rewrites),
        "tally": project.tally.to_dict(), "last_render": project.last_render, "jobs": dict(project.jobs),
    }


def migrate(document: Mapping[str, Any]) -> dict[str, Any]:
    """A saved document in today's shape (format 2), whichever format it was saved in."""
    version = document.get("format", 1)
    if not isinstance(version, int) or version > FORMAT:
        raise BadInput(f"Project {document.get('id', '?')} was saved by a newer version of ViralReel Studio "
                       f"(format {version}).", hint="Update ViralReel Studio to open it.")
    if version == FORMAT:
        return dict(document)
    old = document.get("studio") or {}
    return {
        **{k: document[k] for k in ("id", "name", "topic", "saved_at") if k in document},
        "format": FORMAT, "form": old.get("form") or {}, "options": old.get("options") or {},
        "settings": (document.get("project") or {}).get("settings") or {},
        "draft": {"script": old.get("draft"), "uids": old.get("draft_uids") or []},
        "script": {"script": old.get("script"), "uids": old.get("uids") or []},
        "voices": old.get("voices") or {}, "clips": old.get("clips") or {},
        "script_attempt": old.get("script_attempt", 0), "rewrites": old.get("rewrites") or {},
        "tally": old.get("tally") or {}, "last_render": old.get("last_render"),
    }


def read_document(document: Mapping[str, Any], option_names: tuple[str, ...]) -> SavedProject:
    """A saved document read back, any format (options outside ``option_names`` and ``captions`` are ignored)."""
    data = migrate(document)
    saved_form = data.get("form") or {}
    form = TopicForm(**{f.name: saved_form[f.name] for f in fields(TopicForm) if f.name in saved_form})
    options = {k: v for k, v in (data.get("options") or {}).items() if k in option_names or k == "captions"}
    draft = Draft()
    for part, script_attr, uids_attr in (("draft", "draft", "draft_uids"), ("script", "script", "uids")):
        saved = data.get(part) or {}
        setattr(draft, script_attr, Script.from_dict(saved["script"]) if saved.get("script") else None)
        setattr(draft, uids_attr, [str(u) for u in saved.get("uids") or []])
    assets = SceneAssets()
    assets.voices = {str(u): Made.from_dict(m, VoiceTrack) for u, m in (data.get("voices") or {}).items()}
    assets.clips = {str(u): Made.from_dict(m, Clip) for u, m in (data.get("clips") or {}).items()}
    return SavedProject(id=str(data["id"]), name=str(data.get("name") or ""), form=form, options=options,
                        draft=draft, assets=assets, tally=RunTally.from_dict(data.get("tally") or {}),
                        last_render=data.get("last_render"), script_attempt=int(data.get("script_attempt", 0)),
                        rewrites={str(u): int(n) for u, n in (data.get("rewrites") or {}).items()},
                        jobs={str(step): str(j) for step, j in (data.get("jobs") or {}).items()
                              if step in ("voice", "clips", "assemble")})


def _kept_name(kind: str, made: Made) -> str:
    """The name of an asset's copy in its project's folder (by its cache key: copied once)."""
    tail = made.key.split(":")[-1]
    return f"upload_{tail}" if made.uploaded else f"{kind}_{tail[:40]}{Path(made.path).suffix}"


def keep_files(assets: SceneAssets, store: ProjectStore, project_id: str) -> SceneAssets:
    """``assets`` pointing at copies in the project's folder: every voice and clip, so a saved project is
    whole on its own (a cleared or evicted cache takes nothing from it), and the person's own clips,
    which nothing could make again. Each file is copied once (named by its cache key)."""
    kept = SceneAssets()
    for kind, made_by_uid, into in (("voice", assets.voices, kept.voices), ("clip", assets.clips, kept.clips)):
        for uid, made in made_by_uid.items():
            if made.exists():
                made = made.at(store.keep_file(project_id, made.path, _kept_name(kind, made)))
            into[uid] = made
    return kept


def relink(assets: SceneAssets, store: ProjectStore, project_id: str) -> None:
    """Point assets whose file is gone (the cache was cleared under an open project) at the copies kept
    with the saved project, when there are some."""
    for kind, made_by_uid in (("voice", assets.voices), ("clip", assets.clips)):
        for uid, made in list(made_by_uid.items()):
            if not made.exists():
                try:
                    copy = store.folder(project_id) / "files" / _kept_name(kind, made)
                except ViralReelError:
                    return
                if copy.is_file() and not copy.is_symlink():
                    made_by_uid[uid] = made.at(copy)


def reconnect(assets: SceneAssets, draft: Draft, cache: AssetCache) -> list[str]:
    """Point assets at their cache files again, else at the copies kept with the saved project; forget
    the ones neither has (made again later).

    Returns the notices to show (empty when nothing was lost).
    """
    lost = []
    for noun, made_by_uid in (("voice", assets.voices), ("clip", assets.clips)):
        for uid, made in list(made_by_uid.items()):
            if made.exists() and made.uploaded:
                made_by_uid[uid] = _upload_from_cache(made, cache)
                continue
            found = None if made.uploaded else cache.get(made.key)
            if found is not None and found.files:  # the cache's copy: the open project leans on no saved file
                made_by_uid[uid] = made.at(next(iter(found.files.values())))
            elif made.exists():
                continue  # the copy kept with the saved project: nothing to make again
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
