"""How the offline writer meets a scene count and a length: more places for facts, or shorter ones.

A topic's shape has only so many distinct body lines (four reasons, eight steps, a line per list item);
scenes beyond them say one of the ``MORE`` sentences, each a place for one more fact about the topic, none
twice in a video. Asked for about ``words`` words a scene (a target length, ``text.length_plan``), the
draft is fitted scene by scene against the running total, so the whole script lands on ``scenes × words``
ordinary words (``timing.spoken_words`` counts what takes time to say: espeak's phonemes and pauses). A scene short
of its share gets ``MORE`` sentences (before a call to action, which ends the video); one far over it has
its bracketed places cut to their first part ("[the fact, and where it comes from]" → "[the fact]"), and
if still over, to their first words (``first_words``: "[your most surprising line about X]" → "[your most
surprising line]").

A draft over its length (a short video: a hook and a call to action that say the whole topic already fill
10 s) is written again, shorter level by level: the tone's shortest hook and call; then the topic's core
words where lines repeat it (``core_words``: "coffee" for "the history of coffee in 1600s Europe"; the hook
still says it whole); then each body slot's shortest wording; last, the hook says the topic's head
(``topic_head``: "the 2008 financial crisis" for "the 2008 financial crisis and what it taught"). The first
fitted draft within 5% of the length is kept (else the nearest), never with fewer than ``MIN_SCENES`` scenes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

from viralreel_core.providers.script.local_script_data import BODIES, MORE, MORE_NUMBERED
from viralreel_core.providers.script.topic_kinds import subject_words
from viralreel_core.text.languages import detect_language
from viralreel_core.text.timing import spoken_words

__all__ = ["MAX_STEPS_SCENES", "body_capacity", "core_words", "more_lines", "fit_words", "first_words",
           "nearest_draft", "topic_head"]

MAX_STEPS_SCENES = 8  # a how-to's body: seven steps and the mistake to avoid; a longer video says more of each
# a place's first part, before its first comma or clause ("[the fact that made you stop]" -> "[the fact]")
_PLACE_TAIL = re.compile(r"\[([^\[\],]+?)(?:,| that | which | before )[^\[\]]*\]")
_PLACE = re.compile(r"\[([^\[\]]+)\]")
# where a place's first words end: its first comma, clause or phrase ("[the first to tenth | of 10 facts]")
_WORDS_END = re.compile(r",| (?:about|of|for|in|on|from|with|and|that|which|before|when|if|as|at) ")


_DETERMINERS = frozenset({"the", "a", "an", "your", "my", "our", "their", "his", "her", "its"})
_FOLLOWERS = re.compile(r"\b(?:in|at|from|during|since|and|for|on|with|to|by|vs)\b")


def core_words(about: str, shape: str) -> str:
    """The topic's core words, for lines that repeat it in a short video: "coffee" for "the history of coffee
    in 1600s Europe", "the Northern Lights" for "what makes the Northern Lights glow", "Nikola Tesla" for
    "Nikola Tesla and the war of the currents"; ``about`` itself when it is short or has no clear core."""
    words = about.split()
    if shape in ("steps", "list", "other") or len(words) <= 2:
        return about
    if words[0][:1].isupper() and words[1][:1].isupper():  # a name first: "Nikola Tesla and …"
        return " ".join(words[:next((i for i, w in enumerate(words) if not w[:1].isupper()), len(words))])
    if words[0].lower() in _DETERMINERS and " of " in about:  # "the history of coffee in 1600s Europe"
        tail = _FOLLOWERS.split(about.split(" of ", 1)[1], maxsplit=1)[0].strip(" ,")
        return tail if 0 < len(tail.split()) < len(words) else about
    if words[0].lower() in _DETERMINERS:  # "the 1969 Moon landing (and …)": the thing, without its number
        kept = _FOLLOWERS.split(" ".join(w for w in words if not any(ch.isdigit() for ch in w)), maxsplit=1)[0]
        return kept.strip(" ,") if 1 < len(kept.split()) < len(words) else about
    nouns = subject_words(about)
    if not nouns or words[0].lower() not in ("how", "why", "what", "when", "where", "who", "which"):
        return about
    if words[0].lower() in ("what", "who", "which") and words[1] == nouns[0] and nouns[0].endswith("s"):
        nouns = subject_words(" ".join(words[2:])) or nouns  # "what causes earthquakes": "causes" is the verb
    at = next((i for i, w in enumerate(words) if w.strip(",.?!") == nouns[0]), None)
    if at is None or at == 0:
        return about
    end = at + 1
    while end < len(words) and words[end][:1].isupper():  # "the Northern Lights"
        end += 1
    start = at - 1 if words[at - 1].lower() in _DETERMINERS else at
    core = words[start:end]
    plain = start < at or core[-1].endswith("s") or core[0][:1].isupper()  # a noun, not a verb ("paid")
    return " ".join(core) if plain else about


def body_capacity(shape: str, items: int) -> int:
    """How many body scenes a topic of this shape fills with its own lines, each said once."""
    if shape == "other":
        return 1_000  # numbered places, as many as asked for
    if shape == "steps":
        return MAX_STEPS_SCENES
    if shape == "list":
        return items + 1  # a line per item, then the one that works best
    return len(BODIES[shape])


def more_lines(shape: str, fills: dict[str, str], seed: int, first: int) -> Iterator[str]:
    """The sentences a longer draft adds, in a seeded order, none twice; numbered ones past the last.

    A topic in another language gets numbered places in its own words only (``first``: the next number)."""
    if shape == "other":
        line = BODIES["other"][0][0]
        n = first
        while True:
            yield " ".join(line.format(**fills, n=str(n)).split())
            n += 1
    pool = list(MORE)
    random.Random(seed).shuffle(pool)
    for line in pool:
        yield " ".join(line.format(**fills).split())
    n = len(pool) + 1
    while True:
        yield " ".join(MORE_NUMBERED.format(**fills, n=n).split())
        n += 1


def _first_part(text: str, subject: str) -> str:
    """``text`` with each place cut to its first part, unless that part is the topic's ``subject`` alone."""
    def cut(match: re.Match[str]) -> str:
        kept = match.group(1)
        return match.group(0) if kept.strip().lower() == subject.strip().lower() else f"[{kept}]"

    return _PLACE_TAIL.sub(cut, text)


def first_words(text: str, subject: str = "") -> str:
    """``text`` with each bracketed place cut to its first words, at least two and more than the topic's
    ``subject`` ("[your most surprising line about X]" -> "[your most surprising line]", "[coffee, explained
    in words a child would follow]" -> "[coffee, explained]"); a place without such a cut stays."""
    def cut(match: re.Match[str]) -> str:
        inner = match.group(1)
        for end in _WORDS_END.finditer(inner):
            kept = inner[:end.start()]
            if len(kept.split()) >= 2 and kept.strip().lower() != subject.strip().lower():
                return f"[{kept}]"
        return match.group(0)

    return _PLACE.sub(cut, text)


def _count(text: str) -> float:
    return spoken_words(text)  # what the voice takes time over: "octopuses" is more than "a"


def fit_words(narrations: list[str], words: int, more: Iterator[str], subject: str = "") -> list[str]:
    """``narrations`` fitted to about ``words`` words each, against the running total (see the module); places
    are cut no shorter than the topic's ``subject`` (``first_words``)."""
    fitted: list[str] = []
    total = 0
    pending = next(more)
    last = len(narrations) - 1
    for i, narration in enumerate(narrations):
        goal = words * (i + 1)
        added: list[str] = []
        # a sentence is added while it brings the running total nearer the goal than leaving it out would
        while total + _count(narration) + sum(map(_count, added)) + _count(pending) / 2 < goal:
            added.append(pending)
            pending = next(more)
        text = " ".join([*added, narration] if i == last and i > 0 else [narration, *added])
        for shorter in (lambda t: _first_part(t, subject), lambda t: first_words(t, subject)):
            cut = shorter(text)  # kept when nearer the goal and still the same language (the voice follows it)
            if (total + _count(text) > goal + max(2.0, words * 0.15) and detect_language(cut) == detect_language(text)
                    and abs(total + _count(cut) - goal) < abs(total + _count(text) - goal)):
                text = cut
        fitted.append(text)
        total += _count(text)
    return fitted


def topic_head(mid: str) -> str:
    """The topic up to its first following phrase, numbers kept ("the 2008 financial crisis" for "the 2008
    financial crisis and what it taught"): what a hook says when the whole topic does not fit a short video."""
    head = _FOLLOWERS.split(mid, maxsplit=1)[0].strip(" ,")
    return head if 2 <= len(head.split()) < len(mid.split()) else mid


def nearest_draft(drafts: list[list[str]], words: float) -> list[str]:
    """The first fitted draft within 5% of ``words`` spoken words, else the nearest; where it can, one whose
    lines all read as the draft's language (the voice is picked by each line's language, and a short line
    can be guessed another: "Ada Lovelace: [the one fact]." reads as Indonesian)."""
    language = detect_language(" ".join(drafts[0]))
    same = [d for d in drafts if all(detect_language(n) == language for n in d)] or drafts
    misses = [abs(sum(map(spoken_words, d)) / words - 1) for d in same]
    return next((d for d, miss in zip(same, misses, strict=True) if miss <= 0.05),
                same[misses.index(min(misses))])
