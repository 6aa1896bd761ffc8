"""The cover image (title card): the video's title drawn large over a frame of its first scene, as a JPEG
of the video's own size.

The frame comes from the first scene's clip, scaled to cover the frame and cropped to its middle as the
render does (without the burned-in captions, which would fight the title); the title is wrapped into
at most ``MAX_LINES`` balanced lines in the font made for its script (Arabic shaped, right to left),
white with a dark outline over a darkened band, in the lower middle (where the captions go: an offline
clip sets its key words large in the upper middle)::

    frame = cover_frame(clip, 1080, 1920, work / "frame.jpg")
    draw_cover(frame, "Why volcanoes erupt", out_dir / "viralreel_….jpg")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from viralreel_core.errors import AssemblyError
from viralreel_core.media.ffmpeg import run_ffmpeg
from viralreel_core.media.files import atomic_path
from viralreel_core.models import Clip
from viralreel_core.render.fonts import FONT_LOCK, load_font
from viralreel_core.text.languages import join_words, split_words

__all__ = ["cover_frame", "draw_cover", "title_block", "wrap_title", "TitleBlock", "MAX_LINES", "JPEG_QUALITY"]

MAX_LINES = 4
JPEG_QUALITY = 90
TITLE_SIZE = 0.11  # of the frame's short side, before shrinking to fit
TEXT_WIDTH = 0.86  # of the frame's width
TITLE_CENTER = 0.68  # the title's middle, of the height: where captions go, so clear of what the clip shows large
FRAME_AT = 1 / 3  # how far into the clip the frame is taken (past a slow start, well before its end)


def cover_frame(clip: Clip, width: int, height: int, out_path: Path) -> Path:
    """One frame of ``clip`` at ``width``×``height``: scaled to cover, cropped to the middle (as the render
    fits it); AssemblyError when ffmpeg cannot read it."""
    at = max(0.0, clip.duration * FRAME_AT)
    fit = (f"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic,"
           f"crop={width}:{height},setsar=1")
    with atomic_path(out_path) as partial:
        run_ffmpeg(["-ss", f"{at:.3f}", "-i", clip.video_path, "-frames:v", "1", "-vf", fit, "-q:v", "2",
                    str(partial)], what="take the cover's frame from the first scene", timeout=60)
        if not partial.is_file() or partial.stat().st_size == 0:
            raise AssemblyError("The first scene's clip gave no frame for the cover.",
                                hint="Make or upload the first scene's clip again.")
    return out_path


def _balanced(words: list[str], widths: list[float], gap: float, max_w: float, lines: int) -> list[list[str]] | None:
    """``words`` in ``lines`` lines, each within ``max_w``, the widest as narrow as can be (None: no fit)."""
    n = len(words)

    def width(i: int, j: int) -> float:
        return sum(widths[i:j]) + gap * (j - i - 1)

    best: tuple[float, list[list[str]]] | None = None

    def place(i: int, left: int, taken: list[list[str]], widest: float) -> None:
        nonlocal best
        if left == 1:
            w = width(i, n)
            if w <= max_w and (best is None or max(widest, w) < best[0]):
                best = (max(widest, w), [*taken, words[i:n]])
            return
        for j in range(i + 1, n - left + 2):
            w = width(i, j)
            if w > max_w:
                break
            place(j, left - 1, [*taken, words[i:j]], max(widest, w))

    place(0, min(lines, n), [], 0.0)
    return best[1] if best else None


def wrap_title(title: str, width: int, height: int) -> tuple[list[str], int]:
    """The title's lines and font size for a ``width``×``height`` cover: the largest size (from
    ``TITLE_SIZE`` of the short side down) at which it fits ``MAX_LINES`` lines of ``TEXT_WIDTH``."""
    words = split_words(title) or [title]
    size = max(12, round(min(width, height) * TITLE_SIZE))
    max_w = width * TEXT_WIDTH
    while True:
        font = load_font(size, title)
        widths = [float(font.getlength(w)) for w in words]
        gap = float(font.getlength(" "))
        for count in range(1, min(MAX_LINES, len(words)) + 1):
            if sum(widths) + gap * (len(words) - 1) > max_w * count:
                continue  # cannot fit in so few lines
            lines = _balanced(words, widths, gap, max_w, count)
            if lines:
                return [join_words(line) for line in lines], size
        if size <= 12:
            return [join_words(words)], size
        size = max(12, int(size * 0.9))


@dataclass(frozen=True)
class TitleBlock:
    """A title wrapped and set for a frame (``title_block``): its lines, their size and font, where the first
    baseline sits below the block's top (``ascent``) and the distance between baselines (``pitch``)."""

    lines: list[str]
    size: int
    font: Any
    ascent: int
    pitch: int

    @property
    def height(self) -> int:
        return self.pitch * len(self.lines)

    def draw(self, draw: Any, centre_x: float, top: float, fill: tuple[int, ...], outline: tuple[int, ...]) -> None:
        """The lines centred on ``centre_x`` from ``top`` down, white on a dark outline that reads on any picture."""
        stroke = max(1, self.size // 14)
        for i, line in enumerate(self.lines):
            draw.text((centre_x, top + i * self.pitch + self.ascent), line, font=self.font, fill=fill, anchor="ms",
                      stroke_width=stroke, stroke_fill=outline)


def title_block(title: str, width: int, height: int) -> TitleBlock:
    """``title`` wrapped to a ``width``×``height`` frame (``wrap_title``) in its font; call it, and draw, under
    ``FONT_LOCK`` (the cover and the video's title card both set their title so)."""
    lines, size = wrap_title(title, width, height)
    font = load_font(size, title)
    ascent, descent = font.getmetrics() if hasattr(font, "getmetrics") else (size, size // 4)
    return TitleBlock(lines, size, font, ascent, round((ascent + descent) * 1.08))


def draw_cover(frame: Path, title: str, out_path: Path) -> Path:
    """Draw ``title`` over the picture ``frame`` and write it to ``out_path`` as a JPEG (atomically)."""
    from PIL import Image, ImageDraw

    with Image.open(frame) as opened:
        image = opened.convert("RGB")
    width, height = image.size
    with FONT_LOCK:
        text = title_block(title, width, height)
        size, block = text.size, text.height
        margin = round(min(width, height) * 0.04)
        top = min(max(margin, round(height * TITLE_CENTER - block / 2)), height - block - margin)
        # a darkened band behind the words, fading out above and below: the title reads on any picture
        shade = Image.new("L", (1, height), 0)
        pad = round(size * 1.2)
        for y in range(height):
            inside = top - pad <= y <= top + block + pad
            edge = min(abs(y - (top - pad)), abs(y - (top + block + pad)))
            shade.putpixel((0, y), 150 if inside else max(0, 150 - edge * 150 // max(1, pad)))
        image.paste((0, 0, 0), (0, 0, width, height), shade.resize((width, height)))
        text.draw(ImageDraw.Draw(image), width / 2, top, (255, 255, 255), (0, 0, 0))
    with atomic_path(out_path) as partial:
        image.save(partial, "JPEG", quality=JPEG_QUALITY)
    return out_path
