"""The JSON object in a language model's answer, also when the model wrapped it in prose or a code fence.

A server that enforces a JSON schema answers with the object alone; a small local model asked in plain
text often says "Here is your script:" and fences the JSON in ```json … ```. Both are read here; what is
read is then validated by the caller (``parse_script``, ``parse_post``, ``parse_visuals``), each through
``read_answer``, so an unusable answer is the same retryable error whatever was asked for::

    json_in_answer('Sure!\\n```json\\n{"title": "Cats"}\\n```')  # {"title": "Cats"}
    data, bad = read_answer(content, "post texts", service="OpenAI", provider="openai")
    raise bad("there is no title")  # "OpenAI wrote post texts that cannot be used: there is no title."
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from viralreel_core.errors import ProviderError

__all__ = ["json_in_answer", "read_answer"]

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


def read_answer(content: str | None, what: str, *, service: str, provider: str,
                not_json: str = "they are not valid JSON") -> tuple[Any, Callable[[str], ProviderError]]:
    """The JSON in a model's answer of ``what`` ("post texts"), and ``bad(problem)``: the retryable ProviderError
    for an answer that cannot be used, raised with ``not_json`` when the answer holds no JSON."""
    def bad(problem: str) -> ProviderError:
        return ProviderError(f"{service} wrote {what} that cannot be used: {problem}.", provider=provider,
                             retryable=True, hint="Try again; a new attempt usually works.")

    try:
        return json_in_answer(content), bad
    except ValueError:
        raise bad(not_json) from None
