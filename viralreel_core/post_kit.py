"""The post kit that comes with every render: captions files, a title, a description, hashtags and a cover."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["PostKit", "TITLE_MAX_CHARS", "HASHTAGS_MIN", "HASHTAGS_MAX"]

TITLE_MAX_CHARS = 100  # YouTube's limit on a title
HASHTAGS_MIN = 3
HASHTAGS_MAX = 8


@dataclass(frozen=True)
class PostKit:
    """What a person needs to post a render: texts to paste and files next to the video (paths; "" when not made).

    ``hashtags`` are words with their leading ``#`` (``("#space", "#mars")``).
    """

    title: str
    description: str
    hashtags: tuple[str, ...]
    cover_path: str = ""  # JPEG, the video's size: the title over a frame of the first scene
    srt_path: str = ""
    vtt_path: str = ""
    json_path: str = ""  # <video stem>.post.json: this kit as JSON

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hashtags"] = list(self.hashtags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PostKit:
        return cls(title=str(data.get("title", "")), description=str(data.get("description", "")),
                   hashtags=tuple(str(h) for h in data.get("hashtags", ())),
                   cover_path=str(data.get("cover_path", "")), srt_path=str(data.get("srt_path", "")),
                   vtt_path=str(data.get("vtt_path", "")), json_path=str(data.get("json_path", "")))
