"""The limits every part of the studio shares, defined once: scene counts, topic length, the steps.

A script writer (offline or a model) writes ``MIN_SCENES``–``MAX_SCENES`` scenes; a person editing the
draft may go up to ``MAX_DRAFT_SCENES``. Whatever asks for a count, validates one or draws a number
input imports these names rather than writing the numbers again.
"""

from __future__ import annotations

__all__ = ["MIN_SCENES", "MAX_SCENES", "WRITER_SCENES", "MAX_DRAFT_SCENES", "MAX_TOPIC_CHARS",
           "PROVIDER_STEPS", "STEPS", "scene_role"]

MIN_SCENES, MAX_SCENES = 3, 6  # what a script writer may produce
WRITER_SCENES = range(MIN_SCENES, MAX_SCENES + 1)
MAX_DRAFT_SCENES = 12  # a person may add scenes beyond the writer's, up to this
MAX_TOPIC_CHARS = 500
PROVIDER_STEPS = ("script", "voice", "clips")  # the steps a provider does
STEPS = ("topic", *PROVIDER_STEPS, "assemble")  # the studio's steps, in order


def scene_role(index: int, count: int) -> str:
    """The role of the scene at ``index`` (0-based) in a script of ``count``: "hook", "body" or "cta"."""
    if index <= 0:
        return "hook"
    if index >= count - 1:
        return "cta"
    return "body"
