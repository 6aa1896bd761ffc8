"""Saved projects and past renders on disk.

A project is one JSON document in its own folder (``projects/{id}/project.json``), written under a
temporary name and renamed, so a crash never leaves half a file. It holds the script, the settings
without keys, and references to the cached assets (paths inside the asset cache plus their cache
keys): reopening a project reuses the cache, and only an asset the cache has since evicted is made
again. A person's own uploaded clips are copied into the project folder, since nothing could remake them.

Renders are the MP4 files in the output folder, each with a JSON record (the run's result plus which
project made it) and a JPEG thumbnail beside it::

    store = ProjectStore("projects")
    store.save({"id": "a1b2c3d4", "name": "Cats", ...}, secrets=[key for key in keys if key])
    [p.name for p in store.list()]
    list_renders(Path("outputs"))
"""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from viralreel_core.errors import AssemblyError, BadInput, ViralReelError
from viralreel_core.media.ffmpeg import probe, run_ffmpeg
from viralreel_core.media.files import atomic_path, write_text_atomically

__all__ = [
    "PROJECT_FILE", "ProjectStore", "ProjectSummary", "RenderRecord", "list_renders", "make_thumbnail",
    "new_project_id", "record_render", "stored_name", "thumbnail_for",
]

PROJECT_FILE = "project.json"
#: the saved project's shape (``studio/document.py``); 1 stored the assets twice, and is still read
FORMAT = 2
THUMBNAIL_WIDTH = 360
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")  # matched in full: "$" alone would let "abc\n" through
MAX_NAME_BYTES = 200  # a kept file's name, leaving room for ".partial" under the usual 255-byte limit


def new_project_id() -> str:
    """A fresh, unguessable project id (also what keeps two sessions' files apart)."""
    return uuid.uuid4().hex[:10]


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _write_json(path: Path, data: Mapping[str, Any]) -> Path:
    """Write ``data`` as JSON via a temporary file and a rename: readers never see half a file."""
    return write_text_atomically(path, json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _summary_script(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The script a project list shows: the accepted one, else the draft (either format), else none."""
    if data.get("format", 1) == 1:
        return (data.get("project") or {}).get("script") or {}
    for part in ("script", "draft"):
        script = (data.get(part) or {}).get("script")
        if script:
            return script
    return {}


@dataclass(frozen=True)
class ProjectSummary:
    """What the project list shows about one saved project."""

    id: str
    name: str
    topic: str
    saved_at: str
    scenes: int
    path: Path


class ProjectStore:
    """Projects saved as JSON documents, one folder each."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def folder(self, project_id: str) -> Path:
        """The project's folder; BadInput for an id that is not one (matched whole), or a folder that is a
        symlink or resolves outside the projects directory."""
        if not isinstance(project_id, str) or not _ID.fullmatch(project_id):
            raise BadInput(f"{project_id!r} is not a project id.")
        folder = self.directory / project_id
        if folder.is_symlink() or not folder.resolve().is_relative_to(self.directory.resolve()):
            raise BadInput(f"Project {project_id} is not in this workspace.")
        return folder

    def save(self, document: Mapping[str, Any], *, secrets: Iterable[str] = ()) -> Path:
        """Write the project document (it must have an ``id``); refuses one that contains a secret."""
        data = {**document, "format": FORMAT, "saved_at": _now()}
        text = json.dumps(data, ensure_ascii=False, default=str)
        if any(secret and secret in text for secret in secrets):
            raise BadInput("The project was not saved: it would have contained an API key.",
                           hint="This is a bug; please report it. Keys are never meant to be saved.")
        return _write_json(self.folder(str(data.get("id", ""))) / PROJECT_FILE, data)

    def load(self, project_id: str) -> dict[str, Any]:
        """The saved document; BadInput when it is missing or unreadable."""
        path = self.folder(project_id) / PROJECT_FILE
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BadInput(f"There is no saved project {project_id}.", hint="Pick one from the list.") from None
        except (OSError, ValueError) as exc:
            raise BadInput(f"Project {project_id} cannot be read ({exc}).",
                           hint="Delete it, or fix its project.json by hand.") from exc

    def list(self) -> list[ProjectSummary]:
        """Every readable saved project, most recently saved first."""
        found = []
        if not self.directory.is_dir():
            return found
        for path in self.directory.glob(f"*/{PROJECT_FILE}"):
            if path.is_symlink() or path.parent.is_symlink():
                continue  # a project is a folder of this workspace's own, never a link elsewhere
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                script = _summary_script(data)
                found.append(ProjectSummary(id=str(data["id"]), name=str(data.get("name") or data["id"]),
                                            topic=str(data.get("topic") or script.get("topic") or ""),
                                            saved_at=str(data.get("saved_at", "")),
                                            scenes=len(script.get("scenes") or ()), path=path))
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                continue  # a damaged file is skipped, not fatal to the list
        return sorted(found, key=lambda p: p.saved_at, reverse=True)

    def delete(self, project_id: str) -> bool:
        """Remove the project's folder (its renders in the output folder stay); True if it existed."""
        folder = self.folder(project_id)
        if not folder.is_dir():
            return False
        shutil.rmtree(folder)
        return True

    def keep_file(self, project_id: str, source: str | Path, name: str) -> Path:
        """A copy of ``source`` inside the project's folder (e.g. an uploaded clip); reused when present."""
        target = self.folder(project_id) / "files" / stored_name(name)
        if not target.exists():
            with atomic_path(target) as partial:
                shutil.copyfile(source, partial)
        return target


def stored_name(name: str) -> str:
    """``name`` made safe to store: its last part only, without control characters, at most 200 bytes
    (the stem shortened, the extension kept); BadInput when nothing usable is left."""
    base = "".join(ch for ch in Path(str(name or "")).name if ch.isprintable()).strip()
    if base in ("", ".", ".."):
        raise BadInput(f"{name!r} cannot be used as a file name.", hint="Rename the file and try again.")
    suffix = Path(base).suffix if len(Path(base).suffix.encode()) <= 16 else ""
    stem = base[: len(base) - len(suffix)] if suffix else base
    while len((stem + suffix).encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


# -- renders -------------------------------------------------------------------------------------

def make_thumbnail(video: str | Path, out_path: str | Path, at: float | None = None,
                   width: int = THUMBNAIL_WIDTH) -> Path:
    """A JPEG of one frame of ``video`` (by default 1 s in: its title card), ``width`` pixels wide."""
    out_path = Path(out_path)
    if at is None:
        try:
            at = min(1.0, probe(video).duration / 2)
        except AssemblyError:
            at = 0.0
    with atomic_path(out_path) as partial:
        run_ffmpeg(["-ss", f"{max(0.0, at):.3f}", "-i", str(video), "-frames:v", "1",
                    "-vf", f"scale={width}:-2", "-q:v", "4", str(partial)], what="draw a thumbnail", timeout=60)
    return out_path


def thumbnail_for(video: str | Path, directory: str | Path | None = None) -> Path | None:
    """The thumbnail of ``video``: beside it, or in ``directory`` named by the video's name; None if it fails.

    Made once, then reused; cache files are content-addressed, so a name never points at other pixels.
    """
    video = Path(video)
    target = (Path(directory) / f"{video.stem}.jpg") if directory else video.with_suffix(".jpg")
    if target.exists():
        return target
    try:
        return make_thumbnail(video, target)
    except (ViralReelError, OSError):
        return None


@dataclass(frozen=True)
class RenderRecord:
    """One finished video in the output folder and what is known about it."""

    video_path: Path
    created: str
    duration: float
    size_bytes: int
    scenes: int
    video_id: str
    project_id: str = ""
    project_name: str = ""
    title: str = ""
    thumbnail: Path | None = None


def record_render(video_path: str | Path, result: Mapping[str, Any], **extra: Any) -> Path:
    """Write the render's record (``result`` plus ``extra``, e.g. the project) beside it, and its thumbnail."""
    video_path = Path(video_path)
    try:
        duration = probe(video_path).duration
    except AssemblyError:
        duration = 0.0
    thumbnail = thumbnail_for(video_path)
    data = {**result, **extra, "created": _now(), "duration": round(duration, 2),
            "size_bytes": video_path.stat().st_size, "thumbnail": str(thumbnail) if thumbnail else None}
    return _write_json(video_path.with_suffix(".json"), data)


def list_renders(output_dir: str | Path, project_id: str | None = None) -> list[RenderRecord]:
    """Finished videos (``viralreel_*.mp4``) in ``output_dir``, newest first; only ``project_id``'s if given."""
    folder = Path(output_dir)
    if not folder.is_dir():
        return []
    records = []
    finished: dict[Path, int] = {}  # when each video was written, to the nanosecond: renders can share a second
    for video in folder.glob("viralreel_*.mp4"):
        if video.is_symlink():
            continue
        try:
            data = json.loads(video.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}  # a render from elsewhere, without its record: show what the file says
        if project_id is not None and data.get("project_id") != project_id:
            continue
        try:
            stat = video.stat()
        except OSError:
            continue
        thumb = video.with_suffix(".jpg")
        finished[video] = stat.st_mtime_ns
        records.append(RenderRecord(
            video_path=video,
            created=str(data.get("created") or datetime.fromtimestamp(stat.st_mtime).isoformat(timespec="seconds")),
            duration=float(data.get("duration") or 0.0), size_bytes=stat.st_size,
            scenes=int(data.get("scenes_count") or 0), video_id=str(data.get("video_id") or video.stem[-8:]),
            project_id=str(data.get("project_id") or ""), project_name=str(data.get("project_name") or ""),
            title=str(data.get("title") or ""), thumbnail=thumb if thumb.exists() else None))
    return sorted(records, key=lambda r: (r.created, finished[r.video_path]), reverse=True)
