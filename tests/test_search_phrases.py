"""Stock search phrases: every writer gives each scene 2–4 concrete, filmable phrases in English."""

from __future__ import annotations

import pytest

from tests.fakes.servers import FakeOllama, FakeOpenAI
from viralreel_core.jobs.options import script_from, script_to_api
from viralreel_core.models import Scene, Script
from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.clips.scene_words import STYLE_WORDS
from viralreel_core.providers.clips.search_phrases import clean_phrases, phrases_from_text
from viralreel_core.providers.script.local_script import LocalScriptWriter
from viralreel_core.providers.script.ollama_script import OllamaScriptWriter
from viralreel_core.providers.script.openai_script import SCRIPT_SCHEMA, OpenAIScriptWriter
from viralreel_core.studio.draft import Draft

KEY = "sk-test-OPENAI-0123456789abcdef"


def english(phrase: str) -> bool:
    return all(c.isascii() for c in phrase)


def test_phrases_from_visuals_name_what_is_filmed_not_how():
    visuals = "Close-up of a polar bear swimming under glacier ice, cool blue tones, rich cinematic lighting"
    assert phrases_from_text(visuals) == ("polar bear swimming", "glacier ice")
    assert phrases_from_text("Slow dolly shot, cinematic lighting, moody tones") == ()
    assert clean_phrases(["  Glacier ICE ", "glacier ice", "el glaciar ártico", "#4k", "a cat"]) == ("glacier ice",
                                                                                                     "cat")


def test_openai_writer_asks_for_search_terms_and_keeps_them():
    with FakeOpenAI(KEY) as api:
        script = OpenAIScriptWriter(KEY, base_url=f"{api.url}/v1").write(ScriptRequest("Why cats purr", scenes=3))
        body = api.requests_to("/chat/completions")[0].json
    item = SCRIPT_SCHEMA["properties"]["scenes"]["items"]
    assert "search_terms" in item["required"] and item["properties"]["search_terms"]["type"] == "array"
    assert "search_terms" in body["messages"][0]["content"]
    assert [s.search_terms for s in script.scenes] == [("cat on a sofa", "cat"), ("city street", "city"),
                                                       ("ocean waves", "ocean")]


@pytest.mark.parametrize("json_schema", [True, False])
def test_a_local_model_server_writes_them_too(json_schema):
    with FakeOllama() as server:
        server.supports_json_schema = json_schema  # an older server: json_object, the same fields asked for
        script = OllamaScriptWriter(base_url=f"{server.url}/v1").write(ScriptRequest("Why cats purr", scenes=3))
    assert script.scenes[0].search_terms == ("cat on a sofa", "cat")


def test_a_model_that_leaves_them_out_gets_them_from_its_visuals():
    with FakeOpenAI(KEY) as api:
        api.fail("no_search_terms")
        script = OpenAIScriptWriter(KEY, base_url=f"{api.url}/v1").write(ScriptRequest("Why cats purr", scenes=3))
    assert script.scenes[0].search_terms[:2] == ("cat", "sofa")
    assert all(2 <= len(s.search_terms) <= 4 for s in script.scenes)


@pytest.mark.parametrize("topic", ["Why do cats purr?", "How to bake bread", "The history of the bicycle",
                                   "Volcanoes", "10 tips for better sleep", "Bitcoin!!!"])
def test_offline_writer_writes_two_to_four_phrases_without_style_words(topic):
    script = LocalScriptWriter().write(ScriptRequest(topic))
    for scene in script.scenes:
        assert 2 <= len(scene.search_terms) <= 4, scene
        for phrase in scene.search_terms:
            assert english(phrase) and not set(phrase.split()) <= STYLE_WORDS, phrase
            assert "cinematic" not in phrase and "lighting" not in phrase


def test_offline_writer_names_the_topics_subject():
    script = LocalScriptWriter().write(ScriptRequest("Why do cats purr?"))
    assert all(any("cat" in phrase for phrase in s.search_terms) for s in script.scenes)


@pytest.mark.parametrize("topic, language, word", [("¿Por qué los gatos ronronean?", "es", "cat"),
                                                   ("Le chat et la mer", "fr", "cat"),
                                                   ("火山是怎么形成的", "zh", "volcano|lava|fire"),
                                                   ("La economía de Ruritania", "es", "")])
def test_offline_phrases_are_english_for_a_topic_in_another_language(topic, language, word):
    script = LocalScriptWriter().write(ScriptRequest(topic, language=language))
    topic_words = {w.strip("¿?").lower() for w in topic.split()}
    for scene in script.scenes:
        assert 2 <= len(scene.search_terms) <= 4
        assert all(english(p) and not set(p.split()) & topic_words for p in scene.search_terms), scene.search_terms
        if word:
            assert any(w in p for w in word.split("|") for p in scene.search_terms), scene.search_terms


def test_scenes_keep_their_phrases_through_json_and_old_files_still_load():
    scene = Scene(1, "A glacier", "Ice melts.", ("glacier ice", "melting ice"))
    script = Script("Ice", "Ice", (scene,))
    assert Script.from_dict(script.to_dict()) == script
    assert Scene.from_dict({"number": 1, "visuals": "A glacier", "narration": "Ice melts."}).search_terms == ()
    assert "search_terms" not in Scene(1, "v", "n").to_dict()  # older files and cache keys stay the same
    assert Scene.from_dict({**scene.to_dict(), "search_terms": "glacier ice; polar bear"}).search_terms == (
        "glacier ice", "polar bear")


def test_the_studio_table_shows_and_edits_the_phrases_and_an_edit_without_them_keeps_them():
    draft = Draft()
    draft.replace(Script("Ice", "Ice", (Scene(1, "A glacier", "Ice melts.", ("glacier ice", "melting ice")),)),
                  ["u1"])
    (row,) = draft.rows()
    assert row["search"] == "glacier ice; melting ice"
    assert draft.edit([{"uid": "u1", "scene": 1, "visuals": "A glacier at dawn", "narration": "Ice melts."}])
    assert draft.draft.scenes[0].search_terms == ("glacier ice", "melting ice")  # the phone's cards have no cell
    assert draft.edit([{**draft.rows()[0], "search": "iceberg; polar bear"}])
    assert draft.draft.scenes[0].search_terms == ("iceberg", "polar bear")


def test_the_api_script_json_carries_the_phrases_both_ways():
    script = Script("Ice", "Ice", (Scene(1, "A glacier", "Ice melts.", ("glacier ice",)),))
    data = script_to_api(script)
    assert data["scenes"][0]["search_terms"] == ["glacier ice"]
    assert script_from(data).scenes[0].search_terms == ("glacier ice",)
