"""Colours as people write them ('#FFD23F', '#FD3'): the one parser, shared by captions and offline clips."""

from __future__ import annotations

import re
from typing import Any

from viralreel_core.errors import BadInput

__all__ = ["parse_color"]

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_color(value: Any, what: str = "colour") -> tuple[int, int, int]:
    """'#RRGGBB' (or '#RGB') as an (r, g, b) tuple; anything else raises ``BadInput`` naming ``what``."""
    m = _HEX.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        raise BadInput(f"The {what} {value!r} is not a colour.", hint="Use a hex colour like '#FFD23F'.")
    digits = m.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)
