"""How the offline writer meets a scene count and a length: more places for facts, or shorter ones.

A topic's shape has only so many distinct body lines (four reasons, eight steps, a line per list item);
scenes beyond them say one of the ``MORE`` sentences, each a place for one more fact about the topic, none
twice in a video. Asked for about ``words`` words a scene (a target length, ``text.length_plan``), the
draft is fitted scene by scene against the running total, so the whole script lands on ``scenes × words``
ordinary words (``timing.spoken_words`` counts what takes time to say: letters and pauses). A scene short
of its share gets ``MORE`` sentences (before a call to action, which ends the video); one far over it has
its bracketed places cut to their first part ("[the fact, and where it comes from]" → "[the fact]").
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from viralreel_core.providers.script.local_script_data import BODIES, MORE, MORE_NUMBERED
from viralreel_core.text.timing import spoken_words

__all__ = ["MAX_STEPS_SCENES", "body_capacity", "more_lines", "fit_words"]

MAX_STEPS_SCENES = 8  # a how-to's body: seven steps and the mistake to avoid; a longer video says more of each
# a place's first part, before its first comma or clause ("[the fact that made you stop]" -> "[the fact]")
_PLACE_TAIL = re.compile(r"\[([^\[\],]+?)(?:,| that | which | before )[^\[\]]*\]")


def body_capacity(shape: str, items: int) -> int:
    """How many body scenes a topic of this shape fills with its own lines, each said once."""
    if shape == "other":
        return 1_000  # numbered places, as many as asked for
    if shape == "steps":
        return MAX_STEPS_SCENES
    if shape == "list":
        return items + 1  # a line per item, then the one that works best
    return len(BODIES[shape])


def more_lines(shape: str, fills: dict[str, str], seed: int, first: int) -> Iterator[str]:
    """The sentences a longer draft adds, in a seeded order, none twice; numbered ones past the last.

    A topic in another language gets numbered places in its own words only (``first``: the next number)."""
    if shape == "other":
        line = BODIES["other"][0][0]
        n = first
        while True:
            yield " ".join(line.format(**fills, n=str(n)).split())
            n += 1
    pool = list(MORE)
    random.Random(seed).shuffle(pool)
    for line in pool:
        yield " ".join(line.format(**fills).split())
    n = len(pool) + 1
    while True:
        yield " ".join(MORE_NUMBERED.format(**fills, n=n).split())
        n += 1


def _count(text: str) -> float:
    return spoken_words(text)  # what the voice takes time over: "octopuses" is more than "a"


def fit_words(narrations: list[str], words: int, more: Iterator[str]) -> list[str]:
    """``narrations`` fitted to about ``words`` words each, against the running total (see the module)."""
    fitted: list[str] = []
    total = 0
    pending = next(more)
    last = len(narrations) - 1
    for i, narration in enumerate(narrations):
        goal = words * (i + 1)
        added: list[str] = []
        # a sentence is added while it brings the running total nearer the goal than leaving it out would
        while total + _count(narration) + sum(map(_count, added)) + _count(pending) / 2 < goal:
            added.append(pending)
            pending = next(more)
        text = " ".join([*added, narration] if i == last and i > 0 else [narration, *added])
        if total + _count(text) > goal + max(2.0, words * 0.15):
            text = _PLACE_TAIL.sub(r"[\1]", text)
        fitted.append(text)
        total += _count(text)
    return fitted
