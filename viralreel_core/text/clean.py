"""Cleaning text that came from a person or a service before it is sent anywhere or spoken."""

from __future__ import annotations

import re
import unicodedata

from viralreel_core.errors import BadInput

__all__ = ["clean_text", "reject_nul"]

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # a terminal escape sequence: its tail is junk too
_WHITESPACE = {"\t", "\n", "\r"}


def clean_text(text: str) -> str:
    """``text`` with control characters (and terminal escapes) removed; whitespace and every script kept."""
    text = _ANSI.sub("", text or "")
    return "".join(ch for ch in text if ch in _WHITESPACE or unicodedata.category(ch) != "Cc")


def reject_nul(text: str, what: str) -> str:
    """``text`` unchanged; BadInput if it holds a NUL character (never sent to a paid service)."""
    if "\x00" in (text or ""):
        raise BadInput(f"{what} contains a NUL character.",
                       hint="Remove it (it cannot be spoken or shown) and try again.")
    return text
