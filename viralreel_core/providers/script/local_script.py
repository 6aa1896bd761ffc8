"""The offline script writer: any topic to a 3–6 scene short-video script, with templates, no LLM.

The script is a **hook**, one to four **body** scenes and a **call to action**. Wording comes from
tone-specific template pools, picked by a ``random.Random`` seeded from the topic, seed and tone, so
the same request always gives the same script and a different topic, seed or tone gives another.

The topic is fitted into sentences first (:func:`.topic_fit.topic_parts`: cleaned, lead-ins dropped,
cut to a short phrase, a question kept as a question and, where a rule allows, made a clause).
The templates, titles and visuals' words are data, in :mod:`.local_script_data`.

Each template says which kinds of topic it reads well with (:mod:`.topic_kinds`: a thing, a name, an
activity, a clause such as "how volcanoes work", a list such as "5 ways to save money", or a topic in
another language, which is quoted as a title), so "great at {t}" is never said of "how volcanoes
work". A length named in a hook or title ("Give me thirty seconds") is the script's own, rounded up.

Visuals name a shot, the topic's own subject and colour/mood words ("a volcano erupting at night,
glowing orange and deep red tones") from a theme matched on the topic's words; a theme's pictured
subjects appear only when the topic names them (a cat topic gets the cat, never the puppy).
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_SCENES, MAX_TOPIC_CHARS, MIN_SCENES
from viralreel_core.models import WORDS_PER_SECOND, Scene, Script
from viralreel_core.providers.base import ScriptRequest, ScriptWriter
from viralreel_core.providers.script.local_script_data import (
    DEFAULT_PALETTES,
    DEFAULT_SETTINGS,
    KINDS,
    MOODS,
    QUESTION_TEMPLATES,
    QUESTION_TITLES,
    SHOTS,
    THEMES,
)
from viralreel_core.providers.script.local_script_data import TEMPLATES as _TEMPLATE_DATA
from viralreel_core.providers.script.local_script_data import TITLES as _TITLE_DATA
from viralreel_core.providers.script.topic_fit import (
    PHRASE_MAX_WORDS,
    QUESTION_MAX_WORDS,
    SMALL_TITLE_WORDS,
    STOPWORDS,
    TopicParts,
    bare,
    shorten,
    title_case,
    topic_parts,
    upper_leading,
)
from viralreel_core.providers.script.topic_kinds import seconds_in_words, subject_words

__all__ = [
    "LocalScriptWriter",
    "TopicParts",
    "topic_parts",
    "normalize_tone",
    "TEMPLATES",
    "QUESTION_TEMPLATES",
    "TONES",
    "MIN_WORDS",
    "MAX_WORDS",
    "PHRASE_MAX_WORDS",
    "QUESTION_MAX_WORDS",
]

MODEL = "template-v2"  # bump whenever the same request starts giving a different script
MIN_WORDS, MAX_WORDS = 8, 22  # per narration

# ---------------------------------------------------------------------------------------------
# Templates, titles and visuals' words are data (``local_script_data``); each template names the kinds
# of topic it reads well with ("T", "N", "A", "C", "L", or "*" for any, see ``topic_kinds``).
# ---------------------------------------------------------------------------------------------

_BODY_PLAN = {
    1: ("point",),
    2: ("point", "tip"),
    3: ("point", "example", "tip"),
    4: ("point", "example", "tip", "twist"),
}


def _parse(pool: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """("kinds|text", …) as ((kinds, text), …); kinds "*" stands for every kind."""
    return tuple((kinds.replace("*", KINDS), text) for kinds, _, text in (t.partition("|") for t in pool))


_POOLS = {tone: {role: _parse(pool) for role, pool in roles.items()} for tone, roles in _TEMPLATE_DATA.items()}
_TITLE_POOLS = {tone: _parse(pool) for tone, pool in _TITLE_DATA.items()}
#: the narration templates' text by tone and role (the kinds each suits are in ``local_script_data``)
TEMPLATES = {tone: {role: tuple(text for _, text in pool) for role, pool in roles.items()}
             for tone, roles in _POOLS.items()}
TONES = tuple(TEMPLATES)
_TONE_ALIASES = {
    "": "default", "default": "default", "neutral": "default", "casual": "default", "viral": "default",
    "funny": "funny", "fun": "funny", "humorous": "funny", "humor": "funny", "humour": "funny",
    "comedy": "funny", "playful": "funny", "silly": "funny", "witty": "funny",
    "serious": "serious", "dramatic": "serious", "professional": "serious", "formal": "serious",
    "dark": "serious", "documentary": "serious", "news": "serious",
    "inspiring": "inspiring", "inspirational": "inspiring", "motivational": "inspiring",
    "motivating": "inspiring", "uplifting": "inspiring", "positive": "inspiring",
    "educational": "educational", "informative": "educational", "explainer": "educational",
    "teaching": "educational", "instructive": "educational", "academic": "educational",
}

TITLE_MAX_CHARS = 60

def normalize_tone(tone: str) -> str:
    """The template set for ``tone``: one of :data:`TONES` (unknown tones use "default")."""
    key = re.sub(r"[^a-z]", "", (tone or "").lower())
    return _TONE_ALIASES.get(key, "default")


# ---------------------------------------------------------------------------------------------
# The writer.
# ---------------------------------------------------------------------------------------------


def _word_count(text: str) -> int:
    return len(text.split())


def _fits(text: str) -> bool:
    """Within the word bounds and without a doubled word ("what dark matter is is…")."""
    words = [w.strip(".,;:!?").lower() for w in text.split()]
    doubled = any(a == b and a.isalpha() for a, b in zip(words, words[1:], strict=False))
    return MIN_WORDS <= len(words) <= MAX_WORDS and not doubled


def _render(template: str, parts: TopicParts, secs: int = 30) -> str:
    if parts.kind == "F":  # another language's words read as a title, inside quotes
        mid, start = f"“{parts.mid}”", f"“{parts.start}”"
    else:
        mid, start = parts.mid, parts.start
    text = template.format(t=mid, T=start, q=parts.question or start, secs=seconds_in_words(secs))
    return " ".join(text.split())


def _rounded_length(narrations: list[str]) -> int:
    """The script's spoken length, rounded up to ten seconds (what a hook or title may promise)."""
    words = sum(len(n.split()) for n in narrations)
    return max(10, 10 * math.ceil(words / WORDS_PER_SECOND / 10 - 1e-9))


class LocalScriptWriter(ScriptWriter):
    """Offline, free and deterministic: template scripts shaped on the topic, tone and seed."""

    name = "local"
    label = "Offline writer"
    offline = True
    languages = ("en",)  # its templates are English; a topic in another language is quoted as a title

    @classmethod
    def from_settings(cls, settings: Any) -> LocalScriptWriter:
        """A writer; nothing in ``settings`` changes the local writer's output."""
        return cls()

    def cache_params(self) -> dict[str, Any]:
        return {"model": MODEL}

    def write(self, request: ScriptRequest) -> Script:
        topic = self._check(request)
        tone = normalize_tone(request.tone)
        rng = random.Random(_seed(topic, request.seed, request.tone))
        parts = topic_parts(topic)
        count = request.scenes if request.scenes is not None else _choose_count(parts, rng)

        roles = ("hook", *_BODY_PLAN[count - 2], "cta")
        picks = [self._template(role, tone, parts, rng) for role in roles]
        # a length named in a hook or title is this script's own, rounded up to ten seconds
        secs = _rounded_length([self._say(pick, parts, 30) for pick in picks])
        themes = _themes(parts)
        palette = themes[0][3] if themes else rng.choice(DEFAULT_PALETTES)
        subjects = _subject_cycle(themes, parts, rng)
        scenes, seen = [], set()
        for number, (role, pick) in enumerate(zip(roles, picks, strict=True), 1):
            visuals = _visuals(role, tone, next(subjects), palette, rng, seen)
            scenes.append(Scene(number=number, visuals=visuals, narration=self._say(pick, parts, secs)))
        return Script(topic=topic, title=_title(tone, parts, rng, secs), scenes=tuple(scenes))

    # -- helpers ---------------------------------------------------------------------------------
    @staticmethod
    def _check(request: ScriptRequest) -> str:
        if not isinstance(request.topic, str) or not request.topic.strip():
            raise BadInput("The topic is empty.",
                           hint="Type what the video should be about, e.g. 'The future of AI'.")
        topic = request.topic.strip()
        if len(topic) > MAX_TOPIC_CHARS:
            raise BadInput(f"The topic is {len(topic)} characters long; the limit is {MAX_TOPIC_CHARS}.",
                           hint="Shorten it to a sentence or two.")
        scenes = request.scenes
        if scenes is not None and (isinstance(scenes, bool) or not isinstance(scenes, int)
                                   or not MIN_SCENES <= scenes <= MAX_SCENES):
            raise BadInput(f"A script has {MIN_SCENES} to {MAX_SCENES} scenes, not {scenes!r}.",
                           hint=f"Pick a number from {MIN_SCENES} to {MAX_SCENES}, or leave it empty.")
        return topic

    @staticmethod
    def _template(role: str, tone: str, parts: TopicParts, rng: random.Random) -> str:
        """A template for ``role`` that suits the topic's kind and fits 8–22 words with it."""
        if parts.question is not None:
            pool = list(QUESTION_TEMPLATES["default"][role])
            if tone != "default":
                pool += QUESTION_TEMPLATES[tone].get(role, ())
            if role == "cta" and parts.clause is not None:
                pool += [text for kinds, text in _POOLS[tone]["cta"] if "C" in kinds]
        else:
            pool = [text for kinds, text in _POOLS[tone][role] if parts.kind in kinds]
        pick = rng.choice(pool)  # drawn before filtering so the RNG stream does not depend on fit
        fitting = [t for t in pool if _fits(_render(t, parts))]
        if pick not in fitting:
            pick = fitting[rng.randrange(len(fitting))] if fitting else pick
        return pick

    @staticmethod
    def _say(template: str, parts: TopicParts, secs: int) -> str:
        """The template spoken with this topic (a topic too long for every template is cut short)."""
        text = _render(template, parts, secs)
        if not MIN_WORDS <= _word_count(text) <= MAX_WORDS:
            short = shorten(parts.mid, 4)
            start = short if parts.kind == "F" else upper_leading(short)
            text = _render(template, replace(parts, mid=short, start=start,
                                             question=shorten(parts.question or short, 4)), secs)
        return text


def _seed(topic: str, seed: int, tone: str) -> int:
    digest = hashlib.sha256(f"{topic}\x00{seed}\x00{(tone or '').strip().lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _choose_count(parts: TopicParts, rng: random.Random) -> int:
    """3–6 scenes: short topics get shorter scripts, long or question topics longer ones."""
    n = len(parts.words)
    if parts.question is not None:
        return rng.choice((4, 5))
    if n <= 2:
        return rng.choice((3, 4, 5))
    if n <= 6:
        return rng.choice((4, 5))
    return rng.choice((5, 6))


_Theme = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str]  # triggers, subjects, settings, palette


def _themes(parts: TopicParts) -> list[_Theme]:
    """The themes the topic's words match, best first."""
    words = set(parts.words)
    text = " ".join(parts.words)
    scores = []
    for i, theme in enumerate(THEMES.values()):
        hits = 0
        for trig in theme[0]:
            if " " in trig:
                hits += f" {trig} " in f" {text} "
            elif trig.isascii():
                hits += bool({trig, trig + "s", trig + "es"} & words)
            else:
                hits += trig in text
        if hits:
            scores.append((-hits, i, theme))
    return [theme for _, _, theme in sorted(scores, key=lambda s: (s[0], s[1]))]


def _stem(word: str) -> str:
    return bare(word).rstrip("s")[:6]


def _topic_subject(parts: TopicParts) -> str:
    """What a picture of the topic shows: a name or short phrase as it is, else its content words."""
    if parts.kind == "F":
        return f"“{parts.mid}”"
    if parts.question is not None:
        return _with_article(" ".join(subject_words(parts.clause or parts.question)), parts) or parts.keywords
    if parts.kind == "L":  # "5 ways to save money" shows money; "3 habits of successful people", the people
        after = re.split(r"\b(?:to|of|for|about|in|on)\b", parts.mid, maxsplit=1)
        words = subject_words(after[-1]) or subject_words(parts.mid)
        return " ".join(words) or parts.mid
    if parts.kind == "A":  # "learning to cook": a person doing it
        return f"a person {parts.mid}" if parts.mid.split()[0].endswith("ing") else parts.mid
    if parts.kind == "N" or (parts.kind == "T" and len(parts.mid.split()) <= 4):
        return parts.mid
    words = subject_words(parts.clause or parts.mid) or subject_words(parts.keywords)
    return _with_article(" ".join(words), parts) or parts.mid


def _with_article(subject: str, parts: TopicParts) -> str:
    """``subject`` with the "the" the topic gave it ("why is the sky blue" -> "the sky")."""
    said = " ".join(parts.words)
    return f"the {subject}" if subject and f"the {subject.lower()}" in said else subject


def _subject_cycle(themes: list[_Theme], parts: TopicParts, rng: random.Random) -> Iterator[str]:
    """Subjects for the scenes, endlessly: the themes' pictured subjects that name a topic word, then
    the topic's own subject in each of the themes' settings (never another subject: no puppy for cats)."""
    own = {_stem(w) for w in parts.words if len(w) > 2 and w not in STOPWORDS}
    named = [m for theme in themes[:2] for m in theme[1]
             if own & {_stem(w) for w in m.split() if bare(w) not in STOPWORDS}]
    settings = [x for theme in themes[:2] for x in theme[2]] or list(DEFAULT_SETTINGS)
    subject = _topic_subject(parts)
    placed = [f"{subject} {setting}" for setting in settings]
    rng.shuffle(named)
    rng.shuffle(placed)
    pool = named + placed
    while True:
        yield from pool


def _visuals(role: str, tone: str, subject: str, palette: str, rng: random.Random, seen: set[str]) -> str:
    """A shot of ``subject`` in the palette and the tone's mood, not the same words as an earlier scene."""
    for _ in range(8):
        shot = rng.choice(SHOTS["body" if role not in SHOTS else role])
        visuals = f"{shot} {subject}, {palette} tones, {rng.choice(MOODS[tone])}"
        if visuals not in seen:
            break
    seen.add(visuals)
    return visuals


def _title(tone: str, parts: TopicParts, rng: random.Random, secs: int) -> str:
    if parts.kind == "F":
        title = parts.start
    elif parts.question is not None:
        question = title_case(parts.question)
        title = rng.choice(QUESTION_TITLES).format(Q=question, N=secs)
        if len(title) > TITLE_MAX_CHARS:
            title = f"{question}?"
    else:
        template = rng.choice([text for kinds, text in _TITLE_POOLS[tone] if parts.kind in kinds])
        if template.startswith("{T}"):
            phrase = title_case(parts.start)
        else:  # mid-title: "The Truth About the Future of AI"
            first, _, rest = title_case(parts.mid).partition(" ")
            if first.lower() in SMALL_TITLE_WORDS and first == first.capitalize():
                first = first.lower()
            phrase = f"{first} {rest}".strip()
        title = template.format(T=phrase, N=secs)
        if len(title) > TITLE_MAX_CHARS:
            title = title_case(shorten(parts.start, 6))
    return title if len(title) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS - 1].rstrip() + "…"
