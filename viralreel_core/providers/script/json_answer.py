"""The JSON object in a language model's answer, also when the model wrapped it in prose or a code fence.

A server that enforces a JSON schema answers with the object alone; a small local model asked in plain
text often says "Here is your script:" and fences the JSON in ```json … ```. Both are read here; what is
read is then validated by the caller (``parse_script``, ``parse_post``, ``parse_visuals``)::

    json_in_answer('Sure!\\n```json\\n{"title": "Cats"}\\n```')  # {"title": "Cats"}
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["json_in_answer"]

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def json_in_answer(content: str | None) -> Any:
    """The JSON value ``content`` holds: the whole text, else a fenced block, else the outermost ``{…}``;
    ValueError when none of them is JSON."""
    text = (content or "").strip()
    tries = [text, *(m.group(1).strip() for m in _FENCE.finditer(text))]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        tries.append(text[start:end + 1])
    for candidate in tries:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise ValueError("no JSON object in the answer")
