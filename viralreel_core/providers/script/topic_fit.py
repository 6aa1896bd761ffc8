"""Fitting a topic into spoken sentences, for the offline script writer.

:func:`topic_parts` cleans the topic (whitespace, hashtags, emoji, trailing punctuation), drops
"make a video about …" lead-ins, cuts long topics to a short phrase, lower-cases a leading common word
mid-sentence ("The future of AI" → "…about the future of AI"), keeps a question topic as a question
("Why do cats purr?") and, where a simple rule allows, turns it into a clause ("…why cats purr"), and
says what kind of phrase it is (:mod:`.topic_kinds`). A topic in another language is kept as written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from viralreel_core.errors import BadInput
from viralreel_core.providers.script.topic_kinds import topic_kind

__all__ = ["TopicParts", "topic_parts", "shorten", "upper_leading", "bare", "title_case", "STOPWORDS",
           "SMALL_TITLE_WORDS", "PHRASE_MAX_WORDS", "QUESTION_MAX_WORDS", "FALLBACK_REF"]

PHRASE_MAX_WORDS = 8  # a statement topic as spoken inside a sentence (every pool fits 14 fixed words)
QUESTION_MAX_WORDS = 10  # a question topic, asked whole in the hook and the call to action
PHRASE_MAX_CHARS = 70
UNSPACED_MAX_CHARS = 24  # a topic in a script without spaces (Chinese, Japanese, Thai…)
FALLBACK_REF = "this question"  # what body scenes call a question that has no clause form

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
STOPWORDS = _FUNCTION_WORDS | frozenset("""
really very just also even still much many way ways thing things get got make made know about
""".split())
_WH = frozenset({"what", "why", "how", "where", "when", "who", "which"})
_MODALS = frozenset({"can", "could", "should", "would", "will", "might", "must"})
_BE = frozenset({"is", "are", "was", "were"})
_AUX = _MODALS | _BE | frozenset({"do", "does", "did", "has", "have", "had"})
_PRONOUNS = frozenset({"i", "you", "we", "they"})
_QUESTION_OPENERS = _BE | _MODALS | frozenset({"does", "did"})  # a question even without "?"
SMALL_TITLE_WORDS = frozenset("a an the and or but of in on at to for by with from as vs via".split())

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


def bare(word: str) -> str:
    return word.strip(".,;:!?\"'“”‘’()[]{}«»…").lower()


def _lower_leading(phrase: str) -> str:
    """``phrase`` for mid-sentence: a capitalised leading common word lower-cased ("The" → "the")."""
    first, _, rest = phrase.partition(" ")
    if bare(first) in _COMMON_LEADING and first == first[:1].upper() + first[1:].lower():
        first = first.lower()
    return f"{first} {rest}" if rest else first


def upper_leading(phrase: str) -> str:
    """``phrase`` starting a sentence: an all-lower-case first word capitalised ("iPhone" stays)."""
    first = phrase.split(" ", 1)[0]
    if first.islower() and first[:1].isalpha() and first[:1].islower():
        return phrase[:1].upper() + phrase[1:]
    return phrase


def _drop_trailing_stopwords(words: list[str]) -> list[str]:
    words = [w for w in words if w]
    while len(words) > 1 and bare(words[-1]) in _FUNCTION_WORDS:
        words.pop()
    return words


def shorten(text: str, max_words: int = PHRASE_MAX_WORDS) -> str:
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
    low = [bare(t) for t in tokens]
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
    low = [bare(t) for t in text.split()]
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
    phrase = shorten(focus)
    return re.sub(r"\s*[:;]\s+", ", ", phrase)  # "Cats: which is best" → "Cats, which is best"


def topic_parts(topic: str) -> TopicParts:
    """Fit ``topic`` for speech (see :class:`TopicParts`); BadInput if nothing speakable is left."""
    raw = " ".join(str(topic).split())
    text = _trim(_strip_symbols(raw)) or _trim(raw)
    if not text:
        raise BadInput("The topic has no words in it.", hint="Type what the video should be about.")
    words = tuple(w for w in (bare(t) for t in text.split()) if w)

    if topic_kind(text) == "F":  # another language: kept as written (and quoted by the templates)
        phrase = shorten(_focus(text) if not _question_of(raw, text) else text)
        return TopicParts(mid=phrase, start=phrase, question=None, clause=None, keywords=phrase, words=words,
                          kind="F")
    question = _question_of(raw, text)
    if question is not None:
        question = upper_leading(question)
        clause = _question_clause(question)
        if clause is not None:
            clause = _lower_leading(clause)
        mid = clause or FALLBACK_REF
        return TopicParts(mid=mid, start=upper_leading(mid), question=question, clause=clause,
                          keywords=_keywords(question), words=words, kind="C" if clause else "T")

    phrase = _focus(text)
    kind = topic_kind(phrase)
    mid = _lower_leading(phrase)
    first, _, rest = mid.partition(" ")
    if kind == "A" and rest and first.istitle() and rest == rest.lower():
        mid = f"{first.lower()} {rest}"  # "Public speaking" -> "…about public speaking"
    if kind == "L" and first.lower() == "top":
        mid = f"the {first.lower()} {rest}"  # "Here are the top 3 habits…"
    return TopicParts(mid=mid, start=upper_leading(phrase), question=None, clause=None,
                      keywords=_keywords(phrase), words=words, kind=kind)


def _keywords(phrase: str) -> str:
    """Up to four content words of ``phrase`` (the phrase itself for unspaced scripts)."""
    if _is_unspaced(phrase) and len(phrase.split()) <= 2:
        return phrase[:UNSPACED_MAX_CHARS]
    words = [w.strip(".,;:!?\"'“”‘’()[]«»…") for w in phrase.split()]
    content = [w if not w[:1].isupper() or w.isupper() or w.lower() not in _COMMON_LEADING else w.lower()
               for w in words if w and bare(w) not in STOPWORDS]
    return " ".join(content[:4]) or phrase


def title_case(phrase: str) -> str:
    """English title case keeping the person's capitals; words in other alphabets are left as they are."""
    out = []
    for i, word in enumerate(phrase.split()):
        low = word.lower()
        if i and low in SMALL_TITLE_WORDS and (word.islower() or word == word.capitalize()):
            out.append(low)
        elif word.islower() and word[:1].isascii() and word[:1].isalpha():  # not Cyrillic, Greek…
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)
