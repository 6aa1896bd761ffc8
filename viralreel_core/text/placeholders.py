"""Places in a draft left for the person's own facts: ``[your fact about black holes]``.

A writer that cannot know facts (the offline one) leaves these instead of inventing; the pipeline warns
while a script still has them, and the studio's Script page counts them::

    placeholder("your fact about black holes")   # "[your fact about black holes]"
    placeholders_in("Black holes: [your fact about black holes].")   # ["your fact about black holes"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["placeholder", "placeholders_in", "count_placeholders", "draft_warning", "is_draft_warning", "PLACEHOLDER"]

PLACEHOLDER = re.compile(r"\[([^\[\]\n]{1,160})\]")
_DRAFT_WARNING = "This script is a draft without facts: "


def placeholder(what: str) -> str:
    """``what`` in square brackets, the mark of a place the person fills in."""
    return f"[{' '.join(what.replace('[', '(').replace(']', ')').split())}]"


def placeholders_in(text: str) -> list[str]:
    """The texts of the places in ``text`` still waiting to be filled in, in order."""
    return [m.group(1).strip() for m in PLACEHOLDER.finditer(text or "") if m.group(1).strip()]


def count_placeholders(narrations: Iterable[str]) -> int:
    """How many places across ``narrations`` are still waiting for the person's facts."""
    return sum(len(placeholders_in(n)) for n in narrations)


def draft_warning(narrations: Iterable[str]) -> str | None:
    """One line for the person when the narrations still hold places for their facts, else None."""
    count = count_placeholders(narrations)
    if not count:
        return None
    places = "1 place" if count == 1 else f"{count} places"
    return (f"{_DRAFT_WARNING}{places} in [square brackets] wait for your own. Fill them in "
            "(on the studio's Script page, or in the script you send), or use a script of your own: as it is, the "
            "voice reads out the words in brackets.")


def is_draft_warning(line: str) -> bool:
    """Whether ``line`` is :func:`draft_warning`'s (the studio shows a live count on its Script page instead)."""
    return str(line).startswith(_DRAFT_WARNING)
