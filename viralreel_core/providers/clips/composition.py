"""The other things a scene names, drawn beside its subject and arriving as the voice says them.

An offline clip's subject symbol stands near the top from the first frame; the scene's next one or two
symbols (``symbols.scene_symbols``: "the sea" and "lava" in a scene about volcanoes) stand beside it,
each with its word under it, and each rises into place when the voice says its word (estimated at the
voice's pace: the voice is made in parallel), so the picture builds up with the narration instead of
showing everything at once::

    sprites = side_symbols(hits[1:], timings, seconds, accent, 1080, 1920, variant="stack")
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from viralreel_core.models import WordTiming
from viralreel_core.providers.clips.kinetic import Motion
from viralreel_core.providers.clips.layout import layout_for
from viralreel_core.providers.clips.symbols import SymbolHit, draw_symbol
from viralreel_core.render.fonts import load_font

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["SideSymbol", "side_symbols", "arrival_time"]

UNSPOKEN_AT = (0.3, 0.55)  # when a symbol only the visuals name arrives, as a share of the spoken part
EARLY = 0.08  # seconds before its word a symbol starts to rise (it takes a moment to arrive)
LABEL_SIZE = 0.26  # the word under a symbol, as a share of the symbol's size


@dataclass(frozen=True)
class SideSymbol:
    """A symbol's sprite, where it rests, when it arrives and how it moves."""

    image: Image.Image
    x: int
    y: int
    start: float
    motion: Motion


def arrival_time(hit: SymbolHit, order: int, timings: list[WordTiming], seconds: float) -> float:
    """When ``hit`` arrives: as its word is said, else (only the visuals name it) part-way through."""
    spoken = timings[-1].end if timings else seconds
    if hit.spoken_at is not None and hit.spoken_at < len(timings):
        start = timings[hit.spoken_at].start - EARLY
    else:
        start = spoken * UNSPOKEN_AT[min(order, len(UNSPOKEN_AT) - 1)]
    return round(max(0.0, min(start, seconds - 0.6)), 3)


def _labelled(hit: SymbolHit, size: int, accent: tuple[int, int, int],
              fonts: Mapping[str, str] | None) -> Image.Image | None:
    """The symbol on a soft glow with its word under it (None without a font for the symbol)."""
    from PIL import Image, ImageDraw, ImageFilter

    glyph = draw_symbol((hit.emoji, hit.plain), size, (255, 255, 255), fonts)
    if glyph is None:
        return None
    word = hit.word.upper()
    font_size = max(8, round(size * LABEL_SIZE))
    font = load_font(font_size, word)
    text_w = math.ceil(font.getlength(word))
    side = round(size * 1.5)
    width, height = max(side, text_w + font_size), side + round(font_size * 1.5)
    sprite = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    glow = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    r = size * 0.58
    cx, cy = width / 2, side / 2
    ImageDraw.Draw(glow).ellipse((cx - r, cy - r, cx + r, cy + r), fill=(*accent, 110))
    sprite.alpha_composite(glow.filter(ImageFilter.GaussianBlur(size * 0.16)))
    sprite.alpha_composite(glyph, (round(cx - glyph.width / 2), round(cy - glyph.height / 2)))
    draw = ImageDraw.Draw(sprite)
    draw.text((cx, side + font_size * 0.1), word, font=font, fill=(255, 255, 255, 235), anchor="mt",
              stroke_width=max(1, font_size // 8), stroke_fill=(0, 0, 0, 170))
    return sprite


def side_symbols(hits: list[SymbolHit], timings: list[WordTiming], seconds: float, accent: tuple[int, int, int],
                 width: int, height: int, variant: str, fonts: Mapping[str, str] | None = None) -> list[SideSymbol]:
    """Sprites for the scene's other symbols (at most as many as the layout has places), in arrival order;
    ``fonts``: the symbol fonts to draw with (None: the installed ones)."""
    layout = layout_for(width, height)
    places = layout.sides_left if variant == "left" else layout.sides
    size = max(8, round(layout.side_height * height))
    out = []
    for order, (hit, (fx, fy)) in enumerate(zip(hits, places, strict=False)):
        image = _labelled(hit, size, accent, fonts)
        if image is None:
            continue
        start = arrival_time(hit, order, timings, seconds)
        motion = Motion("rise", start, math.inf, distance=round(height * 0.03, 1),
                        drift=round(height * 0.005, 1), period=3.0 + order, phase=1.3 * (order + 1))
        x = round(fx * width - image.width / 2)
        y = round(fy * height - size * 0.75)
        out.append(SideSymbol(image, min(max(0, x), width - image.width), max(0, y), start, motion))
    return out
