"""Rewriting one scene: which scene of another version of the script takes its place, and with which seed.

The new scene comes from a script written with another seed, in the same role as the one it replaces:
the hook from its first scene, the call to action from its last, a body scene from its middle ones (a draft
longer than a writer's script cycles through them, each lap with its own seed).
"""

from __future__ import annotations

from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_SCENES, MIN_SCENES, scene_role
from viralreel_core.models import Script

__all__ = ["REWRITE_SEED_STEP", "REWRITE_TRIES", "rewrite_place", "rewrite_seed"]

REWRITE_SEED_STEP = 1000  # rewrites use seeds that whole-script versions (seed + n) never reach
REWRITE_TRIES = 3


def rewrite_place(script: Script, number: int) -> tuple[int, int, int, int]:
    """Scene ``number``'s index, the scene count of the script to take its rewrite from, the place there
    that has its role, and the lap (for a body scene of a long draft)."""
    index = next((i for i, s in enumerate(script.scenes) if s.number == number), None)
    if index is None:
        raise BadInput(f"The script has no scene {number}.")
    count = min(MAX_SCENES, max(MIN_SCENES, len(script.scenes)))
    role = scene_role(index, len(script.scenes))
    lap, place = 0, 0 if role == "hook" else count - 1
    if role == "body":
        lap, offset = divmod(index - 1, count - 2)
        place = 1 + offset
    return index, count, place, lap


def rewrite_seed(seed: int, attempt: int, extra: int, lap: int) -> int:
    """The seed of the ``extra``-th try of rewrite ``attempt`` (1, 2…) for a scene in ``lap``."""
    return seed + REWRITE_SEED_STEP * (max(1, attempt) + extra) + lap
