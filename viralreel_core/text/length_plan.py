"""A target length turned into a script's shape: how many scenes, and how many words each, at a voice's pace.

A video is as long as its narration (each segment lasts its voice), so a length is words at the voice's
pace: ``seconds × words_per_second`` words in all, shared by the scenes. Without a scene count the length
gives one (a scene every ``SECONDS_PER_SCENE`` seconds, ``MIN_SCENES``–``MAX_SCENES``); with one, the count
is kept and each scene's words follow the length, unless a scene would have to last under
``MIN_SCENE_SECONDS`` or over ``MAX_SCENE_SECONDS``, which is refused in one line::

    plan_length(60, words_per_second=3.4)             # LengthPlan(seconds=60, scenes=8, words=26)
    plan_length(60, scenes=4, words_per_second=2.6)   # LengthPlan(seconds=60, scenes=4, words=39)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_LENGTH, MAX_SCENES, MIN_LENGTH, MIN_SCENES
from viralreel_core.text.timing import WORDS_PER_SECOND

__all__ = ["LengthPlan", "SECONDS_PER_SCENE", "MIN_SCENE_SECONDS", "MAX_SCENE_SECONDS", "check_length",
           "check_length_and_scenes", "plan_length", "scenes_for_length"]

SECONDS_PER_SCENE = 8  # how a target length turns into a scene count
MIN_SCENE_SECONDS, MAX_SCENE_SECONDS = 3.0, 20.0  # a scene shorter is a flash, longer no longer a short's scene


@dataclass(frozen=True)
class LengthPlan:
    """``scenes`` scenes of about ``words`` narration words each: a video of about ``seconds``."""

    seconds: int
    scenes: int
    words: int


def check_length(seconds: Any) -> int | None:
    """``seconds`` as a whole number of seconds in ``MIN_LENGTH``–``MAX_LENGTH`` (None stays None); BadInput."""
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not MIN_LENGTH <= seconds <= MAX_LENGTH:
        raise BadInput(f"A video's length is {MIN_LENGTH} to {MAX_LENGTH} seconds, not {seconds!r}.",
                       hint=f"Give a whole number of seconds from {MIN_LENGTH} to {MAX_LENGTH}, e.g. --length 60.")
    return seconds


def scenes_for_length(seconds: float) -> int:
    """How many scenes suit a video of about ``seconds`` (one every ``SECONDS_PER_SCENE`` s, 3–20)."""
    return int(min(MAX_SCENES, max(MIN_SCENES, round(float(seconds) / SECONDS_PER_SCENE))))


def check_length_and_scenes(seconds: int | None, scenes: int | None) -> None:
    """BadInput when a length and a scene count are both given and cannot go together (a scene would last
    under ``MIN_SCENE_SECONDS`` or over ``MAX_SCENE_SECONDS``)."""
    if seconds is None or scenes is None:
        return
    each = seconds / scenes
    if not MIN_SCENE_SECONDS <= each <= MAX_SCENE_SECONDS:
        fits = range(max(MIN_SCENES, -(-seconds // int(MAX_SCENE_SECONDS))),
                     min(MAX_SCENES, int(seconds // MIN_SCENE_SECONDS)) + 1)
        counts = f"{fits[0]} to {fits[-1]}" if len(fits) > 1 else f"{fits[0]}"
        raise BadInput(f"{scenes} scenes in {seconds} seconds is {each:.1f} s a scene; a scene lasts "
                       f"{MIN_SCENE_SECONDS:.0f} to {MAX_SCENE_SECONDS:.0f} s.",
                       hint=f"For {seconds} s give {counts} scenes, or leave the scene count out.")


def plan_length(seconds: int, scenes: int | None = None, words_per_second: float = WORDS_PER_SECOND) -> LengthPlan:
    """The scenes and words per scene for a video of ``seconds`` at ``words_per_second`` (the voice's pace).

    ``scenes`` given is kept (BadInput if it cannot fit the length); else it follows from the length."""
    seconds = check_length(seconds)  # type: ignore[assignment]
    check_length_and_scenes(seconds, scenes)
    count = scenes if scenes is not None else scenes_for_length(seconds)
    return LengthPlan(seconds=seconds, scenes=count, words=max(4, round(seconds * words_per_second / count)))
