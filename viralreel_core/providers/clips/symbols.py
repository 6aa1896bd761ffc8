"""A symbol for a scene's subject: an emoji picked from its words, drawn with an installed emoji font.

``subject_symbol("Volcanoes erupt when magma rises")`` is ``"🌋"``; ``scene_symbols`` gives the few a scene
names, each with the word that named it and when the voice says it. Only nouns count: the visuals'
style words never do ("rich cinematic lighting" is not money), nor the words of a [place to fill in].
Spanish, French, German, Italian and Portuguese words name them too ("gatos", "chats", "Katzen", "gatti":
🐱; ``symbols_words``), compared without accents; in a text that is not English their function words
("para", "como", "cada") never name anything.
``draw_symbol`` renders it with the
first font that has it: a colour emoji font (Noto Color Emoji, Apple, Segoe), else a monochrome one
(Symbola, DejaVu Sans, which has the older symbols such as ☀ ★ ⚡ ❄ ♥), tinted; with none it returns
``None`` and the clip simply has no symbol. Fonts are looked up once per process.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from viralreel_core.providers.clips import symbols_words
from viralreel_core.providers.clips.scene_words import STRUCTURE_WORDS, subject_text
from viralreel_core.text.languages import detect_language, function_words, split_words

if TYPE_CHECKING:  # Pillow loads where images are drawn, keeping this module cheap to import
    from PIL import Image, ImageFont


__all__ = ["subject_symbol", "scene_symbols", "SymbolHit", "symbol_font", "draw_symbol", "installed_fonts",
           "SYMBOLS"]

# emoji, then a plain symbol most fonts with symbols have (or "-"), then the words that name the subject.
# Words of 5+ letters also match as prefixes ("volcanic", "planets"); any word matches with a plural "s".
_TABLE = """
🌋 ▲ volcano volcanic lava magma eruption erupt erupts crater
🐱 - cat cats kitten kitty purr purring feline
🐶 - dog dogs puppy puppies canine
🐋 - whale whales
🦓 - zebra zebras stripes
🪼 - jellyfish
🐢 - turtle turtles tortoise
🐬 - dolphin
🦈 - shark
🐙 - octopus squid
🐝 - bee bees honey hive pollinate
🦋 - butterfly caterpillar
🐜 - ant ants insect insects
🦁 - lion lions tiger wildlife safari
🐘 - elephant
🦅 - eagle bird birds flight feather
🐍 - snake reptile
🦖 - dinosaur dinosaurs fossil jurassic
🌊 ≈ ocean oceans sea seas wave waves tide tides surf marine
🏔 ▲ mountain mountains everest summit glacier
🪨 - rock rocks stone stones boulder pebble
🌍 ◍ earth planet climate globe geography continent
🌌 ★ galaxy universe cosmos nebula
🪐 ◍ saturn jupiter planets solar
🚀 ➤ rocket rockets nasa launch spacex astronaut spaceship
🌙 ☾ moon lunar
☀ ☀ sun sunlight solar sunny summer
⭐ ★ star stars stellar
⚫ ● blackhole gravity singularity event-horizon
⚡ ⚡ electricity electric lightning energy voltage battery batteries
🌪 - tornado hurricane storm storms cyclone
🌧 ☂ rain rainfall weather
❄ ❄ snow winter ice frozen arctic antarctica
🔥 - fire fires flame flames burn heat wildfire
🌳 ♣ tree trees forest forests rainforest jungle
🌱 - plant plants seed seeds grow garden gardening photosynthesis
🌸 ✿ flower flowers bloom blossom spring
🍄 - mushroom fungi fungus
🧬 - dna gene genes genetic genetics evolution cell cells
🦠 - virus viruses bacteria germ germs microbe infection vaccine
🧠 - brain brains mind memory neuroscience psychology habit habits
❤ ♥ heart love romance relationship relationships dating
🫁 - lungs breath breathing
😴 ☾ sleep sleeping asleep sleepy bedtime dream dreams insomnia nap naps
💪 - muscle muscles workout exercise fitness gym strength
🏃 - run running runner marathon cardio
🧘 - yoga meditation meditate mindfulness stress calm
🥗 - diet nutrition healthy salad vegetables vegetable
🍎 - apple apples fruit fruits
☕ ☕ coffee caffeine espresso tea
🍕 - pizza
🍫 - chocolate cocoa sugar candy
🍳 - cook cooking recipe recipes kitchen breakfast food foods
🍞 - bread loaf sourdough bake baking baker bakery toast
🍷 - wine
🤖 - robot robots ai artificial automation machine machines
💻 - computer computers code coding programming software developer laptop
📱 ☎ phone phones smartphone iphone android app apps
🌐 - internet web website online
🎮 - game games gaming video-game gamer console
♟ ♟ chess checkmate
🔒 - security password passwords privacy hacker hackers cyber
₿ - bitcoin crypto cryptocurrency blockchain
💰 $ money cash wealth income salary budget millionaire
📈 - stock stocks invest investing investment market markets economy profit
🏦 - bank banks banking loan loans debt credit
🛒 - shopping shop buy sell sales customer customers
💼 - business job jobs career office startup entrepreneur
⏰ ⌚ clock morning productivity routine deadline
📚 - book books read reading library study studying learn learning school
🎓 - college university degree student students education exam
✏ ✎ write writing writer essay pencil
🧪 ⚗ chemistry chemical experiment lab science scientist
⚛ ⚛ atom atoms physics quantum particle particles nuclear
🔭 - telescope astronomy astronomer
🧮 - math maths mathematics number numbers equation algebra
💡 - idea ideas invention inventor innovation creative creativity
🎵 ♫ music song songs sing singer melody concert
🎸 - guitar guitars
🎹 - piano pianos keyboard
🎙 - podcast podcasts microphone
🎬 - movie movies film films cinema hollywood director
📷 - photo photos photography camera
🎨 - art artist painting paint design designer
⚽ ⚽ football soccer goal
🏀 - basketball nba
🎾 - tennis
🏆 - champion championship trophy win winner winning olympics sport sports
✈ ✈ plane planes airplane flight flights fly flying airport travel
🚗 - car cars driving drive traffic engine vehicle
🛞 - tyre tyres tire tires wheel wheels
🚲 - bike bikes bicycle bicycles cycling cyclist
🚂 - train trains railway
🚢 ⚓ ship ships boat boats sailing titanic navy pirate pirates
🏛 - history historic ancient rome roman greek greece empire museum
🏰 - castle king queen kingdom medieval knight
🧱 - wall walls brick bricks
🗿 - statue easter
🔺 ▲ pyramid pyramids egypt pharaoh
🗽 - america american usa freedom
🏙 - city cities skyscraper urban building buildings
🏠 - house homes family apartment rent
🤝 - friend friends friendship team teamwork social community
👶 - baby babies child children kid kids parent parents parenting
😂 ☺ funny laugh laughter joke jokes humor happy happiness smile
😢 ☹ sad sadness cry crying grief lonely loneliness
😱 - fear scary horror afraid anxiety panic
👻 - ghost ghosts haunted halloween
🎉 - party celebration birthday celebrate
🤹 - juggle juggling juggler
💎 ♦ diamond diamonds jewel luxury
🥇 - gold medal medals
🕵 - mystery mysteries detective crime secret secrets
⚖ ⚖ law laws legal justice court lawyer
🗳 - vote voting election elections politics government
🌾 - farm farming farmer agriculture crop crops wheat
💧 - water drink hydration thirst river rivers lake
🔋 - charge charging electric-car
🛰 - satellite satellites orbit
🧲 - magnet magnets magnetic
🔬 - microscope tiny microscopic
🦴 - bone bones skeleton
🦷 - tooth teeth dentist
👁 - eye eyes vision
👂 - ear ears hearing sound sounds noise
🗣 - language languages speak speaking
🧭 - explore exploration explorer adventure compass
🗺 - map maps country countries
🎯 - goal goals focus target
🧩 - puzzle puzzles problem problems riddle
❓ ? why what how question questions curious curiosity
📦 - box boxes cardboard parcel
"""

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")


def _parse(table: str) -> tuple[tuple[str, str, frozenset[str]], ...]:
    rows = []
    for line in table.strip().splitlines():
        emoji, plain, *words = line.split()
        rows.append((emoji, "" if plain == "-" else plain, frozenset(words)))
    return tuple(rows)


SYMBOLS = _parse(_TABLE)


def _foreign_index() -> tuple[dict[str, tuple[int, bool]], tuple[tuple[str, int, bool], ...]]:
    """The other languages' words (``symbols_words``): folded form -> (row, also in English text), and the
    German words of 6+ letters that also match as prefixes, for compounds ("Zuckerwatte", "Schiffsreise")."""
    rows = {emoji: i for i, (emoji, _p, _w) in enumerate(SYMBOLS)}
    exact: dict[str, tuple[int, bool]] = {}
    prefixes = []
    for emoji, words in symbols_words.parse().items():
        if emoji not in rows:
            raise ValueError(f"symbols_words names {emoji!r}, which the symbol table lacks")
        for lang, word, everywhere in words:
            for form in symbols_words.forms(lang, word):
                exact.setdefault(form, (rows[emoji], everywhere))
            if lang == "de" and len(word) >= 6:
                prefixes.append((word, rows[emoji], everywhere))
    return exact, tuple(prefixes)


_FOREIGN, _FOREIGN_PREFIXES = _foreign_index()
# never a symbol in a text of these languages: their function words ("para", "como", "cada") and a few more
_FOREIGN_STOPS = frozenset(symbols_words.fold(w) for code in symbols_words.LANGUAGES
                           for w in function_words(code)) | symbols_words.STOP_WORDS
_GENERIC = {"❓"}  # matched by question words: used only when nothing more specific is named
FRAMING_WEIGHT = 0.3


@dataclass(frozen=True)
class SymbolHit:
    """A symbol a scene's words name: which, the word that named it first, and where the voice says it."""

    emoji: str
    plain: str
    word: str
    spoken_at: int | None  # index of that word in ``split_words(narration)``; None when only the visuals name it
    score: float
    framing: bool = False  # named only by words that frame a subject ("a number about…"): no symbol of its own


def _matches(token: str, keyword: str) -> bool:
    return (token == keyword or (token.endswith("s") and token[:-1] == keyword)
            or (token.endswith("es") and token[:-2] == keyword)
            or (len(keyword) >= 5 and token.startswith(keyword)))


def _row_of(token: str, exact: bool = False, foreign: bool = False) -> int | None:
    """The table row one of whose words ``token`` (folded) is, in English or another language
    (``exact``: no prefix matches, for a joined pair; ``foreign``: the text is not English)."""
    if foreign and token in _FOREIGN_STOPS:
        return None
    plain = token.replace("-", "")
    hit = _FOREIGN.get(plain)
    if foreign and hit is not None:  # "gatos", "chats": the text's own language first
        return hit[0]
    for i, (_e, _p, words) in enumerate(SYMBOLS):
        if any(token in (w, w + "s", w + "es") if exact else _matches(token, w) for w in words):
            return i
    if hit is not None and hit[1]:
        return hit[0]
    if not exact:
        for word, row, everywhere in _FOREIGN_PREFIXES:
            if (foreign or everywhere) and plain.startswith(word):
                return row
    return None


def _tokens(narration: str, visuals: str) -> list[tuple[str, float, int | None, bool]]:
    """(word, weight, index in the narration's spoken words, in a text not in English) for the words that may
    name a symbol: the narration's outside [places to fill], counted double, then the visuals' subject words."""
    out: list[tuple[str, float, int | None, bool]] = []
    depth = 0
    foreign = detect_language(narration or "") != "en"
    for index, raw in enumerate(split_words(narration or "")):
        inside = depth > 0 or raw.startswith("[")
        depth += raw.count("[") - raw.count("]")
        if not inside:
            out += [(w, 2.0, index, foreign) for w in _WORD.findall(raw.lower())]
    foreign = detect_language(visuals or "") != "en"
    out += [(w, 1.0, None, foreign) for w in _WORD.findall(subject_text(visuals))]
    return out


def scene_symbols(narration: str, visuals: str = "", limit: int = 3) -> list[SymbolHit]:
    """The symbols a scene's words name, best first: nouns, never style words (``scene_words``).

    The narration (said aloud, outside its [places to fill]) counts double; a framing word ("the
    history of …") counts little; two words may name one symbol ("black holes"). Ties go to the first named.
    """
    tokens = _tokens(narration, visuals)
    scores: dict[int, float] = {}
    first: dict[int, tuple[int, str, int | None]] = {}
    named: set[int] = set()  # rows some word names outright, not only a framing word
    skip = -1
    for position, (token, weight, spoken, foreign) in enumerate(tokens):
        if position <= skip:
            continue
        row, word, folded = None, token, symbols_words.fold(token)
        if position + 1 < len(tokens) and tokens[position + 1][1] == weight:  # "black holes" -> "blackholes"
            second = symbols_words.fold(tokens[position + 1][0])
            if not (foreign and {folded, second} & _FOREIGN_STOPS):  # "ni nos" is not "niños"
                row = _row_of(folded + second, exact=True, foreign=foreign)
            if row is not None:
                word, skip = f"{token} {tokens[position + 1][0]}", position + 1
        if row is None:
            row = _row_of(folded, foreign=foreign)
        if row is None:
            continue
        following = tokens[position + 1][0] if position + 1 < len(tokens) else ""
        framing = token in STRUCTURE_WORDS or following == "of"
        bonus = 0.25 if SYMBOLS[row][0] in _GENERIC else weight * (FRAMING_WEIGHT if framing else 1.0)
        scores[row] = scores.get(row, 0.0) + bonus
        first.setdefault(row, (position, word, spoken))
        if not framing:
            named.add(row)
    ranked = sorted(scores, key=lambda i: (-scores[i], first[i][0]))
    hits = [SymbolHit(SYMBOLS[i][0], SYMBOLS[i][1], first[i][1], first[i][2], round(scores[i], 3), i not in named)
            for i in ranked]
    specific = [h for h in hits if h.emoji not in _GENERIC]
    return (specific or hits)[:limit]


def subject_symbol(narration: str, visuals: str = "") -> tuple[str, str] | None:
    """(emoji, plain symbol or "") for the subject the scene's words name most (see ``scene_symbols``)."""
    hits = scene_symbols(narration, visuals, limit=1)
    return (hits[0].emoji, hits[0].plain) if hits else None


# -- fonts -----------------------------------------------------------------------------------------
_COLOR_FONTS = ("NotoColorEmoji.ttf", "Noto-COLRv1.ttf", "AppleColorEmoji.ttc", "Apple Color Emoji.ttc",
                "seguiemj.ttf", "TwitterColorEmoji-SVGinOT.ttf", "JoyPixels.ttf")
_MONO_FONTS = ("Symbola.ttf", "Symbola_hint.ttf", "NotoEmoji-Regular.ttf", "seguisym.ttf",
               "DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts",
              "/Library/Fonts", "/System/Library/Fonts", "~/Library/Fonts", "C:/Windows/Fonts")
_COLOR_SIZE = 109  # the size colour bitmap (CBDT) emoji fonts are drawn at
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def installed_fonts() -> dict[str, str]:
    """Installed font file name (lower case) -> path, for the emoji and symbol fonts we know.

    What the functions below draw with unless they are handed other ``fonts`` (a clip maker's own).
    """
    wanted = {n.lower() for n in _COLOR_FONTS + _MONO_FONTS}
    found: dict[str, str] = {}
    for folder in _FONT_DIRS:
        folder = os.path.expanduser(folder)
        for root, _dirs, names in os.walk(folder) if os.path.isdir(folder) else ():
            for name in names:
                if name.lower() in wanted:
                    found.setdefault(name.lower(), os.path.join(root, name))
    return found


@lru_cache(maxsize=16)
def _load(path: str, size: int) -> ImageFont.FreeTypeFont | None:
    from PIL import ImageFont
    try:
        return ImageFont.truetype(path, size)
    except Exception:  # noqa: BLE001 - an unreadable or odd font is skipped
        return None


def _covers(font: ImageFont.FreeTypeFont, ch: str) -> bool:
    """True when the font draws ``ch`` as something other than its missing-glyph box."""
    try:
        box = font.getbbox(ch)
        missing = font.getbbox("\U0010fffd")
    except Exception:  # noqa: BLE001
        return False
    return box[3] > box[1] and box[2] > box[0] and box != missing


def symbol_font(fonts: Mapping[str, str] | None = None) -> str:
    """The emoji font clips are drawn with ("" when none is installed): part of the clip's cache key."""
    files = installed_fonts() if fonts is None else fonts
    for name in _COLOR_FONTS + _MONO_FONTS:
        if name.lower() in files:
            return name
    return ""


def _pick(symbol: tuple[str, str], files: Mapping[str, str]) -> tuple[ImageFont.FreeTypeFont, str, bool] | None:
    """(font, character, is colour) for the symbol: its emoji in a colour font, else either in a mono one."""
    emoji, plain = symbol
    with _LOCK:
        for name in _COLOR_FONTS:
            path = files.get(name.lower())
            font = _load(path, _COLOR_SIZE) if path else None
            if font is not None and _covers(font, emoji):
                return font, emoji, True
        for name in _MONO_FONTS:
            path = files.get(name.lower())
            font = _load(path, 256) if path else None
            for ch in (emoji, plain):
                if font is not None and ch and _covers(font, ch):
                    return font, ch, False
    return None


def draw_symbol(symbol: tuple[str, str] | None, size: int, tint: tuple[int, int, int],
                fonts: Mapping[str, str] | None = None) -> Image.Image | None:
    """The symbol as an RGBA image ``size`` px tall (mono glyphs in ``tint``), or None without a font for it
    among ``fonts`` (by default the installed ones)."""
    from PIL import Image, ImageDraw
    if symbol is None:
        return None
    picked = _pick(symbol, installed_fonts() if fonts is None else fonts)
    if picked is None:
        return None
    font, ch, colour = picked
    with _LOCK:
        left, top, right, bottom = font.getbbox(ch)
        glyph = Image.new("RGBA", (right - left + 8, bottom - top + 8), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4 - left, 4 - top), ch, font=font, embedded_color=colour,
                                   fill=(*tint, 255))
    box = glyph.getbbox()
    if box is None:
        return None
    glyph = glyph.crop(box)
    scale = size / max(glyph.width, glyph.height)
    return glyph.resize((max(1, round(glyph.width * scale)), max(1, round(glyph.height * scale))),
                        Image.LANCZOS)
