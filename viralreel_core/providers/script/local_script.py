"""The offline script writer: any topic to a 3–20 scene draft, honest about knowing no facts.

With no language model the writer cannot know facts, so it does not pretend: its draft is the
structure of a short video in the topic's own words (a **hook**, **body** scenes, a **call to action**;
3–6 scenes of its choosing, or as many and as long as asked for: ``local_length``) with the places for
the person's facts left visible in square brackets::

    Black holes: [the one fact about black holes that made you stop scrolling].
    Start with the basics of black holes: [what black holes is, in one sentence].

The body follows the topic's shape: steps for a how-to ("Step one: [the first thing to do to bake
bread]."), reasons for a "why", an answer and its evidence for a yes-or-no question, the items of a
list, stages for "how X works", who and what for a name. Every sentence names the topic, so no sentence
is the same in two videos, and nothing is promised that the video does not hold (no "part two"). The
pipeline warns while brackets remain (``text.placeholders``); the studio's Script page counts them.

Wording varies with the tone and a ``random.Random`` seeded from the topic, seed and tone: the same
request always gives the same draft, another seed or tone another. The topic is fitted into sentences
first (:func:`.topic_fit.topic_parts`); the words are data, in :mod:`.local_script_data`. A topic in
another language is kept as written beside the places to fill (never quoted into English sentences).

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
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_SCENES, MAX_TOPIC_CHARS, MIN_SCENES, USUAL_SCENES
from viralreel_core.models import Scene, Script
from viralreel_core.providers.base import ScriptRequest, ScriptWriter
from viralreel_core.providers.clips.search_phrases import (
    MAX_PHRASES,
    MIN_PHRASES,
    clean_phrases,
    phrase_words,
    phrases_from_text,
)
from viralreel_core.providers.script import local_length
from viralreel_core.providers.script.local_script_data import (
    BODIES,
    CALLS,
    DEFAULT_PALETTES,
    DEFAULT_SETTINGS,
    ENGLISH_NOUNS,
    GENERIC_TERMS,
    HOOKS,
    KINDS,
    MOODS,
    NUMBER_WORDS,
    ORDINALS,
    OTHER_CALL,
    OTHER_HOOK,
    PROCESS_VERBS,
    QUESTION_TITLES,
    SHOTS,
    STEP_TITLES,
    THEMES,
)
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
from viralreel_core.providers.script.topic_kinds import subject_words
from viralreel_core.text.timing import WORDS_PER_SECOND, spoken_words

__all__ = [
    "LocalScriptWriter",
    "TopicParts",
    "topic_parts",
    "topic_shape",
    "normalize_tone",
    "TONES",
    "SHAPES",
    "PHRASE_MAX_WORDS",
    "QUESTION_MAX_WORDS",
]

MODEL = "draft-v4"  # bump whenever the same request starts giving a different script
MAX_LIST_ITEMS = 10  # "25 facts about X" gets ten places, grouped into the body scenes
SHAPES = tuple(BODIES)
_LIST_COUNT = re.compile(rf"^(?:the\s+)?(?:top\s+)?(?:\d+|{'|'.join(NUMBER_WORDS)})\s+", re.I)  # "the top 5 "


def _parse(pool: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """("kinds|text", …) as ((kinds, text), …); kinds "*" stands for every kind."""
    return tuple((kinds.replace("*", KINDS), text) for kinds, _, text in (t.partition("|") for t in pool))


_HOOKS = {tone: _parse(pool) for tone, pool in HOOKS.items()}
_CALLS = {tone: _parse(pool) for tone, pool in CALLS.items()}
_TITLE_POOLS = {tone: _parse(pool) for tone, pool in _TITLE_DATA.items()}
TONES = tuple(HOOKS)
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
    """The wording set for ``tone``: one of :data:`TONES` (unknown tones use "default")."""
    key = re.sub(r"[^a-z]", "", (tone or "").lower())
    return _TONE_ALIASES.get(key, "default")


def topic_shape(parts: TopicParts) -> str:
    """What the body of a video on this topic is made of: one of :data:`SHAPES`."""
    low = parts.mid.lower()
    if parts.kind == "F":
        return "other"
    if parts.kind == "L":
        return "list"
    if low.startswith("how to ") or parts.kind == "A":
        return "steps"
    if parts.question is not None and parts.clause is None:
        return "answer"
    if low.startswith("why "):
        return "reasons"
    if low.startswith("how ") and PROCESS_VERBS & set(low.split()[2:]):
        return "process"  # "how volcanoes work"; "how I paid off my loans" is a story: a subject
    return "profile" if parts.kind == "N" else "subject"


def _list_count(parts: TopicParts) -> int:
    """How many items a list topic names ("5 ways…" -> 5; "ten facts" -> 10), at most ``MAX_LIST_ITEMS``."""
    for word in parts.words:
        if word.isdigit():
            return max(1, min(MAX_LIST_ITEMS, int(word)))
        if word in NUMBER_WORDS:
            return max(1, NUMBER_WORDS.index(word))
    return 3


def _mid(parts: TopicParts) -> str:
    """The topic mid-sentence; a plain thing loses a capital it only had as a topic ("Black holes")."""
    first, _, rest = parts.mid.partition(" ")
    if (parts.kind == "T" and rest and first[:1].isupper() and first[1:].islower()
            and not any(ch.isupper() for ch in rest)):
        return f"{first.lower()} {rest}"
    return parts.mid


def _about(parts: TopicParts, shape: str, mid: str) -> str:
    """What the lines say the video is about ("volcanoes" for "how volcanoes work")."""
    if shape == "answer":
        words = subject_words(parts.question or "")
        return words[0] if words else (parts.question or mid)
    what_is = re.fullmatch(r"what (.+) (?:is|are)", mid.lower())
    if shape == "process" or (shape == "subject" and what_is):  # "how volcanoes work", "what dark matter is"
        return " ".join(subject_words(parts.clause or mid)) or mid
    if shape == "list":
        things = _LIST_COUNT.sub("", mid)
        if re.search(r"\b(?:that|which|who)\b", things, re.I):  # "5 foods that never spoil": said whole
            return things
        after = re.split(r"\b(?:to|of|for|about|in|on)\b", mid, maxsplit=1)
        return " ".join(subject_words(after[-1])) or mid
    return mid


def _goal(mid: str) -> tuple[str, str]:
    """What the steps are for, two ways: ("to bake bread", "when you bake bread") for "how to bake bread",
    ("for learning to cook", "when learning to cook") or ("for public speaking", "in public speaking")."""
    if mid.lower().startswith("how to "):
        return mid[4:], f"when you {mid[7:]}"
    doing = mid.split()[0].lower().endswith("ing")  # "learning to cook"; "quantum computing" is a field
    return f"for {mid}", f"when {mid}" if doing else f"in {mid}"


def _say(template: str, fills: dict[str, str], **more: str) -> str:
    return " ".join(template.format(**fills, **more).split())


def _pick(pool: tuple[tuple[str, str], ...], kind: str, rng: random.Random) -> str:
    return rng.choice([text for kinds, text in pool if kind in kinds] or [text for _, text in pool])


def _shortest(said: str, pool: tuple[tuple[str, str], ...], kind: str, fills: dict[str, str], words: int) -> str:
    """``said``, or the pool's shortest line for ``kind`` when ``said`` is well over ``words`` ordinary words."""
    if spoken_words(said) <= words * 1.15:
        return said
    lines = [_say(text, fills) for kinds, text in pool if kind in kinds] or [said]
    return min(lines, key=lambda line: (spoken_words(line), line))


def _body(shape: str, scenes: int, steps: int, items: int, rng: random.Random, fills: dict[str, str],
          shortest: bool = False) -> list[str]:
    """The body scenes' narrations: ``scenes`` of them, in the order the topic's shape needs (``shortest``:
    each slot's shortest wording, for a short video; the same draws either way)."""
    slots = BODIES[shape]

    def choose(options: tuple[str, ...]) -> str:
        picked = rng.choice(options)
        if not shortest or len(options) < 2:
            return picked
        said = {o: local_length.first_words(_say(o, fills, n="one", nth="first"), fills["s"]) for o in options}
        return min(options, key=lambda o: (spoken_words(said[o]), o))  # as said once its places are cut
    if shape == "steps":
        line = choose(slots[0])
        said = [_say(line, fills, n=NUMBER_WORDS[k], nth=ORDINALS[k]) for k in range(1, steps + 1)]
        return said + [_say(choose(slots[1]), fills) for _ in range(scenes - steps)]
    if shape == "list":
        line = choose(slots[0])
        per, extra = divmod(items, scenes) if items >= scenes else (1, 0)
        said, k = [], 1
        for i in range(min(scenes, items)):
            take = per + (1 if i < extra else 0)
            if take > (1 if shortest else 3):  # "Numbers one to five: [the first to fifth of 10 tips…]"
                last = k + take - 1
                said.append(_say(slots[1][0], fills, n=NUMBER_WORDS[k], m=NUMBER_WORDS[last], nth=ORDINALS[k],
                                 mth=ORDINALS[last]))
            else:
                said.append(" ".join(_say(line, fills, n=NUMBER_WORDS[j], nth=ORDINALS[j]) for j in range(k, k + take)))
            k += take
        return said + [_say(choose(slots[2]), fills) for _ in range(scenes - len(said))]
    if shape == "other":
        return [_say(slots[0][0], fills, n=str(k)) for k in range(1, scenes + 1)]
    chosen = sorted([0, *rng.sample(range(1, len(slots)), scenes - 1)]) if scenes < len(slots) else range(scenes)
    return [_say(choose(slots[i % len(slots)]), fills) for i in chosen]


def _rounded_length(narrations: list[str]) -> int:
    """The script's spoken length, rounded up to ten seconds (what a title may promise)."""
    words = sum(len(n.split()) for n in narrations)
    return max(10, 10 * math.ceil(words / WORDS_PER_SECOND / 10 - 1e-9))


class LocalScriptWriter(ScriptWriter):
    """Offline, free and deterministic: a draft with the topic's words and visible places for its facts."""

    name = "local"
    label = "Offline writer"
    offline = True
    languages = ("en",)  # its structure is English; a topic in another language is kept beside the places to fill

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
        shape = topic_shape(parts)
        items = _list_count(parts) if shape == "list" else 0
        count = request.scenes if request.scenes is not None else _choose_count(parts, shape, items, rng)
        body = count - 2
        own = min(body, local_length.body_capacity(shape, items))  # the shape's own lines; scenes past them say more
        steps = own if own <= 3 else own - 1  # a long how-to ends its body on the mistake to avoid
        mid = _mid(parts)
        fills = {"t": mid, "T": upper_leading(mid), "s": _about(parts, shape, mid), "q": parts.question or "",
                 "b": f"{NUMBER_WORDS[steps] if steps < len(NUMBER_WORDS) else steps} step{'s' * (steps != 1)}"}
        fills["goal"], fills["when"] = _goal(mid) if shape == "steps" else ("", "")
        state = rng.getstate()
        drafts: list[list[str]] = []  # over a length: shorter wordings (local_length)
        for level in range(5 if request.words is not None else 1):
            rng.setstate(state)
            core = local_length.core_words(fills["s"], shape) if level >= 2 else fills["s"]
            said = {**fills, "s": core}  # the hook says the whole topic (its head, last); other lines its core
            if level == 4 and shape not in ("steps", "list", "other"):
                said["T"] = upper_leading(local_length.topic_head(mid))
            short = {**said, "t": core, "T": upper_leading(core)} if core != fills["s"] and shape in (
                "subject", "process") else said  # where {t} is a noun ("Start with the basics of coffee")
            if shape == "other":
                hook, call = _say(OTHER_HOOK, short), _say(OTHER_CALL, short)
            else:
                kind = "Q" if parts.question is not None and shape != "steps" else parts.kind
                hook_kind = "A" if shape == "steps" else kind  # "in three steps"
                hook = _say(_pick(_HOOKS[tone], hook_kind, rng), said)
                call = _say(_pick(_CALLS[tone], kind, rng), short)
                if request.words is not None:  # a short video: the tone's shortest hook and call where long
                    least = 0 if level else request.words
                    hook = _shortest(hook, _HOOKS[tone], hook_kind, said, least)
                    call = _shortest(call, _CALLS[tone], kind, short, least)
            more_seed = _seed(topic, request.seed, f"{request.tone}\x00more")
            more = local_length.more_lines(shape, short, more_seed, first=body + 1)
            narrations = [hook, *_body(shape, own, steps, items, rng, short, shortest=level >= 3),
                          *(next(more) for _ in range(body - own)), call]
            if request.words is None:
                break
            drafts.append(local_length.fit_words(narrations, request.words, more, subject=short["s"]))
        narrations = local_length.nearest_draft(drafts, request.words * count) if drafts else narrations
        roles = ["hook", *(["body"] * body), "cta"]
        themes = _themes(parts)
        palette = themes[0][3] if themes else rng.choice(DEFAULT_PALETTES)
        subjects = _subject_cycle(themes, parts, rng)
        scenes, seen = [], set()
        english = request.language == "en" and parts.words == tuple(w for w in parts.words if w.isascii())
        for number, (role, narration) in enumerate(zip(roles, narrations, strict=True), 1):
            subject = next(subjects)
            visuals = _visuals(role, tone, subject, palette, rng, seen)
            terms = _search_terms(subject, themes, parts, english, number)
            scenes.append(Scene(number=number, visuals=visuals, narration=narration, search_terms=terms))
        secs = _rounded_length(narrations)
        return Script(topic=topic, title=_title(tone, parts, shape, steps, rng, secs), scenes=tuple(scenes))

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


def _seed(topic: str, seed: int, tone: str) -> int:
    digest = hashlib.sha256(f"{topic}\x00{seed}\x00{(tone or '').strip().lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _choose_count(parts: TopicParts, shape: str, items: int, rng: random.Random) -> int:
    """3–6 scenes: a list gets a scene per item where it can, a how-to room for its steps, short topics
    shorter scripts, long or question topics longer ones."""
    if shape == "list":
        return max(USUAL_SCENES[0], min(USUAL_SCENES[-1], items + 2))
    if shape == "steps":
        return rng.choice((5, 6))
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
    if parts.mid.lower().startswith("how to "):  # "how to bake bread": a person trying to do it
        return f"a person trying {parts.mid[4:]}"
    if parts.question is not None and parts.clause is None:  # "is coffee bad for you": the coffee
        return (subject_words(parts.question) or [parts.keywords])[0]
    if parts.kind == "T" and " of " in parts.mid:  # "the history of the bicycle": the bicycle
        after = parts.mid.split(" of ", 1)[1]
        if subject_words(after):
            return after
    if parts.question is not None:
        return _with_article(" ".join(subject_words(parts.clause or parts.question)), parts) or parts.keywords
    if parts.kind == "L":  # "5 ways to save money" shows money; "3 habits of successful people", the people
        after = re.split(r"\b(?:to|of|for|about|in|on)\b", parts.mid, maxsplit=1)
        words = subject_words(after[-1]) or subject_words(parts.mid)
        return " ".join(words) or parts.mid
    if parts.kind == "A":  # "learning to cook": a person doing it
        return f"a person {parts.mid}" if parts.mid.split()[0].endswith("ing") else parts.mid
    if parts.kind == "N" or (parts.kind == "T" and len(parts.mid.split()) <= 4):
        return _mid(parts)
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


def _search_terms(subject: str, themes: list[_Theme], parts: TopicParts, english: bool, number: int
                  ) -> tuple[str, ...]:
    """2–4 English phrases to search stock footage for: the scene's subject without its style words, then the
    pictured subjects of its themes that name it. For a topic in another language, the English of the
    topic's words this writer knows (``ENGLISH_NOUNS``), else its theme's pictured subjects; generic filmable
    shots fill in. Never the topic's own words in another language."""
    own = subject
    if not english:
        known = list(dict.fromkeys(ENGLISH_NOUNS[w] for w in parts.words if w in ENGLISH_NOUNS))
        own = ", ".join(known)
        themes = _themes(topic_parts(" ".join(known))) if known else themes
    stems = {_stem(w) for w in phrase_words(own)}
    named = [s for theme in themes[:2 if stems else 1] for s in theme[1]
             if not stems or stems & {_stem(w) for w in s.split()}]
    turn = (number - 1) % len(named) if named else 0  # later scenes lead with other pictured subjects
    extra = [p for s in named[turn:] + named[:turn] for p in phrases_from_text(s)]
    terms = phrases_from_text(own, extra=extra) if own else clean_phrases(extra, MAX_PHRASES)
    if len(terms) < MIN_PHRASES:
        turn = (number - 1) % len(GENERIC_TERMS)
        terms = clean_phrases([*terms, *GENERIC_TERMS[turn:], *GENERIC_TERMS[:turn]], MIN_PHRASES)
    return terms


def _visuals(role: str, tone: str, subject: str, palette: str, rng: random.Random, seen: set[str]) -> str:
    """A shot of ``subject`` in the palette and the tone's mood, not the same words as an earlier scene."""
    for _ in range(8):
        shot = rng.choice(SHOTS["body" if role not in SHOTS else role])
        visuals = f"{shot} {subject}, {palette} tones, {rng.choice(MOODS[tone])}"
        if visuals not in seen:
            break
    seen.add(visuals)
    return visuals


def _title(tone: str, parts: TopicParts, shape: str, steps: int, rng: random.Random, secs: int) -> str:
    """A title that promises only what the draft holds: the topic, its question, its steps or its list."""
    if parts.kind == "F":
        title = parts.start
    elif shape == "steps":
        title = rng.choice(STEP_TITLES).format(T=title_case(parts.start), B=f"{steps} Step{'s' * (steps != 1)}")
    elif parts.question is not None:
        question = title_case(parts.question)
        title = rng.choice(QUESTION_TITLES).format(Q=question, N=secs)
        if len(title) > TITLE_MAX_CHARS:
            title = f"{question}?"
    elif shape == "list":
        title = title_case(parts.start)
    else:
        template = rng.choice([text for kinds, text in _TITLE_POOLS[tone] if parts.kind in kinds])
        if template.startswith("{T}"):
            phrase = title_case(parts.start)
        else:  # mid-title: "Why the Future of AI Is Worth Your Time"
            first, _, rest = title_case(parts.mid).partition(" ")
            if first.lower() in SMALL_TITLE_WORDS and first == first.capitalize():
                first = first.lower()
            phrase = f"{first} {rest}".strip()
        title = template.format(T=phrase, N=secs)
    if len(title) > TITLE_MAX_CHARS:
        title = title_case(shorten(parts.start, 6))
    return title if len(title) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS - 1].rstrip() + "…"
