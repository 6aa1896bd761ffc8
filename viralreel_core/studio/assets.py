"""Each accepted scene's voice and clip, by scene id, with the cache key each was made under.

A scene's asset is *ready* when the key its scene would get now equals the key it was made under, so
editing one narration makes only that scene's voice stale, and changing the voice speed makes every
voice stale; nothing needs to be tracked by hand.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from viralreel_core.cache.store import AssetCache
from viralreel_core.models import Clip, Scene, Script, VoiceTrack
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.run.steps import video_topic
from viralreel_core.workspace.uploads import UPLOAD_PROVIDER, store_upload

__all__ = ["MEDIA_STEPS", "Made", "SceneAssets", "SceneState", "cost_to_make", "grouped", "make_media"]

MEDIA_STEPS = ("voice", "clips")


@dataclass(frozen=True)
class Made:
    """A voice or clip made for a scene, with the cache key it was made under."""

    key: str
    asset: VoiceTrack | Clip
    take: int = 0
    seconds: float | None = None  # clips: the length asked for
    uploaded: bool = False

    @property
    def path(self) -> str:
        return self.asset.audio_path if isinstance(self.asset, VoiceTrack) else self.asset.video_path

    def exists(self) -> bool:
        return Path(self.path).is_file()

    def in_cache(self, cache: AssetCache) -> bool:
        """Whether the file is the cache's (not a copy kept with a saved project)."""
        return Path(self.path).resolve().is_relative_to(Path(cache.directory).resolve())

    def at(self, path: str | Path) -> Made:
        """The same asset with its file somewhere else."""
        field = "audio_path" if isinstance(self.asset, VoiceTrack) else "video_path"
        return replace(self, asset=replace(self.asset, **{field: str(path)}))

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "asset": self.asset.to_dict(), "take": self.take, "seconds": self.seconds,
                "uploaded": self.uploaded}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], kind: type[VoiceTrack] | type[Clip]) -> Made:
        return cls(key=str(data["key"]), asset=kind.from_dict(data["asset"]), take=int(data.get("take", 0)),
                   seconds=data.get("seconds"), uploaded=bool(data.get("uploaded", False)))


@dataclass(frozen=True)
class SceneState:
    """One scene's asset for a step as the page shows it."""

    uid: str
    scene: Scene
    status: str  # "ready" | "stale" | "missing" | "working"
    made: Made | None = None

    @property
    def usable(self) -> bool:
        return self.status == "ready"


class SceneAssets:
    """The voices and clips made for a project's scenes, by scene id."""

    def __init__(self) -> None:
        self.voices: dict[str, Made] = {}
        self.clips: dict[str, Made] = {}

    def of(self, step: str) -> dict[str, Made]:
        """The voices (``"voice"``) or clips (``"clips"``)."""
        return self.voices if step == "voice" else self.clips

    def keep_only(self, uids: Collection[str]) -> None:
        """Forget the assets of scenes no longer in the script (the cache keeps them, should one return)."""
        self.voices = {u: m for u, m in self.voices.items() if u in uids}
        self.clips = {u: m for u, m in self.clips.items() if u in uids}

    def states(self, step: str, scenes: Sequence[tuple[str, Scene]], pipeline: Pipeline | None,
               working: Collection[str] = (), topic: str = "") -> list[SceneState]:
        """Each scene's voice or clip: ready, stale, missing or working.

        ``pipeline``: the one the scene's asset would be made with now; None when its provider cannot
        run (no key), so nothing made earlier can be checked and all of it counts as stale.
        """
        made_by_uid = self.of(step)
        states = []
        for uid, scene in scenes:
            made = made_by_uid.get(uid)
            if uid in working:
                status = "working"
            elif made is None or not made.exists():
                status = "missing"
            elif made.uploaded:
                status = "ready"
            elif pipeline is None:
                status = "stale"
            else:
                key = (pipeline.voice_key(scene, made.take) if step == "voice"
                       else pipeline.clip_key(scene, made.seconds, made.take, topic))
                status = "ready" if key == made.key else "stale"
                if status == "ready" and made.in_cache(pipeline.cache) and pipeline.cache.get(made.key) is None:
                    status = "missing"  # the cache found its file damaged (or evicted it): made again on request
            states.append(SceneState(uid, scene, status, made))
        return states

    def next_takes(self, step: str, uids: Iterable[str], fresh: bool) -> dict[str, int]:
        """The take to ask for per scene: the cached one (0), or one past the last for a ``fresh`` one."""
        made_by_uid = self.of(step)
        takes = {}
        for uid in uids:
            made = made_by_uid.get(uid)
            if fresh and made is not None and not made.uploaded:
                takes[uid] = made.take + 1
        return takes

    def use_upload(self, uid: str, cache: AssetCache, filename: str, data: bytes) -> Clip:
        """Use the person's own video file as the scene's clip (probed; BadInput if it is unusable)."""
        clip = store_upload(cache, filename, data)
        self.clips[uid] = Made(key=f"{UPLOAD_PROVIDER}:{Path(clip.video_path).name}", asset=clip, uploaded=True)
        return clip


def make_media(pipeline: Pipeline, script: Script, step: str, chosen: Sequence[tuple[str, Scene]],
               takes: Mapping[str, int]) -> tuple[dict[str, Made], list[dict[str, Any]]]:
    """Make ``step``'s asset for the ``chosen`` scenes (all at once): what was made by id, and what failed."""
    uid_of = {scene.number: uid for uid, scene in chosen}
    take_of = {scene.number: takes.get(uid, 0) for uid, scene in chosen}
    sub = replace(script, scenes=tuple(s for _, s in chosen))
    voices, clips, skipped = pipeline.make_media(sub, voices=step == "voice", clips=step == "clips", takes=take_of)
    made: dict[str, Made] = {}
    for scene in sub.scenes:
        take = take_of[scene.number]
        if scene.number in voices:
            made[uid_of[scene.number]] = Made(pipeline.voice_key(scene, take), voices[scene.number], take)
        elif scene.number in clips:
            seconds = pipeline.clip_seconds(scene)
            made[uid_of[scene.number]] = Made(pipeline.clip_key(scene, seconds, take, video_topic(script)),
                                              clips[scene.number],
                                              take, seconds)
    return made, skipped


def cost_to_make(pipeline: Pipeline, cache: AssetCache, step: str, chosen: Sequence[tuple[str, Scene]],
                 takes: Mapping[str, int], topic: str = "") -> float:
    """Dollars making ``step`` for the ``chosen`` scenes would cost, counting only what the cache lacks."""
    total = 0.0
    for uid, scene in chosen:
        take = takes.get(uid, 0)
        key = pipeline.voice_key(scene, take) if step == "voice" else pipeline.clip_key(scene, None, take, topic)
        if cache.get(key) is None:
            total += pipeline.estimate_cost(step, [scene])
    return total


def grouped(skipped: Iterable[Mapping[str, Any]]) -> list[str]:
    """One message per reason ("Scenes 1, 2 and 4: …"), not the same sentence once for every scene."""
    by_reason: dict[str, list[int]] = {}
    for item in skipped:
        by_reason.setdefault(str(item["reason"]), []).append(int(item["scene"]))
    messages = []
    for reason, numbers in by_reason.items():
        numbers = sorted(set(numbers))
        which = (f"Scene {numbers[0]}" if len(numbers) == 1
                 else f"Scenes {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}")
        messages.append(f"{which}: {reason}")
    return messages
