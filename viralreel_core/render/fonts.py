"""Fonts for text drawn into videos, picked per script: Roboto Black (from the ``font_roboto`` package) for
Latin, Greek and Cyrillic; for other scripts the bold Noto face made for them (Noto Sans CJK SC/JP/KR,
Noto Sans Devanagari, Arabic, Hebrew, Thai…, from Debian's ``fonts-noto-core`` and ``fonts-noto-cjk``),
then any system font that has the text's glyphs, else Pillow's built-in font. Never raises; when no
installed font covers the text, ``coverage_problem`` says so in one line (and it is logged once).

Captions and the offline clips' kinetic typography both draw with these::

    font = load_font(96, "火山")        # Noto Sans CJK SC Bold at 96 px
    font_covers(pick_font_source("Привет"), "Привет")
    coverage_problem("ትግርኛ")           # "No installed font can draw Ethiopic text …" (or None)
"""

from __future__ import annotations

import logging
import os
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING

from viralreel_core.text.languages import script_of

if TYPE_CHECKING:  # Pillow loads where images are drawn, keeping this module cheap to import
    from PIL import ImageFont

    AnyFont = ImageFont.FreeTypeFont | ImageFont.ImageFont

__all__ = ["FontSource", "FONT_LOCK", "FONT_PACKAGES", "coverage_problem", "font_for", "font_covers",
           "font_sources", "load_font", "pick_font_source", "script_fonts", "weighted"]

_LOGGER = logging.getLogger(__name__)

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
#: per script, the faces to try first: (file name, family name of the face in a collection, or "")
_SCRIPT_FACES: dict[str, tuple[tuple[str, str], ...]] = {
    "Han": (("notosanscjk-bold.ttc", "Noto Sans CJK SC"), ("notosanscjksc-bold.otf", ""),
            ("wqy-microhei.ttc", ""), ("droidsansfallbackfull.ttf", "")),
    "Kana": (("notosanscjk-bold.ttc", "Noto Sans CJK JP"), ("notosanscjkjp-bold.otf", "")),
    "Hangul": (("notosanscjk-bold.ttc", "Noto Sans CJK KR"), ("notosanscjkkr-bold.otf", "")),
    "Devanagari": (("notosansdevanagari-bold.ttf", ""), ("lohit-devanagari.ttf", "")),
    "Arabic": (("notosansarabic-bold.ttf", ""), ("notonaskharabic-bold.ttf", "")),
    "Hebrew": (("notosanshebrew-bold.ttf", ""),),
    "Bengali": (("notosansbengali-bold.ttf", ""),),
    "Tamil": (("notosanstamil-bold.ttf", ""),),
    "Thai": (("notosansthai-bold.ttf", ""),),
}
#: what to install when a script has no font (Debian package names; also listed in packages.txt)
FONT_PACKAGES = "fonts-noto-core fonts-noto-cjk"
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
def _truetype(path: str, size: int, basic: bool = False, index: int = 0) -> ImageFont.FreeTypeFont | None:
    from PIL import ImageFont
    try:
        engine = ImageFont.Layout.BASIC if basic else None  # RAQM (when Pillow has it) shapes and orders text
        return ImageFont.truetype(path, size, index=index, layout_engine=engine)
    except Exception:  # noqa: BLE001 - unreadable or bitmap-only font files are skipped
        return None


@lru_cache(maxsize=64)
def _face_index(path: str, family: str) -> int:
    """The index of the face called ``family`` in a font collection (0 when absent or not a collection)."""
    for index in range(16):
        font = _truetype(path, _CHECK_SIZE, True, index)
        if font is None:
            break
        if font.getname()[0] == family:
            return index
    return 0


@lru_cache(maxsize=64)
def _default_font(size: int) -> AnyFont:
    from PIL import ImageFont
    try:
        return ImageFont.load_default(size=size)
    except Exception:  # noqa: BLE001 - very old FreeType-less Pillow
        return ImageFont.load_default()


_coverage: dict[str, dict[str, bool]] = {}
_nowhere: set[str] = set()  # characters no installed font has (learned by one full scan)
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


def _main_script(text: str) -> str:
    counts = Counter(s for s in map(script_of, text) if s)
    if counts["Kana"]:
        return "Kana"  # Japanese: kana with Han, drawn with the Japanese face
    return max(counts, key=lambda s: counts[s]) if counts else ""


def _script_faces(script: str) -> list[tuple[str, int]]:
    """The installed faces made for ``script``, best first."""
    by_name = {os.path.basename(p).lower(): p for p in font_sources()}
    out = []
    for name, family in _SCRIPT_FACES.get(script, ()):
        path = by_name.get(name)
        if path is not None:
            out.append((path, _face_index(path, family) if family else 0))
    return out


@lru_cache(maxsize=512)
def pick_font_source(text: str = "") -> FontSource:
    """The best font for ``text``: the face made for its main script when it has all the glyphs, else the
    first font that has them all, else the one with most."""
    best: FontSource = None
    best_hits = -1
    with FONT_LOCK:
        chars = sorted({ch for ch in text if _needs_glyph(ch)} - _nowhere)  # a char no font has costs one scan
        for path, index in _script_faces(_main_script(text)):
            if all(_has_glyph(path, ch) for ch in chars):
                return (path, index)
        found: set[str] = set()
        for path in font_sources():
            if _truetype(path, _CHECK_SIZE, basic=True) is None:
                continue
            have = {ch for ch in chars if _has_glyph(path, ch)}
            if len(have) == len(chars):
                return (path, 0)
            found |= have
            if len(have) > best_hits:
                best, best_hits = (path, 0), len(have)
        _nowhere.update(set(chars) - found)
    return best


_SAMPLES = {"Latin": "Aa", "Cyrillic": "Жж", "Greek": "Ωω", "Han": "火山", "Kana": "かな", "Hangul": "한국",
            "Devanagari": "हिन्दी", "Arabic": "عربي", "Hebrew": "עברית", "Bengali": "বাংলা", "Tamil": "தமிழ்",
            "Thai": "ไทย"}


def script_fonts() -> dict[str, str | None]:
    """Per script the captions support, the font file its text is drawn with (None: none installed)."""
    out: dict[str, str | None] = {}
    for script, sample in _SAMPLES.items():
        source = pick_font_source(sample)
        out[script] = os.path.basename(source[0]) if source is not None and font_covers(source, sample) else None
    return out


_warned: set[str] = set()


def coverage_problem(text: str) -> str | None:
    """One line saying which script of ``text`` no installed font can draw (its letters would be empty
    boxes), with what to install; None when every letter has a glyph. Emoji and symbols are not counted:
    they are left out where no font has them. Logged once per script."""
    letters = "".join(ch for ch in str(text or "") if _needs_glyph(ch) and unicodedata.category(ch)[0] != "S")
    if not letters:
        return None
    source = pick_font_source(letters)
    missing = [ch for ch in letters if not font_covers(source, ch) and not font_covers(pick_font_source(ch), ch)]
    if not missing:
        return None
    scripts = sorted({script_of(ch) if script_of(ch) not in ("", "Other")
                      else unicodedata.name(ch, "unnamed").split(" ")[0].title() for ch in missing})
    line = (f"No installed font can draw {', '.join(scripts)} text ({''.join(sorted(set(missing))[:8])}…): "
            f"captions would show empty boxes. Install fonts, e.g. apt-get install {FONT_PACKAGES} "
            "(on Streamlit Community Cloud: packages.txt).")
    if line not in _warned:
        _warned.add(line)
        _LOGGER.warning(line)
    return line


_WEIGHT_FILES = {"black": "Roboto-Black.ttf", "bold": "Roboto-Bold.ttf", "medium": "Roboto-Medium.ttf"}


@lru_cache(maxsize=64)
def weighted(source: FontSource, weight: str) -> FontSource:
    """``source`` in another weight of its family where one is packaged ("black", "bold", "medium": Roboto's,
    with the same glyphs); any other font as it is."""
    if source is None or os.path.basename(source[0]) not in _WEIGHT_FILES.values() or weight not in _WEIGHT_FILES:
        return source
    path = os.path.join(os.path.dirname(source[0]), _WEIGHT_FILES[weight])
    return (path, 0) if os.path.isfile(path) else source


def font_for(source: FontSource, size: int) -> AnyFont:
    size = max(1, int(size))
    if source is not None:
        font = _truetype(source[0], size, False, source[1])
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
