"""Burned-in, word-highlighted captions for short videos: each chunk drawn once per moment of its animation.

Everything is drawn once, up front, with Pillow::

    words = timings_for(voice, narration)
    cues = build_cues(words, settings.captions, settings.width, settings.height)

``build_cues`` chunks the words (``caption_chunks``), lays each chunk out and paints one image per moment
(``caption_paint``): per spoken word for "highlight" and "word-box", a few steps of the word growing in for
"pop", of the fill sweeping across it for "karaoke". The render overlays them with ffmpeg (``segment.py``);
the studio's preview blends them in numpy (``caption_preview``).

Fonts: each word's letters in the face made for its script, any character that face lacks in one that has
it (``caption_text.font_runs``); words of a line in Unicode bidi order (``caption_text.visual_order``), each
run shaped by Pillow's raqm layout; text without spaces (Chinese, Japanese, Thai) set without spaces between
its words. The caption's box stays inside the frame and its platforms' safe zone (``caption_styles``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from viralreel_core.config import CaptionStyle
from viralreel_core.errors import BadInput
from viralreel_core.models import WordTiming
from viralreel_core.render.caption_chunks import CaptionChunk, chunk_words
from viralreel_core.render.caption_paint import ChunkPainter, Moment, PlacedWord, width_of
from viralreel_core.render.caption_styles import POP_SCALES, SAFE_BOTTOM, SAFE_TOP, check_style
from viralreel_core.render.caption_text import font_runs, is_rtl, visual_order, word_direction
from viralreel_core.render.colors import parse_color
from viralreel_core.render.fonts import FONT_LOCK as _FONT_LOCK
from viralreel_core.render.fonts import font_for as _font_for
from viralreel_core.text.languages import is_unspaced, join_words

if TYPE_CHECKING:
    from viralreel_core.render.fonts import AnyFont

__all__ = ["CaptionCue", "build_cues", "POP_SCALES", "POP_STEP", "KARAOKE_STEPS"]

POP_STEP = 1 / 30  # seconds per step: one frame at 30 fps
KARAOKE_STEPS = 4  # the fill sweeps a word in at most this many steps…
KARAOKE_STEP = 0.06  # …each at least this long (seconds)


@dataclass(frozen=True, eq=False)
class CaptionCue:
    """One caption image, blended at (``x``, ``y``) while ``start <= t < end``.

    ``rgb`` is H×W×3 uint8 and ``alpha`` H×W×1 uint16 in 0..255; both are read-only, and all the cues of
    a chunk have the same box. ``rgba`` (H×W×4 uint8, read-only) is the same picture in one array, where the
    painter gave it (written as an image in one copy). ``text`` is the chunk as drawn and ``active`` the
    index of the spoken word in it.
    """

    start: float
    end: float
    x: int
    y: int
    rgb: np.ndarray = field(repr=False)
    alpha: np.ndarray = field(repr=False)
    text: str = ""
    active: int = -1
    rgba: np.ndarray | None = field(default=None, repr=False)

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
    words: list[PlacedWord]
    size: int
    stroke: int
    block_w: int
    block_h: int


def _metrics(font: AnyFont) -> tuple[int, int]:
    getmetrics = getattr(font, "getmetrics", None)
    if getmetrics is not None:
        ascent, descent = getmetrics()
        return int(ascent), int(descent)
    _, top, _, bottom = font.getbbox("Ag")
    return int(-top if top < 0 else bottom), 0


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


def _layout(runs: list[tuple], size: int, stroke: int, max_w: float, max_h: float, uppercase: bool) -> _Layout:
    """Word positions at the largest size (at most ``size``) whose lines fit in ``max_w`` × ``max_h``."""
    min_size = max(8, size // 3)
    texts = ["".join(t for t, _ in r) for r in runs]
    rtl = is_rtl(" ".join(texts))
    directions = [word_direction(t, rtl) for t in texts]
    while True:
        words = []
        for r, direction in zip(runs, directions, strict=True):
            fonts = [_font_for(source, size) for _, source in r]
            words.append(PlacedWord(r, direction, fonts,
                                    [width_of(f, t, direction) for f, (t, _) in zip(fonts, r, strict=True)]))
        widths = [w.width for w in words]
        space_font = next((w.fonts[0] for w in words if w.fonts), _font_for(None, size))
        gaps = _gaps(texts, width_of(space_font, " ", "ltr") or size * 0.25)
        lines = _best_lines(widths, gaps, max_w - 2 * stroke)
        line_ws = [_line_width(ln, widths, gaps) for ln in lines]
        used = [f for w in words for f in w.fonts] or [space_font]
        ascent, descent = (max(m) for m in zip(*map(_metrics, used), strict=True))
        pitch = round((ascent + descent) * (0.92 if uppercase else 1.0)) + stroke
        block_h = ascent + descent + pitch * (len(lines) - 1)
        widest, tallest = max(line_ws) + 2 * stroke, block_h + 2 * stroke
        if (widest <= max_w and tallest <= max_h) or size <= min_size:
            break
        shrink = min(max_w / widest, max_h / tallest)
        size = max(min_size, min(size - 1, int(size * shrink)))
        stroke = max(1 if stroke else 0, round(stroke * shrink))
    block_w = math.ceil(max(line_ws))
    for j, (ln, lw) in enumerate(zip(lines, line_ws, strict=True)):
        x = (block_w - lw) / 2
        order = [ln[k] for k in visual_order([texts[i] for i in ln], rtl)]
        for k, i in enumerate(order):
            if k:
                x += gaps[max(i, order[k - 1])]  # the gap belongs to the later word of the two
            words[i].x, words[i].baseline = x, ascent + j * pitch
            x += widths[i]
    return _Layout(words, size, stroke, block_w, block_h)


def _style_params(style: CaptionStyle, width: int, height: int) -> dict[str, Any]:
    if int(width) <= 0 or int(height) <= 0:
        raise BadInput(f"Captions need a frame size, got {width}×{height}.")
    check_style(style)
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
        "box": parse_color(style.box_color, "caption box colour") if style.box_color else None,
        "box_opacity": float(style.box_opacity),
        "shadow": bool(style.shadow),
        "animation": style.animation,
        "size": max(8, round(style.font_size * scale)),
        "stroke": stroke,
        "max_w": min(0.88 * width, 1.2 * short),
        "safe": (math.ceil(SAFE_TOP * height), math.floor(SAFE_BOTTOM * height)),
    }


def _readonly(a: np.ndarray) -> np.ndarray:
    a = a.view()  # a view of the painted moment (kept alive by it), which nothing else holds
    a.setflags(write=False)
    return a


def _fit(pos: int, size: int, low: int, high: int) -> int:
    """``pos`` moved so that [pos, pos + size) lies in [low, high); centred there when it cannot fit."""
    if size > high - low:
        return low - (size - (high - low)) // 2
    return min(max(pos, low), high - size)


def _moments(animation: str, k: int, n: int, seconds: float) -> list[tuple[float, Moment]]:
    """(seconds after word ``k`` starts, what shows) while word ``k`` of ``n`` is spoken for ``seconds``."""
    if animation == "pop":
        steps = [(i * POP_STEP, Moment(k, k + 1, scale)) for i, scale in enumerate(POP_SCALES)]
        return [s for s in steps if s[0] < seconds] + [(len(POP_SCALES) * POP_STEP, Moment(k, k + 1))]
    if animation == "karaoke":
        count = max(1, min(KARAOKE_STEPS, int(seconds / KARAOKE_STEP)))
        return [(i * seconds / count, Moment(k, n, fill=(i + 1) / count)) for i in range(count)]
    return [(0.0, Moment(k, n))]


def _render_chunk(chunk: CaptionChunk, style: CaptionStyle, p: dict[str, Any], width: int,
                  height: int, offset: float) -> list[CaptionCue]:
    raw = [w.word.upper() if style.uppercase else w.word for w in chunk.words]
    runs = [font_runs(w, style.font_weight) for w in raw]
    if not any(runs):
        return []
    top, bottom = p["safe"]
    lay = _layout(runs, p["size"], p["stroke"], p["max_w"], (bottom - top) - 0.4 * p["size"], style.uppercase)
    pad = lay.stroke + lay.size // 2 + 4
    canvas = (lay.block_w + 2 * pad, lay.block_h + 2 * pad)
    timeline: list[tuple[float, Moment]] = []  # (from when, what shows), in time order
    n = len(chunk.words)
    for k, w in enumerate(chunk.words):
        start = w.start if timeline else chunk.start
        end = chunk.words[k + 1].start if k + 1 < n else chunk.end
        end = min(max(end, start), chunk.end)
        if end <= start or not runs[k]:
            continue  # nothing to show for this word: what shows stays on
        for at, moment in _moments(p["animation"], k, n, end - start):
            if start + at < end and (not timeline or timeline[-1][1] != moment):
                timeline.append((start + at, moment))
    if not timeline:
        return []
    painter = ChunkPainter(lay.words, p, lay.size, lay.stroke, (lay.block_w, lay.block_h), canvas, pad)
    painted = {m: painter.paint(m) for m in dict.fromkeys(m for _, m in timeline)}
    seen = np.zeros(canvas[::-1], bool)
    for picture in painted.values():
        seen |= picture.alpha > 0
    rows, cols = np.nonzero(seen.any(axis=1))[0], np.nonzero(seen.any(axis=0))[0]
    if not rows.size:
        return []
    m = 2  # transparent margin: nothing is cut at the box edges
    left, top_px = max(0, cols[0] - m), max(0, rows[0] - m)
    right, bottom_px = min(canvas[0], cols[-1] + 1 + m), min(canvas[1], rows[-1] + 1 + m)
    # frame position: block centred horizontally, its middle at style.position of the height, then kept
    # inside the safe zone (which lies inside the frame)
    fx = (width - lay.block_w) // 2 - pad + left
    fy = round(style.position * height - lay.block_h / 2) - pad + top_px
    bw, bh = right - left, bottom_px - top_px
    fx, fy = _fit(fx, bw, 0, width), _fit(fy, bh, top, bottom)
    # crop whatever still sticks out of a too-small frame
    cl, ct = left + max(0, -fx), top_px + max(0, -fy)
    fx, fy = max(0, fx), max(0, fy)
    cr, cb = min(right, cl + width - fx), min(bottom_px, ct + height - fy)
    if cr <= cl or cb <= ct:
        return []
    shapes: dict[bytes, np.ndarray] = {}  # one alpha per distinct shape: most moments of a chunk share it
    crops = {}
    for moment, pic in painted.items():
        alpha = pic.alpha[ct:cb, cl:cr]
        shape = shapes.setdefault(alpha.tobytes(), _readonly(alpha[:, :, None].astype(np.uint16)))
        crops[moment] = (_readonly(pic.rgb[ct:cb, cl:cr]), shape, _readonly(pic.rgba[ct:cb, cl:cr]))
    text = join_words(["".join(t for t, _ in r) for r in runs if r])
    cues: list[CaptionCue] = []
    for i, (at, moment) in enumerate(timeline):
        until = timeline[i + 1][0] if i + 1 < len(timeline) else chunk.end
        rgb, alpha, rgba = crops[moment]
        cues.append(CaptionCue(at + offset, until + offset, int(fx), int(fy), rgb, alpha, text, moment.active, rgba))
    return cues


def build_cues(words: Sequence[WordTiming], style: CaptionStyle | None = None, width: int = 1080,
               height: int = 1920, *, time_offset: float = 0.0) -> list[CaptionCue]:
    """Draw every caption state once: one cue per moment of each chunk (per spoken word, or per step of
    its animation), sorted by time.

    Each cue shows its chunk in ``style.text_color`` with the spoken word in ``style.highlight_color``
    (or popping in, filling, boxed: ``style.animation``), centred, its middle at ``style.position`` of the
    frame height and kept inside the platforms' safe zone; sizes scale with the short side
    (``min(width, height) / 1080``); too-wide chunks wrap to two lines, then shrink.
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
