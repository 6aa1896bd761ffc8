"""The storyboard's next candidates: why a stock clip was chosen, and another of its candidates instead.

A stock clip keeps why it was chosen ("matched: 'glacier ice', vision: yes (8/10)") and the next good
candidates of its scene (``Clip.choice``); taking one downloads that video as the scene's next take,
found again in the service's cached search answers (no new search, nothing paid)::

    why_lines(clip)            # ["matched: 'glacier ice', vision: yes (8/10)"]
    use_candidate(studio, uid, "pexels:1234")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from viralreel_core.errors import BadInput
from viralreel_core.models import Clip
from viralreel_core.studio.assets import Made

if TYPE_CHECKING:
    from viralreel_core.studio.studio import Studio

__all__ = ["why_lines", "next_candidates", "use_candidate"]


def why_lines(clip: Clip) -> list[str]:
    """What the storyboard says of how ``clip`` was chosen (empty for a clip that was not picked from stock)."""
    choice = clip.choice or {}
    lines = []
    if choice.get("fallback_from"):
        lines.append(f"no good match first: {choice['fallback_from']}")
    if choice.get("why"):
        lines.append(str(choice["why"]))
    return lines


def next_candidates(clip: Clip) -> list[dict[str, Any]]:
    """The next good candidates ``clip`` keeps, best first (each with ``key``, ``why``, ``preview``, ``credit``)."""
    return [c for c in (clip.choice or {}).get("others") or [] if isinstance(c, dict) and c.get("key")]


def use_candidate(studio: Studio, uid: str, key: str) -> Clip:
    """Make the candidate ``key`` the clip of scene ``uid`` (its next take); BadInput if it is not offered."""
    scene = dict(studio.scenes()).get(uid)
    made = studio.clips.get(uid)
    if scene is None or made is None or key not in {c["key"] for c in next_candidates(made.asset)}:  # type: ignore[arg-type]
        raise BadInput("That clip is not among this scene's next candidates.",
                       hint="Make a new clip for this scene instead.")
    pipeline = studio.pipeline()
    take = made.take + 1
    clip = pipeline.clip_from_candidate(scene, key, take)
    seconds = pipeline.clip_seconds(scene)
    studio.clips[uid] = Made(pipeline.clip_key(scene, seconds, take), clip, take, seconds)
    studio.errors.pop("clips", None)
    return clip
