"""The limits every part of the studio shares, defined once: scene counts, topic length, the steps.

A script has ``MIN_SCENES``–``MAX_SCENES`` scenes, whoever writes it (a writer asked for a count or a
length, a person editing the draft: ``MAX_DRAFT_SCENES``); a writer left to choose writes ``USUAL_SCENES``.
A video's target length is ``MIN_LENGTH``–``MAX_LENGTH`` seconds (``text.length_plan``). Whatever asks for
a count, validates one or draws a number input imports these names rather than writing the numbers again.
"""

from __future__ import annotations

__all__ = ["MIN_SCENES", "MAX_SCENES", "WRITER_SCENES", "USUAL_SCENES", "MAX_DRAFT_SCENES", "MIN_LENGTH",
           "MAX_LENGTH", "MAX_TOPIC_CHARS", "PROVIDER_STEPS", "STEPS", "scene_role"]

MIN_SCENES, MAX_SCENES = 3, 20  # what a script writer may be asked for
WRITER_SCENES = range(MIN_SCENES, MAX_SCENES + 1)
USUAL_SCENES = range(3, 7)  # what a writer chooses when asked for neither a count nor a length
MAX_DRAFT_SCENES = MAX_SCENES  # a person editing the draft (or pasting their own) goes up to this too
MIN_LENGTH, MAX_LENGTH = 10, 180  # a video's target length in seconds (--length)
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
