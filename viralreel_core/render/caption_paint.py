"""One moment of a caption chunk painted: which words show, which is spoken, how far it is filled or popped.

A ``Moment`` is one state of a chunk's animation; ``ChunkPainter.paint`` draws it on the chunk's canvas in
layers, bottom up: the box behind the whole caption, the box behind the spoken word ("word-box"), a soft
shadow, the outline, then the letters in the text colour with the spoken word (or, for "karaoke", the sung
part of it) in the highlight colour. Layers are composited "over" (Pillow's ``alpha_composite``), so a
translucent box under outlined letters looks the same in the studio's preview and in the render.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from viralreel_core.render.fonts import FontSource
from viralreel_core.render.fonts import font_for as _font_for

if TYPE_CHECKING:
    from viralreel_core.render.fonts import AnyFont

__all__ = ["ChunkPainter", "Moment", "PlacedWord", "Painted", "width_of"]

POP_RISE = 0.35  # a popping word grows about its middle: its baseline moves by this much of the size


@dataclass(frozen=True)
class Moment:
    """``shown`` words are visible (the first ones, in reading order); ``active`` is spoken (-1: none),
    drawn at ``scale`` and, for karaoke, filled to ``fill`` of its width."""

    active: int
    shown: int
    scale: float = 1.0
    fill: float = 1.0


@dataclass
class PlacedWord:
    """A word as laid out: its runs (text, font source) in reading order, drawn ``direction`` ("rtl"/"ltr"),
    its left edge ``x`` and ``baseline`` in block pixels, and the fonts and widths of its runs at the size."""

    runs: tuple[tuple[str, FontSource], ...]
    direction: str
    fonts: list[Any]
    widths: list[float]
    x: float = 0.0
    baseline: int = 0

    @property
    def width(self) -> float:
        return float(sum(self.widths))


@dataclass(frozen=True)
class Painted:
    rgb: np.ndarray  # H×W×3 uint8
    alpha: np.ndarray  # H×W uint8


def _text_kwargs(font: AnyFont, direction: str) -> dict[str, Any]:
    from PIL import ImageFont

    # raqm orders and shapes a run (Arabic joins, Thai marks); Pillow's basic layout takes no direction
    return {"direction": direction} if getattr(font, "layout_engine", None) == ImageFont.Layout.RAQM else {}


def width_of(font: AnyFont, text: str, direction: str) -> float:
    return float(font.getlength(text, **_text_kwargs(font, direction))) if text else 0.0


def _placed(word: PlacedWord, size: int, scale: float) -> tuple[list[tuple[float, int, str, Any]], float, float]:
    """The word's runs as (x, baseline, text, font) left to right at ``scale`` about its middle, and its span."""
    if scale == 1.0:
        fonts, widths, left, base = word.fonts, word.widths, word.x, word.baseline
    else:
        fonts = [_font_for(source, max(1, round(size * scale))) for _, source in word.runs]
        widths = [width_of(f, text, word.direction) for f, (text, _) in zip(fonts, word.runs, strict=True)]
        left = word.x + (word.width - sum(widths)) / 2
        base = word.baseline - round(POP_RISE * size * (1 - scale))
    items = list(zip([t for t, _ in word.runs], fonts, widths, strict=True))
    if word.direction == "rtl":
        items.reverse()  # runs in reading order run right to left
    out, x = [], left
    for text, font, width in items:
        out.append((x, base, text, font))
        x += width
    return out, left, x


class ChunkPainter:
    """Paints the moments of one laid-out chunk on its ``canvas`` (the text block's origin at ``pad``, ``pad``).

    What moments share is drawn once: the letters' masks per number of words shown (growing one word at a
    time), the shadow and outline over them, the box behind the caption; a moment adds only its colours or
    its word box, and a popping word is painted in its own small box over the moment before it (measured:
    ~2–4 ms a moment at 1080×1920 where a full repaint in float32 took 50)."""

    def __init__(self, words: list[PlacedWord], look: dict[str, Any], size: int, stroke: int,
                 block: tuple[int, int], canvas: tuple[int, int], pad: int) -> None:
        self.words, self.look, self.size, self.stroke = words, look, size, stroke
        self.block, self.canvas, self.pad = block, canvas, pad
        self._plain: dict[int, tuple[Any, Any]] = {}  # words shown -> (fill mask, outline mask or None)
        self._over: dict[tuple, Any] = {}  # masks' key -> the shadow and outline as one RGBA layer
        self._shades: dict[tuple, Any] = {}  # (words shown,) -> their shadow
        self._pictures: dict[Moment, Any] = {}  # a few whole moments, for the popping words drawn over them
        self._under: Any = None

    def _draw(self, masks: tuple[Any, Any], i: int, scale: float) -> tuple[float, float]:
        from PIL import ImageDraw

        word = self.words[i]
        fill, outline = masks
        s = max(1, round(self.stroke * scale)) if self.stroke else 0
        runs, left, right = _placed(word, self.size, scale)
        draw_fill = ImageDraw.Draw(fill)
        draw_outline = ImageDraw.Draw(outline) if outline is not None else None
        for x, y, text, font in runs:
            xy, kw = (x + self.pad, y + self.pad), _text_kwargs(font, word.direction)
            # stroke and fill separately: Pillow skips the fill when both inks are equal, and the
            # stroke alone has holes where small contours (dots, accents) invert
            if draw_outline is not None:
                draw_outline.text(xy, text, font=font, fill=255, anchor="ls", stroke_width=s, stroke_fill=255, **kw)
            draw_fill.text(xy, text, font=font, fill=255, anchor="ls", **kw)
        return left + self.pad, right + self.pad

    def _masks(self, shown: int) -> tuple[Any, Any]:
        """The masks of the first ``shown`` words at their size, each drawn once."""
        from PIL import Image

        shown = min(shown, len(self.words))
        if shown not in self._plain:
            if shown == 0:
                self._plain[0] = (Image.new("L", self.canvas, 0),
                                  Image.new("L", self.canvas, 0) if self.stroke else None)
            else:
                fill, outline = self._masks(shown - 1)
                masks = (fill.copy(), outline.copy() if outline is not None else None)
                if self.words[shown - 1].runs:
                    self._draw(masks, shown - 1, 1.0)
                self._plain[shown] = masks
        return self._plain[shown]

    def _blurred(self, solid: Any) -> Any:
        """The soft shadow of ``solid`` (a mask): moved down and right, blurred, at 70 %."""
        from PIL import Image, ImageFilter

        dx, dy = max(1, round(0.03 * self.size)), max(1, round(0.05 * self.size))
        shade = solid.transform(solid.size, Image.Transform.AFFINE, (1, 0, -dx, 0, 1, -dy))
        return shade.filter(ImageFilter.GaussianBlur(max(1.0, 0.045 * self.size))).point(lambda v: v * 7 // 10)

    def _shade(self, key: tuple, solid: Any) -> Any:
        """The shadow of ``solid``, the mask of the first ``key[0]`` words. Built
        from the shadow of one word fewer where there is one, blurring again only the part of the canvas
        around the word that differs (the same pixels as blurring it all, at a fraction of the cost)."""
        if key in self._shades:
            return self._shades[key]
        word = key[0] - 1
        if word < 0:  # no word shown: no shadow
            from PIL import Image

            shade = Image.new("L", self.canvas, 0)
        elif (word,) not in self._shades:
            shade = self._blurred(solid)
        else:
            fill, outline = self._masks(word)
            shade = self._shade((word,), outline if outline is not None else fill).copy()
            placed = self.words[word]
            reach = round(0.3 * self.size) + self.stroke  # the blur's and the offset's reach, and the pop's growth
            x0 = max(0, round(placed.x + self.pad - 0.1 * placed.width) - reach)
            x1 = min(self.canvas[0], round(placed.x + self.pad + 1.1 * placed.width) + reach)
            outer = (max(0, x0 - reach), 0, min(self.canvas[0], x1 + reach), self.canvas[1])
            blurred = self._blurred(solid.crop(outer))
            shade.paste(blurred.crop((x0 - outer[0], 0, x1 - outer[0], self.canvas[1])), (x0, 0))
        self._shades[key] = shade
        return shade

    def _over_layer(self, key: tuple, masks: tuple[Any, Any]) -> Any:
        """The shadow and the outline of ``masks`` as one RGBA layer."""
        from PIL import Image

        if key not in self._over:
            edge = self.look["outline"] if self.stroke else self.look["text"]
            layer = Image.new("RGBA", self.canvas, (0, 0, 0, 0) if self.look["shadow"] else (*edge, 0))
            solid = masks[1] if masks[1] is not None else masks[0]
            if self.look["shadow"]:
                layer.putalpha(self._shade(key, solid))
            if masks[1] is not None:
                outline = Image.new("RGBA", self.canvas, (*self.look["outline"], 0))
                outline.putalpha(masks[1])
                layer = Image.alpha_composite(layer, outline)
            self._over = {key: layer} if len(self._over) > 4 else {**self._over, key: layer}
        return self._over[key]

    def _under_layer(self) -> Any:
        """The box behind the whole caption (transparent without one)."""
        from PIL import Image, ImageDraw

        if self._under is None:
            look, size, pad = self.look, self.size, self.pad
            # transparent pixels keep the colour at the letters' edge (outline, else text): ffmpeg's overlay
            # averages colour over 2×2 pixels for yuv420, and black there would darken the edges
            edge = look["outline"] if self.stroke else look["text"]
            self._under = Image.new("RGBA", self.canvas, (*edge, 0))
            if look["box"] is not None and look["box_opacity"] > 0:
                bx, by = round(0.30 * size), round(0.16 * size)
                rect = (pad - bx, pad - by, pad + self.block[0] + bx, pad + self.block[1] + by)
                ImageDraw.Draw(self._under).rounded_rectangle(
                    rect, radius=max(1, round(0.28 * size)), fill=(*look["box"], round(255 * look["box_opacity"])))
        return self._under

    def paint(self, moment: Moment) -> Painted:
        """The chunk at ``moment``: RGB and alpha of the whole canvas."""
        active = moment.active
        if moment.scale != 1.0 and 0 <= active < len(self.words) and self.words[active].runs:
            picture = self._popping(active, moment.scale)
        else:
            picture = self._picture(moment)
        rgba = np.asarray(picture)
        return Painted(rgba[:, :, :3], rgba[:, :, 3])

    def _popping(self, active: int, scale: float) -> Any:
        """A word popping in: the chunk as it was just before (the word before still lit) with the word over
        it at ``scale``, painted in the word's own small box; its shadow comes once it settles."""
        from PIL import Image, ImageDraw

        look, size, pad, word = self.look, self.size, self.pad, self.words[active]
        picture = self._picture(Moment(active - 1, active)).copy()
        s = max(1, round(self.stroke * scale)) if self.stroke else 0
        runs, left, right = _placed(word, size, scale)
        ascent = max(f.getmetrics()[0] if hasattr(f, "getmetrics") else size for _, _, _, f in runs)
        descent = max(f.getmetrics()[1] if hasattr(f, "getmetrics") else 0 for _, _, _, f in runs)
        reach, baseline = s + 4, runs[0][1] + pad
        box = (max(0, math.floor(left + pad) - reach), max(0, baseline - ascent - reach),
               min(self.canvas[0], math.ceil(right + pad) + reach), min(self.canvas[1], baseline + descent + reach))
        if box[2] <= box[0] or box[3] <= box[1]:
            return picture
        small = (box[2] - box[0], box[3] - box[1])
        fill = Image.new("L", small, 0)
        draw_fill = ImageDraw.Draw(fill)
        outline = Image.new("L", small, 0) if s else None
        for x, y, text, font in runs:
            xy, kw = (x + pad - box[0], y + pad - box[1]), _text_kwargs(font, word.direction)
            if outline is not None:
                ImageDraw.Draw(outline).text(xy, text, font=font, fill=255, anchor="ls", stroke_width=s,
                                             stroke_fill=255, **kw)
            draw_fill.text(xy, text, font=font, fill=255, anchor="ls", **kw)
        layer = Image.new("RGBA", small, (*(look["outline"] if s else look["highlight"]), 0))
        if outline is not None:
            layer.putalpha(outline)
        layer.paste(Image.new("RGB", small, look["highlight"]), (0, 0), fill)
        picture.alpha_composite(layer, dest=box[:2])
        return picture

    def _picture(self, moment: Moment) -> Any:
        """The chunk at ``moment`` painted whole, as an RGBA image (kept: a popping word is drawn over it)."""
        if moment not in self._pictures:
            self._pictures = {} if len(self._pictures) > 3 else self._pictures
            self._pictures[moment] = self._paint_whole(moment)
        return self._pictures[moment]

    def _paint_whole(self, moment: Moment) -> Any:
        from PIL import Image, ImageDraw

        look, words, pad, size = self.look, self.words, self.pad, self.size
        animation = look["animation"]
        active = moment.active if 0 <= moment.active < len(words) and words[moment.active].runs else -1
        masks, key = self._masks(moment.shown), (moment.shown,)
        under = self._under_layer()
        boxed = look["box"] is not None and look["box_opacity"] > 0
        picture = under.copy()
        spans = {i: (w.x + pad, w.x + w.width + pad) for i, w in enumerate(words) if w.runs}
        if animation == "word-box" and active >= 0:
            x0, x1 = spans[active]
            base, m = words[active].baseline + pad, 0.16 * size
            rows = np.asarray(masks[0].crop((round(x0), max(0, base - size), round(x1), base + size)))
            ink = np.nonzero(rows.max(axis=1) > 76)[0] if rows.size else []
            if len(ink):
                top, bottom = max(0, base - size) + ink[0], max(0, base - size) + ink[-1]
                ImageDraw.Draw(picture).rounded_rectangle(
                    [round(x0 - m), round(top - m), round(x1 + m), round(bottom + m)],
                    radius=max(1, round(0.2 * size)), fill=(*look["highlight"], 255))
        over = self._over_layer(key, masks)
        picture = Image.alpha_composite(picture, over) if boxed or animation == "word-box" else over.copy()
        colours = Image.new("RGB", self.canvas, look["text"])
        lit = [] if animation == "word-box" or active < 0 else (
            range(active + 1) if animation == "karaoke" else [active])
        draw = ImageDraw.Draw(colours)
        for i in lit:
            if i not in spans:
                continue
            runs, _, _ = _placed(words[i], size, 1.0)
            for x, y, text, font in runs:
                draw.text((x + pad, y + pad), text, font=font, fill=look["highlight"], anchor="ls",
                          **_text_kwargs(font, words[i].direction))
        if animation == "karaoke" and active >= 0 and moment.fill < 1.0:
            x0, x1 = spans[active]
            reach = self.stroke + 2
            if words[active].direction == "ltr":  # not yet sung: the rest of the word in the text colour
                rest = (x0 + (x1 - x0) * moment.fill, x1 + reach)
            else:
                rest = (x0 - reach, x1 - (x1 - x0) * moment.fill)
            base = words[active].baseline + pad
            draw.rectangle([round(rest[0]), max(0, base - 2 * size), round(rest[1]), base + size], fill=look["text"])
        if boxed:  # over a translucent box: a true "over"
            letters = colours.convert("RGBA")
            letters.putalpha(masks[0])
            picture = Image.alpha_composite(picture, letters)
        else:  # over opaque outline or nothing (whose colour is the text's): a blend by the mask is the same
            picture.paste(colours, (0, 0), masks[0])
        return picture
