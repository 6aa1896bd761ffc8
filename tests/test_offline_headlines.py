"""An offline video's headlines: the topic headlines its first scene; later scenes show what they add."""

from __future__ import annotations

import re

import pytest

from viralreel_core import Pipeline
from viralreel_core.environment import settings_from_env
from viralreel_core.models import Scene, Script
from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.clips.local_clips import LocalClipMaker
from viralreel_core.providers.script.local_script import LocalScriptWriter
from viralreel_core.run.steps import clip_topic, video_topic
from viralreel_core.text.placeholders import PLACEHOLDER

# topics no other test uses (the was "Why honeybees choose hexagons")
TOPICS = ["Why honeybees choose hexagons", "How glaciers carve valleys", "The secret life of octopuses",
          "Why flamingos stand on one leg", "How lighthouses warn ships", "Grace Hopper"]


def _words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"\w+", text)]


def _stem(word: str) -> str:
    return word.rstrip("s")


def headlines(script: Script) -> list[tuple[Scene, str]]:
    """Each scene's headline as the offline clip maker draws it in this script's video."""
    maker = LocalClipMaker(360, 640, 30, fonts={})
    topic = video_topic(script)
    return [(scene, " ".join(b.text for b in maker.design(scene.visuals, 5.0, scene.narration,
                                                          clip_topic(maker, scene, topic)).plan.beats))
            for scene in script.scenes]


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("tone", ["", "funny"])
def test_the_topics_words_headline_at_most_one_scene_and_each_headline_is_its_scenes_words(topic, tone):
    script = LocalScriptWriter().write(ScriptRequest(topic=topic, tone=tone))
    topic_stems = {_stem(w) for w in _words(topic)}
    shown = headlines(script)
    only_topic = [scene.number for scene, text in shown if text and all(_stem(w) in topic_stems for w in _words(text))]
    assert len(only_topic) <= 1, (only_topic, shown)
    assert sum(1 for _, text in shown if text) >= len(shown) - 2, shown  # the others say what they add
    for scene, text in shown:
        said = set(_words(PLACEHOLDER.sub(" ", scene.narration)))  # outside its [places to fill in]
        assert set(_words(text)) <= said, (scene.narration, text)


def test_a_scene_that_only_names_the_topic_still_headlines_it_first():
    maker = LocalClipMaker(360, 640, 30, fonts={})
    scene = Scene(1, "Honeybees on a comb", "Why honeybees choose hexagons.")
    assert "HONEYBEES" in " ".join(b.text for b in maker.design(scene.visuals, 4.0, scene.narration).plan.beats)
    later = "Honeybees choose hexagons because wax is expensive."  # says something of its own
    text = " ".join(b.text for b in maker.design("A comb", 4.0, later, "Why honeybees choose hexagons").plan.beats)
    assert "WAX" in text or "EXPENSIVE" in text, text


def test_the_pipeline_tells_the_offline_maker_the_topic_and_keys_its_later_clips_by_it(tmp_path):
    settings = settings_from_env(environ={}, clip_provider="local", cache_dir=tmp_path / "cache",
                                 width=144, height=256, fps=8)
    pipeline = Pipeline(settings)
    script = Script("Why honeybees choose hexagons", "Hexagons", (
        Scene(1, "Honeybees on a comb", "Why honeybees choose hexagons, in short."),
        Scene(2, "A comb", "Honeybees choose hexagons because wax is expensive.")))
    _voices, clips, skipped = pipeline.make_media(script, voices=False, clips=True)
    assert not skipped and set(clips) == {1, 2}
    first, second = script.scenes
    # the first headlines the topic, whatever it is, clear of the title card's seconds (keyed apart from none)
    assert pipeline.clip_key(first, None, 0, "anything") == pipeline.clip_key(first, None, 0, video_topic(script))
    assert pipeline.cache.get(pipeline.clip_key(first, None, 0, video_topic(script))) is not None
    assert pipeline.clip_key(first) != pipeline.clip_key(first, None, 0, "anything")
    keyed = pipeline.clip_key(second, None, 0, video_topic(script))
    assert keyed != pipeline.clip_key(second) and keyed != pipeline.clip_key(second, None, 0, "Other topic")
    assert pipeline.cache.get(keyed) is not None  # made with the topic, and cached under it
    assert pipeline.cache.get(pipeline.clip_key(second)) is None
    paid = Pipeline(settings_from_env(environ={}, clip_provider="fake", cache_dir=tmp_path / "b", width=144,
                                      height=256, fps=8))
    assert paid.clip_key(second, None, 0, "a topic") == paid.clip_key(second)  # a maker that ignores it
