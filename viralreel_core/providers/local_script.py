"""The offline script writer: any topic to a 3–6 scene short-video script, with templates, no LLM.

The script is a **hook**, one to four **body** scenes and a **call to action**. Wording comes from
tone-specific template pools, picked by a ``random.Random`` seeded from the topic, seed and tone, so
the same request always gives the same script and a different topic, seed or tone gives another.

The topic is fitted into sentences first (:func:`topic_parts`): whitespace, hashtags, emoji and
trailing punctuation are cleaned, "make a video about …" lead-ins dropped, long topics cut to a
short phrase, a leading common word lower-cased mid-sentence ("The future of AI" → "…about the
future of AI"), and a question topic kept as a question ("Why do cats purr?") and, where a simple
rule allows, turned into a clause ("…now you know why cats purr").

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
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..errors import BadInput
from ..limits import MAX_SCENES, MAX_TOPIC_CHARS, MIN_SCENES
from ..models import WORDS_PER_SECOND, Scene, Script
from .base import ScriptRequest, ScriptWriter
from .local_script_data import (
    DEFAULT_PALETTES,
    DEFAULT_SETTINGS,
    KINDS,
    MOODS,
    QUESTION_TEMPLATES,
    QUESTION_TITLES,
    SHOTS,
    THEMES,
)
from .local_script_data import TEMPLATES as _TEMPLATE_DATA
from .local_script_data import TITLES as _TITLE_DATA
from .topic_kinds import seconds_in_words, subject_words, topic_kind

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
PHRASE_MAX_WORDS = 8  # a statement topic as spoken inside a sentence (every pool fits 14 fixed words)
QUESTION_MAX_WORDS = 10  # a question topic, asked whole in the hook and the call to action
PHRASE_MAX_CHARS = 70
UNSPACED_MAX_CHARS = 24  # a topic in a script without spaces (Chinese, Japanese, Thai…)
FALLBACK_REF = "this question"  # what body scenes call a question that has no clause form

# ---------------------------------------------------------------------------------------------
# Templates, titles and visuals' words are data (``local_script_data``); each template names the kinds
# of topic it reads well with ("T", "N", "A", "C", "L", or "*" for any, see ``topic_kinds``).
# ---------------------------------------------------------------------------------------------

BODY_ROLES = ("point", "example", "tip", "twist")
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

# ---------------------------------------------------------------------------------------------
# Fitting the topic into sentences.
# ---------------------------------------------------------------------------------------------

_FUNCTION_WORDS = frozenset("""
a an the this that these those my your our their his her its some any every each all no one
how why what when where who which whose whether if is are was were be do does did can could should
would will might must may shall have has had to in on at of for with from by about into over under
and or but so as than then not i we you they he she it me us them there here top best most more
""".split())
# a capitalised leading word lowered mid-sentence only if it is clearly a common word
_COMMON_LEADING = _FUNCTION_WORDS | frozenset("""
learning making building cooking saving living running writing reading working starting investing
traveling travelling growing eating sleeping using creating becoming finding getting being dating
life money history future science secrets secret truth tips tricks hacks ways reasons facts myths
things people world home work love health food easy simple quick healthy new old big small why
understanding mastering improving raising training studying teaching losing
music art food coffee tea sleep travel science space nature animals cats dogs pets sports fitness
exercise fashion beauty design photography movies films books games gaming video videos social media
climate weather ocean oceans water planets stars history technology tech business marketing careers
jobs school college university education parenting kids children family friends friendship dating
relationships marriage productivity habits motivation meditation mindfulness stress anxiety happiness
cooking baking recipes pizza bread chocolate breakfast dinner gardening plants flowers trees dinosaurs
robots cars bikes houses cities countries languages words math physics chemistry biology medicine
crypto investing stocks saving budgeting taxes weddings holidays christmas summer winter
ten five three two first last
""".split())
_STOPWORDS = _FUNCTION_WORDS | frozenset("""
really very just also even still much many way ways thing things get got make made know about
""".split())
_WH = frozenset({"what", "why", "how", "where", "when", "who", "which"})
_MODALS = frozenset({"can", "could", "should", "would", "will", "might", "must"})
_BE = frozenset({"is", "are", "was", "were"})
_AUX = _MODALS | _BE | frozenset({"do", "does", "did", "has", "have", "had"})
_PRONOUNS = frozenset({"i", "you", "we", "they"})
_QUESTION_OPENERS = _BE | _MODALS | frozenset({"does", "did"})  # a question even without "?"
_SMALL_TITLE_WORDS = frozenset("a an the and or but of in on at to for by with from as vs via".split())

_LEAD_IN = re.compile(
    r"^(?:.{0,60}?\b)?(?:a|an|the|some|my|one|this)\s+(?:\w+\s+){0,2}?"
    r"(?:video|videos|reel|reels|short|shorts|tiktok|tiktoks|clip|clips|script|post)\s+"
    r"(?:about|on|regarding|explaining|covering)\s+(?=\S)",
    re.IGNORECASE,
)
_ASK_LEAD_IN = re.compile(
    r"^(?:(?:tell|teach|show) (?:me|us)(?: all)? about|talk about|write about|explain(?: to me)?|describe)"
    r"\s+(?=\S)", re.I)
_POLITE = re.compile(r"^(?:please|pls|plz|hey|hi)[\s,]+|[\s,]+(?:please|pls|plz|thanks|thank you)$", re.I)
_AUDIENCE = re.compile(r"\s+(?:to|for)\s+(?:a\s+)?(?:\d+|five|ten)[\s-]*years?[\s-]*olds?$", re.I)
_QUESTION_BREAK = re.compile(
    r"\s*,\s*|\s+(?=(?:when|if|because|since|while|even though|although|given)\s)", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_CLAUSE_BREAK = re.compile(r"\s*[,;:(\[]\s*|\s+[-–—]\s+|[，、；：（]")
_TRAILING = ".,;:!?…-–—·•。！？，、；：~ \t"
_LEADING = "¿¡-–—*•·:;,.~> \t"
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“", "「": "」", "『": "』"}
_ZERO_WIDTH = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f\uf900-\ufaff]")


@dataclass(frozen=True)
class TopicParts:
    """The topic, fitted for speech.

    ``mid``/``start``: the phrase inside / starting a sentence. For a question topic ``question`` is
    the question without its "?" (starting a sentence) and ``clause`` its embedded form when one can be
    derived ("why cats purr"); ``mid``/``start`` are then the clause or :data:`FALLBACK_REF`.
    ``keywords`` are content words for visuals; ``words`` every word of the topic, lower-cased;
    ``kind`` what kind of phrase ``mid`` is (a topic in another language is kept as written, "F").
    """

    mid: str
    start: str
    question: str | None
    clause: str | None
    keywords: str
    words: tuple[str, ...]
    kind: str = "T"  # see topic_kinds: T thing, N name, A activity, C clause, L list, F another language


def normalize_tone(tone: str) -> str:
    """The template set for ``tone``: one of :data:`TONES` (unknown tones use "default")."""
    key = re.sub(r"[^a-z]", "", (tone or "").lower())
    return _TONE_ALIASES.get(key, "default")


def _strip_symbols(text: str) -> str:
    """``text`` without emoji and pictographs (category So/Cs/Co, joiners, keycaps) and hashtag signs."""
    kept = "".join(" " if unicodedata.category(ch) in ("So", "Cs", "Co") else ch
                   for ch in text if ch not in _ZERO_WIDTH)
    kept = re.sub(r"(?<!\S)#(?=\w)", "", kept)
    return " ".join(kept.split())


def _trim(text: str) -> str:
    """``text`` without leading/trailing punctuation, wrapping quotes or unbalanced brackets."""
    prev = None
    while text != prev:
        prev = text
        text = text.strip().lstrip(_LEADING).rstrip(_TRAILING)
        if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
            text = text[1:-1]
        elif text[:1] in _QUOTES and _QUOTES[text[:1]] not in text[1:]:
            text = text[1:]
        elif text[-1:] in _QUOTES.values() and not any(o in text[:-1] for o, c in _QUOTES.items()
                                                        if c == text[-1]):
            text = text[:-1]
        if text.endswith(")") and text.count("(") < text.count(")"):
            text = text[:-1]
        if text.startswith("(") and text.count("(") > text.count(")"):
            text = text[1:]
    return text


def _is_unspaced(text: str) -> bool:
    return bool(_UNSPACED.search(text))


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"'“”‘’()[]{}«»…").lower()


def _lower_leading(phrase: str) -> str:
    """``phrase`` for mid-sentence: a capitalised leading common word lower-cased ("The" → "the")."""
    first, _, rest = phrase.partition(" ")
    if _bare(first) in _COMMON_LEADING and first == first[:1].upper() + first[1:].lower():
        first = first.lower()
    return f"{first} {rest}" if rest else first


def _upper_leading(phrase: str) -> str:
    """``phrase`` starting a sentence: an all-lower-case first word capitalised ("iPhone" stays)."""
    first = phrase.split(" ", 1)[0]
    if first.islower() and first[:1].isalpha() and first[:1].islower():
        return phrase[:1].upper() + phrase[1:]
    return phrase


def _drop_trailing_stopwords(words: list[str]) -> list[str]:
    words = [w for w in words if w]
    while len(words) > 1 and _bare(words[-1]) in _FUNCTION_WORDS:
        words.pop()
    return words


def _shorten(text: str, max_words: int = PHRASE_MAX_WORDS) -> str:
    """At most ``max_words`` words (or a short span of an unspaced script), cut at a clause if possible."""
    words = text.split()
    if len(words) > max_words:
        clause = _CLAUSE_BREAK.split(text, maxsplit=1)[0]
        if 2 <= len(clause.split()) <= max_words:
            text = clause
        else:
            text = " ".join(_drop_trailing_stopwords(words[:max_words]))
    limit = UNSPACED_MAX_CHARS if _is_unspaced(text) else PHRASE_MAX_CHARS
    if len(text) > limit:
        clause = _CLAUSE_BREAK.split(text, maxsplit=1)[0].strip()
        if 0 < len(clause) <= limit:
            text = clause
        elif " " in text[:limit]:
            text = " ".join(_drop_trailing_stopwords(text[:limit + 1].split()[:-1]))
        else:  # one very long "word": a run of unspaced script, a URL, a keyboard mash
            text = text[:UNSPACED_MAX_CHARS]
    return _trim(text) or text


def _sentences(text: str) -> list[str]:
    return [s for s in (_trim(p) for p in _SENTENCE_END.split(text)) if s]


def _question_clause(question: str) -> str | None:
    """"Why do cats purr" → "why cats purr"; None when no simple rule makes a grammatical clause."""
    tokens = question.split()
    low = [_bare(t) for t in tokens]
    if len(tokens) < 2:
        return None
    wh, rest = low[0], tokens[1:]
    if wh in ("what's", "who's", "how's", "where's"):
        return " ".join([wh, *rest])
    if wh not in _WH or len(tokens) < 3:
        return None
    aux, subject = low[1], low[2]
    to_form = wh in ("how", "what", "where", "when", "which")
    if aux == "do":
        if subject in _PRONOUNS and subject != "they" and to_form and len(tokens) > 3:
            return " ".join([wh, "to", *tokens[3:]])  # "how do I cook rice" → "how to cook rice"
        return " ".join([wh, *tokens[2:]])  # "why do cats purr" → "why cats purr"
    if aux in _MODALS and subject in _PRONOUNS and len(tokens) > 3:
        if to_form and aux in ("can", "should", "could") and subject != "they":
            return " ".join([wh, "to", *tokens[3:]])  # "how can I save money" → "how to save money"
        return " ".join([wh, tokens[2], tokens[1], *tokens[3:]])  # "why should you…" → "why you should…"
    if aux in _BE and wh in ("what", "who") and not subject.endswith("ing"):
        return " ".join([wh, *tokens[2:], tokens[1]])  # "what is dark matter" → "what dark matter is"
    if wh in ("who", "what") and aux not in _AUX and subject not in _AUX:
        return " ".join([wh, *tokens[1:]])  # "who invented the internet" stays as it is
    return None


def _looks_like_question(text: str) -> bool:
    low = [_bare(t) for t in text.split()]
    if len(low) < 3:
        return False
    if low[0] in _WH and low[1] in _AUX:
        return True
    return low[0] in _QUESTION_OPENERS


def _shorten_question(question: str) -> str:
    """A question of at most QUESTION_MAX_WORDS words, cut before "when / if / because…" if it is longer."""
    if len(question.split()) <= QUESTION_MAX_WORDS:
        return question
    head = _QUESTION_BREAK.split(question, maxsplit=1)[0]
    if 3 <= len(head.split()) <= QUESTION_MAX_WORDS:
        return head
    return " ".join(_drop_trailing_stopwords(question.split()[:QUESTION_MAX_WORDS]))


def _question_of(raw: str, text: str) -> str | None:
    """The question a topic asks, if it asks one: its last sentence when that ends in "?"."""
    stripped = _strip_symbols(raw).rstrip(" \t\"'”’»)」』")
    if stripped.endswith(("?", "？")):
        pieces = [p for p in _SENTENCE_END.split(stripped) if p.strip()]
        if len(text.split()) <= QUESTION_MAX_WORDS and all(p.rstrip().endswith(("?", "？")) for p in pieces):
            question = text  # "Cats? Dogs? Which is better?" stays whole
        else:
            question = _trim(pieces[-1])
        if _is_unspaced(question) and len(question) > UNSPACED_MAX_CHARS:
            return None
        return _shorten_question(question) or None
    if len(_sentences(text)) == 1 and len(text.split()) <= QUESTION_MAX_WORDS and _looks_like_question(text):
        return text
    return None


def _focus(text: str) -> str:
    """What a statement topic is about: lead-ins ("make a video about…") and politeness dropped."""
    focus = _trim(_POLITE.sub("", text))
    for pattern in (_LEAD_IN, _ASK_LEAD_IN):
        lead = pattern.search(focus)
        if lead and _trim(focus[lead.end():]):
            focus = _trim(_POLITE.sub("", focus[lead.end():]))
    focus = _AUDIENCE.sub("", focus) or focus
    if len(focus.split()) > PHRASE_MAX_WORDS or len(focus) > PHRASE_MAX_CHARS:
        focus = (_sentences(focus) or [focus])[0]
    phrase = _shorten(focus)
    return re.sub(r"\s*[:;]\s+", ", ", phrase)  # "Cats: which is best" → "Cats, which is best"


def topic_parts(topic: str) -> TopicParts:
    """Fit ``topic`` for speech (see :class:`TopicParts`); BadInput if nothing speakable is left."""
    raw = " ".join(str(topic).split())
    text = _trim(_strip_symbols(raw)) or _trim(raw)
    if not text:
        raise BadInput("The topic has no words in it.", hint="Type what the video should be about.")
    words = tuple(w for w in (_bare(t) for t in text.split()) if w)

    if topic_kind(text) == "F":  # another language: kept as written (and quoted by the templates)
        phrase = _shorten(_focus(text) if not _question_of(raw, text) else text)
        return TopicParts(mid=phrase, start=phrase, question=None, clause=None, keywords=phrase, words=words,
                          kind="F")
    question = _question_of(raw, text)
    if question is not None:
        question = _upper_leading(question)
        clause = _question_clause(question)
        if clause is not None:
            clause = _lower_leading(clause)
        mid = clause or FALLBACK_REF
        return TopicParts(mid=mid, start=_upper_leading(mid), question=question, clause=clause,
                          keywords=_keywords(question), words=words, kind="C" if clause else "T")

    phrase = _focus(text)
    kind = topic_kind(phrase)
    mid = _lower_leading(phrase)
    first, _, rest = mid.partition(" ")
    if kind == "A" and rest and first.istitle() and rest == rest.lower():
        mid = f"{first.lower()} {rest}"  # "Public speaking" -> "…about public speaking"
    if kind == "L" and first.lower() == "top":
        mid = f"the {first.lower()} {rest}"  # "Here are the top 3 habits…"
    return TopicParts(mid=mid, start=_upper_leading(phrase), question=None, clause=None,
                      keywords=_keywords(phrase), words=words, kind=kind)


def _keywords(phrase: str) -> str:
    """Up to four content words of ``phrase`` (the phrase itself for unspaced scripts)."""
    if _is_unspaced(phrase) and len(phrase.split()) <= 2:
        return phrase[:UNSPACED_MAX_CHARS]
    words = [w.strip(".,;:!?\"'“”‘’()[]«»…") for w in phrase.split()]
    content = [w if not w[:1].isupper() or w.isupper() or w.lower() not in _COMMON_LEADING else w.lower()
               for w in words if w and _bare(w) not in _STOPWORDS]
    return " ".join(content[:4]) or phrase


def _title_case(phrase: str) -> str:
    """English title case keeping the person's capitals; words in other alphabets are left as they are."""
    out = []
    for i, word in enumerate(phrase.split()):
        low = word.lower()
        if i and low in _SMALL_TITLE_WORDS and (word.islower() or word == word.capitalize()):
            out.append(low)
        elif word.islower() and word[:1].isascii() and word[:1].isalpha():  # not Cyrillic, Greek…
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)


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
            short = _shorten(parts.mid, 4)
            start = short if parts.kind == "F" else _upper_leading(short)
            text = _render(template, replace(parts, mid=short, start=start,
                                             question=_shorten(parts.question or short, 4)), secs)
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
    return _bare(word).rstrip("s")[:6]


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
    own = {_stem(w) for w in parts.words if len(w) > 2 and w not in _STOPWORDS}
    named = [m for theme in themes[:2] for m in theme[1]
             if own & {_stem(w) for w in m.split() if _bare(w) not in _STOPWORDS}]
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
        question = _title_case(parts.question)
        title = rng.choice(QUESTION_TITLES).format(Q=question, N=secs)
        if len(title) > TITLE_MAX_CHARS:
            title = f"{question}?"
    else:
        template = rng.choice([text for kinds, text in _TITLE_POOLS[tone] if parts.kind in kinds])
        if template.startswith("{T}"):
            phrase = _title_case(parts.start)
        else:  # mid-title: "The Truth About the Future of AI"
            first, _, rest = _title_case(parts.mid).partition(" ")
            if first.lower() in _SMALL_TITLE_WORDS and first == first.capitalize():
                first = first.lower()
            phrase = f"{first} {rest}".strip()
        title = template.format(T=phrase, N=secs)
        if len(title) > TITLE_MAX_CHARS:
            title = _title_case(_shorten(parts.start, 6))
    return title if len(title) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS - 1].rstrip() + "…"
