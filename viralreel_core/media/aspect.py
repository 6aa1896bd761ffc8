"""Aspect ratios: the one place that turns ``9:16``/``1:1``/``4:5``/``16:9`` into a frame size.

The frame size (``Settings.width``/``height``) stays the one truth every provider and the assembler
read; an aspect is how a person asks for one. ``frame_for`` settles an aspect and an explicit width or
height the same way for the CLI, the HTTP API, batch rows, jobs and the studio:

* an aspect alone gives its standard size, full HD on the short side (16:9 → 1920×1080);
* an aspect with one side gives the other side from the ratio (``--aspect 16:9 --width 1280`` → 1280×720);
* an aspect with both sides must agree with them (a smaller render of that shape), else one clear line;
* no aspect: the sides given, the missing one from the default 9:16.
"""

from __future__ import annotations

import math

from viralreel_core.errors import BadConfiguration

__all__ = ["ASPECTS", "ASPECT_LABELS", "DEFAULT_ASPECT", "SHORT_SIDE", "check_aspect", "frame_size", "frame_for",
           "aspect_of", "nearest_ratio"]

#: name → (width units, height units), in the order the studio offers them
ASPECTS: dict[str, tuple[int, int]] = {"9:16": (9, 16), "1:1": (1, 1), "4:5": (4, 5), "16:9": (16, 9)}
#: how each is shown to people (the studio's picker, the docs)
ASPECT_LABELS = {"9:16": "9:16 vertical · TikTok, Reels, Shorts", "1:1": "1:1 square",
                 "4:5": "4:5 portrait · Instagram feed", "16:9": "16:9 landscape · YouTube"}
DEFAULT_ASPECT = "9:16"
SHORT_SIDE = 1080  # full HD on the short side, as the platforms publish
_TOLERANCE = 0.01  # a width/height within 1% of a ratio is that ratio (even-pixel rounding)


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def check_aspect(aspect: object) -> str:
    """The aspect's canonical name (``"16:9"``; ``16x9``, ``16/9`` and spaces accepted); BadConfiguration otherwise."""
    name = str(aspect or "").strip().lower().replace(" ", "").replace("x", ":").replace("/", ":")
    if name not in ASPECTS:
        raise BadConfiguration(f"There is no aspect ratio {str(aspect)!r}.",
                               hint=f"Use one of {', '.join(ASPECTS)} (width:height).")
    return name


def frame_size(aspect: str, short_side: int = SHORT_SIDE) -> tuple[int, int]:
    """The frame (width, height) of ``aspect`` whose shorter side is ``short_side`` (even sides)."""
    w, h = ASPECTS[check_aspect(aspect)]
    if w <= h:
        return _even(short_side), _even(short_side * h / w)
    return _even(short_side * w / h), _even(short_side)


def aspect_of(width: int, height: int) -> str | None:
    """The named aspect a ``width`` × ``height`` frame has (within 1%), or None for another shape."""
    if width <= 0 or height <= 0:
        return None
    for name, (w, h) in ASPECTS.items():
        if abs(width * h / (height * w) - 1) <= _TOLERANCE:
            return name
    return None


def frame_for(aspect: object = None, width: int | None = None, height: int | None = None,
              default: tuple[int, int] = (SHORT_SIDE, 1920)) -> tuple[int, int]:
    """The frame an aspect and/or explicit sides ask for (rules in the module docstring).

    ``default`` is the frame when nothing is given. BadConfiguration when the aspect is unknown or the
    sides given disagree with it. The result is not yet checked for encodability (``check_frame_size``).
    """
    if aspect in (None, ""):
        if width is None and height is None:
            return default
        w, h = ASPECTS[aspect_of(*default) or DEFAULT_ASPECT]
    else:
        name = check_aspect(aspect)
        w, h = ASPECTS[name]
        if width is None and height is None:
            return frame_size(name)
        if width is not None and height is not None and aspect_of(width, height) != name:
            raise BadConfiguration(f"A {width}×{height} frame is not {name}.",
                                   hint=f"Give the aspect alone ({name} is {'×'.join(map(str, frame_size(name)))}), "
                                        "or only a width or only a height.")
    if width is not None and height is not None:
        return width, height
    if width is not None:
        return width, _even(width * h / w)
    assert height is not None
    return _even(height * w / h), height


def nearest_ratio(width: int, height: int, ratios: list[tuple[int, int]]) -> tuple[int, int]:
    """Of ``ratios`` (width, height pairs), the one closest in shape to ``width`` × ``height``.

    Closeness is measured on the log of the ratio, so 2:1 and 1:2 are equally far from 1:1.
    """
    want = math.log(width / height)
    return min(ratios, key=lambda r: abs(math.log(r[0] / r[1]) - want))
