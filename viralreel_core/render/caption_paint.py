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
    rgba: np.ndarray  # H×W×4 uint8; ``rgb`` and ``alpha`` are views of it

    @property
    def rgb(self) -> np.ndarray:  # H×W×3 uint8
        return self.rgba[:, :, :3]

    @property
    def alpha(self) -> np.ndarray:  # H×W uint8
        return self.rgba[:, :, 3]


def _text_kwargs(font: AnyFont, direction: str) -> dict[str, Any]:
    from PIL import ImageFont

    # raqm orders and shapes a run (Arabic joins, Thai marks); Pillow's basic layout takes no direction
    return {"direction": direction} if getattr(font, "layout_engine", None) == ImageFont.Layout.RAQM else {}


def width_of(font: AnyFont, text: str, direction: str) -> float:
    return float(font.getlength(text, **_text_kwargs(font, direction))) if text else 0.0


def _union(*boxes: tuple[int, int, int, int] | None) -> tuple[int, int, int, int] | None:
    """The box around every box given (None for none)."""
    given = [b for b in boxes if b is not None]
    if not given:
        return None
    return (min(b[0] for b in given), min(b[1] for b in given), max(b[2] for b in given), max(b[3] for b in given))


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
        self._last: tuple[Moment, np.ndarray] | None = None  # the last moment painted whole, as an array
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

    def _reach(self, i: int) -> tuple[int, int]:
        """The columns [from, to) of the canvas that word ``i``'s letters, outline and shadow can change."""
        placed = self.words[i]
        reach = round(0.3 * self.size) + self.stroke  # the blur's and the offset's reach, and the pop's growth
        x0 = max(0, round(placed.x + self.pad - 0.1 * placed.width) - reach)
        x1 = min(self.canvas[0], round(placed.x + self.pad + 1.1 * placed.width) + reach)
        return x0, x1

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
        elif word > 0 and (word,) not in self._shades:
            shade = self._blurred(solid)
        else:  # from the shadow of one word fewer (the first word's: from no shadow)
            fill, outline = self._masks(word)
            shade = self._shade((word,), outline if outline is not None else fill).copy()
            x0, x1 = self._reach(word)
            reach = round(0.3 * self.size) + self.stroke
            outer = (max(0, x0 - reach), 0, min(self.canvas[0], x1 + reach), self.canvas[1])
            blurred = self._blurred(solid.crop(outer))
            shade.paste(blurred.crop((x0 - outer[0], 0, x1 - outer[0], self.canvas[1])), (x0, 0))
        self._shades[key] = shade
        return shade

    def _over_layer(self, key: tuple, masks: tuple[Any, Any]) -> Any:
        """The shadow and the outline of ``masks`` as one RGBA layer: the layer of one word fewer where there
        is one, with only the columns that word changes made again (the same pixels, a fraction of the work)."""
        if key not in self._over:
            word, before = key[0] - 1, (key[0] - 1,)
            if before in self._over and 0 <= word < len(self.words):
                layer = self._over[before]
                if self.words[word].runs:
                    x0, x1 = self._reach(word)
                    layer = layer.copy()
                    layer.paste(self._layer(key, masks, (x0, 0, x1, self.canvas[1])), (x0, 0))
            else:
                layer = self._layer(key, masks, (0, 0, *self.canvas))
            self._over = {key: layer} if len(self._over) > 4 else {**self._over, key: layer}
        return self._over[key]

    def _layer(self, key: tuple, masks: tuple[Any, Any], box: tuple[int, int, int, int]) -> Any:
        """The part ``box`` of the shadow and outline layer of ``masks`` (the first ``key[0]`` words)."""
        from PIL import Image

        size = (box[2] - box[0], box[3] - box[1])
        whole = box == (0, 0, *self.canvas)
        edge = self.look["outline"] if self.stroke else self.look["text"]
        layer = Image.new("RGBA", size, (0, 0, 0, 0) if self.look["shadow"] else (*edge, 0))
        solid = masks[1] if masks[1] is not None else masks[0]
        if self.look["shadow"]:
            shade = self._shade(key, solid)
            layer.putalpha(shade if whole else shade.crop(box))
        if masks[1] is not None:
            outline = Image.new("RGBA", size, (*self.look["outline"], 0))
            outline.putalpha(masks[1] if whole else masks[1].crop(box))
            layer = Image.alpha_composite(layer, outline)
        return layer

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
        """The chunk at ``moment``: RGBA of the whole canvas."""
        active = moment.active
        if moment.scale != 1.0 and 0 <= active < len(self.words) and self.words[active].runs:
            return Painted(self._popping(active, moment.scale))
        rgba = np.asarray(self._picture(moment))
        self._last = (moment, rgba)
        return Painted(rgba)

    def _popping(self, active: int, scale: float) -> np.ndarray:
        """A word popping in: the chunk as it was just before (the word before still lit) with the word over
        it at ``scale``, painted in the word's own small box; its shadow comes once it settles."""
        from PIL import Image, ImageDraw

        look, size, pad, word = self.look, self.size, self.pad, self.words[active]
        before = Moment(active - 1, active)
        base = self._last[1] if self._last is not None and self._last[0] == before else np.asarray(
            self._picture(before))
        picture = base.copy()  # an array: the canvas is copied once, the small box composited in place
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
        rows, cols = slice(box[1], box[3]), slice(box[0], box[2])
        picture[rows, cols] = np.asarray(Image.alpha_composite(Image.fromarray(picture[rows, cols]), layer))
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
        boxed = look["box"] is not None and look["box_opacity"] > 0
        spans = {i: (w.x + pad, w.x + w.width + pad) for i, w in enumerate(words) if w.runs}
        over = self._over_layer(key, masks)
        if boxed or animation == "word-box":
            picture = self._under_layer().copy()
            if animation == "word-box" and active >= 0:
                self._word_box(picture, masks[0], spans[active], words[active].baseline + pad)
            picture = Image.alpha_composite(picture, over)
        else:
            picture = over.copy()
        lit = [] if animation == "word-box" or active < 0 else [
            i for i in (range(active + 1) if animation == "karaoke" else [active]) if i in spans]
        # the letters' colours, drawn only where letters are (their ink's box, and room around the lit words
        # so that each is drawn from the same pixel fraction as on the whole canvas)
        area = _union(masks[0].getbbox(), self._lit_area([(spans[i], words[i].baseline + pad) for i in lit]))
        if area is None:  # no letters: nothing to colour
            return picture
        colours = Image.new("RGB", (area[2] - area[0], area[3] - area[1]), look["text"])
        draw = ImageDraw.Draw(colours)
        for i in lit:
            runs, _, _ = _placed(words[i], size, 1.0)
            for x, y, text, font in runs:  # moved by whole pixels: the same glyphs as drawn on the canvas
                draw.text((x + pad - area[0], y + pad - area[1]), text, font=font, fill=look["highlight"],
                          anchor="ls", **_text_kwargs(font, words[i].direction))
        if animation == "karaoke" and active >= 0 and moment.fill < 1.0:
            x0, x1 = spans[active]
            reach = self.stroke + 2
            if words[active].direction == "ltr":  # not yet sung: the rest of the word in the text colour
                rest = (x0 + (x1 - x0) * moment.fill, x1 + reach)
            else:
                rest = (x0 - reach, x1 - (x1 - x0) * moment.fill)
            base = words[active].baseline + pad
            draw.rectangle([round(rest[0]) - area[0], max(0, base - 2 * size) - area[1],
                            round(rest[1]) - area[0], base + size - area[1]], fill=look["text"])
        if boxed:  # over a translucent box: a true "over"
            letters = Image.new("RGBA", self.canvas, (*look["text"], 255))
            letters.paste(colours, area[:2])
            letters.putalpha(masks[0])
            return Image.alpha_composite(picture, letters)
        # over opaque outline or nothing (whose colour is the text's): a blend by the mask is the same (and
        # only where the mask is, Pillow's masked paste being the slow step)
        picture.paste(colours, area[:2], masks[0].crop(area))
        return picture

    def _lit_area(self, lit: list[tuple[tuple[float, float], int]]) -> tuple[int, int, int, int] | None:
        """The part of the canvas holding every lit word's letters (each given as its span and baseline),
        with room for their shapes to reach past their advance; None when none is lit."""
        if not lit:
            return None
        size = self.size
        left = min(max(0, math.floor(x0 - 0.5 * size)) for (x0, _), _ in lit)
        top = min(max(0, base - 2 * size) for _, base in lit)
        right = max(min(self.canvas[0], math.ceil(x1 + 0.5 * size)) for (_, x1), _ in lit)
        bottom = max(min(self.canvas[1], base + size) for _, base in lit)
        return left, top, right, bottom

    def _word_box(self, picture: Any, fill: Any, span: tuple[float, float], base: int) -> None:
        """The box behind the spoken word ("word-box"), around its letters' ink, drawn on ``picture``."""
        from PIL import ImageDraw

        size, (x0, x1), m = self.size, span, 0.16 * self.size
        rows = np.asarray(fill.crop((round(x0), max(0, base - size), round(x1), base + size)))
        ink = np.nonzero(rows.max(axis=1) > 76)[0] if rows.size else []
        if len(ink):
            top, bottom = max(0, base - size) + ink[0], max(0, base - size) + ink[-1]
            ImageDraw.Draw(picture).rounded_rectangle(
                [round(x0 - m), round(top - m), round(x1 + m), round(bottom + m)],
                radius=max(1, round(0.2 * size)), fill=(*self.look["highlight"], 255))
