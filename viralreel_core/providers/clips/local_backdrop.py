"""The moving background of an offline clip: a palette from the scene's words, drawn by ffmpeg lavfi filters.

Everything the background looks like is derived from a text (the scene's visuals and narration), so the
same text always gives the same picture and different scenes look different:

* the palette comes from the colours the visuals name ("deep purple and starlight silver tones"), else
  from mood words among the scene's subject words ("ocean", "sunset", "forest"…; never a style word
  such as "rich" or "cinematic"), else from a hash of the text;
* the gradient shape, its rotation speed, the soft shapes drifting over it and the camera move (slow
  zoom in or out, pan, drift, gentle hue sway) come from that hash.

The motion is drawn at a low internal resolution (at most ``INTERNAL_MAX_PIXELS``, 270x480 for a
1080x1920 clip: the pictures are smooth gradients and blurred shapes) and scaled up once at the end::

    gradients (animated, rotating colour gradient)
      -> drawbox x 3 per shape (nested semi-transparent boxes on Lissajous paths, 2-4 shapes)
      -> gblur (boxes become soft blobs, gradient banding is smoothed)
      -> perspective, evaluated per frame (sub-pixel slow zoom / pan: no zoompan jitter)
      -> hue (optional gentle sway) -> vignette -> scale to the output size -> yuv420p
"""

from __future__ import annotations

import colorsys
import hashlib
import math
import re
from dataclasses import dataclass
from typing import Any

from viralreel_core.providers.clips.scene_words import named_colours, spoken_text, subject_text
from viralreel_core.render.colors import parse_color

__all__ = ["ClipStyle", "Bits", "style_for", "palette_for", "build_filtergraph", "even", "luma", "MOTIONS", "Color"]

INTERNAL_MAX_PIXELS = 270 * 480  # the motion is drawn at most this big (1/4 of 1080x1920), then scaled up

Color = tuple[int, int, int]

# mood -> (keywords, palette from dark to light). Keywords of 5+ letters also match as prefixes
# ("flames", "oceanic"); any keyword matches with a plural "s".
_MOODS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "ocean": (frozenset("""ocean sea water wave beach underwater river lake rain blue marine whale dolphin
                           surf aqua sky cloud cloudy lagoon tide harbor harbour boat sail navy""".split()),
              ("#021630", "#0A4A86", "#1780C2", "#3FB8E6", "#9FE3F5")),
    "fire": (frozenset("""fire flame sunset sunrise lava volcano burn burning heat hot red orange explosion
                          ember blaze inferno spicy dusk""".split()),
             ("#2A0804", "#8C190C", "#DD4115", "#FF8A1C", "#FFC55A")),
    "forest": (frozenset("""forest nature tree jungle leaf leaves green garden plant grass meadow park spring
                            eco moss valley farm hike hiking wild wildlife""".split()),
               ("#0A2313", "#1B5A2C", "#3C8E39", "#86C248", "#D2E29A")),
    "night": (frozenset("""night space galaxy star universe cosmos cosmic moon dark planet astronaut midnight
                           mystery mysterious shadow horror purple dream nebula alien ghost""".split()),
              ("#05030F", "#150D3C", "#2F1B6E", "#5C2C9E", "#1A2F6B")),
    "tech": (frozenset("""tech technology ai robot neon city cyber cyberpunk digital computer code coding data
                          future futuristic circuit hologram screen phone app internet virtual matrix
                          software startup gaming game""".split()),
             ("#07071C", "#3A0CA3", "#00D9F5", "#F000C0", "#00F5A0")),
    "gold": (frozenset("""gold golden money cash wealth rich coin luxury treasure crypto bitcoin dollar
                          finance invest investing stock yellow honey profit""".split()),
             ("#1A1104", "#6B4C0A", "#C8922A", "#F3C443", "#FFF0B0")),
    "love": (frozenset("""love heart romance romantic pink rose valentine kiss wedding flower blossom cherry
                          beauty cute""".split()),
             ("#3A0A22", "#A8164C", "#F24C86", "#FF9CC2", "#FFD6E6")),
    "earth": (frozenset("""desert sand dune ancient egypt pyramid canyon brown coffee wood wooden rock history
                           historic dust autumn fall rustic""".split()),
              ("#2E1B0E", "#7A4520", "#B8733A", "#DDA86A", "#F2D9A8")),
    "ice": (frozenset("""ice snow winter frozen glacier arctic cold frost white polar crystal""".split()),
            ("#1E3550", "#4F7FAF", "#86B9E3", "#C4E3F8", "#F2FAFF")),
    "sunny": (frozenset("""sun sunny summer happy joy party celebration bright fun smile vacation""".split()),
              ("#0E5A8A", "#2BA3D8", "#FFD23F", "#FF9F1C", "#FFF3C4")),
}
_DEFAULT_PALETTE = ("#0B1026", "#23305E", "#4A4E9C", "#8A6FC8", "#D6B4F0")  # empty visuals: calm indigo
_GRADIENT_TYPES = ("linear", "linear", "linear", "radial", "radial", "radial", "circular")
MOTIONS = ("zoom_in", "zoom_out", "pan_up", "pan_down", "pan_left", "pan_right", "drift")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class ClipStyle:
    """Everything that decides how a clip looks, derived from its visuals text alone."""

    palette: tuple[Color, ...]  # gradient colours, dark to light
    mood: str  # the matched mood, or "hash" / "default"
    gradient_type: str
    gradient_geometry: tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the frame
    gradient_seed: int
    rotation: float  # radians per second the gradient turns
    motion: str  # one of MOTIONS
    travel: float  # how far the camera moves: zoom amount or pan distance, as a fraction of the frame
    hue_sway: float  # degrees of gentle hue swing (0: none)
    # per shape: size, path centre cx cy, amplitudes ax ay, speeds wx wy, phase, alpha, which light colour
    shapes: tuple[tuple[float, ...], ...]


class Bits:
    """Deterministic numbers drawn from a text's SHA-256 (extended by re-hashing when used up)."""

    def __init__(self, text: str) -> None:
        self._seed = hashlib.sha256(text.encode("utf-8")).digest()
        self._pool = b""
        self._round = 0

    def unit(self) -> float:
        """A float in [0, 1)."""
        if len(self._pool) < 4:
            self._pool += hashlib.sha256(self._seed + self._round.to_bytes(4, "big")).digest()
            self._round += 1
        value, self._pool = int.from_bytes(self._pool[:4], "big"), self._pool[4:]
        return value / 2**32

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.unit()

    def choice(self, options: tuple[Any, ...]) -> Any:
        return options[int(self.unit() * len(options))]

    def seed(self) -> int:
        return int(self.unit() * 2**31)


def _normalize(visuals: str) -> str:
    return " ".join(str(visuals or "").lower().split())


def _matches(token: str, keyword: str) -> bool:
    return (token == keyword or (token.endswith("s") and token[:-1] == keyword)
            or (len(keyword) >= 5 and token.startswith(keyword)))


def _moods_in(text: str) -> list[str]:
    """The moods the text's words name, most often named first (ties: first named first)."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for position, token in enumerate(_WORD.findall(text)):
        for mood, (keywords, _) in _MOODS.items():
            if any(_matches(token, keyword) for keyword in keywords):
                counts[mood] = counts.get(mood, 0) + 1
                first.setdefault(mood, position)
    return sorted(counts, key=lambda mood: (-counts[mood], first[mood]))


def _jitter(color: Color, bits: Bits, hue_deg: float, value: float) -> Color:
    """``color`` with its hue and brightness nudged a little (so two ocean scenes are not identical)."""
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in color))
    h = (h + bits.between(-hue_deg, hue_deg) / 360) % 1.0
    v = min(1.0, max(0.0, v * (1 + bits.between(-value, value))))
    return tuple(round(c * 255) for c in colorsys.hsv_to_rgb(h, s, v))  # type: ignore[return-value]


def _hash_palette(bits: Bits) -> tuple[Color, ...]:
    """Five colours, dark to light, around a hue chosen by the hash in a colour scheme chosen by it."""
    base = bits.unit()
    offsets = bits.choice(((0, 0.06, 0.12, 0.18), (0, 0.5, 0.08, 0.55), (0, 0.33, 0.66, 0.1),
                           (0, -0.08, 0.08, 0.45)))
    saturation = bits.between(0.55, 0.85)
    shades = ((offsets[0], saturation, 0.16), (offsets[1], saturation, 0.42), (offsets[2], saturation, 0.68),
              (offsets[3], saturation * 0.8, 0.88), (offsets[0], saturation * 0.45, 0.97))
    return tuple(tuple(round(c * 255) for c in colorsys.hsv_to_rgb((base + dh) % 1.0, s, v))  # type: ignore[misc]
                 for dh, s, v in shades)


def _named_palette(named: list[Color], bits: Bits) -> tuple[Color, ...]:
    """Five colours, dark to light, from the colours the visuals name (the first is the scene's own)."""
    def hsv(color: Color) -> tuple[float, float, float]:
        return colorsys.rgb_to_hsv(*(c / 255 for c in color))

    def make(h: float, s: float, v: float) -> Color:
        return tuple(round(c * 255) for c in colorsys.hsv_to_rgb(h % 1.0, min(1.0, s), min(1.0, v)))  # type: ignore

    def tinted(color: tuple[float, float, float]) -> tuple[float, float, float]:
        # a near-grey colour ("silver", "cream") takes the first colour's hue, so the palette stays one look
        return color if color[1] >= 0.2 else (first[0], max(color[1], 0.22), color[2])

    first = hsv(named[0])
    if first[1] < 0.2:
        first = (bits.unit(), 0.3, first[2])
    step = bits.choice((-1, 1)) * bits.between(0.03, 0.08)
    second = tinted(hsv(named[1])) if len(named) > 1 else ((first[0] + step) % 1.0, first[1], first[2])
    third = tinted(hsv(named[2])) if len(named) > 2 else second
    # mid-dark on the whole: white words and captions must read over any of it
    return (make(first[0], first[1] * 1.05, 0.2), make(first[0], first[1], 0.4), make(second[0], second[1], 0.6),
            make(third[0], third[1] * 0.85, 0.75), make(third[0], third[1] * 0.45, 0.88))


def palette_for(visuals: str, narration: str = "") -> tuple[str, tuple[Color, ...]]:
    """The mood and palette, dark to light, for a scene: ``"named"`` from the colours its visuals name
    ("deep purple and starlight silver tones"), else a mood its subject words suggest (never a style
    word: "rich cinematic lighting" is not money), else ``"hash"`` / ``"default"``."""
    text = _normalize(visuals)
    bits = Bits("palette:" + text)
    if not text and not narration.strip():
        return "default", tuple(parse_color(c) for c in _DEFAULT_PALETTE)
    named = named_colours(text)
    if named:
        return "named", _named_palette(named, bits)
    moods = _moods_in(f"{subject_text(text)} {spoken_text(narration).lower()}")
    if not moods:
        return "hash", _hash_palette(bits)
    colors = [_jitter(parse_color(c), bits, 8, 0.1) for c in _MOODS[moods[0]][1]]
    if len(moods) > 1:  # a second mood lends its signature colour: "ocean at sunset"
        colors[3] = _jitter(parse_color(_MOODS[moods[1]][1][3]), bits, 6, 0.1)
    return moods[0], tuple(colors)


def style_for(visuals: str, narration: str = "") -> ClipStyle:
    """The whole look of the clip for a scene's visuals and narration (pure: same words, same style)."""
    mood, palette = palette_for(visuals, narration)
    bits = Bits("style:" + _normalize(f"{visuals} {narration}"))
    gradient_type = bits.choice(_GRADIENT_TYPES)
    if gradient_type == "radial":  # a glow: the light colours in the middle, the dark ones around it
        palette = palette[::-1]
    angle = bits.between(0, 2 * math.pi)
    if gradient_type == "linear":  # across the frame through its centre, at any angle
        dx, dy = 0.45 * math.cos(angle), 0.45 * math.sin(angle)
        geometry = (0.5 - dx, 0.5 - dy, 0.5 + dx, 0.5 + dy)
    else:  # centred off the middle, so turning makes it orbit; radial reaches most of the frame
        ox, oy = 0.5 + 0.28 * math.cos(angle), 0.5 + 0.22 * math.sin(angle)
        reach = bits.between(0.8, 1.0)
        far_x, far_y = (0.0 if ox > 0.5 else 1.0), (0.0 if oy > 0.5 else 1.0)
        geometry = (ox, oy, ox + reach * (far_x - ox), oy + reach * (far_y - oy))
    motion = bits.choice(MOTIONS)
    travel = bits.between(0.10, 0.18) if motion.startswith("zoom") else bits.between(0.12, 0.2)
    shapes = []
    for _ in range(2 + int(bits.unit() * 3)):  # 2 to 4 soft shapes
        shapes.append((bits.between(0.16, 0.36),  # size, fraction of the shorter side
                       bits.between(0.25, 0.75), bits.between(0.2, 0.8),  # centre of its path
                       bits.between(0.12, 0.3), bits.between(0.08, 0.25),  # path amplitudes
                       bits.between(0.3, 0.8), bits.between(0.25, 0.7),  # angular speeds, rad/s
                       bits.between(0, 2 * math.pi),  # phase
                       bits.between(0.4, 0.7),  # opacity in the middle
                       float(int(bits.unit() * 2))))  # which of the two lightest colours
    return ClipStyle(
        palette=palette,
        mood=mood,
        gradient_type=gradient_type,
        gradient_geometry=geometry,
        gradient_seed=bits.seed(),
        rotation=bits.between(0.2, 0.4) if gradient_type == "linear" else bits.between(0.3, 0.55),
        motion=motion,
        travel=travel,
        hue_sway=bits.between(5, 10) if bits.unit() < 0.3 else 0.0,
        shapes=tuple(shapes),
    )


def even(value: float) -> int:
    """``value`` rounded down to an even number (yuv420p needs even sizes), at least 2."""
    return max(2, int(value) // 2 * 2)


def luma(color: Color) -> float:
    return 0.299 * color[0] + 0.587 * color[1] + 0.114 * color[2]


def _color(color: Color) -> str:
    return "0x{:02X}{:02X}{:02X}".format(*color)


def _camera(style: ClipStyle, frames: int) -> str:
    """The perspective filter's corners: the source window the frame shows, moving with the frame number."""
    p = f"(on/{max(1, frames - 1)})"  # progress 0 -> 1 over the clip
    m = style.travel
    if style.motion == "zoom_in":
        scale, cx, cy = f"(1-{m:.4f}*{p})", "0.5", "0.5"
    elif style.motion == "zoom_out":
        scale, cx, cy = f"(1-{m:.4f}*(1-{p}))", "0.5", "0.5"
    else:
        scale = f"{1 - m:.4f}"
        half = m / 2
        dx, dy = {"pan_up": (0, -1), "pan_down": (0, 1), "pan_left": (-1, 0), "pan_right": (1, 0),
                  "drift": (0.7, -0.7)}[style.motion]
        cx = f"(0.5+{dx * half:.4f}*(2*{p}-1))"
        cy = f"(0.5+{dy * half:.4f}*(2*{p}-1))"
    left, right = f"W*({cx}-{scale}/2)", f"W*({cx}+{scale}/2)"
    top, bottom = f"H*({cy}-{scale}/2)", f"H*({cy}+{scale}/2)"
    return (f"perspective=x0='{left}':y0='{top}':x1='{right}':y1='{top}':"
            f"x2='{left}':y2='{bottom}':x3='{right}':y3='{bottom}':eval=frame:interpolation=linear")


def build_filtergraph(style: ClipStyle, width: int, height: int, fps: int, frames: int) -> str:
    """The one lavfi graph that draws the clip (``width`` x ``height``, ``frames`` frames at ``fps``)."""
    factor = max(1.0, math.sqrt(width * height / INTERNAL_MAX_PIXELS))
    iw, ih = even(width / factor), even(height / factor)
    short = min(iw, ih)
    duration = frames / fps
    colors = ":".join(f"c{i}={_color(c)}" for i, c in enumerate(style.palette))
    speed = min(1.0, abs(style.rotation) / fps)  # gradients turns by ``speed`` radians per frame
    # gradients only takes points inside the frame (else it picks random ones)
    x0, y0, x1, y1 = (min(size - 1, max(0, round(f * (size - 1))))
                      for f, size in zip(style.gradient_geometry, (iw, ih, iw, ih), strict=True))
    chain = [f"gradients=s={iw}x{ih}:r={fps}:d={duration:.6f}:n={len(style.palette)}:{colors}"
             f":type={style.gradient_type}:x0={x0}:y0={y0}:x1={x1}:y1={y1}"
             f":speed={speed:.6f}:seed={style.gradient_seed}",
             "format=yuv444p"]
    light = sorted(style.palette, key=luma)[-2:]  # shapes glow in the two lightest colours
    for size, cx, cy, ax, ay, wx, wy, phase, alpha, index in style.shapes:
        x = f"{iw}*({cx:.4f}+{ax:.4f}*sin({wx:.4f}*t+{phase:.4f}))"
        y = f"{ih}*({cy:.4f}+{ay:.4f}*cos({wy:.4f}*t+{phase * 0.7:.4f}))"
        color = _color(light[int(index) % 2])
        for ring in (1.0, 0.7, 0.4):  # nested boxes: brighter towards the middle, a round blob once blurred
            bw = bh = max(2, round(size * short * ring))
            chain.append(f"drawbox=x='{x}-{bw / 2:.1f}':y='{y}-{bh / 2:.1f}':w={bw}:h={bh}"
                         f":color={color}@{alpha / 3:.3f}:t=fill")
    chain.append(f"gblur=sigma={max(2.0, short * 0.05):.2f}:steps=2")
    chain.append(_camera(style, frames))
    if style.hue_sway:
        chain.append(f"hue=h='{style.hue_sway:.2f}*sin(2*PI*t/{max(duration, 1.0):.3f})'")
    chain.append("vignette=angle=PI/6")
    chain.append(f"scale={width}:{height}:flags=bicubic,format=yuv420p,setsar=1")
    return ",".join(chain)
