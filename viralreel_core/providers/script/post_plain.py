"""Post texts without a language model, honestly plain: the topic as the title, the narration's first
sentence(s) as the description, hashtags from the topic's own words (then the title's and narration's)::

    plain_post_texts(script, "en")
    # PostTexts(title="Why do cats purr?", description="Cats purr for more reasons than you think.",
    #           hashtags=("#cats", "#purr", …))
"""

from __future__ import annotations

import re
from collections import Counter

from viralreel_core.models import Script
from viralreel_core.post.kit import HASHTAGS_MAX, HASHTAGS_MIN, PostTexts, hashtag, tidy_texts
from viralreel_core.providers.script.topic_kinds import subject_words
from viralreel_core.text.languages import function_words, is_unspaced, split_words

__all__ = ["plain_post_texts", "FALLBACK_HASHTAGS", "DESCRIPTION_CHARS"]

DESCRIPTION_CHARS = 160  # whole sentences, while they fit in this many characters
UNSPACED_TAG_CHARS = 12  # a clause of Chinese or Japanese up to this long is one hashtag
FALLBACK_HASHTAGS = ("#shorts", "#video", "#learn")  # only when the script's own words give fewer than three
#: English words too common to say what a video is about
_FILLER = frozenset("""about after again also because been before being could every from give have here into just
know like make many more most much never only other over really said same should some something still such than
that their them then there these they thing things this those through very want were what when where which while
will with would your yourself everyone you'll you're""".split())
_LATIN_WORD = re.compile(r"^[A-Za-z'’-]+$")
_PUNCTUATION = ".,;:!?\"'“”‘’()[]{}«»…،؛؟。，、！？：；「」"
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？؟])\s*")


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


def _first_sentences(narration: str) -> str:
    """Whole sentences from the start of ``narration`` until the text reaches ``DESCRIPTION_CHARS``."""
    out = ""
    for sentence in _SENTENCE_BREAK.split(narration.strip()):
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


def plain_post_texts(script: Script, language: str = "en") -> PostTexts:
    """Title, description and 3–8 hashtags read straight from ``script`` (no model, no cost)."""
    topic = " ".join(script.topic.split()) or script.title
    title = topic[:1].upper() + topic[1:] if topic[:1].islower() else topic
    narration = " ".join(s.narration for s in script.scenes)
    description = _first_sentences(narration) or script.title
    if is_unspaced(topic):
        words = _unspaced_words(topic, f"{script.title} {narration}")
    else:
        words = [*_content_words(topic, language), *_content_words(script.title, language)]
    if len({hashtag(w) for w in words} - {""}) < HASHTAGS_MIN:  # the narration's most said words top it up
        words += _said_most(narration, language)[:HASHTAGS_MIN + 2]
    return tidy_texts(title, description, words, more=FALLBACK_HASHTAGS)
