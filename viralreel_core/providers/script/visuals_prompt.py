"""Asking a language model for the visuals of narration a person wrote: the messages, the schema, the check.

One call for every scene that has none: the numbered narrations go in, ``{"visuals": [...]}`` with one
shot per narration, in order, comes back (in English, whatever the narration's language: a video
generator or a stock search reads them). Shared by every chat writer (``openai_script.ChatScriptWriter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from viralreel_core.providers.script.json_answer import read_answer
from viralreel_core.text.languages import ENGLISH, LANGUAGES

__all__ = ["VISUALS_SCHEMA", "VISUALS_MAX_TOKENS", "VISUALS_PROMPT_VERSION", "visuals_messages", "parse_visuals"]

VISUALS_PROMPT_VERSION = "1"  # bump when the prompt changes, so cached visuals are not reused
VISUALS_MAX_TOKENS = 1200  # twelve scenes of about 60 tokens each, with room to spare
MAX_VISUALS_CHARS = 1000  # Runway's prompt limit

VISUALS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "visuals": {"type": "array", "items": {"type": "string"},
                    "description": "One shot per narration, in the same order."},
    },
    "required": ["visuals"],
    "additionalProperties": False,
}

_SYSTEM = """You plan the pictures of a vertical short video whose narration is already written.
Answer with JSON only, shaped {{"visuals": [string]}}: exactly {count} strings, one for each numbered
narration, in the same order.
Rules:
- Each string is one concrete shot that a video generator or a stock-footage search can show: subject,
  action, setting, light, camera; 10 to 30 words; what the words of that narration are about.
- No text on screen, no logos, no real people's names.
- Write every shot in English, whatever the narration's language (here: {language})."""


def visuals_messages(narrations: Sequence[str], language: str) -> list[dict[str, str]]:
    """The chat messages asking for one shot per narration (they mention JSON, as ``json_object`` mode needs)."""
    lang = LANGUAGES.get(language, ENGLISH)
    numbered = "\n".join(f"{i}. {text}" for i, text in enumerate(narrations, 1))
    return [{"role": "system", "content": _SYSTEM.format(count=len(narrations), language=lang.name)},
            {"role": "user", "content": f"Narration:\n{numbered}"}]


def parse_visuals(content: str | None, count: int, *, service: str = "OpenAI", provider: str = "openai"
                  ) -> tuple[str, ...]:
    """The ``count`` shots in a model's JSON answer; a retryable ProviderError saying what is wrong otherwise."""
    data, bad = read_answer(content, "visuals", service=service, provider=provider)
    items = data.get("visuals") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise bad("there is no list of visuals")
    if len(items) != count:
        raise bad(f"there are {len(items)} of them for {count} scenes")
    shots = tuple(" ".join(str(item or "").split())[:MAX_VISUALS_CHARS] for item in items)
    empty = next((i for i, shot in enumerate(shots, 1) if not shot), None)
    if empty is not None:
        raise bad(f"scene {empty}'s is empty")
    return shots
