"""Burned-in, word-highlighted captions for vertical short videos: each chunk drawn once per spoken word.

Everything is drawn once, up front, with Pillow::

    words = timings_for(voice, narration)
    cues = build_cues(words, settings.captions, settings.width, settings.height)

``build_cues`` draws one image per (chunk, spoken word): the chunk's text with the word being spoken in
the highlight colour. The render overlays them with ffmpeg (``segment.py``); the studio's preview blends
them in numpy (``caption_preview``).

Fonts (``fonts``): picked per word by script (Roboto Black for Latin, Greek, Cyrillic; the Noto face made
for Chinese, Hindi, Arabic…), so a Latin name inside Arabic or Hindi is drawn too. Words of right-to-left
text (Arabic, Hebrew) are laid right to left, each shaped by Pillow's raqm layout; text written without
spaces (Chinese, Japanese, Thai) comes in pieces (``languages.split_words``) set without spaces between
them. Font loading never raises.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from viralreel_core.config import CaptionStyle
from viralreel_core.errors import BadInput
from viralreel_core.models import WordTiming
from viralreel_core.render.caption_chunks import CaptionChunk, chunk_words
from viralreel_core.render.colors import parse_color
from viralreel_core.render.fonts import FONT_LOCK as _FONT_LOCK
from viralreel_core.render.fonts import FontSource, font_covers, pick_font_source
from viralreel_core.render.fonts import font_for as _font_for
from viralreel_core.text.languages import is_unspaced, join_words

if TYPE_CHECKING:
    from viralreel_core.render.fonts import AnyFont

__all__ = ["CaptionCue", "build_cues"]


# --- fonts (in fonts.py, shared with the offline clips) -----------------------------------------

def _letters(word: str) -> str:
    """The word's letters and marks (what must have glyphs; symbols the font lacks are left out)."""
    return "".join(ch for ch in word if unicodedata.category(ch)[0] in "LMN")


def _visible(word: str, source: FontSource) -> str:
    """The word without emoji and other symbols the chosen font cannot draw (they would be boxes)."""
    if source is None:
        return word
    out = []
    for ch in word:
        if unicodedata.category(ch) in ("So", "Sk") and not font_covers(source, ch):
            continue
        out.append(ch)
    return "".join(out).strip()


# --- cues ---------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class CaptionCue:
    """One caption image, blended at (``x``, ``y``) while ``start <= t < end``.

    ``rgb`` is H×W×3 uint8 and ``alpha`` H×W×1 uint16 in 0..255 (shared by the cues of a chunk);
    both are read-only. ``text`` is the chunk as drawn and ``active`` the index of the highlighted
    word in it.
    """

    start: float
    end: float
    x: int
    y: int
    rgb: np.ndarray = field(repr=False)
    alpha: np.ndarray = field(repr=False)
    text: str = ""
    active: int = -1

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) in frame pixels, right/bottom exclusive."""
        return self.x, self.y, self.x + self.width, self.y + self.height


@dataclass
class _Layout:
    fonts: list[AnyFont]  # per word: the chunk's font, or another where it lacks a word's letters
    size: int
    stroke: int
    lines: list[list[int]]  # word indices per line
    positions: list[tuple[int, int]]  # per word: (x of its left edge, baseline y) in block pixels
    block_w: int
    block_h: int


def _metrics(font: AnyFont) -> tuple[int, int]:
    getmetrics = getattr(font, "getmetrics", None)
    if getmetrics is not None:
        ascent, descent = getmetrics()
        return int(ascent), int(descent)
    _, top, _, bottom = font.getbbox("Ag")
    return int(-top if top < 0 else bottom), 0


def _width(font: AnyFont, text: str) -> float:
    return float(font.getlength(text)) if text else 0.0


def _is_rtl(text: str) -> bool:
    for ch in text:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return True
        if bidi == "L":
            return False
    return False


def _gaps(words: list[str], space: float) -> list[float]:
    """The space before each word: none between two pieces of a script written without spaces (Chinese…)."""
    return [0.0 if i and is_unspaced(words[i - 1]) and is_unspaced(w) else space for i, w in enumerate(words)]


def _line_width(ids: list[int], widths: list[float], gaps: list[float]) -> float:
    return sum(widths[i] for i in ids) + sum(gaps[i] for i in ids[1:])


def _best_lines(widths: list[float], gaps: list[float], max_w: float) -> list[list[int]]:
    """One line if it fits, else the most balanced two-line split."""
    idx = [i for i, w in enumerate(widths) if w > 0]

    def line_w(ids: list[int]) -> float:
        return _line_width(ids, widths, gaps)

    if len(idx) <= 1 or line_w(idx) <= max_w:
        return [idx]
    splits = [[idx[:k], idx[k:]] for k in range(1, len(idx))]
    return min(splits, key=lambda ls: (max(line_w(ls[0]), line_w(ls[1])), abs(len(ls[0]) - len(ls[1]))))


def _layout(words: list[str], sources: list[FontSource], size: int, stroke: int, max_w: float,
            uppercase: bool) -> _Layout:
    """Word positions at the largest size (at most ``size``) whose lines fit in ``max_w``."""
    min_size = max(8, size // 3)
    rtl = _is_rtl(" ".join(words))
    while True:
        fonts = [_font_for(source, size) for source in sources]
        widths = [_width(font, w) for font, w in zip(fonts, words, strict=True)]
        gaps = _gaps(words, _width(fonts[0], " ") or size * 0.25)
        lines = _best_lines(widths, gaps, max_w - 2 * stroke)
        line_ws = [_line_width(ln, widths, gaps) for ln in lines]
        widest = max(line_ws) + 2 * stroke
        if widest <= max_w or size <= min_size:
            break
        shrink = max_w / widest
        size = max(min_size, min(size - 1, int(size * shrink)))
        stroke = max(1 if stroke else 0, round(stroke * shrink))
    ascent, descent = (max(m) for m in zip(*map(_metrics, fonts), strict=True))
    pitch = round((ascent + descent) * (0.92 if uppercase else 1.0)) + stroke
    block_w = math.ceil(max(line_ws))
    block_h = ascent + descent + pitch * (len(lines) - 1)
    positions = [(0, 0)] * len(words)
    for j, (ln, lw) in enumerate(zip(lines, line_ws, strict=True)):
        x = (block_w - lw) / 2
        order = ln[::-1] if rtl else ln  # right to left: the first word at the right end of its line
        for k, i in enumerate(order):
            if k:
                x += gaps[max(i, order[k - 1])]  # the gap belongs to the later word of the two
            positions[i] = (round(x), ascent + j * pitch)
            x += widths[i]
    return _Layout(fonts, size, stroke, lines, positions, block_w, block_h)


def _style_params(style: CaptionStyle, width: int, height: int) -> dict[str, Any]:
    if int(width) <= 0 or int(height) <= 0:
        raise BadInput(f"Captions need a frame size, got {width}×{height}.")
    if not (isinstance(style.font_size, (int, float)) and style.font_size > 0):
        raise BadInput(f"Caption font size must be positive (got {style.font_size!r}).")
    if not (isinstance(style.stroke_width, (int, float)) and style.stroke_width >= 0):
        raise BadInput(f"Caption outline width must be 0 or more (got {style.stroke_width!r}).")
    if not (isinstance(style.position, (int, float)) and 0.0 <= style.position <= 1.0):
        raise BadInput(f"Caption position must be between 0 and 1 (got {style.position!r}).")
    if not (isinstance(style.max_words, int) and style.max_words >= 1):
        raise BadInput(f"Captions need at least one word per chunk (got max_words={style.max_words!r}).")
    # sizes follow the frame's short side, so a 1920×1080 frame gets the captions a 1080×1920 one does
    # rather than 1.8× larger; lines wrap within 88% of the width, and no wider than 1.2 short sides
    # (a landscape line across the whole frame is hard to read)
    short = min(width, height)
    scale = short / 1080.0
    stroke = round(style.stroke_width * scale)
    if style.stroke_width > 0:
        stroke = max(1, stroke)
    return {
        "text": parse_color(style.text_color, "caption text colour"),
        "highlight": parse_color(style.highlight_color, "caption highlight colour"),
        "outline": parse_color(style.stroke_color, "caption outline colour"),
        "size": max(8, round(style.font_size * scale)),
        "stroke": stroke,
        "max_w": min(0.88 * width, 1.2 * short),
    }


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _fit(pos: int, size: int, limit: int) -> int:
    """``pos`` moved so that [pos, pos + size) lies in [0, limit); centred when it cannot fit."""
    if size > limit:
        return -((size - limit) // 2)
    return min(max(pos, 0), limit - size)


def _render_chunk(chunk: CaptionChunk, style: CaptionStyle, p: dict[str, Any], width: int,
                  height: int, offset: float) -> list[CaptionCue]:
    from PIL import Image, ImageDraw
    raw = [w.word.upper() if style.uppercase else w.word for w in chunk.words]
    # each word in the face made for its script: a Latin name inside Arabic or Hindi gets Roboto, the rest Noto
    sources = [pick_font_source(_letters(w) or w) for w in raw]
    words = [_visible(w, source) for w, source in zip(raw, sources, strict=True)]
    if not any(words):
        return []
    lay = _layout(words, sources, p["size"], p["stroke"], p["max_w"], style.uppercase)
    pad = lay.stroke + lay.size // 2 + 4
    cw, ch = lay.block_w + 2 * pad, lay.block_h + 2 * pad
    s = lay.stroke
    alpha_img = Image.new("L", (cw, ch), 0)
    draw = ImageDraw.Draw(alpha_img)
    for word, font, (wx, wy) in zip(words, lay.fonts, lay.positions, strict=True):
        if word:
            # stroke and fill separately: Pillow skips the fill when both inks are equal, and the
            # stroke alone has holes where small contours (dots, accents) invert
            if s:
                draw.text((wx + pad, wy + pad), word, font=font, fill=255, anchor="ls",
                          stroke_width=s, stroke_fill=255)
            draw.text((wx + pad, wy + pad), word, font=font, fill=255, anchor="ls")
    bbox = alpha_img.getbbox()
    if bbox is None:
        return []
    m = 2  # transparent margin: nothing is cut at the box edges
    left, top = max(0, bbox[0] - m), max(0, bbox[1] - m)
    right, bottom = min(cw, bbox[2] + m), min(ch, bbox[3] + m)
    # frame position: block centred horizontally, its middle at style.position of the height
    bx = (width - lay.block_w) // 2 - pad
    by = round(style.position * height - lay.block_h / 2) - pad
    fx, fy = bx + left, by + top
    bw, bh = right - left, bottom - top
    fx, fy = _fit(fx, bw, width), _fit(fy, bh, height)
    # crop whatever still sticks out of a too-small frame
    cl, ct = left + max(0, -fx), top + max(0, -fy)
    fx, fy = max(0, fx), max(0, fy)
    cr, cb = min(right, cl + width - fx), min(bottom, ct + height - fy)
    if cr <= cl or cb <= ct:
        return []
    alpha = _readonly(np.asarray(alpha_img.crop((cl, ct, cr, cb)), dtype=np.uint16)[:, :, None])
    text = join_words([w for w in words if w])
    base = p["outline"] if s > 0 else p["text"]
    cues: list[CaptionCue] = []
    n = len(chunk.words)
    for k, w in enumerate(chunk.words):
        start = w.start if cues else chunk.start
        end = chunk.words[k + 1].start if k + 1 < n else chunk.end
        end = min(max(end, start), chunk.end)
        if end <= start or not words[k]:
            if cues and k + 1 == n:  # nothing to highlight: the previous state stays on
                cues[-1] = replace(cues[-1], end=chunk.end + offset)
            continue
        img = Image.new("RGB", (cw, ch), base)
        d = ImageDraw.Draw(img)
        for j, (word, font, (wx, wy)) in enumerate(zip(words, lay.fonts, lay.positions, strict=True)):
            if word:
                d.text((wx + pad, wy + pad), word, font=font, anchor="ls",
                       fill=p["highlight"] if j == k else p["text"])
        rgb = _readonly(np.asarray(img.crop((cl, ct, cr, cb)), dtype=np.uint8))
        if cues and cues[-1].end < start + offset:
            cues[-1] = replace(cues[-1], end=start + offset)  # no gap inside a chunk: no flicker
        cues.append(CaptionCue(start + offset, end + offset, fx, fy, rgb, alpha, text, k))
    return cues


def build_cues(words: Sequence[WordTiming], style: CaptionStyle | None = None, width: int = 1080,
               height: int = 1920, *, time_offset: float = 0.0) -> list[CaptionCue]:
    """Draw every caption state once: one cue per (chunk, spoken word), sorted by time.

    Each cue shows its chunk in ``style.text_color`` with the word being spoken in
    ``style.highlight_color``, bold with an outline, centred, its middle at ``style.position`` of the
    frame height; sizes scale with the short side (``min(width, height) / 1080``); too-wide chunks wrap to
    two lines, then shrink.
    ``time_offset`` shifts every cue (for words timed from the start of a scene placed later).
    Raises ``BadInput`` for a bad colour or style value.
    """
    style = style or CaptionStyle()
    width, height = int(width), int(height)
    params = _style_params(style, width, height)
    cues: list[CaptionCue] = []
    with _FONT_LOCK:
        for chunk in chunk_words(words, style.max_words):
            cues.extend(_render_chunk(chunk, style, params, width, height, float(time_offset)))
    cues.sort(key=lambda c: c.start)
    for i in range(len(cues) - 1):  # never two cues at once
        if cues[i].end > cues[i + 1].start:
            cues[i] = replace(cues[i], end=cues[i + 1].start)
    return [c for c in cues if c.end > c.start]

