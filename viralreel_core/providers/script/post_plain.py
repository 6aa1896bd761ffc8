"""Post texts without a language model, honestly plain: the topic as the title, the narration's first
sentence(s) as the description, hashtags from the topic's own words (then the title's and narration's)::

    plain_post_texts(script, "en")
    # PostTexts(title="Why do cats purr?", description="Cats purr for more reasons than you think.",
    #           hashtags=("#cats", "#purr", …))

A draft's places still waiting for the person's facts ("[a number]", ``text.placeholders``) never reach
the texts a person pastes: a sentence holding one is left out of the description, its words give no
hashtag, and a description left with nothing falls back to the script's title.
"""

from __future__ import annotations

import re
from collections import Counter

from viralreel_core.models import Script
from viralreel_core.post.kit import HASHTAGS_MAX, HASHTAGS_MIN, PostTexts, hashtag, tidy_texts
from viralreel_core.providers.script.local_script_data import QUESTION_TITLES, STEP_TITLES, TITLES
from viralreel_core.providers.script.topic_kinds import clause_verb, subject_words
from viralreel_core.text.languages import function_words, is_unspaced, split_words
from viralreel_core.text.placeholders import PLACEHOLDER

__all__ = ["plain_post_texts", "FALLBACK_HASHTAGS", "DESCRIPTION_CHARS"]

DESCRIPTION_CHARS = 160  # whole sentences, while they fit in this many characters
UNSPACED_TAG_CHARS = 12  # a clause of Chinese or Japanese up to this long is one hashtag
FALLBACK_HASHTAGS = ("#shorts", "#video", "#learn")  # only when the script's own words give fewer than three
#: English words too common to say what a video is about
_FILLER = frozenset("""about after again also because been before being could every from give have here into just
know like make many more most much never only other over really said same should some something still such than
that their them then there these they thing things this those through very want were what when where which while
will with would your yourself everyone you'll you're toward towards
comment comments tell send someone keeps asking left follow""".split())  # the last line: a draft's call to action
_LATIN_WORD = re.compile(r"^[A-Za-z'’-]+$")
_PUNCTUATION = ".,;:!?\"'“”‘’()[]{}«»…،؛؟。，、！？：；「」"
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？؟])\s*")
_GAP = "\x00"  # where a placeholder was, while sentences are split (its own "?" or "." ends none)


def _frame_words() -> frozenset[str]:
    """The offline writer's own title words ("Explained", "Under", "Seconds"): a frame around the topic, never
    what the video is about; "Step(s)" counts a how-to's steps."""
    templates = [t.partition("|")[2] or t for group in TITLES.values() for t in group]
    text = re.sub(r"\{\w\}", " ", " ".join([*templates, *STEP_TITLES, *QUESTION_TITLES, "Step Steps"]))
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z]+", text))


_TITLE_FRAME = _frame_words()


def _unframed(words: list[str]) -> list[str]:
    """``words`` of a title without its frame's: a title's own words are hashtags, "#explained" is not."""
    return [w for w in words if w.lower() not in _TITLE_FRAME]


def _content_words(text: str, language: str) -> list[str]:
    """The words of ``text`` that name something: English through ``subject_words`` (no verbs or list
    nouns), other languages without their function words."""
    if language == "en":
        return subject_words(text, limit=HASHTAGS_MAX)
    skip = function_words(language)
    words = []
    for word in split_words(text):
        core = word.strip(_PUNCTUATION)
        if core and core.lower() not in skip and len(core) >= (4 if _LATIN_WORD.match(core) else 2):
            words.append(core)
    return words


def _said_most(narration: str, language: str) -> list[str]:
    """The narration's words of four letters or more that are not function words, the most said first (then
    the longest): what the video keeps talking about."""
    skip = function_words(language) | _FILLER
    counts = Counter(core.lower() for word in split_words(narration) if (core := word.strip(_PUNCTUATION))
                     and len(core) >= 4 and core.lower() not in skip)
    return sorted(counts, key=lambda w: (-counts[w], -len(w)))


def _filled_sentences(narration: str) -> list[str]:
    """The sentences of ``narration`` with nothing left for the person to fill in (no ``[…]``, no stray bracket)."""
    marked = PLACEHOLDER.sub(_GAP, narration.strip())
    return [s for s in _SENTENCE_BREAK.split(marked) if s and not any(c in s for c in (_GAP, "[", "]"))]


def _first_sentences(sentences: list[str]) -> str:
    """Whole sentences from the start of ``sentences`` until the text reaches ``DESCRIPTION_CHARS``."""
    out = ""
    for sentence in sentences:
        if out and len(out) + len(sentence) > DESCRIPTION_CHARS:
            break
        out = f"{out} {sentence}".strip() if out and not out.endswith(("。", "！", "？")) else out + sentence
    return out


def _unspaced_words(topic: str, others: str) -> list[str]:
    """For a topic written without spaces (Chinese, Japanese, Thai): its short clauses whole, then its
    two-character runs that the title or narration says too (likely words, with no segmenter at hand)."""
    clauses = [c for c in re.split(f"[{re.escape(_PUNCTUATION)}\\s]+", topic) if 2 <= len(c) <= UNSPACED_TAG_CHARS]
    pairs = [topic[i:i + 2] for i in range(len(topic) - 1)]
    return [*clauses, *(p for p in pairs if p.isalpha() and p in others)]


def _unfilled(text: str) -> str:
    """``text`` without its places to fill in, on one line."""
    return " ".join(PLACEHOLDER.sub(" ", text).replace("[", " ").replace("]", " ").split())


def _same_words(a: str, b: str) -> bool:
    return [w.strip(_PUNCTUATION).lower() for w in a.split()] == [w.strip(_PUNCTUATION).lower() for w in b.split()]


def _description(script: Script, title: str) -> str:
    """The narration's first whole sentences without places to fill in; led by the script's title when the
    draft's opening was such a place (so the description still says what the video is)."""
    narration = " ".join(s.narration.strip() for s in script.scenes)
    kept = _filled_sentences(narration)
    lead = _unfilled(script.title)
    opening = _SENTENCE_BREAK.split(PLACEHOLDER.sub(_GAP, narration.strip()))[:1]
    if kept and lead and opening and opening[0] != kept[0] and not any(
            _same_words(lead, other) for other in (title, kept[0])):
        kept.insert(0, lead if lead.endswith(tuple(".!?…。！？؟")) else f"{lead}.")
    return _first_sentences(kept) or lead or title


def plain_post_texts(script: Script, language: str = "en") -> PostTexts:
    """Title, description and 3–8 hashtags read straight from ``script`` (no model, no cost), with none of a
    draft's places to fill in."""
    topic = _unfilled(script.topic) or _unfilled(script.title)
    title = topic[:1].upper() + topic[1:] if topic[:1].islower() else topic
    narration = " ".join(_filled_sentences(" ".join(s.narration for s in script.scenes)))
    description = _description(script, title)
    if is_unspaced(topic):
        words = _unspaced_words(topic, f"{script.title} {narration}")
    else:
        words = [*_content_words(topic, language), *_unframed(_content_words(_unfilled(script.title), language))]
    if len({hashtag(w) for w in words} - {""}) < HASHTAGS_MIN:  # the title's, then the narration's words top it up
        words += _unframed(_said_most(_unfilled(script.title), language)) + \
            _said_most(narration, language)[:HASHTAGS_MIN + 2]
    if language == "en":  # "how honeybees choose a new home": no "#choose"; "foods that never spoil": no "#never"
        verb = clause_verb(topic)
        words = [w for w in words if w.lower() != verb and w.lower() not in _FILLER]
    return tidy_texts(title, description, words, more=FALLBACK_HASHTAGS)
