"""Captions of a draft's [places to fill in]: no bracket alone, brackets paired in every chunk, no word lost."""

from __future__ import annotations

import re

import pytest

from viralreel_core.models import WordTiming
from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.clips.kinetic import key_phrases
from viralreel_core.providers.script.local_script import LocalScriptWriter
from viralreel_core.render.caption_chunks import chunk_words
from viralreel_core.text.timing import estimate_word_timings

TOPICS = ["Why lighthouses are striped", "How to fold a paper crane", "Marie Curie", "7 habits of calm people",
          "Do goldfish really forget?", "The strange history of forks"]


def balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        if depth < 0:
            return False
    return depth == 0


def letters(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.mark.parametrize("topic", TOPICS)
def test_no_caption_chunk_of_an_offline_draft_shows_a_bracket_alone_or_unpaired(topic):
    for tone in ("", "funny", "dramatic"):
        script = LocalScriptWriter().write(ScriptRequest(topic=topic, tone=tone))
        assert any("[" in scene.narration for scene in script.scenes)  # a draft with places
        for scene in script.scenes:
            timings = estimate_word_timings(scene.narration, 6.0)
            for max_words in (1, 2, 3, 4):
                chunks = chunk_words(timings, max_words)
                for chunk in chunks:
                    assert any(ch.isalnum() for ch in chunk.text), (chunk.text, scene.narration)
                    assert balanced(chunk.text), (chunk.text, scene.narration, max_words)
                    assert all(any(ch.isalnum() for ch in w.word) for w in chunk.words), chunk.text
                said = [w for c in chunks for w in letters(c.text)]
                assert said == letters(scene.narration)  # every word, in order, none lost or added
            for phrase in key_phrases(scene.narration, scene.visuals):  # nor a headline
                assert "[" not in phrase.text and "]" not in phrase.text


def test_a_short_place_stays_whole_in_one_chunk():
    timings = estimate_word_timings("Marie Curie: [the one fact].", 3.0)
    assert [c.text for c in chunk_words(timings, 3)] == ["Marie Curie:", "[the one fact]."]


def test_a_place_split_across_chunks_has_its_brackets_on_each_part():
    timings = estimate_word_timings("Marie Curie, in short: [your most surprising line about Marie Curie].", 6.0)
    texts = [c.text for c in chunk_words(timings, 2)]
    assert texts[:2] == ["Marie Curie,", "in short:"]
    assert all(t.startswith("[") and t.rstrip(".").endswith("]") for t in texts[2:]), texts


def test_brackets_a_voice_timed_as_words_of_their_own_join_their_words():
    # a voice's word timings may give the marks apart: "fact", "]", "." — and a stray "]" closes nothing
    words = ["Marie", "Curie:", "[", "the", "one", "fact", "]", ".", "Then", "]", "more."]
    timings = [WordTiming(w, 0.3 * i, 0.3 * i + 0.25) for i, w in enumerate(words)]
    for max_words in (1, 2, 3):
        texts = [c.text for c in chunk_words(timings, max_words)]
        assert all(balanced(t) and any(ch.isalnum() for ch in t) for t in texts), texts
        assert "fact]" in " ".join(texts) and "[the" in " ".join(texts), texts
