"""Plain data that flows through the pipeline: frozen dataclasses with JSON round-trips."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

__all__ = [
    "Scene",
    "search_terms_of",
    "Script",
    "WordTiming",
    "VoiceTrack",
    "Clip",
    "Project",
    "RenderResult",
    "ProgressEvent",
]

@dataclass(frozen=True)
class Scene:
    """One scene of a script: what is seen and what is said."""

    number: int
    visuals: str
    narration: str
    #: 2–4 concrete, filmable phrases in English for a stock search ("glacier ice"); empty: read from ``visuals``
    search_terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"number": self.number, "visuals": self.visuals, "narration": self.narration}
        if self.search_terms:  # left out when empty: older files and cache keys stay as they were
            data["search_terms"] = list(self.search_terms)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Scene:
        return cls(number=int(data["number"]), visuals=str(data["visuals"]), narration=str(data["narration"]),
                   search_terms=search_terms_of(data.get("search_terms")))


def search_terms_of(value: Any) -> tuple[str, ...]:
    """A scene's search phrases from JSON or a table cell: a list, or one text "glacier ice; polar bear"."""
    if isinstance(value, str):
        value = re.split(r"[;\n]", value)
    if not isinstance(value, (list, tuple)):
        return ()
    return tuple(t for t in (" ".join(str(x).split()) for x in value) if t)


@dataclass(frozen=True)
class Script:
    """A topic, a title and its scenes, in order."""

    topic: str
    title: str
    scenes: tuple[Scene, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "title": self.title,
                "scenes": [s.to_dict() for s in self.scenes]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Script:
        return cls(topic=str(data["topic"]), title=str(data.get("title", "")),
                   scenes=tuple(Scene.from_dict(s) for s in data["scenes"]))

    def renumbered(self) -> Script:
        """The same scenes numbered 1..n in their current order."""
        return replace(self, scenes=tuple(replace(s, number=i) for i, s in enumerate(self.scenes, 1)))


@dataclass(frozen=True)
class WordTiming:
    """When one spoken word starts and ends, in seconds from the start of its audio."""

    word: str
    start: float
    end: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WordTiming:
        return cls(word=str(data["word"]), start=float(data["start"]), end=float(data["end"]))


@dataclass(frozen=True)
class VoiceTrack:
    """A scene's narration as audio, with its length and word timings (empty when unknown)."""

    audio_path: str
    duration: float
    words: tuple[WordTiming, ...] = ()
    provider: str = ""
    cost_usd: float = 0.0
    loudness: float | None = None  # integrated LUFS, measured once when the take is made (None: not yet)

    def to_dict(self) -> dict[str, Any]:
        return {"audio_path": self.audio_path, "duration": self.duration,
                "words": [w.to_dict() for w in self.words], "provider": self.provider,
                "cost_usd": self.cost_usd, "loudness": self.loudness}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoiceTrack:
        loudness = data.get("loudness")
        return cls(audio_path=str(data["audio_path"]), duration=float(data["duration"]),
                   words=tuple(WordTiming.from_dict(w) for w in data.get("words", ())),
                   provider=str(data.get("provider", "")), cost_usd=float(data.get("cost_usd", 0.0)),
                   loudness=None if loudness is None else float(loudness))


@dataclass(frozen=True)
class Clip:
    """A scene's video clip on disk (any size and frame rate; the assembler fits it)."""

    video_path: str
    duration: float
    width: int
    height: int
    provider: str = ""
    cost_usd: float = 0.0
    credit: str = ""  # e.g. "Video by Jane Doe on Pexels (https://…)"
    #: why a stock clip was chosen and the next candidates (``stock_rank.Candidate.summary``); empty otherwise
    choice: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.choice:
            data.pop("choice")
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clip:
        return cls(video_path=str(data["video_path"]), duration=float(data["duration"]),
                   width=int(data["width"]), height=int(data["height"]),
                   provider=str(data.get("provider", "")), cost_usd=float(data.get("cost_usd", 0.0)),
                   credit=str(data.get("credit", "")), choice=dict(data.get("choice") or {}))


@dataclass
class Project:
    """A person's work in progress: the script and, per scene number, the voice and clip made for it."""

    id: str
    script: Script
    voices: dict[int, VoiceTrack] = field(default_factory=dict)
    clips: dict[int, Clip] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # never holds API keys

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "script": self.script.to_dict(),
                "voices": {str(k): v.to_dict() for k, v in self.voices.items()},
                "clips": {str(k): c.to_dict() for k, c in self.clips.items()},
                "settings": dict(self.settings)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Project:
        return cls(id=str(data["id"]), script=Script.from_dict(data["script"]),
                   voices={int(k): VoiceTrack.from_dict(v) for k, v in data.get("voices", {}).items()},
                   clips={int(k): Clip.from_dict(c) for k, c in data.get("clips", {}).items()},
                   settings=dict(data.get("settings", {})))


@dataclass
class RenderResult:
    """The outcome of a run, shaped like the seed's result JSON plus what the cache saved."""

    success: bool
    video_path: str | None
    video_id: str
    scenes_count: int
    message: str
    skipped_scenes: list[dict[str, Any]] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    cost_usd: float = 0.0  # every paid call that completed, including work that later failed a check
    credits: list[str] = field(default_factory=list)
    spent_on_skipped_usd: float = 0.0  # the part of cost_usd spent on scenes left out of the video
    warnings: list[str] = field(default_factory=list)  # e.g. a damaged cache entry paid for again
    stopped_because: str = ""  # the account-level failure (no credit, rejected key) that stopped paid work
    post_kit: dict[str, Any] | None = None  # the post kit made beside the video (``post_kit.PostKit.to_dict``)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ProgressEvent:
    """A step's progress: ``fraction`` in 0..1 of ``step`` (and of ``scene`` when set)."""

    step: str  # "script" | "voice" | "clips" | "assemble"
    fraction: float
    message: str = ""
    scene: int | None = None
