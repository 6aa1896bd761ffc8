"""The post kit that comes with every render: captions files, a title, a description, hashtags and a cover.

``PostTexts`` are what a writer gives (``tidy_texts`` holds them to the platforms' limits); ``PostKit`` is
the whole kit with its files, saved beside the video as ``<video stem>.post.json``::

    kit = PostKit.from_dict(json.loads(Path("viralreel_…post.json").read_text()))
    kit.title, kit.hashtags, kit.cover_path, kit.srt_path
"""

from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.media.files import write_text_atomically

__all__ = ["PostKit", "PostTexts", "tidy_texts", "hashtag", "kit_paths", "save_kit", "load_kit", "edit_kit", "kit_zip",
           "TITLE_MAX_CHARS", "DESCRIPTION_MAX_CHARS", "HASHTAGS_MIN", "HASHTAGS_MAX", "KIT_SUFFIXES"]

TITLE_MAX_CHARS = 100  # YouTube's limit on a title
DESCRIPTION_MAX_CHARS = 5000  # YouTube's limit on a description
HASHTAGS_MIN, HASHTAGS_MAX = 3, 8
HASHTAG_MAX_CHARS = 40
#: the kit's files beside ``<video stem>.mp4``, by their field in PostKit
KIT_SUFFIXES = {"srt_path": ".srt", "vtt_path": ".vtt", "cover_path": ".jpg", "json_path": ".post.json"}


@dataclass(frozen=True)
class PostTexts:
    """The words to paste when posting: a title, a description and hashtags (each with its ``#``)."""

    title: str
    description: str
    hashtags: tuple[str, ...]


@dataclass(frozen=True)
class PostKit:
    """What a person needs to post a render: texts to paste and files next to the video (paths; "" when not made).

    ``hashtags`` are words with their leading ``#`` (``("#space", "#mars")``); ``language`` is the video's
    language code (its captions' language).
    """

    title: str
    description: str
    hashtags: tuple[str, ...]
    cover_path: str = ""  # JPEG, the video's size: the title over a frame of the first scene
    srt_path: str = ""
    vtt_path: str = ""
    json_path: str = ""  # <video stem>.post.json: this kit as JSON
    language: str = ""
    cover_frame: str = ""  # the cover's picture without the title (in the cache), to redraw it for a new title

    @property
    def texts(self) -> PostTexts:
        return PostTexts(self.title, self.description, self.hashtags)

    def files(self) -> dict[str, Path]:
        """The kit's files that exist, by field name (``srt_path``, ``vtt_path``, ``cover_path``, ``json_path``)."""
        return {name: Path(path) for name in KIT_SUFFIXES if (path := getattr(self, name)) and Path(path).is_file()}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hashtags"] = list(self.hashtags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PostKit:
        return cls(title=str(data.get("title", "")), description=str(data.get("description", "")),
                   hashtags=tuple(str(h) for h in data.get("hashtags", ())),
                   cover_path=str(data.get("cover_path", "")), srt_path=str(data.get("srt_path", "")),
                   vtt_path=str(data.get("vtt_path", "")), json_path=str(data.get("json_path", "")),
                   language=str(data.get("language", "")), cover_frame=str(data.get("cover_frame", "")))


def hashtag(word: str) -> str:
    """``word`` as a hashtag: ``#`` and its letters, marks, digits and underscores ("" when none are left).

    Latin, Greek and Cyrillic words are lower-cased; other scripts are kept as they are (``#火山``, ``#براكين``).
    """
    core = "".join(ch for ch in str(word) if ch == "_" or unicodedata.category(ch)[0] in "LMN")
    core = core[:HASHTAG_MAX_CHARS]
    if not core or not any(unicodedata.category(ch)[0] == "L" for ch in core):
        return ""  # "#2024" alone is not a hashtag the platforms link
    return "#" + core.lower()


def _one_line(text: str) -> str:
    return " ".join(str(text or "").split())


def tidy_texts(title: str, description: str, hashtags: Iterable[str], *, more: Iterable[str] = ()) -> PostTexts:
    """The texts held to the platforms' rules: a one-line title of at most 100 characters (cut at a word),
    a description of at most 5,000, and 3 to 8 distinct hashtags (``more`` tops up a list shorter than 3).

    BadInput when the title is empty or fewer than 3 hashtags can be made.
    """
    title = _one_line(title)
    if not title:
        raise BadInput("The title is empty.", hint="Write a title of up to 100 characters.")
    if len(title) > TITLE_MAX_CHARS:
        cut = title[:TITLE_MAX_CHARS + 1].rsplit(" ", 1)[0] if " " in title[:TITLE_MAX_CHARS + 1] else ""
        title = (cut if 0 < len(cut) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS]).rstrip(" ,;:-–—")
    lines = [line.rstrip() for line in str(description or "").strip().splitlines()]
    description = "\n".join(lines)[:DESCRIPTION_MAX_CHARS]
    tags: list[str] = []
    for word in hashtags:
        for part in str(word).replace(",", " ").split():
            if (tag := hashtag(part)) and tag not in tags:
                tags.append(tag)
    for word in more:
        if len(tags) < HASHTAGS_MIN and (tag := hashtag(word)) and tag not in tags:
            tags.append(tag)
    if len(tags) < HASHTAGS_MIN:
        raise BadInput(f"A post needs {HASHTAGS_MIN} to {HASHTAGS_MAX} hashtags; only {len(tags)} could be made.",
                       hint="Add hashtags: words with letters, separated by spaces.")
    return PostTexts(title, description, tuple(tags[:HASHTAGS_MAX]))


def kit_paths(video_path: str | Path) -> dict[str, Path]:
    """Where the kit's files go beside ``video_path``, by field name."""
    video = Path(video_path)
    return {name: video.with_name(video.stem + suffix) for name, suffix in KIT_SUFFIXES.items()}


def save_kit(kit: PostKit) -> PostKit:
    """Write ``kit`` as JSON to its ``json_path`` (atomically); the kit."""
    if not kit.json_path:
        raise BadInput("This post kit has no file to be saved to.")
    write_text_atomically(kit.json_path, json.dumps(kit.to_dict(), ensure_ascii=False, indent=2) + "\n")
    return kit


def load_kit(video_path: str | Path) -> PostKit | None:
    """The kit saved beside ``video_path`` (None when there is none or it cannot be read)."""
    path = kit_paths(video_path)["json_path"]
    try:
        return PostKit.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def edit_kit(kit: PostKit, title: str, description: str, hashtags: str | Iterable[str]) -> PostKit:
    """The kit with the person's own texts (held to the same rules as a writer's), saved; BadInput names a
    text that breaks them (nothing is changed then). The cover is redrawn when the title changed."""
    if isinstance(hashtags, str):
        hashtags = hashtags.split()
    texts = tidy_texts(title, description, hashtags)
    edited = replace(kit, title=texts.title, description=texts.description, hashtags=texts.hashtags)
    if edited.title != kit.title and kit.cover_path and Path(kit.cover_path).is_file():
        _redraw_cover(kit, edited.title)
    return save_kit(edited) if kit.json_path else edited


def _redraw_cover(kit: PostKit, title: str) -> None:
    """Draw ``title`` on the cover's own picture; when the cache let that go, on a frame of the video itself."""
    from viralreel_core.models import Clip
    from viralreel_core.post.cover import cover_frame, draw_cover  # Pillow and ffmpeg: only when a cover is drawn

    cover = Path(kit.cover_path)
    if kit.cover_frame and Path(kit.cover_frame).is_file():
        draw_cover(Path(kit.cover_frame), title, cover)
        return
    from PIL import Image

    with Image.open(cover) as image:
        width, height = image.size
    video = cover.with_suffix(".mp4")
    frame = cover.with_name(f".{cover.stem}.frame.jpg")
    try:
        cover_frame(Clip(str(video), 1.0, width, height), width, height, frame)  # a third of a second in
        draw_cover(frame, title, cover)
    finally:
        frame.unlink(missing_ok=True)


def kit_zip(kit: PostKit) -> bytes:
    """The kit's files (captions, cover, JSON) as one ZIP archive, each under its own name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in kit.files().values():
            archive.write(path, path.name)
    return buffer.getvalue()
