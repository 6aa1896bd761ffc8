"""The title card: the video's title over its first scene's opening, so frame 0 says what the video is.

A player's poster, a project's thumbnail and a feed's first frame all show the opening; without a title
they show a picture that could be any video. The card is a darkened band across the upper middle with
the title in it (wrapped, sized and drawn as the post kit's cover draws it, ``post.cover.title_block``), laid over the
first segment's first ``TITLE_SECONDS`` by ffmpeg and faded out; the first scene plays under it and the
captions stay on top::

    card = write_title_card("Why volcanoes erupt", 1080, 1920, folder)   # a PNG of the band, and where it sits
    image, top = title_card_image("Why volcanoes erupt", 1080, 1920)     # the same, in memory
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from viralreel_core.post.cover import title_block
from viralreel_core.render.fonts import FONT_LOCK

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["TitleCard", "title_card_image", "write_title_card", "TITLE_SECONDS", "TITLE_FADE", "TITLE_CENTER"]

TITLE_SECONDS = 1.5  # how long the title is on screen, its fade included (a poster 1 s in still shows it whole)
TITLE_FADE = 0.3  # seconds it takes to fade out
TITLE_CENTER = 0.45  # the band's middle, of the height: above the captions, over where a clip's subject sits
BAND_ALPHA = 210  # how dark the band is at its middle (of 255): what the scene sets large stays behind it


@dataclass(frozen=True)
class TitleCard:
    """The card's PNG (the band only, full width) and the row its top sits on."""

    path: Path
    y: int


def title_card_image(title: str, width: int, height: int) -> tuple[Image.Image, int]:
    """The band with ``title`` drawn in it (RGBA, ``width`` wide) and the row of the frame its top goes on."""
    from PIL import Image, ImageDraw

    with FONT_LOCK:
        text = title_block(title, width, height)
        pad = round(text.size * 0.9)
        band_h = text.height + 2 * pad
        top = min(max(0, round(height * TITLE_CENTER - band_h / 2)), max(0, height - band_h))
        # the band: darkest behind the words, fading out above and below, so it sits on any picture
        shade = Image.new("L", (1, band_h), 0)
        for y in range(band_h):
            edge = min(y, band_h - 1 - y)
            shade.putpixel((0, y), min(BAND_ALPHA, BAND_ALPHA * edge // max(1, pad // 2)))
        band = Image.new("RGBA", (width, band_h), (0, 0, 0, 0))
        band.putalpha(shade.resize((width, band_h)))
        text.draw(ImageDraw.Draw(band), width / 2, pad, (255, 255, 255, 255), (0, 0, 0, 255))
    return band, top


def write_title_card(title: str, width: int, height: int, folder: Path) -> TitleCard | None:
    """The card for ``title`` as a PNG in ``folder``; None for an empty title."""
    if not str(title or "").strip():
        return None
    image, top = title_card_image(" ".join(str(title).split()), width, height)
    path = Path(folder) / "title_card.png"
    image.save(path, compress_level=1)
    return TitleCard(path, top)
