"""What kind of phrase a topic is, so the offline writer only puts it where it reads well.

    topic_kind("How volcanoes work")       # "C": a clause ("…about how volcanoes work")
    topic_kind("5 ways to save money")     # "L": a list ("Here are 5 ways to save money")
    topic_kind("Learning to cook")         # "A": an activity ("…great at learning to cook")
    topic_kind("Marie Curie")              # "N": a name
    topic_kind("The future of AI")         # "T": a thing or idea
    topic_kind("Comment fonctionnent les volcans")  # "F": another language (quoted as a title)

``subject_words`` picks the words a picture of the topic would show ("volcanoes", "money").
"""

from __future__ import annotations

import re

__all__ = ["topic_kind", "is_foreign", "subject_words", "clause_verb", "seconds_in_words"]

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_ENGLISH = frozenset("""
the a an and or of to in on for with about how why what when where who is are was were do does did can
should will my your our their this that these those from into by at it its you we they i vs best top
""".split())
# function words of other Latin-script languages that are not also English words
_FOREIGN = frozenset("""
le la les des du et est une comment pourquoi quoi qui dans pour avec sur sont
el los las por qué que cómo como cuál cuándo dónde del y es una un con para sus
der das und ist wie warum ein eine von mit für nicht auf dem den zu
o os da dos das é um uma por que como porque não em na no
il lo gli della delle come perché è di che per con una
het een en van hoe waarom niet met voor
""".split()) - _ENGLISH
_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f\u20a0-\u20cf\s\d\W]")
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve fifteen twenty".split())
_LIST_NOUNS = frozenset("""
ways tips facts reasons things habits mistakes signs rules secrets steps lessons tricks hacks ideas myths
books movies films songs places foods questions skills apps tools games animals countries cities inventions
quotes words exercises jobs careers products strategies benefits examples types kinds stages lies truths
""".split())
_NOT_ACTIVITIES = frozenset("""
thing things king kings ring rings spring springs morning mornings evening evenings wedding weddings
building buildings painting paintings ceiling clothing nothing something everything anything sibling
siblings pudding darling string strings wing wings sting
""".split())
_CLAUSE_OPENERS = frozenset({"how", "why", "what", "when", "where", "who", "which", "whether"})
_COMMON_CAPITALS = frozenset("""
the a an my your our this that these those why how what top best future history life love money science
""".split())
_NOT_PICTURED = frozenset("""
work works working happen happens make makes made do does get gets use uses start starts learn learning
really actually ways tips facts reasons things secrets steps lessons truth beginners everyone
better best good great most more top new save saves earn spend find keep stay build lose fell fall
see sees stay stays become becomes mean means which whether
blue red green yellow orange purple pink white black grey gray brown
""".split())
_RELATIVES = frozenset({"that", "which", "who"})  # "foods that never spoil": what follows is what they do
_ADVERBS = frozenset("never always ever often sometimes still just even only also really actually".split())


def is_foreign(text: str) -> bool:
    """True when the topic is not in English: another script, or more non-English function words."""
    if _NON_LATIN.search(text) or "¿" in text or "¡" in text:
        return True
    words = [w.lower() for w in _WORD.findall(text)]
    foreign = sum(w in _FOREIGN for w in words)
    english = sum(w in _ENGLISH for w in words)
    return foreign > english or (foreign >= 1 and english == 0 and len(words) > 1)


def topic_kind(text: str) -> str:
    """One of "T" thing, "N" name, "A" activity, "C" clause, "L" list, "F" another language (a statement)."""
    if is_foreign(text):
        return "F"
    words = _WORD.findall(text)
    if not words:
        return "T"
    low = [w.lower() for w in words]
    if low[0] in _CLAUSE_OPENERS and len(words) > 1:
        return "C"
    start = 1 if low[0] == "top" and len(low) > 1 else 0
    if (low[start].isdigit() or low[start] in _NUMBER_WORDS) and len(low) > start + 1:
        following = low[start + 1: start + 4]
        if any(w in _LIST_NOUNS for w in following):
            return "L"
    if low[0].endswith("ing") and low[0] not in _NOT_ACTIVITIES and len(low[0]) > 4:
        return "A"
    if len(low) <= 3 and low[-1].endswith("ing") and low[-1] not in _NOT_ACTIVITIES and len(low[-1]) > 5:
        return "A"  # "public speaking", "quantum computing"
    capitals = [w for w in words if w.lower() not in _ENGLISH]
    if (len(words) > 1 and capitals and all(w[:1].isupper() for w in capitals)
            and low[0] not in _COMMON_CAPITALS - {"the"}):
        return "N"  # "Marie Curie", "The Roman Empire" (one capitalised word may be a plain noun: "Coffee")
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return "N"  # "NASA"
    return "T"


def subject_words(text: str, limit: int = 3) -> list[str]:
    """The words a picture of the topic would show: its content words, without verbs and list nouns.

    In a clause the subject comes first and its verb next ("why cats purr"): after a plural noun the
    following word is taken for the verb and dropped.
    """
    return _subject_and_verb(text)[0][:limit]


def clause_verb(text: str) -> str | None:
    """The verb of a topic that is a clause ("how honeybees choose a new home": "choose") or holds one
    ("foods that never spoil": "spoil"), in lower case: what the subject does, never what the video shows;
    None where there is none."""
    words = [w.lower() for w in _WORD.findall(text)]
    if words[:2] == ["how", "to"] and len(words) > 2:  # "how to fall asleep": what the viewer will do
        return words[2]
    return _subject_and_verb(text)[1]


def _subject_and_verb(text: str) -> tuple[list[str], str | None]:
    out: list[str] = []
    words = _WORD.findall(text)
    clause = bool(words) and words[0].lower() in _CLAUSE_OPENERS
    relative, verb = False, None
    for i, word in enumerate(words):
        low = word.lower()
        if out and low in _RELATIVES:
            relative = True
        elif relative and verb is None and low not in _ENGLISH and low not in _ADVERBS:
            verb = low
        if (low in _ENGLISH or low in _NOT_PICTURED or low.isdigit() or low in _NUMBER_WORDS or len(low) < 2
                or low.endswith("ed")):
            continue
        if clause and out and out[-1].lower().endswith("s") and words[i - 1] == out[-1]:
            if low in _ADVERBS:  # "why cats never land": the verb is the next word
                low = next((w.lower() for w in words[i + 1:] if w.lower() not in _ENGLISH | _ADVERBS), "")
            return out, low or None  # "why cats purr": "purr" is what the cats do
        capital = word.isupper() or (word[:1].isupper() and (i > 0 or low not in _COMMON_CAPITALS))
        out.append(word if capital and i > 0 or word.isupper() else low)
    return out, verb


_TENS = {10: "ten", 20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
         80: "eighty", 90: "ninety"}


def seconds_in_words(seconds: int) -> str:
    """A whole number of tens of seconds in words ("thirty"); digits beyond ninety."""
    return _TENS.get(seconds, str(seconds))
