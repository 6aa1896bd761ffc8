"""A script pasted on the Script page, turned into the page's table rows.

The text is read as every way in reads a person's script (``text/script_text.py``: one paragraph a scene,
else a line a scene, else two sentences a scene; "Scene 2:", "2." or "-" dropped; or the script JSON). The
draft's visuals and scene ids are kept in order, so the clips still show the topic and a scene whose words
did not change keeps its voice::

    pasted_rows("Black holes bend light.\n\nNothing escapes them.", draft_rows)
    # [{"uid": "a1…", "scene": 1, "visuals": "<scene 1's visuals>", "narration": "Black holes bend light."}, …]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from viralreel_core.text.script_text import script_from_text

__all__ = ["pasted_rows"]


def pasted_rows(text: str, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Table rows for the Script page: the pasted scenes with the draft's visuals and ids, in order (visuals the
    pasted JSON gives are kept). BadInput, one line, for text that cannot be a script."""
    scenes = script_from_text(text).scenes
    visuals = [str(r.get("visuals") or "") for r in rows] or ["A bold title card"]
    out = []
    for i, scene in enumerate(scenes):
        uid = rows[i].get("uid") if i < len(rows) else None
        out.append({"uid": uid, "scene": i + 1 if uid else None, "visuals": scene.visuals or visuals[i % len(visuals)],
                    "narration": scene.narration})
    return out
