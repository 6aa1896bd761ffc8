"""What goes up to YouTube with a video, checked before anything is sent: title, description, tags, privacy,
the made-for-kids and altered/synthetic declarations, the cover; and whether it is a Short.

YouTube makes a Short of a vertical or square video up to 3 minutes long; nothing in the API asks for one.
A Short's description gets ``#Shorts`` (when neither text has it) and its address is ``/shorts/ID``::

    post = VideoPost(Path("outputs/viralreel_…_a1b2c3d4.mp4"), "Why cats purr", tags=("cats",))
    post = check_post(post)                  # BadInput naming the field, before any request
    video_resource(post, short=is_short(probe(post.video_path)))

``post_defaults(video)`` reads the post kit written beside a render (``<stem>.post.json``: title,
description, hashtags, cover) when there is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.media.ffmpeg import MediaInfo

__all__ = ["PRIVACY", "SHORTS_MAX_SECONDS", "TITLE_MAX", "VideoPost", "check_post", "is_short", "post_defaults",
           "video_resource", "watch_url"]

PRIVACY = ("private", "unlisted", "public")
SHORTS_MAX_SECONDS = 180.0
TITLE_MAX = 100  # characters (YouTube's limit)
DESCRIPTION_MAX_BYTES = 5000
TAGS_MAX_CHARS = 500  # all tags together, a tag with a space counted with its quotes
COVER_MAX_BYTES = 2 * 2**20  # thumbnails.set takes up to 2 MB
COVER_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}
CATEGORY = "22"  # People & Blogs: YouTube's own default for uploads
_SHORTS_TAG = "#Shorts"


@dataclass(frozen=True)
class VideoPost:
    """One video and what YouTube is told about it."""

    video_path: Path
    title: str
    description: str = ""
    tags: tuple[str, ...] = ()
    privacy: str = "private"
    made_for_kids: bool = False
    synthetic: bool = True  # status.containsSyntheticMedia: realistic altered or AI-made content
    cover_path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"video": str(self.video_path), "title": self.title, "description": self.description,
                "tags": list(self.tags), "privacy": self.privacy, "made_for_kids": self.made_for_kids,
                "synthetic": self.synthetic, "cover": str(self.cover_path) if self.cover_path else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VideoPost:
        return cls(video_path=Path(str(data["video"])), title=str(data.get("title") or ""),
                   description=str(data.get("description") or ""), tags=tuple(str(t) for t in data.get("tags") or ()),
                   privacy=str(data.get("privacy") or "private"), made_for_kids=bool(data.get("made_for_kids")),
                   synthetic=bool(data.get("synthetic", True)),
                   cover_path=Path(str(data["cover"])) if data.get("cover") else None)


def _clean_tags(tags: Any) -> tuple[str, ...]:
    if isinstance(tags, str):
        tags = tags.split(",") if "," in tags else tags.split()  # "cats, funny animals" or "#space #mars"
    seen: dict[str, None] = {}
    for tag in tags or ():
        text = " ".join(str(tag).replace("#", " ").split())
        if text and text.lower() not in {t.lower() for t in seen}:
            seen[text] = None
    return tuple(seen)


def check_post(post: VideoPost) -> VideoPost:
    """``post`` tidied (spaces, tags without ``#``, doubles dropped), or BadInput naming what to change."""
    title = " ".join(post.title.split())
    if not title:
        raise BadInput("The video needs a title.", hint="Write one (up to 100 characters).")
    if len(title) > TITLE_MAX:
        raise BadInput(f"The title is {len(title)} characters; YouTube takes up to {TITLE_MAX}.",
                       hint="Shorten it.")
    description = post.description.strip()
    for name, text in (("title", title), ("description", description)):
        if "<" in text or ">" in text:
            raise BadInput(f"YouTube does not accept < or > in the {name}.", hint="Remove them.")
    if len(description.encode()) > DESCRIPTION_MAX_BYTES:
        raise BadInput(f"The description is {len(description.encode())} bytes; YouTube takes up to "
                       f"{DESCRIPTION_MAX_BYTES}.", hint="Shorten it.")
    tags = _clean_tags(post.tags)
    if sum(len(t) + (2 if " " in t else 0) for t in tags) + max(0, len(tags) - 1) > TAGS_MAX_CHARS:
        raise BadInput(f"The tags come to more than {TAGS_MAX_CHARS} characters.", hint="Drop a few.")
    if post.privacy not in PRIVACY:
        raise BadInput(f"Privacy {post.privacy!r} is not one of {', '.join(PRIVACY)}.", hint="Use private (default).")
    video = Path(post.video_path)
    if not video.is_file() or video.is_symlink() or video.stat().st_size == 0:
        raise BadInput(f"There is no video at {video.name}.", hint="Render it again, then publish.")
    cover = Path(post.cover_path) if post.cover_path else None
    if cover is not None and (not cover.is_file() or cover.suffix.lower() not in COVER_TYPES):
        raise BadInput(f"The cover {cover.name} is not a JPEG or PNG file here.",
                       hint="Leave the cover out, or make the post kit again.")
    return replace(post, title=title, description=description, tags=tags, video_path=video, cover_path=cover)


def is_short(info: MediaInfo) -> bool:
    """YouTube's rule for a Short: vertical or square, and at most 3 minutes."""
    return bool(info.width and info.height and info.height >= info.width and info.duration <= SHORTS_MAX_SECONDS)


def video_resource(post: VideoPost, *, short: bool) -> dict[str, Any]:
    """The ``video`` resource sent with ``videos.insert`` (parts ``snippet`` and ``status``)."""
    description = post.description
    if short and _SHORTS_TAG.lower() not in f"{post.title} {description}".lower():
        description = f"{description}\n\n{_SHORTS_TAG}".strip()
    snippet: dict[str, Any] = {"title": post.title, "description": description, "categoryId": CATEGORY}
    if post.tags:
        snippet["tags"] = list(post.tags)
    return {"snippet": snippet,
            "status": {"privacyStatus": post.privacy, "selfDeclaredMadeForKids": post.made_for_kids,
                       "containsSyntheticMedia": post.synthetic, "embeddable": True}}


def watch_url(youtube_id: str, *, short: bool) -> str:
    return f"https://www.youtube.com/shorts/{youtube_id}" if short else f"https://www.youtube.com/watch?v={youtube_id}"


def post_defaults(video: Path, fallback_title: str = "") -> dict[str, Any]:
    """Title, description, tags and cover for ``video`` from its post kit (``<stem>.post.json``) when there
    is one, else from its render record's title (``<stem>.json``) or ``fallback_title``."""
    video = Path(video)
    kit = _read_json(video.with_name(f"{video.stem}.post.json"))
    record = _read_json(video.with_suffix(".json"))
    named = Path(str(kit.get("cover_path"))) if kit.get("cover_path") else None
    # the kit's own path, else the same name beside the video (a folder moved or mounted elsewhere)
    cover = next((p for p in ((named, video.parent / named.name) if named else ()) if p.is_file()), None)
    return {"title": str(kit.get("title") or record.get("title") or fallback_title or video.stem)[:TITLE_MAX],
            "description": str(kit.get("description") or ""),
            "tags": list(_clean_tags(kit.get("hashtags") or ())), "cover": cover}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
