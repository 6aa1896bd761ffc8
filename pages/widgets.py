"""What only the studio's widgets need: choices they offer, and their values turned into plain data.

Nothing here holds state; ``pages/ui.py`` has the session's studio and the shared page furniture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from viralreel_core.config import CaptionStyle
from viralreel_core.render.caption_draw import build_cues
from viralreel_core.render.caption_preview import burn_captions
from viralreel_core.text.timing import estimate_word_timings

__all__ = ["SHORT_SIDES", "SPEED_SLIDER", "audio_format", "caption_preview", "poster_for", "speed_range",
           "table_rows"]

POSTER_AT = 1.0  # seconds into the video: its opening, with the first caption on screen
POSTER_WIDTH = 540  # sharp enough on a phone's player, small enough to send with the page

#: the video's short side a person can pick (full HD, or quicker renders); the aspect sets the long side
SHORT_SIDES = (1080, 720, 540)
SPEED_SLIDER = (0.5, 2.0)  # the widest the speed slider goes, whatever a voice takes


def speed_range(declared: tuple[float, float] | None) -> tuple[float, float]:
    """The speed slider's range: what the voice declares it takes (``Voice.speed_range``), within 0.5–2.0×."""
    low, high = declared or SPEED_SLIDER
    return max(SPEED_SLIDER[0], float(low)), min(SPEED_SLIDER[1], float(high))


def audio_format(path: str | Path) -> str:
    """The MIME type of an audio file from its first bytes (cache files have no telling suffix)."""
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head[:4] == b"RIFF":
        return "audio/wav"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:4] == b"OggS":
        return "audio/ogg"
    return "audio/mpeg"  # ID3 tag or a bare MPEG frame


def poster_for(video: str | Path, folder: str | Path) -> Path | None:
    """A JPEG of ``video``'s frame ``POSTER_AT`` seconds in, kept in ``folder`` (made once); None if it fails.

    A player shows it before playing: phones draw nothing until then without one."""
    from viralreel_core.errors import ViralReelError
    from viralreel_core.media.ffmpeg import probe
    from viralreel_core.workspace.projects import make_thumbnail

    video = Path(video)
    target = Path(folder) / f"{video.stem}.poster.jpg"
    if target.is_file():
        return target
    try:
        info = probe(video)
        width = min(POSTER_WIDTH, info.width or POSTER_WIDTH)  # never larger than the video: no upscaled blur
        made = make_thumbnail(video, target, at=min(POSTER_AT, info.duration / 2), width=width - width % 2)
    except (ViralReelError, OSError):
        return None
    return made if made.is_file() and made.stat().st_size > 0 else None


def caption_preview(style: CaptionStyle, background: str | Path | None = None, frame: tuple[int, int] = (1080, 1920),
                    text: str = "Your captions look like this", short_side: int = 360) -> np.ndarray:
    """An RGB frame of ``frame``'s shape, ``short_side`` on its short side, showing ``style`` over
    ``background`` (an image file) or a dark gradient."""
    scale = short_side / min(frame)
    width, height = round(frame[0] * scale), round(frame[1] * scale)
    if background:
        from PIL import Image, ImageOps

        with Image.open(background) as image:  # cover-cropped, as the assembler fits a clip
            picture = np.asarray(ImageOps.fit(image.convert("RGB"), (width, height)), dtype=np.uint8).copy()
    else:
        ramp = np.linspace(30, 90, height, dtype=np.uint8)[:, None]
        picture = np.dstack([np.broadcast_to(ramp // 2, (height, width)), np.broadcast_to(ramp // 3, (height, width)),
                           np.broadcast_to(ramp, (height, width))]).astype(np.uint8)
    words = estimate_word_timings(text, 2.0)
    cues = build_cues(words, style, width, height)
    return burn_captions(picture, (words[1].start + words[1].end) / 2 if len(words) > 1 else 0.1, cues)


def table_rows(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """``st.data_editor`` records as the studio's table rows: empty cells (None or NaN) become "" or None,
    scene numbers whole numbers."""
    return [{"uid": _text(r.get("uid")) or None, "scene": _number(r.get("scene")),
             "visuals": _text(r.get("visuals")), "narration": _text(r.get("narration")),
             **({"search": _text(r.get("search"))} if "search" in r else {})} for r in records]


def _text(value: Any) -> str:
    """A table cell as clean text (empty for missing values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _number(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) else None
