"""Offline symbols for narrations in Spanish, French, German, Italian and Portuguese (``symbols_words``)."""

from __future__ import annotations

import pytest

from viralreel_core.providers.clips import symbols, symbols_words
from viralreel_core.providers.clips.local_clips import LocalClipMaker
from viralreel_core.text.languages import function_words


def emojis(narration: str, visuals: str = "") -> list[str]:
    return [hit.emoji for hit in symbols.scene_symbols(narration, visuals)]


@pytest.mark.parametrize(("narration", "emoji"), [
    ("A los gatos les encantan las cajas porque se sienten seguros.", "🐱"),
    ("Los volcanes entran en erupción cuando el magma sube.", "🌋"),
    ("Las abejas construyen panales de cera.", "🐝"),
    ("Los árboles del bosque se comunican bajo tierra.", "🌳"),
    ("Un agujero negro se traga la luz de las estrellas.", "⚫"),
    ("Les chats adorent dormir au soleil.", "🐱"),
    ("Les baleines chantent sous l'océan.", "🐋"),
    ("Le cœur bat cent mille fois par jour.", "❤"),
    ("Les éléphants n'oublient jamais.", "🐘"),
    ("Katzen lieben Kartons, weil sie sich dort sicher fühlen.", "🐱"),
    ("Bäume im Wald teilen Wasser über ihre Wurzeln.", "🌳"),
    ("Die Schildkröte lebt über hundert Jahre.", "🐢"),
    ("Das Fahrrad wurde 1817 erfunden.", "🚲"),
    ("I gatti amano le scatole perché si sentono al sicuro.", "🐱"),
    ("Le api producono il miele.", "🐝"),
    ("I funghi crescono nel bosco dopo la pioggia.", "🍄"),
    ("Il vulcano erutta lava rovente.", "🌋"),
    ("Os gatos adoram caixas porque se sentem seguros.", "🐱"),
    ("Os leões dormem vinte horas por dia.", "🦁"),
    ("A bicicleta mudou as cidades.", "🚲"),
    ("O cérebro consome muita energia.", "🧠"),
])
def test_a_narration_in_another_language_names_its_subjects_symbol(narration, emoji):
    assert emojis(narration)[:1] == [emoji], (narration, emojis(narration))


@pytest.mark.parametrize(("narration", "expected"), [
    ("A los gatos les encantan las cajas.", ["🐱", "📦"]),
    ("Os gatos adoram caixas.", ["🐱", "📦"]),
    ("Les chats adorent les boîtes.", ["🐱", "📦"]),
    ("I gatti amano le scatole.", ["🐱", "📦"]),
])
def test_plurals_and_accents_of_each_language_are_its_words(narration, expected):
    assert emojis(narration) == expected


@pytest.mark.parametrize("code", symbols_words.LANGUAGES)
def test_function_words_never_name_a_symbol(code):
    words = sorted(function_words(code))
    assert len(words) > 20
    for word in words:  # alone (where the language is not told), capitalised, and among others of its language
        assert emojis(word) == [], word
        assert emojis(word.capitalize()) == [], word
    assert emojis(" ".join(words)) == [], code
    assert emojis("cada como para sin") == [] and emojis("Cada día, como siempre, para todos, sin más.") == []


def test_english_words_of_another_meaning_keep_it_in_english():
    # "chat", "pain", "case" (Italian "case": houses), "kind" and "burger" are English here: no cat, bread, house…
    assert emojis("Let's chat about this case. The pain was real, but a kind burger helped.") == []
    assert emojis("The future of AI")[:1] == ["🤖"]
    assert emojis("Il pane è buono.") == ["🍞"]


def test_a_spanish_scenes_design_shows_the_cat_whatever_its_english_visuals_say():
    maker = LocalClipMaker(360, 640, 30, fonts={})
    narration = "A los gatos les encantan las cajas porque se sienten seguros."
    visuals = "Warm morning light, close-up, cinematic, soft golden tones"  # "morning" used to give ⏰
    design = maker.design(visuals, 4.0, narration)
    assert design.symbol is not None and design.symbol[0] == "🐱"


def test_every_row_of_the_other_languages_is_a_row_of_the_table():
    rows = {emoji for emoji, _plain, _words in symbols.SYMBOLS}
    assert set(symbols_words.parse()) <= rows
    assert symbols_words.fold("Kätzchen") == "katzchen" and symbols_words.fold("Fuß") == "fuss"


def test_a_malformed_line_of_the_words_table_is_refused_by_name():
    """The table is data people extend: a wrong language tag or a word before any tag names the line."""
    assert symbols_words.parse("🐱 es: gato fr: ~chat") == {"🐱": [("es", "gato", True), ("fr", "chat", False)]}
    with pytest.raises(ValueError, match="unknown language tag 'xx:'"):
        symbols_words.parse("🐱 xx: gato")
    with pytest.raises(ValueError, match="a word before any language tag"):
        symbols_words.parse("🐱 gato es: gata")


def test_a_spanish_verb_spelled_like_an_english_name_names_nothing():
    """"usa" is "uses" in Spanish, Italian and Portuguese: a Spanish scene about blood showed 🗽 (USA)."""
    spanish = "Su sangre es azul porque usa cobre en lugar de hierro para llevar el oxígeno."
    assert "🗽" not in [h.emoji for h in symbols.scene_symbols(spanish)]
    assert [h.emoji for h in symbols.scene_symbols("The USA has fifty states.")] == ["🗽"]
