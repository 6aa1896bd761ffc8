"""Which words of a scene name its subject and which only style it, and the colours its visuals name.

Visuals mix the two: "Close-up of a volcano erupting at night, glowing orange and deep red tones, rich
cinematic lighting". The subject (a volcano, at night) decides the offline clip's symbols; the style
words never do ("rich" is not money, "golden" is not a medal). The colour words decide its palette::

    subject_text("Close-up of a cat, soft golden tones, rich cinematic lighting")   # "cat"
    named_colours("deep purple and starlight silver tones")   # [(77, 29, 115), (200, 205, 215)]
    spoken_text("Black holes: [your fact about black holes].")   # "Black holes: ." (a place to fill says nothing)
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Sequence

__all__ = ["STYLE_WORDS", "STRUCTURE_WORDS", "COLOURS", "subject_text", "styles_at", "spoken_text", "named_colours"]

Color = tuple[int, int, int]

# colour names -> a representative colour; "black" and "white" only count inside a "... tones" phrase
COLOURS: dict[str, Color] = {
    "red": (214, 40, 40), "crimson": (190, 20, 60), "scarlet": (230, 36, 20), "orange": (255, 136, 24),
    "amber": (255, 176, 0), "gold": (236, 184, 48), "golden": (236, 184, 48), "yellow": (255, 214, 50),
    "lime": (160, 220, 40), "green": (52, 168, 83), "emerald": (20, 160, 100), "teal": (0, 140, 140),
    "turquoise": (30, 200, 200), "cyan": (0, 205, 230), "aqua": (40, 220, 220), "blue": (40, 100, 220),
    "navy": (24, 36, 110), "indigo": (75, 30, 150), "violet": (140, 80, 220), "purple": (128, 48, 200),
    "magenta": (220, 20, 180), "pink": (255, 105, 170), "rose": (240, 80, 120), "peach": (255, 175, 135),
    "cream": (250, 232, 196), "brown": (125, 72, 35), "sepia": (150, 108, 68), "beige": (225, 205, 170),
    "silver": (200, 205, 215), "grey": (128, 132, 140), "gray": (128, 132, 140), "white": (242, 242, 242),
    "black": (18, 18, 24), "coral": (255, 120, 90), "mint": (150, 230, 190), "lavender": (190, 160, 235),
}
_NEUTRAL = frozenset({"black", "white"})  # "a black hole", "white sand": a subject's colour, not the palette's
_MODIFIERS = {
    "deep": (1.0, 0.55), "dark": (1.0, 0.45), "rich": (1.0, 0.8), "moody": (0.8, 0.6),
    "soft": (0.55, 1.1), "pale": (0.4, 1.15), "light": (0.5, 1.15), "pastel": (0.45, 1.15), "muted": (0.5, 0.85),
    "neon": (1.3, 1.3), "electric": (1.3, 1.25), "vivid": (1.25, 1.15), "bright": (1.15, 1.2), "hot": (1.3, 1.15),
    "warm": (1.05, 1.05), "cool": (0.9, 1.0), "fresh": (1.1, 1.1), "energetic": (1.2, 1.1), "bold": (1.2, 1.05),
}
# words that style a picture and never name what is in it: camera, light, mood, colour
STYLE_WORDS = frozenset("""
shot shots close-up closeup close up extreme zoom zooming into dramatic fast whip-pan whip pan reveal
slow-motion slow motion push-in push wide establishing dolly across overhead smooth tracking past
time-lapse timelapse handheld final title text bold over out from angle aerial view lens bokeh depth
field focus frame framing camera cinematic cinema film-like footage scene scenes sequence montage
lighting light lights lit glow glowing glows warmth warm cool cold soft hard rich vibrant moody muted
shadows shadowy atmosphere atmospheric bright dark deep playful bouncy cartoonish energy energetic
sunny saturated uplifting calm even crisp clean clear labels label high-contrast contrast look looks
tones tone toned palette colours colors colour color colourful colorful hues hue shades shade
golden-hour hour glossy matte grainy vintage retro style styled aesthetic mood vivid neon electric
pastel pale fresh tinted gradient illustration graphic background backdrop
""".split()) | frozenset(COLOURS)
# words that frame what a scene is about rather than name it: "the history of the bicycle" is about the
# bicycle, and a draft's structure ("a number about black holes", "tell me in the comments") about its topic
STRUCTURE_WORDS = frozenset("""
history historic story stories future secret secrets mystery mysteries idea ideas truth science psychology
question questions problem problems goal goals world life number numbers example examples myth myths mistake
mistakes reason reasons step steps detail details answer answers lesson lessons fact facts stage stages
evidence research comment comments line short picture everyday someone keeps asking send share save tag tell
add left put version basics part parts
""".split())
# a light's time of day or source ("soft morning light", "under studio lights"): how it is lit, not what is
# in the picture, so dropped where a light word follows ("a morning run" keeps its morning); a word before
# "tones" or "palette" names a colour ("rainbow tones", "ocean tones"), not the subject
LIGHT_QUALIFIERS = frozenset("""
morning evening afternoon midday noon daytime dawn dusk twilight sunrise sunset studio stage side back rim key
fill ambient natural window fairy
""".split())
_LIGHT_NOUNS = frozenset({"light", "lights", "lighting", "glow"})
_TONE_NOUNS = frozenset({"tones", "tone", "palette", "hues", "shades"})  # "ocean tones" names a colour, not the sea
# palette words that name several colours at once: three of them, far apart on the colour wheel
_SPECTRA: dict[str, tuple[str, ...]] = {
    "rainbow": ("red", "orange", "yellow", "green", "blue", "violet"),
    "multicoloured": ("magenta", "cyan", "yellow", "violet", "lime", "orange"),
    "multicolored": ("magenta", "cyan", "yellow", "violet", "lime", "orange"),
    "prismatic": ("violet", "cyan", "yellow", "magenta", "blue", "orange"),
}
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")
_TONE_PHRASE = re.compile(r"([^,.;]*?)\b(?:tones?|palette|colou?rs|hues|shades|light|lighting|glow)\b", re.I)


def spoken_text(narration: str) -> str:
    """``narration`` without its places to fill in ("[your fact about X]" names no subject of its own)."""
    return _BRACKETS.sub(" ", narration or "")


def subject_text(visuals: str) -> str:
    """``visuals`` with its style words dropped: what the picture shows, in order."""
    words = _WORD.findall((visuals or "").lower())
    return " ".join(w for i, w in enumerate(words) if not styles_at(words, i))


def styles_at(words: Sequence[str], i: int) -> bool:
    """Whether lower-case ``words[i]`` only styles the picture: a style word, or a word that its next one
    makes a light's or a colour's ("morning" in "soft morning light", "rainbow" in "rainbow tones")."""
    word, after = words[i], words[i + 1] if i + 1 < len(words) else ""
    return word in STYLE_WORDS or after in _TONE_NOUNS or (word in LIGHT_QUALIFIERS and after in _LIGHT_NOUNS)


def _shade(color: Color, modifier: str | None) -> Color:
    if modifier is None:
        return color
    s_scale, v_scale = _MODIFIERS[modifier]
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in color))
    r, g, b = colorsys.hsv_to_rgb(h, min(1.0, s * s_scale), min(1.0, v * v_scale))
    return round(r * 255), round(g * 255), round(b * 255)


def _colours_in(text: str, neutral: bool, seed: str) -> list[Color]:
    found: list[Color] = []
    words = _WORD.findall(text.lower())
    for i, word in enumerate(words):
        if word in _SPECTRA:  # "vibrant rainbow tones": three of its colours, where the visuals' words point
            names = _SPECTRA[word]
            start = sum(map(ord, seed)) % len(names)  # the same three wherever the visuals name it
            found += [c for c in (COLOURS[names[(start + k * 2) % len(names)]] for k in range(3)) if c not in found]
            continue
        if word not in COLOURS or (word in _NEUTRAL and not neutral):
            continue
        modifier = next((w for w in reversed(words[max(0, i - 2):i]) if w in _MODIFIERS), None)
        colour = _shade(COLOURS[word], modifier)
        if colour not in found:
            found.append(colour)
    return found


def named_colours(visuals: str) -> list[Color]:
    """The colours ``visuals`` name, in order: a "… tones / palette / light" phrase's first, then the rest."""
    text = visuals or ""
    phrased = [c for m in _TONE_PHRASE.finditer(text) for c in _colours_in(m.group(1), neutral=True, seed=text)]
    rest = _colours_in(text, neutral=False, seed=text)
    return list(dict.fromkeys([*phrased, *rest]))
