"""Where an offline clip puts its key words and its symbol, for each frame shape.

Upright frames (9:16, 4:5, 1:1) stack them: the symbol near the top with the scene's other symbols
beside it, the words in the upper middle, the captions below. A wide frame (16:9) has little height and
room to the side, so the words take a taller
column on the left at a larger size and the symbol stands large on the right; the captions stay below,
centred. Every value is a fraction of the frame, so any size of that shape lays out alike.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Layout", "UPRIGHT", "WIDE", "layout_for"]

WIDE_FROM = 1.3  # width / height from which a frame is laid out wide (16:9 is 1.78, 1:1 is 1)


@dataclass(frozen=True)
class Layout:
    """Fractions of the frame: the words' area and column, their size factor, and the symbol's place."""

    name: str
    text_top: float  # of the height
    text_bottom: float  # of the height (the captions sit lower, around 0.70)
    column: tuple[float, float]  # left and right edges of the words' column, of the width
    size_scale: float  # the key words' size caps (fractions of the height) are multiplied by this
    symbol_x: float  # the symbol's centre, of the width
    symbol_x_left: float  # the same when the words are set flush left
    symbol_y: float  # the symbol's centre, of the height
    symbol_height: float  # the symbol's size, of the height
    sides: tuple[tuple[float, float], ...]  # where the scene's other symbols stand (centres, of width and height)
    sides_left: tuple[tuple[float, float], ...]  # the same when the words are set flush left
    side_height: float  # their size, of the height


UPRIGHT = Layout("upright", 0.285, 0.615, (0.0, 1.0), 1.0, 0.5, 0.76, 0.165, 0.12,
                 ((0.19, 0.19), (0.81, 0.19)), ((0.2, 0.19), (0.47, 0.19)), 0.07)
WIDE = Layout("wide", 0.13, 0.63, (0.0, 0.74), 1.35, 0.86, 0.86, 0.38, 0.22,
              ((0.8, 0.13), (0.93, 0.13)), ((0.8, 0.13), (0.93, 0.13)), 0.12)


def layout_for(width: int, height: int) -> Layout:
    """The layout for a ``width`` × ``height`` frame."""
    return WIDE if width >= WIDE_FROM * height else UPRIGHT
