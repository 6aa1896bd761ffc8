"""Kinetic typography for offline clips: the narration's key phrases set large, each arriving as it is said.

The captions (burned in later, around 70 % down the frame) show every word; this layer shows the one or
two that matter, large, in the upper-middle of the frame, where they stay as the scene's headline::

    words  = narration_timings(narration, pace)     # estimated word timings (the voice runs in parallel)
    plan   = plan_kinetics(narration, seconds, width, height, pace=pace, variant="stack")
    plan.beats[0].text, plan.beats[0].start          # ("VOLCANOES", 0.42)
    image  = draw_beat(plan.beats[0], accent)        # the beat's RGBA sprite, drawn once with Pillow

ffmpeg then moves the sprites (``Motion.expr`` gives its overlay expressions; ``Motion.offset`` is the same
motion in Python, so tests can find a sprite's pixels in a frame). Pages of up to three lines fill the
text area; a new page clears the old one, which is the rhythm.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from viralreel_core.models import WordTiming
from viralreel_core.providers.clips.layout import UPRIGHT, layout_for
from viralreel_core.providers.clips.local_backdrop import Color, luma
from viralreel_core.providers.clips.scene_words import STRUCTURE_WORDS
from viralreel_core.render.fonts import load_font
from viralreel_core.text.languages import detect_language, function_words, join_words, split_words
from viralreel_core.text.timing import ends_clause, ends_sentence, estimate_word_timings

if TYPE_CHECKING:  # Pillow loads where images are drawn, keeping this module cheap to import
    from PIL import Image

__all__ = ["Beat", "KineticPlan", "Motion", "key_phrases", "narration_timings", "plan_kinetics", "draw_beat",
           "VARIANTS", "TEXT_TOP", "TEXT_BOTTOM"]

VARIANTS = ("stack", "left", "hero")
LEAD_IN = 0.05  # seconds of silence voices leave before the first word
TEXT_TOP, TEXT_BOTTOM = UPRIGHT.text_top, UPRIGHT.text_bottom  # an upright frame's text area (of the height)
ENTRANCE = 0.28  # seconds a beat takes to arrive
MIN_GAP = 0.4  # seconds between two beats' arrivals
MIN_SHOWN = 0.8  # seconds a page must stay on screen to be read at all (after a title card)
SECONDS_PER_BEAT = 1.35
MAX_LINES = 3  # beats on one page
MAX_BEATS = 2  # key phrases in a scene: they stay as its headline while the captions run on below
HEADLINE_SHARE = 0.6  # a second phrase joins the headline only when it scores this much of the best
KNOWN_WEIGHT = 0.15  # a topic word in a later scene: below any word of the scene's own, above none at all

_STOPWORDS = frozenset("""
a an the and or but nor so yet for of to in on at by from with without into onto over under about above
below between through during before after since until than then there here this that these those it its
it's is are was were be been being am do does did done doing have has had having i me my mine you your
yours you're you'll you've we us our ours they them their theirs he him his she her hers one ones who whom
whose which what when where why how if else not no yes just very really quite also too more most less
least much many some any all each every both either neither other another such own same only can could
will would shall should may might must let let's get gets got go goes going gone come comes make makes made
like as up down out off again once ever even still already now today thing things way ways lot lots
here's that's what's there's don't doesn't didn't can't won't isn't aren't wasn't weren't i'm it'll
we're they're you'd i'd i've we've they've you'll we'll they'll
everything something anything nothing everyone someone anyone nobody everybody somebody
first next last try know knew need want think believe say said tell look see find give take use keep
put seem seems thank thanks okay ok well yeah hey oh right maybe actually probably simply basically
learn learning become becomes happen happens change changes
almost always often sometimes usually around away back together
because although though whether unless while since start starts started reach reaches rise rising
""".split())
_COUNTS = frozenset("one two three four five six seven eight nine ten".split())  # "Step one", "Part two"
_FUNCTION = frozenset("""the a an and or but of to in on at by for with from than then that this these those it
is are was were be been you we they he she i""".split())
_PUNCT = "\"'“”‘’«»()[]{}<>.,;:!?…—–-*_/\\|~`。，！？、；：「」『』（）《》،؛؟।"
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Phrase:
    """A run of narration words worth setting large."""

    first: int  # index of its first word in ``split_words(narration)``
    count: int
    text: str  # as said (punctuation trimmed)
    score: float


@dataclass(frozen=True)
class Motion:
    """How a sprite arrives, leaves and drifts; ``expr`` is for ffmpeg, ``offset`` the same in Python."""

    kind: str  # "rise" | "slide" | "drop"
    start: float
    end: float
    distance: float  # pixels travelled while arriving
    drift: float  # pixels of gentle sway while resting
    period: float  # seconds per sway
    phase: float

    def offset(self, t: float) -> tuple[float, float]:
        """(dx, dy) from the rest position at time ``t``."""
        e = min(1.0, max(0.0, (t - self.start) / ENTRANCE))
        travel = self.distance * (1 - e) ** 3
        sway = self.drift * math.sin(2 * math.pi * (t - self.start) / self.period + self.phase)
        if self.kind == "slide":
            return -travel, sway
        return 0.0, sway + (travel if self.kind == "rise" else -travel)

    def expr(self) -> tuple[str, str]:
        """(x offset, y offset) as ffmpeg expressions of ``t``."""
        travel = f"{self.distance:.2f}*pow(1-clip((t-{self.start:.4f})/{ENTRANCE},0,1),3)"
        sway = f"{self.drift:.2f}*sin(2*PI*(t-{self.start:.4f})/{self.period:.3f}+{self.phase:.4f})"
        if self.kind == "slide":
            return f"-{travel}", sway
        return "0", f"{sway}{'+' if self.kind == 'rise' else '-'}{travel}"


@dataclass(frozen=True)
class Beat:
    """One key phrase on screen: what, when, where its sprite rests and how it moves."""

    text: str  # as drawn (upper case, may hold a line break)
    words: tuple[str, ...]  # the narration words it shows
    start: float
    end: float
    lit_until: float  # it is the newest line (drawn lit) until the next one arrives
    x: int
    y: int
    font_size: int
    align: str  # "center" | "left"
    boxed: bool  # drawn on an accent-coloured box (the scene's strongest phrase)
    motion: Motion


@dataclass(frozen=True)
class KineticPlan:
    variant: str
    beats: tuple[Beat, ...]


def narration_timings(narration: str, pace: float) -> list[WordTiming]:
    """Estimated word timings for ``narration`` spoken at ``pace`` words per second."""
    words = split_words(narration)
    return estimate_word_timings(narration, LEAD_IN + len(words) / max(0.5, pace), lead_in=LEAD_IN)


def _core(token: str) -> str:
    return token.strip(_PUNCT)


def _stem(lower: str) -> str:
    """"hexagons", "hexagon" and "boxes" -> "hexagon", "hexagon", "box": one word, said twice."""
    return lower.removesuffix("es") if lower.endswith(("xes", "ches", "shes", "sses")) else lower.rstrip("s")


def _word_score(core: str, sentence_start: bool, emphasis: set[str], others: frozenset[str] = frozenset(),
                known: frozenset[str] = frozenset()) -> float:
    if not core:
        return 0.0
    lower = core.lower()
    if lower in _STOPWORDS or lower in others or (len(core) < 3 and not _DIGIT.search(core) and core.isascii()):
        return 0.0
    if _stem(lower) in known:
        return KNOWN_WEIGHT * (1.0 + min(len(core), 12) / 4)  # the video's topic, which its first scene showed
    score = 1.0 + min(len(core), 12) / 4
    if _DIGIT.search(core):
        score += 3.0
    if core[0].isupper() and not sentence_start:
        score += 1.5  # a name
    if lower in emphasis or lower.rstrip("s") in emphasis or lower.removesuffix("es") in emphasis:
        score += 2.0  # the scene's subject (its visuals name it): "VOLCANOES" over "BELIEVED"
    if lower.endswith("ed") and len(lower) > 4:
        score *= 0.6  # a past-tense verb rarely carries the scene
    if lower in STRUCTURE_WORDS:
        score *= 0.4  # "a NUMBER about volcanoes": the frame of the sentence, not its subject
    return score


def _frame_only(text: str) -> bool:
    """Whether ``text`` is only a sentence's frame words ("keeps asking"), with no number or count."""
    words = [w.lower() for w in re.findall(r"\w+", text)]
    return bool(words) and all(w in STRUCTURE_WORDS for w in words)


def key_phrases(narration: str, emphasis: str = "", known: str = "") -> list[Phrase]:
    """The narration's content-word runs (at most 2–3 words, ~20 characters), scored, in order.

    Numbers, names, long words and words also in ``emphasis`` (e.g. the visuals) score higher; the words
    of a [place to fill in] never count. The words of ``known`` (the video's topic, said and shown by an
    earlier scene) score little: a scene that repeats the topic is headlined by what it adds.
    """
    tokens = split_words(narration)  # Chinese, Japanese, Thai: pieces of a few characters
    others = function_words(detect_language(narration))  # "que", "आपको", "في" are never key words either
    said = frozenset(_stem(w.lower()) for w in re.findall(r"\w+", known or ""))
    wanted = {w.lower().rstrip("s") for w in re.findall(r"\w+", emphasis or "")}
    phrases: list[Phrase] = []
    run: list[tuple[int, str, float]] = []

    def close() -> None:
        while run:
            take, chars = 1, len(run[0][1])
            while (take < len(run) and take < 3 and chars + 1 + len(run[take][1]) <= (20 if take < 2 else 14)
                   and not _DIGIT.search(run[take][1])):  # a number starts its own phrase: "30 KILOMETRES"
                chars += 1 + len(run[take][1])
                take += 1
            part, rest = run[:take], run[take:]
            scores = sorted((s for _, _, s in part), reverse=True)
            phrases.append(Phrase(part[0][0], len(part), join_words([c for _, c, _ in part]),
                                  scores[0] + 0.6 * sum(scores[1:])))
            run[:] = rest

    sentence_start = True
    seen: set[str] = set()
    depth = 0  # inside a [place to fill in]: the person's words to come, never a key phrase
    sentence_of: list[int] = []  # each token's sentence
    for i, token in enumerate(tokens):
        sentence_of.append(sentence_of[-1] + sentence_start if sentence_of else 0)
        core = _core(token)
        inside = depth > 0 or token.startswith("[")
        depth += token.count("[") - token.count("]")
        score = 0.0 if inside else _word_score(core, sentence_start, wanted, others, said)
        if (not score and run and _DIGIT.search(run[-1][1]) and core.isalpha() and len(core) >= 3
                and core.lower() not in _FUNCTION):
            score = 1.0  # a number keeps its noun, even a plain one: "5 WAYS", "3 THINGS"
        if not score and run and core.lower() in _COUNTS:
            score = 1.0  # and a counted word its number, even a stop word: "STEP ONE" as "REASON TWO"
        if score and core.lower() in seen:
            score *= 0.35  # said before: less worth showing again
        if score:
            run.append((i, core, score))
            seen.add(core.lower())
        else:
            close()
        if ends_sentence(token) or ends_clause(token):
            close()
        sentence_start = ends_sentence(token)
    close()
    # a sentence's frame words label it where they open it ("A NUMBER about…", "SEND this…"); further in
    # they are no headline ("…who KEEPS ASKING about", "…in one LINE")
    opening = {p.first for k, p in enumerate(phrases)
               if k == 0 or sentence_of[p.first] != sentence_of[phrases[k - 1].first]}
    phrases = [p for p in phrases if p.first in opening or not _frame_only(p.text)]
    if said:  # a later scene that only repeats the topic has no headline of its own: the first one had it
        phrases = [p for p in phrases if any(_stem(w.lower()) not in said for w in re.findall(r"\w+", p.text))]
    if phrases:  # the scene's opening words say what it is about: worth showing
        phrases[0] = Phrase(phrases[0].first, phrases[0].count, phrases[0].text, phrases[0].score + 0.75)
    return phrases


def _choose(phrases: list[Phrase], timings: list[WordTiming], seconds: float) -> list[Phrase]:
    """The best phrases, at most one per ``MIN_GAP``, about one per ``SECONDS_PER_BEAT`` and ``MAX_BEATS`` in
    all (a headline that builds up, not the caption line again), in order."""
    spoken = timings[-1].end if timings else 0.0
    limit = max(1, min(MAX_BEATS, round(min(spoken, seconds) / SECONDS_PER_BEAT)))
    chosen: list[Phrase] = []
    best = max((p.score for p in phrases), default=0.0)
    for phrase in sorted(phrases, key=lambda p: (-p.score, p.first)):
        if phrase.score < HEADLINE_SHARE * best:
            break  # a weak second phrase ("LINE", "SHORT") is no headline: the captions say it
        start = timings[phrase.first].start
        if start > seconds - 0.6:
            continue
        if all(abs(start - timings[c.first].start) >= MIN_GAP for c in chosen):
            chosen.append(phrase)
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda p: p.first)


def _text_width(text: str, size: int) -> float:
    font = load_font(size, text)
    return max(font.getlength(line) for line in text.split("\n"))


def _fit(text: str, width: int, height: int, cap: float, wrap_below: float) -> tuple[str, int]:
    """The text and its font size, wrapped onto two lines when on one it would be under ``wrap_below`` x cap."""
    top = max(8, round(cap * height))

    def size_for(candidate: str) -> int:
        return max(8, min(top, int(top * width / max(1.0, _text_width(candidate, top)))))

    best, size = text, size_for(text)
    words = text.split()
    if len(words) > 1 and size < wrap_below * top:
        for cut in range(1, len(words)):
            wrapped = " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
            s = size_for(wrapped)
            if s > size * 1.15:
                best, size = wrapped, s
    return best, size


def _line_height(text: str, size: int) -> int:
    return round(size * (1.08 * (text.count("\n") + 1) + 0.28))


def plan_kinetics(narration: str, seconds: float, width: int, height: int, *, pace: float,
                  variant: str = "stack", emphasis: str = "", phase: float = 0.0, known: str = "",
                  opening: float = 0.0) -> KineticPlan:
    """Which key phrases appear when and where, for a clip of ``seconds`` at ``width`` x ``height``
    (``known``: words an earlier scene already headlined, the video's topic: see ``key_phrases``;
    ``opening``: seconds at the start when no phrase shows, the title card's: one said then arrives as it
    goes, and one whose page would be on screen less than ``MIN_SHOWN`` after it is left out)."""
    timings = narration_timings(narration, pace)
    chosen = _choose(key_phrases(narration, emphasis, known), timings, seconds)
    if not chosen:
        return KineticPlan(variant, ())
    hero = max(chosen, key=lambda p: (p.score, -p.first))
    per_page = 1 if variant == "hero" else MAX_LINES
    layout = layout_for(width, height)  # upright frames stack words under the symbol; wide ones set them beside it
    area_top, area_h = layout.text_top * height, (layout.text_bottom - layout.text_top) * height
    col_x, col_w = layout.column[0] * width, (layout.column[1] - layout.column[0]) * width
    text_w = col_w * (0.80 if variant == "left" else 0.86)
    fitted = []
    for p in chosen:
        cap = layout.size_scale * (0.13 if variant == "hero" else (0.10 if p is hero else 0.082))
        text, size = _fit(p.text.upper(), round(text_w), height, cap, 0.5 if variant == "stack" else 0.75)
        fitted.append((p, text, size))
    pages: list[list[tuple[Phrase, str, int]]] = [[]]
    for item in fitted:
        page = pages[-1]
        used = sum(_line_height(t, s) for _, t, s in page)
        if page and (len(page) >= per_page or used + _line_height(item[1], item[2]) > area_h):
            pages.append([item])
        else:
            page.append(item)
    beats: list[Beat] = []
    kind = {"stack": "rise", "left": "slide", "hero": "drop"}[variant]
    for n, page in enumerate(pages):
        page_end = (timings[pages[n + 1][0][0].first].start - 0.05) if n + 1 < len(pages) else seconds + 1.0
        total = sum(_line_height(t, s) for _, t, s in page)
        y = area_top + (area_h - total) / 2
        arrivals = [max(opening, timings[p.first].start - 0.08) for p, _, _ in page]  # the eye reads a touch early
        if page_end - arrivals[0] < MIN_SHOWN:  # said under the title card, gone before it could be read
            continue
        for k, (p, text, size) in enumerate(page):
            start = arrivals[k]
            lit_until = arrivals[k + 1] if k + 1 < len(page) else page_end
            w = _text_width(text, size)
            x = col_x + (col_w * 0.07 if variant == "left" else (col_w - w) / 2)
            motion = Motion(kind, round(start, 3), round(page_end, 3),
                            distance=round(height * (0.03 if kind != "slide" else 0.02) + width * 0.0, 1),
                            drift=round(height * 0.004, 1), period=3.2 + 0.4 * k, phase=phase + k)
            beats.append(Beat(text, tuple(timings[i].word for i in range(p.first, p.first + p.count)),
                              round(start, 3), round(page_end, 3), round(lit_until, 3), round(x), round(y), size,
                              "left" if variant == "left" else "center", p is hero, motion))
            y += _line_height(text, size)
    return KineticPlan(variant, tuple(beats))


def accent_of(palette: tuple[Color, ...]) -> Color:
    """The palette's lightest vivid colour, lifted until it reads on a dark background."""
    import colorsys

    def vivid(c: Color) -> float:  # light first (it must read over the background), then saturated
        s = colorsys.rgb_to_hsv(*(x / 255 for x in c))[1]
        return luma(c) / 255 + 0.5 * s

    h, s, v = colorsys.rgb_to_hsv(*(x / 255 for x in max(palette, key=vivid)))
    r, g, b = colorsys.hsv_to_rgb(h, min(1.0, max(s, 0.55)), max(v, 0.95))
    return round(r * 255), round(g * 255), round(b * 255)


def sprite_margin(size: int) -> int:
    """Transparent pixels around a beat's text in its sprite (room for the shadow and the box)."""
    return max(4, round(size * 0.3))


def draw_beat(beat: Beat, accent: Color, lit: bool = False) -> Image.Image:
    """The beat's sprite: its text, white (``lit``: accent) with a soft shadow, or on an accent box when ``boxed``.

    The text's top-left corner sits ``sprite_margin`` pixels in from the sprite's, so the sprite is
    overlaid at ``(beat.x - margin, beat.y - margin)``.
    """
    from PIL import Image, ImageDraw, ImageFilter
    size, margin = beat.font_size, sprite_margin(beat.font_size)
    font = load_font(size, beat.text)
    lines = beat.text.split("\n")
    widths = [font.getlength(line) for line in lines]
    text_w, line_h = max(widths), round(size * 1.08)
    # the baseline sits where Roboto's ascender puts it; fonts with taller ascenders (Noto Arabic, CJK) would
    # otherwise sit low and lose their descenders at the sprite's bottom
    base = min(font.getmetrics()[0], math.ceil(0.95 * size)) if hasattr(font, "getmetrics") else size
    w, h = round(text_w) + 2 * margin, line_h * len(lines) + 2 * margin
    sprite = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ink = (*accent, 255) if lit else (255, 255, 255, 255)
    if beat.boxed:
        pad = round(size * 0.18)
        box = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        ImageDraw.Draw(box).rounded_rectangle(
            (margin - pad, margin - pad // 2, margin + text_w + pad, margin + line_h * len(lines) + pad // 2),
            radius=round(size * 0.2), fill=(0, 0, 0, 150))
        sprite.alpha_composite(box.filter(ImageFilter.GaussianBlur(size * 0.12)), (0, round(size * 0.06)))
        ImageDraw.Draw(sprite).rounded_rectangle(
            (margin - pad, margin - pad // 2, margin + text_w + pad, margin + line_h * len(lines) + pad // 2),
            radius=round(size * 0.2), fill=(*accent, 255))
        ink = (20, 20, 28, 255) if luma(accent) > 140 else (255, 255, 255, 255)
    else:
        shadow = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        sd = ImageDraw.Draw(shadow)
        for i, line in enumerate(lines):
            sd.text((_line_x(beat, widths[i], text_w) + margin, margin + i * line_h + base), line, font=font,
                    fill=(0, 0, 0, 190), stroke_width=max(1, size // 14), stroke_fill=(0, 0, 0, 190), anchor="ls")
        sprite.alpha_composite(shadow.filter(ImageFilter.GaussianBlur(size * 0.09)), (0, round(size * 0.05)))
    draw = ImageDraw.Draw(sprite)
    for i, line in enumerate(lines):
        draw.text((_line_x(beat, widths[i], text_w) + margin, margin + i * line_h + base), line, font=font, fill=ink,
                  anchor="ls")
    return sprite


def _line_x(beat: Beat, line_w: float, text_w: float) -> float:
    return 0.0 if beat.align == "left" else (text_w - line_w) / 2
