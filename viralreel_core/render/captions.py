"""Burned-in, word-highlighted captions for vertical short videos.

Everything is drawn once, up front, with Pillow; the per-frame work is a bisect plus an integer
alpha blend over the caption's own small box::

    words = voice.words or estimate_word_timings(narration, voice.duration)
    cues = build_cues(words, settings.captions, settings.width, settings.height)
    clip = clip.transform(caption_transform(cues))          # MoviePy 2: frame -> captioned frame

Pipeline: ``chunk_words`` groups the words into short chunks (1–``max_words`` words, breaking at
sentence ends, commas and pauses), and ``build_cues`` draws one image per (chunk, spoken word):
the chunk's text with the word being spoken in the highlight colour. ``burn_captions`` blends
the cue active at time ``t`` into a frame.

Fonts (``fonts``): picked per word by script (Roboto Black for Latin, Greek, Cyrillic; the Noto face made
for Chinese, Hindi, Arabic…), so a Latin name inside Arabic or Hindi is drawn too. Words of right-to-left
text (Arabic, Hebrew) are laid right to left, each shaped by Pillow's raqm layout; text written without
spaces (Chinese, Japanese, Thai) comes in pieces (``languages.split_words``) set without spaces between
them. Font loading never raises.
"""

from __future__ import annotations

import bisect
import math
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from viralreel_core.config import CaptionStyle
from viralreel_core.errors import BadInput
from viralreel_core.models import VoiceTrack, WordTiming
from viralreel_core.render.colors import parse_color
from viralreel_core.render.fonts import FONT_LOCK as _FONT_LOCK
from viralreel_core.render.fonts import FontSource, font_covers, font_sources, load_font, pick_font_source
from viralreel_core.render.fonts import font_for as _font_for
from viralreel_core.text.languages import is_unspaced, join_words
from viralreel_core.text.timing import ends_clause as _ends_clause
from viralreel_core.text.timing import ends_sentence as _ends_sentence
from viralreel_core.text.timing import estimate_word_timings

if TYPE_CHECKING:
    from viralreel_core.render.fonts import AnyFont

__all__ = [
    "CaptionChunk",
    "CaptionCue",
    "chunk_words",
    "estimate_word_timings",
    "timings_for",
    "build_cues",
    "burn_captions",
    "caption_transform",
    "active_cue",
    "load_font",
    "font_covers",
    "font_sources",
    "parse_color",
]

# --- chunking -----------------------------------------------------------------------------------

#: a gap between two words longer than this (seconds) always ends a chunk
PAUSE_BREAK = 0.35
#: how long a chunk stays on screen after its last word ends, when the next one is not yet due
LINGER = 0.4
#: a word at least this long may stand alone in a chunk without penalty
LONG_WORD = 10
#: chunks longer than this many characters start to cost more (they would wrap or shrink)
CHUNK_CHARS = 18



@dataclass(frozen=True)
class CaptionChunk:
    """A few words shown together, from ``start`` until ``end`` (seconds)."""

    words: tuple[WordTiming, ...]
    start: float
    end: float

    @property
    def text(self) -> str:
        return join_words([w.word for w in self.words])


def _clean_timings(words: Iterable[WordTiming]) -> list[WordTiming]:
    """Words without blanks, with finite, non-decreasing starts and ``end >= start``."""
    out: list[WordTiming] = []
    last_start = 0.0
    for w in words:
        text = str(w.word).strip()
        if not text:
            continue
        start, end = float(w.start), float(w.end)
        if not (math.isfinite(start) and math.isfinite(end)):
            raise BadInput(f"Word timing for {text!r} is not a finite number ({w.start!r}–{w.end!r}).",
                           hint="Re-create the voice-over, or drop its word timings.")
        start = max(start, last_start, 0.0)
        end = max(end, start)
        out.append(WordTiming(text, start, end))
        last_start = start
    return out


def _segments(words: Sequence[WordTiming]) -> list[list[WordTiming]]:
    """Split at the hard boundaries: sentence ends and long pauses."""
    segs: list[list[WordTiming]] = []
    cur: list[WordTiming] = []
    for i, w in enumerate(words):
        cur.append(w)
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is None or _ends_sentence(w.word) or nxt.start - w.end > PAUSE_BREAK:
            segs.append(cur)
            cur = []
    return segs


def _chunk_cost(group: Sequence[WordTiming]) -> float:
    """How bad one chunk is (lower is better); every chunk costs 1 so fuller chunks win."""
    cost = 1.0
    if len(group) == 1:
        word = group[0].word
        if _ends_clause(word) or len(word) >= LONG_WORD:
            cost += 1.0  # "Well," or "incomprehensible" alone is fine
        else:
            cost += 3.0  # a lone short word flashes by
    else:
        cost += 1.5 * sum(_ends_clause(w.word) for w in group[:-1])  # a comma inside the chunk
        cost += 3.0 * sum(len(w.word) >= 2 * LONG_WORD for w in group)  # a very long word with others
    chars = sum(_columns(w.word) for w in group) + len(group) - 1
    cost += 0.25 * max(0, chars - CHUNK_CHARS)
    return cost


def _columns(word: str) -> int:
    """How wide a word is in Latin letters: a Chinese, Japanese or Korean character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in word)


def _split_segment(seg: Sequence[WordTiming], max_words: int) -> list[list[WordTiming]]:
    """The cheapest split of a segment into chunks of 1..max_words words (dynamic programming)."""
    n = len(seg)
    best = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for k in range(1, min(max_words, j) + 1):
            c = best[j - k] + _chunk_cost(seg[j - k:j])
            if c < best[j] - 1e-9:
                best[j], back[j] = c, j - k
    groups: list[list[WordTiming]] = []
    j = n
    while j > 0:
        groups.append(list(seg[back[j]:j]))
        j = back[j]
    return groups[::-1]


def chunk_words(words: Sequence[WordTiming], max_words: int = 3) -> list[CaptionChunk]:
    """Group timed words into caption chunks of 1..``max_words`` words.

    Chunks always break at sentence ends (. ! ?) and at pauses longer than ``PAUSE_BREAK``; within
    a sentence the split prefers breaks after commas, balanced sizes (2+2 rather than 3+1) and no
    lone short words. A chunk is shown from its first word's start until the next chunk starts,
    but at most ``LINGER`` seconds past its last word's end, so captions vanish in long pauses.
    """
    if int(max_words) < 1:
        raise BadInput(f"Captions need at least one word per chunk (got max_words={max_words}).")
    clean = _clean_timings(words)
    groups = [g for seg in _segments(clean) for g in _split_segment(seg, int(max_words))]
    chunks: list[CaptionChunk] = []
    for i, g in enumerate(groups):
        limit = g[-1].end + LINGER
        if i + 1 < len(groups):
            limit = min(limit, groups[i + 1][0].start)
        chunks.append(CaptionChunk(tuple(g), g[0].start, max(limit, g[0].start)))
    return chunks


# --- estimated timings ----------------------------------------------------------------------------

def timings_for(voice: VoiceTrack, narration: str) -> list[WordTiming]:
    """The voice's own word timings, or timings estimated from the narration and the voice's length."""
    if voice.words:
        return list(voice.words)
    return estimate_word_timings(narration, voice.duration)


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


# --- per frame ------------------------------------------------------------------------------------

def _cue_start(cue: CaptionCue) -> float:
    return cue.start


def active_cue(cues: Sequence[CaptionCue], t: float) -> CaptionCue | None:
    """The cue shown at time ``t`` (``start <= t < end``), from cues sorted by start; O(log n)."""
    i = bisect.bisect_right(cues, t, key=_cue_start) - 1
    if i >= 0:
        cue = cues[i]
        if t < cue.end:
            return cue
    return None


_blend_cache: OrderedDict[int, tuple[CaptionCue, np.ndarray, np.ndarray]] = OrderedDict()
_BLEND_LOCK = threading.Lock()


def _blend_terms(cue: CaptionCue) -> tuple[np.ndarray, np.ndarray]:
    """(rgb·alpha + 128, 255 − alpha) as uint16 for the few most recent cues (kept small on purpose)."""
    with _BLEND_LOCK:
        hit = _blend_cache.get(id(cue))
        if hit is not None and hit[0] is cue:
            _blend_cache.move_to_end(id(cue))
            return hit[1], hit[2]
    premul = cue.rgb.astype(np.uint16)
    premul *= cue.alpha
    premul += 128
    inv = np.ascontiguousarray(np.broadcast_to(255 - cue.alpha, premul.shape))  # 4× faster than (h,w,1)
    with _BLEND_LOCK:
        _blend_cache[id(cue)] = (cue, premul, inv)
        while len(_blend_cache) > 8:
            _blend_cache.popitem(last=False)
    return premul, inv


def burn_captions(frame: np.ndarray, t: float, cues: Sequence[CaptionCue], *,
                  inplace: bool = False) -> np.ndarray:
    """The frame with the cue active at ``t`` blended in; ``frame`` itself when no cue is active.

    Only the cue's box is touched, with integer math (exact ``round((src·a + dst·(255−a)) / 255)``).
    The input is copied first unless ``inplace`` is true and it is writable, so MoviePy's cached or
    read-only frames are never changed. Frames may be H×W×3 or H×W×4 (alpha left as is); frames
    that are not uint8 are converted.
    """
    cue = active_cue(cues, t) if cues else None
    if cue is None:
        return frame
    if frame.dtype != np.uint8:
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    elif not (inplace and frame.flags.writeable):
        frame = frame.copy()
    fh, fw = frame.shape[:2]
    x0, y0 = max(0, cue.x), max(0, cue.y)
    x1, y1 = min(fw, cue.x + cue.width), min(fh, cue.y + cue.height)
    if x1 <= x0 or y1 <= y0:
        return frame
    premul, inv = _blend_terms(cue)
    sy, sx = slice(y0 - cue.y, y1 - cue.y), slice(x0 - cue.x, x1 - cue.x)
    region = frame[y0:y1, x0:x1, :3]
    acc = region.astype(np.uint16)
    acc *= inv[sy, sx]
    acc += premul[sy, sx]
    acc += acc >> 8
    acc >>= 8
    region[...] = acc
    return frame


def caption_transform(cues: Sequence[CaptionCue]) -> Callable[[Callable[[float], np.ndarray], float],
                                                                 np.ndarray]:
    """A MoviePy 2 ``clip.transform`` function that burns ``cues`` into every frame."""
    cues = list(cues)

    def _burn(get_frame: Callable[[float], np.ndarray], t: float) -> np.ndarray:
        return burn_captions(get_frame(t), t, cues)

    return _burn

