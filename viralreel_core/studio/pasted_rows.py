"""A script pasted as plain text, turned into the Script page's table rows.

Scenes are the pasted text's paragraphs (blank lines between), else its lines, else its sentences two
at a time; "Scene 2:", "2." or "-" before a scene is dropped. The draft's visuals and scene ids are kept
in order, so the clips still show the topic and a scene whose words did not change keeps its voice::

    pasted_rows("Black holes bend light.\n\nNothing escapes them.", draft_rows)
    # [{"uid": "a1…", "scene": None, "visuals": "<scene 1's visuals>", "narration": "Black holes bend light."}, …]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_DRAFT_SCENES

__all__ = ["split_pasted_script", "pasted_rows"]

_MARKER = re.compile(r"^\s*(?:(?:scene|part)\s*\d+\s*[:.)-]?|\d+\s*[:.)]|[-*•])\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
_BLANK_LINE = re.compile(r"\n\s*\n")


def _fit(pieces: list[str], limit: int) -> list[str]:
    """``pieces`` joined in order into at most ``limit`` scenes of about equal size."""
    if len(pieces) <= limit:
        return pieces
    per, extra = divmod(len(pieces), limit)
    out, at = [], 0
    for i in range(limit):
        take = per + (1 if i < extra else 0)
        out.append(" ".join(pieces[at:at + take]))
        at += take
    return out


def split_pasted_script(text: str) -> list[str]:
    """The scenes' narrations in pasted ``text``; BadInput when it holds no words."""
    text = str(text or "").replace("\r\n", "\n").strip()
    blocks = [b for b in _BLANK_LINE.split(text) if b.strip()]
    if len(blocks) < 2:
        blocks = [line for line in text.split("\n") if line.strip()]
    if len(blocks) < 2:
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        blocks = [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)]
    scenes = [" ".join(_MARKER.sub("", b).split()) for b in blocks]
    scenes = _fit([s for s in scenes if s], MAX_DRAFT_SCENES)
    if not scenes:
        raise BadInput("The pasted script has no words.",
                       hint="Paste what the voice should say: one scene per paragraph.")
    return scenes


def pasted_rows(text: str, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Table rows for the Script page: the pasted scenes with the draft's visuals and ids, in order."""
    scenes = split_pasted_script(text)
    visuals = [str(r.get("visuals") or "") for r in rows] or ["A bold title card"]
    out = []
    for i, narration in enumerate(scenes):
        uid = rows[i].get("uid") if i < len(rows) else None
        out.append({"uid": uid, "scene": i + 1 if uid else None, "visuals": visuals[i % len(visuals)],
                    "narration": narration})
    return out
