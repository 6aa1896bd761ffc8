"""The named caption styles people choose, each a complete look, and the one check of a style's values.

A preset is a whole ``CaptionStyle`` (font, size, colours, position, animation); the studio's controls, an
API job's ``captions`` object or nothing at all then adjust it::

    style = caption_style("karaoke")                          # the preset as it is
    style = caption_style("boxed", {"highlight_color": "#0AF"})  # adjusted
    check_style(style)                                        # BadInput, one line, for a bad value

Every preset keeps its captions inside the platforms' safe zone (``SAFE_TOP`` … ``SAFE_BOTTOM`` of the
height: TikTok's and Shorts' buttons and texts cover the top ~12 % and bottom ~20 %); ``caption_draw``
keeps any style's drawn box there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

from viralreel_core.config import CaptionStyle
from viralreel_core.errors import BadInput
from viralreel_core.render.colors import parse_color

__all__ = ["ANIMATIONS", "ANIMATION_LABELS", "FONT_WEIGHTS", "POP_SCALES", "PRESETS", "PRESET_LABELS", "SAFE_TOP",
           "SAFE_BOTTOM", "caption_style", "check_style", "preset_names"]

SAFE_TOP, SAFE_BOTTOM = 0.12, 0.80  # of the frame height: captions stay between these
ANIMATIONS = ("highlight", "pop", "karaoke", "word-box")
ANIMATION_LABELS = {"highlight": "Its colour", "pop": "Pop-in, word by word", "karaoke": "Karaoke fill",
                    "word-box": "A box behind it"}
FONT_WEIGHTS = ("black", "bold", "medium")
#: a popping word's sizes, one frame each, before it settles at 1: it appears smaller and grows in (one
#: frame: a second, overshooting one cost a third more caption images for a 33 ms difference); part of
#: the segment cache key of a "pop" style
POP_SCALES = (0.6,)

PRESETS: dict[str, CaptionStyle] = {
    # the look captions always had: bold white capitals in a black outline, the spoken word yellow
    "classic": CaptionStyle(),
    # big capitals that pop in word by word as they are spoken, the newest one green
    "pop": CaptionStyle(preset="pop", font_size=100, highlight_color="#3DFF8B", stroke_width=8, position=0.62,
                        max_words=3, animation="pop", shadow=True),
    # the chunk in white, each word filled with pink from left to right while it is spoken
    "karaoke": CaptionStyle(preset="karaoke", font_size=84, highlight_color="#FF4FD8", stroke_width=6,
                            position=0.66, max_words=4, uppercase=False, animation="karaoke"),
    # dark bold text on a white rounded box, the spoken word red (the platforms' own text style)
    "boxed": CaptionStyle(preset="boxed", font_size=74, text_color="#111111", highlight_color="#E8243C",
                          stroke_width=0, position=0.66, max_words=4, uppercase=False, font_weight="bold",
                          box_color="#FFFFFF", box_opacity=0.94),
    # quiet sentence-case lines on a translucent band, low in the frame but above the platforms' buttons
    "lower-third": CaptionStyle(preset="lower-third", font_size=60, highlight_color="#FFE08A", stroke_width=0,
                                position=0.75, max_words=5, uppercase=False, font_weight="medium",
                                box_color="#000000", box_opacity=0.55),
    # capitals with a purple box jumping from word to word as each is spoken
    "word-box": CaptionStyle(preset="word-box", font_size=92, highlight_color="#7C3AED", stroke_width=6,
                             position=0.64, max_words=3, animation="word-box"),
}
PRESET_LABELS = {"classic": "Outline classic", "pop": "Bold pop-in", "karaoke": "Karaoke fill",
                 "boxed": "Boxed", "lower-third": "Clean lower third", "word-box": "Word box"}


def preset_names() -> tuple[str, ...]:
    return tuple(PRESETS)


def caption_style(name: str | None = None, changes: Mapping[str, Any] | None = None) -> CaptionStyle:
    """The preset called ``name`` (the default's when None), with ``changes`` to its fields; BadInput for an
    unknown preset or field name, or a bad value."""
    key = str(name or "classic").strip().lower()
    if key not in PRESETS:
        raise BadInput(f"There is no caption style called {name!r}.",
                       hint=f"Caption styles are: {', '.join(PRESETS)}.")
    style = PRESETS[key] if changes is None else _changed(PRESETS[key], changes)
    return check_style(replace(style, preset=key))


def _changed(style: CaptionStyle, changes: Mapping[str, Any]) -> CaptionStyle:
    names = {f.name for f in fields(CaptionStyle)}
    if not isinstance(changes, Mapping) or set(changes) - names:
        raise BadInput("captions must be an object of caption settings.",
                       hint=f"Use any of: {', '.join(sorted(names))}.")
    return replace(style, **{k: v for k, v in changes.items() if k != "preset"})


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_style(style: CaptionStyle) -> CaptionStyle:
    """``style`` if every value is usable, else BadInput naming the first bad one (checked before a render)."""
    checks = (
        (_number(style.font_size) and style.font_size > 0,
         f"Caption font size must be positive (got {style.font_size!r})."),
        (_number(style.stroke_width) and style.stroke_width >= 0,
         f"Caption outline width must be 0 or more (got {style.stroke_width!r})."),
        (_number(style.position) and 0.0 <= style.position <= 1.0,
         f"Caption position must be between 0 and 1 (got {style.position!r})."),
        (isinstance(style.max_words, int) and not isinstance(style.max_words, bool) and style.max_words >= 1,
         f"Captions need at least one word per chunk (got max_words={style.max_words!r})."),
        (style.animation in ANIMATIONS,
         f"Caption animation must be one of {', '.join(ANIMATIONS)} (got {style.animation!r})."),
        (style.font_weight in FONT_WEIGHTS,
         f"Caption font weight must be one of {', '.join(FONT_WEIGHTS)} (got {style.font_weight!r})."),
        (_number(style.box_opacity) and 0.0 <= style.box_opacity <= 1.0,
         f"Caption box opacity must be between 0 and 1 (got {style.box_opacity!r})."),
    )
    for ok, message in checks:
        if not ok:
            raise BadInput(message)
    parse_color(style.text_color, "caption text colour")
    parse_color(style.highlight_color, "caption highlight colour")
    parse_color(style.stroke_color, "caption outline colour")
    if style.box_color:
        parse_color(style.box_color, "caption box colour")
    return style
