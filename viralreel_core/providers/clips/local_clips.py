"""Offline clips: a scene's subject and key words, composed over a background in its colours, timed to its voice.

Three layers, all derived from the scene's own words, so the same scene always gives the same clip and
different scenes look different:

* a moving background (``local_backdrop``): the palette the visuals name ("deep purple and starlight
  silver tones"), else one the subject suggests; drifting glows and a slow camera move;
* the scene's symbols (``symbols``, ``composition``): emoji for the nouns it names, never its style words
  (a bicycle is 🚲, "rich cinematic lighting" is nothing): the subject's near the top from the first
  frame, faint copies of it drifting behind, and the next one or two beside it with their words, each
  rising into place as the voice says it; none when no font has them;
* kinetic typography (``kinetic``): one or two key phrases, each arriving as the voice says it and
  staying as the scene's headline in the upper middle (the captions show every word lower down).
  The voice is made in parallel, so word times are estimated from the narration at the voice's pace.
  The words of a [place to fill in] are never shown: they are the person's facts to come.

Pillow draws each sprite once; one ffmpeg process draws the background, moves and fades the sprites
(``overlay`` with per-frame expressions) and encodes the clip, with no per-frame Python::

    maker = LocalClipMaker(width=1080, height=1920, fps=30)
    clip = maker.make("A volcano erupting at night", 6.0, Path("out"),
                      narration="Volcanoes erupt when magma rises through the crust.")
    clip.duration  # 6.5: half a second more than asked, so the assembler trims rather than loops
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viralreel_core.errors import AssemblyError, BadInput, ProviderError, ProviderTimeout
from viralreel_core.media import resources
from viralreel_core.media.admission import GATE
from viralreel_core.media.ffmpeg import ffmpeg_exe
from viralreel_core.models import Clip
from viralreel_core.providers.base import ClipMaker
from viralreel_core.providers.clips.composition import side_symbols
from viralreel_core.providers.clips.kinetic import (
    VARIANTS,
    KineticPlan,
    Motion,
    accent_of,
    draw_beat,
    narration_timings,
    plan_kinetics,
    sprite_margin,
)
from viralreel_core.providers.clips.layout import layout_for
from viralreel_core.providers.clips.local_backdrop import Bits, ClipStyle, build_filtergraph, even, style_for
from viralreel_core.providers.clips.symbols import draw_symbol, scene_symbols, symbol_font

if TYPE_CHECKING:  # Pillow loads where images are drawn, keeping this module cheap to import
    from PIL import Image

__all__ = ["LocalClipMaker", "SceneDesign", "Sprite", "design_scene", "INSTALL_HINT"]

INSTALL_HINT = "Install ffmpeg for Python with `pip install imageio-ffmpeg` (it ships its own ffmpeg binary)."
STYLE_VERSION = "9"  # bump when the same scene starts giving different pixels (9: frame words in headlines)
EXTRA_SECONDS = 0.5  # clips run this much longer than asked so the assembler trims rather than loops
MAX_SECONDS = 600.0
X264_PRESET = "ultrafast"  # the assembler re-encodes every clip; ultrafast is ~3x quicker
X264_CRF = 20
LOCAL_VOICE_PACE = 3.6  # words per second of the bundled Piper voice at speed 1 (measured: bench note in DESIGN)
OTHER_VOICE_PACE = 2.7  # ElevenLabs / OpenAI voices at speed 1
# ffmpeg's closing lines after a failure, which bury the line that says what went wrong
_FFMPEG_NOISE = re.compile(r"Task finished with error|Terminating thread|Could not open encoder|Nothing was written")
FLOATERS = 5  # faint copies of the symbol drifting up the background
ENTRANCE_FADE = 0.2  # seconds a sprite takes to fade in
EXIT_FADE = 0.16  # and out


@dataclass(frozen=True)
class Float:
    """A faint copy of the symbol rising through the frame, swaying, wrapping round from the bottom."""

    speed: float  # pixels per second upwards
    span: float  # pixels from entering at the bottom to leaving at the top
    head_start: float  # pixels already risen at t = 0
    sway: float
    period: float
    phase: float

    def offset(self, t: float) -> tuple[float, float]:
        return (self.sway * math.sin(2 * math.pi * t / self.period + self.phase),
                -math.fmod(self.speed * t + self.head_start, self.span))

    def expr(self) -> tuple[str, str]:
        risen = f"{self.speed:.3f}*t+{self.head_start:.2f}"
        return (f"{self.sway:.2f}*sin(2*PI*t/{self.period:.3f}+{self.phase:.4f})",
                f"0-(({risen})-{self.span:.2f}*floor(({risen})/{self.span:.2f}))")  # ffmpeg has no mod()


@dataclass(frozen=True)
class Sprite:
    """An image ffmpeg lays over the background: where it rests and how it moves."""

    image: Image.Image
    x: int
    y: int
    motion: Motion | Float
    shown: tuple[float, float]  # from when to when it is on screen
    fade_in: bool = True
    fade_out: bool = True


@dataclass(frozen=True)
class SceneDesign:
    """Everything one clip shows, decided from the scene's words."""

    style: ClipStyle
    plan: KineticPlan
    symbol: tuple[str, str] | None
    sprites: tuple[Sprite, ...]


def _symbol_sprite(symbol: tuple[str, str] | None, accent: tuple[int, int, int], width: int, height: int,
                   variant: str, fonts: Mapping[str, str] | None) -> Sprite | None:
    """The subject's symbol on a soft glow, resting near the top (top right for the ``left`` layout), or
    large beside the words in a wide frame (``layout``)."""
    from PIL import Image, ImageDraw, ImageFilter
    layout = layout_for(width, height)
    size = max(8, round(layout.symbol_height * height))
    glyph = draw_symbol(symbol, size, (255, 255, 255), fonts)
    if glyph is None:
        return None
    side = round(size * 1.9)
    sprite = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    glow = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    r = size * 0.62
    ImageDraw.Draw(glow).ellipse((side / 2 - r, side / 2 - r, side / 2 + r, side / 2 + r), fill=(*accent, 120))
    sprite.alpha_composite(glow.filter(ImageFilter.GaussianBlur(size * 0.16)))
    sprite.alpha_composite(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
    cx = width * (layout.symbol_x_left if variant == "left" else layout.symbol_x)
    motion = Motion("rise", 0.0, math.inf, distance=round(height * 0.02, 1), drift=round(height * 0.007, 1),
                    period=2.8, phase=0.0)
    return Sprite(sprite, round(cx - side / 2), round(layout.symbol_y * height - side / 2), motion, (0.0, math.inf),
                  fade_in=False, fade_out=False)  # on the first frame: a poster or thumbnail shows the subject


def _floaters(symbol: tuple[str, str] | None, width: int, height: int, bits: Bits,
              fonts: Mapping[str, str] | None) -> list[Sprite]:
    """A few faint, small copies of the symbol drifting up behind the text (the scene's theme, in motion)."""
    sprites = []
    for k in range(FLOATERS):
        size = max(8, round(height * bits.between(0.03, 0.055)))
        glyph = draw_symbol(symbol, size, (255, 255, 255), fonts)
        if glyph is None:
            return []
        alpha = glyph.getchannel("A").point(lambda a: a * 0.3)  # noqa: B023 - applied at once
        glyph.putalpha(alpha)
        span = height + 2 * size
        motion = Float(speed=height * bits.between(0.035, 0.07), span=span,
                       head_start=span * (k + bits.between(0.1, 0.9)) / FLOATERS,
                       sway=width * bits.between(0.01, 0.03), period=bits.between(3.0, 6.0),
                       phase=bits.between(0, 2 * math.pi))
        x = round(width * (k + bits.between(0.15, 0.85)) / FLOATERS - glyph.width / 2)
        sprites.append(Sprite(glyph, x, height + size, motion, (0.0, math.inf), fade_out=False))
    return sprites


def design_scene(visuals: str, narration: str, seconds: float, width: int, height: int, pace: float, *,
                 fonts: Mapping[str, str] | None = None,
                 style_of: Callable[[str, str], ClipStyle] = style_for, topic: str = "",
                 opening: float = 0.0) -> SceneDesign:
    """The clip's background, key-word plan, symbol and sprites (pure: same words, same design).

    ``fonts``: the symbol fonts (None: the installed ones); ``style_of``: the words' background look;
    ``topic``: the video's topic when an earlier scene already headlined it (its words then headline this
    scene only when it says nothing else); ``opening``: seconds at the start kept clear of key words (the
    title card's, over the video's first scene).
    """
    words = " ".join(f"{visuals} {narration}".split())
    style = style_of(visuals, narration)
    bits = Bits("kinetic:" + words.lower())
    variant = bits.choice(VARIANTS)
    accent = accent_of(style.palette)
    plan = plan_kinetics(narration, seconds, width, height, pace=pace, variant=variant, emphasis=visuals,
                         phase=bits.between(0, 2 * math.pi), known=topic, opening=opening)
    hits = [h for h in scene_symbols(narration, visuals, limit=4) if not h.framing][:3]  # no 🧮 for "a number"
    symbol = (hits[0].emoji, hits[0].plain) if hits else None
    sprites = _floaters(symbol, width, height, bits, fonts)
    badge = _symbol_sprite(symbol, accent, width, height, variant, fonts)
    if badge is not None:
        sprites.append(badge)
    timings = narration_timings(narration, pace)
    for side in side_symbols(hits[1:], timings, seconds, accent, width, height, variant, fonts):  # arrive as said
        sprites.append(Sprite(side.image, side.x, side.y, side.motion, (side.start, math.inf), fade_out=False))
    for beat in plan.beats:  # the newest line is lit (accent ink) until the next arrives, then white
        x, y = beat.x - sprite_margin(beat.font_size), beat.y - sprite_margin(beat.font_size)
        lit = beat.lit_until < beat.end and not beat.boxed
        sprites.append(Sprite(draw_beat(beat, accent, lit=lit), x, y, beat.motion,
                              (beat.start, beat.lit_until if lit else beat.end), fade_out=not lit))
        if lit:
            sprites.append(Sprite(draw_beat(beat, accent), x, y, beat.motion, (beat.lit_until, beat.end),
                                  fade_in=False))
    return SceneDesign(style, plan, symbol, tuple(sprites))


def overlay_graph(background: str, sprites: tuple[Sprite, ...], fps: int) -> str:
    """The filter graph: the background, then each sprite (input 0, 1…) faded in/out and moved over it."""
    parts = [f"{background}[bg0]"]
    for i, sprite in enumerate(sprites, 1):
        start, end = sprite.shown
        chain = [f"[{i - 1}:v]format=yuva420p", "loop=loop=-1:size=1", f"setpts=N/{fps}/TB"]
        if sprite.fade_in:
            chain.append(f"fade=t=in:st={start:.4f}:d={ENTRANCE_FADE:.3f}:alpha=1")
        if sprite.fade_out and math.isfinite(end):
            chain.append(f"fade=t=out:st={max(start, end - EXIT_FADE):.4f}:d={EXIT_FADE:.3f}:alpha=1")
        dx, dy = sprite.motion.expr()
        # [start, end): half a frame early at both ends, so two sprites taking turns never both show
        enable = f"between(t,{start - 0.5 / fps:.4f},{end - 0.5 / fps:.4f})" if math.isfinite(end) else "1"
        parts.append(",".join(chain) + f"[s{i}]")
        parts.append(f"[bg{i - 1}][s{i}]overlay=x='{sprite.x}+({dx})':y='{sprite.y}+({dy})':enable='{enable}'"
                     f":eval=frame:format=yuv420[bg{i}]")
    parts[-1] = parts[-1].rsplit("[", 1)[0] + ",format=yuv420p[v]"
    return ";".join(parts)


class LocalClipMaker(ClipMaker):
    """Kinetic-typography clips drawn from the scene's own words: offline, free, deterministic."""

    name = "local"
    label = "Offline motion clips"
    offline = True
    uses_narration = True
    uses_topic = True

    def __init__(self, width: int = 1080, height: int = 1920, fps: int = 30, pace: float = LOCAL_VOICE_PACE, *,
                 fonts: Mapping[str, str] | None = None, style_of: Callable[[str, str], ClipStyle] = style_for,
                 run: Callable[..., subprocess.CompletedProcess[str]] = subprocess.run) -> None:
        """``fonts``: symbol font file -> path (None: the installed ones, ``symbols.installed_fonts``);
        ``style_of``: visuals and narration -> the background's look; ``run``: starts ffmpeg (``subprocess.run``)."""
        width, height, fps = int(width), int(height), int(fps)
        if width < 16 or height < 16 or not 1 <= fps <= 120:
            raise BadInput(f"A local clip needs a size of at least 16x16 and 1–120 fps, not {width}x{height} "
                           f"at {fps} fps.", hint="Check the width, height and fps settings.")
        self.width, self.height, self.fps = even(width), even(height), fps  # yuv420p needs even sizes
        self.pace = round(min(12.0, max(0.5, float(pace))), 3)
        self.fonts, self._style_of, self._run = fonts, style_of, run

    @classmethod
    def from_settings(cls, settings: Any) -> LocalClipMaker:
        """Words are timed at the pace of the voice these settings will use (its speed included)."""
        from viralreel_core.providers import resolve_name

        try:
            voice = resolve_name("voice", settings.voice_provider, settings)
        except Exception:  # noqa: BLE001 - an unknown voice fails on its own step; time at the usual pace
            voice = ""
        base = LOCAL_VOICE_PACE if voice == "local" else OTHER_VOICE_PACE
        return cls(width=settings.width, height=settings.height, fps=settings.fps,
                   pace=base * float(getattr(settings, "voice_speed", 1.0) or 1.0))

    def cache_params(self) -> dict[str, Any]:
        params = {"width": self.width, "height": self.height, "fps": self.fps, "style_version": STYLE_VERSION,
                  "extra_seconds": EXTRA_SECONDS, "x264": f"{X264_PRESET}/crf{X264_CRF}", "pace": self.pace,
                  "symbol_font": symbol_font(self.fonts)}
        layout = layout_for(self.width, self.height).name
        if layout != "upright":  # named only where it differs, so upright clips keep the keys they had
            params["layout"] = layout
        return params

    def describe(self) -> str:
        return f"local kinetic-type clips {self.width}x{self.height}@{self.fps}"

    def design(self, visuals: str, seconds: float, narration: str = "", topic: str = "",
               opening: float = 0.0) -> SceneDesign:
        """What the clip for this scene shows (see ``design_scene``)."""
        return design_scene(str(visuals or ""), str(narration or ""), seconds, self.width, self.height, self.pace,
                            fonts=self.fonts, style_of=self._style_of, topic=str(topic or ""),
                            opening=float(opening or 0.0))

    def command(self, design: SceneDesign, seconds: float, path: Path, sprite_dir: Path) -> tuple[list[str], int]:
        """The ffmpeg command writing the clip to ``path`` (sprites saved in ``sprite_dir``), and its frames."""
        frames = math.ceil((seconds + EXTRA_SECONDS) * self.fps - 1e-6)
        background = build_filtergraph(design.style, self.width, self.height, self.fps, frames)
        inputs: list[str] = []
        for i, sprite in enumerate(design.sprites):
            file = sprite_dir / f"sprite{i}.png"
            sprite.image.save(file, compress_level=1)
            inputs += ["-i", str(file)]
        if design.sprites:
            graph, out = overlay_graph(background, design.sprites, self.fps), "[v]"
        else:
            graph, out = f"{background}[v]", "[v]"
        threads = str(resources.ffmpeg_threads())  # the CPU quota, not the host's cores (resources.py)
        cmd = [self._ffmpeg(), "-hide_banner", "-nostdin", "-y", "-loglevel", "error", *inputs,
               "-filter_complex", graph, "-filter_complex_threads", threads, "-map", out, "-frames:v", str(frames),
               "-an", "-threads", threads, "-c:v", "libx264", "-preset", X264_PRESET, "-crf", str(X264_CRF),
               "-pix_fmt", "yuv420p",
               "-r", str(self.fps), "-g", str(self.fps * 2), "-map_metadata", "-1", "-fflags", "+bitexact",
               "-movflags", "+faststart", "-f", "mp4", str(path)]
        return cmd, frames

    def make(self, visuals: str, seconds: float, out_dir: Path, narration: str = "", topic: str = "",
             opening: float = 0.0) -> Clip:
        try:
            seconds = float(seconds)
        except (TypeError, ValueError):
            raise BadInput(f"A clip length must be a number of seconds, not {seconds!r}.") from None
        if not math.isfinite(seconds) or seconds <= 0 or seconds > MAX_SECONDS:
            raise BadInput(f"A clip must last more than 0 and at most {MAX_SECONDS:.0f} seconds, "
                           f"not {seconds}.")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        design = self.design(visuals, seconds, narration, topic, opening)
        digest = hashlib.sha256(f"{visuals}\n{narration}".encode()).hexdigest()[:10]
        final = out_dir / f"local_clip_{digest}_{uuid.uuid4().hex[:8]}.mp4"
        partial = final.with_name(f".{final.name}.part")
        timeout = 120 + 30 * seconds * self.width * self.height / (1080 * 1920)
        with tempfile.TemporaryDirectory(prefix="viralreel_sprites_", dir=out_dir) as sprite_dir:  # swept scratch
            cmd, frames = self.command(design, seconds, partial, Path(sprite_dir))
            try:
                with GATE.admit("clip", resources.local_clip_mb(self.width, self.height)):  # the server's line
                    done = self._run(cmd, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                partial.unlink(missing_ok=True)
                raise ProviderTimeout(f"ffmpeg took longer than {timeout:.0f} s to draw a {seconds:g} s "
                                      f"local clip.", provider=self.name,
                                      hint="Try a smaller size or a shorter scene.") from exc
            except OSError as exc:
                partial.unlink(missing_ok=True)
                raise ProviderError(f"ffmpeg could not be started to draw a local clip ({exc}).",
                                    provider=self.name, hint=INSTALL_HINT, retryable=False) from exc
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            partial.unlink(missing_ok=True)
            lines = [line for line in done.stderr.strip().splitlines() if not _FFMPEG_NOISE.search(line)]
            tail = "\n".join(lines[-6:]) or f"exit code {done.returncode}"
            raise ProviderError(f"ffmpeg could not draw a local clip: {tail}", provider=self.name,
                                hint=f"If this ffmpeg lacks lavfi filters (gradients, perspective, overlay…): "
                                     f"{INSTALL_HINT}", retryable=False)
        os.replace(partial, final)
        return Clip(str(final), duration=frames / self.fps, width=self.width, height=self.height,
                    provider=self.name)

    def _ffmpeg(self) -> str:
        try:
            return ffmpeg_exe()
        except AssemblyError as exc:
            raise ProviderError("ffmpeg is needed to draw local clips and was not found.", provider=self.name,
                                hint=INSTALL_HINT, retryable=False) from exc
