"""Visuals for narration a person wrote, read from its own nouns: offline, free, the same text gives the same shot.

A scene's narration is searched for what a picture could show: the head nouns of its noun phrases ("the
tiny *muscles*", "a *cat*"), names written with a capital mid-sentence, words a theme knows ("volcano",
"money"). The two best, in the order they are said, make the shot's subject; the theme they match (or,
with none, one chosen from the text's hash) gives the setting and the colours; the scene's place gives
the camera move (a hook zooms in, the last scene pulls out)::

    visuals_for_narrations(["Cats purr with tiny muscles in their throat.", ...])
    # ("Extreme close-up of tiny muscles and cat, in warm golden light, warm golden tones, ...", ...)

Narration in another language, or with nothing to picture, is shown as its first words, quoted.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence

from viralreel_core.limits import scene_role
from viralreel_core.providers.script.local_script_data import (
    DEFAULT_PALETTES,
    DEFAULT_SETTINGS,
    MOODS,
    SHOTS,
    THEMES,
)
from viralreel_core.providers.script.topic_fit import STOPWORDS, bare
from viralreel_core.providers.script.topic_kinds import is_foreign

__all__ = ["visuals_for_narrations", "visuals_for_narration", "picture_words"]

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|[.!?;:,]")
_DETERMINERS = frozenset("a an the this that these those my your our their his her its some every each "
                         "any no another".split())
_NOT_NOUNS = frozenset("""
be been being am isn't aren't don't doesn't can't won't it's that's here's there's let's you're we're they're
make makes making go goes going went gone come comes came take takes took see sees saw seen know knows knew
think thinks thought say says said tell tells told want wants need needs try tries tried keep keeps kept
start starts started stop stops show shows showed find finds found give gives gave look looks looked feel
feels felt seem seems become becomes became turn turns call calls use uses work works help helps mean means
follow comment share save subscribe like likes watch learn happen happens live lives change changes matter
matters put puts bring brings ask asks hear hears let lets wait believe remember imagine guess
almost always never often sometimes every today tomorrow yesterday now later soon ever once twice again
actually basically literally totally probably maybe perhaps yes okay ok oh wow hey
one two three four five six seven eight nine ten twenty thirty forty fifty hundred thousand million billion
something nothing everything anything someone everyone anyone nobody part lot lots kind sort bit
between through across around after before during without within against along among behind beyond near
since until upon toward towards while because though although unless onto off out up down
""".split())
_ADJECTIVES = frozenset("""
good great best better worse worst new old big small little tiny huge first last next own same other more
most many much few such real simple easy hard true false whole full high low long short right wrong
bright dark deep wide narrow hot cold warm cool fast slow quiet loud soft strong weak young ancient modern
""".split())
_ADJECTIVE_ENDINGS = ("ful", "ous", "ive", "ble", "ic", "al", "less", "ish", "est")
_MAX_PHRASE_WORDS = 3


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _noun_like(word: str) -> bool:
    low = bare(word)
    return (len(low) > 2 and low not in STOPWORDS and low not in _NOT_NOUNS and low not in _ADJECTIVES
            and not low.endswith("ly") and not low.endswith("ed") and "'" not in low and "’" not in low)


def _adjective_like(word: str) -> bool:
    low = bare(word)
    return low in _ADJECTIVES or (low.endswith(_ADJECTIVE_ENDINGS) and low not in STOPWORDS)


def _plural(word: str) -> bool:
    low = bare(word)
    return low.endswith("s") and not low.endswith(("ss", "us", "is"))


def _names(tokens: list[str], i: int, sentence_start: bool) -> int:
    """How many capitalised words start at ``i`` (a name such as "Marie Curie"); at a sentence's start one
    capital is just the first word, two in a row a name."""
    j = i
    while j < len(tokens) and tokens[j][:1].isupper() and bare(tokens[j]) not in STOPWORDS:
        j += 1
    count = j - i
    return count if count >= 2 or (count == 1 and not sentence_start) else 0


def _second_noun(first: str, second: str) -> bool:
    """Whether ``second`` continues the noun ``first`` ("strange facts", "stock market") rather than being what
    it does ("cats rest", "magma rises": after a noun, a word with a verb's -s is taken for the verb)."""
    return (_noun_like(second) and not bare(second).endswith("ing") and not _plural(first)
            and not _plural(second))


def _is_verb(subject: str, token: str) -> bool:
    """Whether ``token`` right after the subject noun reads as its verb ("cats rest", "the cat purrs")."""
    return bool(subject) and (_plural(subject) != _plural(token) or _plural(token))


def picture_words(narration: str, limit: int = 2) -> list[str]:
    """What a picture of ``narration`` shows: up to ``limit`` noun phrases, in the order they are said."""
    tokens = _WORD.findall(narration or "")
    themed = {t for theme in THEMES.values() for t in theme[0] if t.isascii() and " " not in t}
    scored: dict[str, list] = {}  # stem -> [score, first position, phrase]
    sentence_start, subject = True, ""  # subject: the noun a sentence or noun phrase just named
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token[0].isalpha():
            sentence_start, subject = token in ".!?;:", ""
            i += 1
            continue
        low = bare(token)
        name = _names(tokens, i, sentence_start)
        if name:  # "Marie Curie", "Nobel Prizes", "Paris"
            phrase = " ".join(tokens[i:i + name][-_MAX_PHRASE_WORDS:])
            _score(scored, phrase.lower(), 3, i, phrase, themed)
            i, sentence_start, subject = i + name, False, tokens[i + name - 1]
            continue
        at_start = sentence_start
        sentence_start = False
        j, modifiers, points = i, [], 1
        if low in _DETERMINERS:  # a noun phrase: describing words, then the noun
            j, points = i + 1, 3
            while j < len(tokens) and tokens[j][0].isalpha() and _adjective_like(tokens[j]) and len(modifiers) < 2:
                modifiers.append(bare(tokens[j]))
                j += 1
        elif _is_verb(subject, token) or (low.endswith("ing") and not at_start):
            i, subject = i + 1, ""
            continue
        if j >= len(tokens) or not tokens[j][0].isalpha() or not _noun_like(tokens[j]):
            i, subject = max(j, i + 1), ""
            continue
        nouns = [bare(tokens[j])]
        named_subject = points == 3 or at_start
        if j + 1 < len(tokens) and tokens[j + 1][0].isalpha() and _second_noun(tokens[j], tokens[j + 1]):
            nouns.append(bare(tokens[j + 1]))
        _score(scored, nouns[-1], points, i, " ".join([*modifiers, *nouns][-_MAX_PHRASE_WORDS:]), themed)
        i = j + len(nouns)
        subject = nouns[-1] if named_subject else ""
    best = sorted(scored.values(), key=lambda s: (-s[0], s[1]))[:limit]
    return [phrase for _, _, phrase in sorted(best, key=lambda s: s[1])]


def _score(scored: dict[str, list], word: str, points: int, position: int, phrase: str, themed: set[str]) -> None:
    if word in themed or _stem(word) in themed:
        points += 2
    key = _stem(word)
    if key in scored:
        scored[key][0] += points
        if len(phrase.split()) > len(scored[key][2].split()):
            scored[key][2] = phrase
    else:
        scored[key] = [points, position, phrase]


def _theme(narration: str) -> tuple[tuple[str, ...], str] | None:
    """The settings and palette of the theme the narration's words name most, or None."""
    words = {bare(w) for w in _WORD.findall(narration or "")}
    best, hits_best = None, 0
    for triggers, _subjects, settings, palette in THEMES.values():
        hits = sum(1 for t in triggers if t in words or f"{t}s" in words)
        if hits > hits_best:
            best, hits_best = (settings, palette), hits
    return best


def visuals_for_narration(narration: str, role: str = "body") -> str:
    """One shot for a scene saying ``narration`` in ``role`` ("hook", "body" or "cta")."""
    rng = random.Random(int.from_bytes(hashlib.sha256((narration or "").encode()).digest()[:8], "big"))
    words = [] if is_foreign(narration or "") else picture_words(narration)
    if words:
        subject = " and ".join(words)
    else:  # nothing to picture in English words: the scene's own first words, as a title card would show them
        first = " ".join((narration or "").split()[:6]).strip(" ,.;:!?")
        subject = f"a scene about “{first}”" if first else "an abstract background"
    theme = _theme(narration)
    settings, palette = theme if theme else (DEFAULT_SETTINGS, rng.choice(DEFAULT_PALETTES))
    shot = rng.choice(SHOTS.get(role, SHOTS["body"]))
    return f"{shot} {subject}, {rng.choice(settings)}, {palette} tones, {rng.choice(MOODS['default'])}"


def visuals_for_narrations(narrations: Sequence[str]) -> tuple[str, ...]:
    """A shot for each narration, in order (the first is the hook, the last the call to action)."""
    return tuple(visuals_for_narration(n, scene_role(i, len(narrations))) for i, n in enumerate(narrations))
