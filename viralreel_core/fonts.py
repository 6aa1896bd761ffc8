"""Fonts for text drawn into videos: Roboto Black (from the ``font_roboto`` package) first, then the
system font that has the text's glyphs (DejaVu, Noto…), else Pillow's built-in font. Never raises.

Captions and the offline clips' kinetic typography both draw with these::

    font = load_font(96, "火山")        # a font that can draw the text, at 96 px
    font_covers(pick_font_source("Привет"), "Привет")
"""

from __future__ import annotations

import os
import threading
import unicodedata
from functools import lru_cache

from PIL import ImageFont

__all__ = ["AnyFont", "FontSource", "FONT_LOCK", "font_for", "font_covers", "font_sources", "load_font",
           "pick_font_source"]

AnyFont = ImageFont.FreeTypeFont | ImageFont.ImageFont
#: (path, face index); ``None`` stands for Pillow's built-in font
FontSource = tuple[str, int] | None

_FONT_EXTS = (".ttf", ".otf", ".ttc")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
              "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts")
#: system fonts to try first, in order (lower-case file names)
_PREFERRED = ("dejavusans-bold.ttf", "notosans-bold.ttf", "notosans-black.ttf",
              "notosanscjk-bold.ttc", "notosanscjksc-bold.otf", "notosansarabic-bold.ttf",
              "notosansdevanagari-bold.ttf", "liberationsans-bold.ttf", "freesansbold.ttf",
              "arialbd.ttf", "arial bold.ttf", "dejavusans.ttf", "notosans-regular.ttf")
_MAX_SYSTEM_FONTS = 400
_CHECK_SIZE = 32
_PROBE = "\U0010fffd"  # a private-use code point no font maps: renders as the font's .notdef


def _packaged_roboto() -> list[str]:
    try:
        from importlib.resources import files

        base = files("font_roboto") / "files"
        return [str(base / n) for n in ("Roboto-Black.ttf", "Roboto-Bold.ttf") if (base / n).is_file()]
    except Exception:  # noqa: BLE001 - the package is optional; the system fonts remain
        return []


def _system_font_files() -> list[str]:
    dirs = [os.path.expanduser(d) for d in _FONT_DIRS]
    if os.environ.get("WINDIR"):
        dirs.append(os.path.join(os.environ["WINDIR"], "Fonts"))
    found: list[str] = []
    for d in dirs:
        if not os.path.isdir(d):
            continue
        for root, _dirs, names in os.walk(d):
            found.extend(os.path.join(root, n) for n in names if n.lower().endswith(_FONT_EXTS))
            if len(found) > 20 * _MAX_SYSTEM_FONTS:
                break
    return found


def _font_rank(path: str) -> tuple[int, int, str]:
    name = os.path.basename(path).lower()
    if name in _PREFERRED:
        return (0, _PREFERRED.index(name), name)
    if "emoji" in name or "italic" in name or "oblique" in name:
        return (4, 0, name)
    bold = "bold" in name or "black" in name or "heavy" in name
    sans = "sans" in name and "mono" not in name
    return (1 if bold and sans else 2 if bold or sans else 3, 0, name)


@lru_cache(maxsize=1)
def font_sources() -> tuple[str, ...]:
    """Every font file to try, best first: packaged Roboto, then the system's (bold sans first)."""
    seen: set[str] = set()
    out: list[str] = []
    for p in _packaged_roboto() + sorted(_system_font_files(), key=_font_rank):
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return tuple(out[: _MAX_SYSTEM_FONTS + 2])


@lru_cache(maxsize=256)
def _truetype(path: str, size: int, basic: bool = False) -> ImageFont.FreeTypeFont | None:
    try:
        engine = ImageFont.Layout.BASIC if basic else None
        return ImageFont.truetype(path, size, layout_engine=engine)
    except Exception:  # noqa: BLE001 - unreadable or bitmap-only font files are skipped
        return None


@lru_cache(maxsize=64)
def _default_font(size: int) -> AnyFont:
    try:
        return ImageFont.load_default(size=size)
    except Exception:  # noqa: BLE001 - very old FreeType-less Pillow
        return ImageFont.load_default()


_coverage: dict[str, dict[str, bool]] = {}
_notdef: dict[str, bytes] = {}
FONT_LOCK = threading.RLock()  # FreeType faces are not safe to share between threads


def _needs_glyph(ch: str) -> bool:
    """False for spaces, controls and invisible format characters, which need no visible glyph."""
    cat = unicodedata.category(ch)
    return not (cat[0] in "ZC" or 0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF)


def _mask_key(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    mask = font.getmask(ch)
    return repr(mask.size).encode() + bytes(mask)


def _has_glyph(path: str, ch: str) -> bool:
    cache = _coverage.setdefault(path, {})
    hit = cache.get(ch)
    if hit is None:
        font = _truetype(path, _CHECK_SIZE, basic=True)
        if font is None:
            hit = False
        else:
            try:
                if path not in _notdef:
                    _notdef[path] = _mask_key(font, _PROBE)
                hit = _mask_key(font, ch) != _notdef[path]
            except Exception:  # noqa: BLE001
                hit = False
        cache[ch] = hit
    return hit


def font_covers(source: FontSource | str, text: str) -> bool:
    """Whether the font file has a glyph for every visible character of ``text``."""
    if source is None:
        return all(ord(ch) < 0x250 for ch in text if _needs_glyph(ch))  # Pillow's font: Latin only
    path = source if isinstance(source, str) else source[0]
    with FONT_LOCK:
        return all(_has_glyph(path, ch) for ch in set(text) if _needs_glyph(ch))


@lru_cache(maxsize=512)
def pick_font_source(text: str = "") -> FontSource:
    """The best font file for ``text``: the first that has all its glyphs, else the one with most."""
    chars = sorted({ch for ch in text if _needs_glyph(ch)})
    best: FontSource = None
    best_hits = -1
    with FONT_LOCK:
        for path in font_sources():
            if _truetype(path, _CHECK_SIZE, basic=True) is None:
                continue
            hits = sum(_has_glyph(path, ch) for ch in chars)
            if hits == len(chars):
                return (path, 0)
            if hits > best_hits:
                best, best_hits = (path, 0), hits
    return best


def font_for(source: FontSource, size: int) -> AnyFont:
    size = max(1, int(size))
    if source is not None:
        font = _truetype(source[0], size)
        if font is not None:
            return font
    return _default_font(size)


def load_font(size: int, text: str = "") -> AnyFont:
    """A bold font at ``size`` px that can draw ``text``: Roboto Black when it has the glyphs,
    else a system font that has them (or has most), else Pillow's built-in font. Never raises;
    font objects are cached per file and size."""
    try:
        source = pick_font_source(str(text))
    except Exception:  # noqa: BLE001 - a font must always come back
        source = None
    return font_for(source, size)
