"""The post kit beside every render: title, description and hashtags (plain offline, written by the fake
OpenAI over real HTTP), the cover, the kit's JSON, its cache, its edits and the API's view of it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.fakes.servers import FakeOpenAI
from tests.services import ApiServer, wait_until
from viralreel_core.api import create_app
from viralreel_core.config import Settings
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.jobs import JobQueue, QueueConfig
from viralreel_core.models import Scene, Script
from viralreel_core.post.cover import cover_frame, draw_cover
from viralreel_core.post.kit import PostKit, edit_kit, load_kit, tidy_texts
from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.script.local_script import LocalScriptWriter
from viralreel_core.providers.script.post_plain import plain_post_texts
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.text.placeholders import count_placeholders
from viralreel_core.workspace.projects import record_render

KEY = "sk-post-kit-TEST-0123456789abcdef"
SMALL = {"width": 180, "height": 320}


# --- the texts' rules -----------------------------------------------------------------------------

def test_texts_are_held_to_the_platforms_limits():
    texts = tidy_texts("  A title\nacross lines " + "word " * 30, "First line.  \n\nSecond.",
                       ["#Space", "space", "#MARS!", "#2024", "rocket, launch"])
    assert len(texts.title) <= 100 and texts.title.startswith("A title across lines word")
    assert not texts.title.endswith(" ")
    assert texts.description == "First line.\n\nSecond."
    assert texts.hashtags == ("#space", "#mars", "#rocket", "#launch")  # "#2024" has no letter
    many = tidy_texts("T", "", [f"#tag{i}" for i in range(12)])
    assert len(many.hashtags) == 8
    assert tidy_texts("T", "", ["#a1"], more=["#b", "#c", "#d"]).hashtags == ("#a1", "#b", "#c")
    with pytest.raises(BadInput, match="title is empty"):
        tidy_texts("   ", "d", ["#a", "#b", "#c"])
    with pytest.raises(BadInput, match="3 to 8 hashtags"):
        tidy_texts("T", "d", ["#a", "#b"])


def test_the_offline_writer_is_plain_the_topic_the_first_sentences_and_the_topics_nouns():
    script = Script("why do volcanoes erupt?", "Why Volcanoes Erupt", (
        Scene(1, "v", "Volcanoes erupt when pressure builds under the crust. Magma rises fast."),
        Scene(2, "v", "Scientists watch the gases closely. Follow for more.")))
    texts = plain_post_texts(script, "en")
    assert texts.title == "Why do volcanoes erupt?"
    assert texts.description.startswith("Volcanoes erupt when pressure builds under the crust.")
    assert 3 <= len(texts.hashtags) <= 8 and texts.hashtags[0] == "#volcanoes"


@pytest.mark.parametrize(("topic", "language"), [("why do cats love boxes", "en"), ("how to bake bread", "en"),
                                                ("black holes", "en"), ("5 tips for better sleep", "en"),
                                                ("Por qué el cielo es azul", "es"), ("为什么猫喜欢盒子", "zh")])
def test_an_offline_drafts_places_to_fill_in_never_reach_the_texts_to_paste(topic, language):
    writer = LocalScriptWriter()
    script = writer.write(ScriptRequest(topic, language=language))
    assert count_placeholders(s.narration for s in script.scenes) >= 3  # a draft, as the offline writer gives
    texts, cost = writer.write_post(script, language)  # what a render's kit gets from the offline writer
    assert cost == 0
    pasted = " ".join([texts.title, texts.description, *texts.hashtags])
    assert "[" not in pasted and "]" not in pasted
    assert texts.title and len(texts.description) >= len(texts.title) and 3 <= len(texts.hashtags) <= 8
    # no hashtag from the words of a place to fill in ("#language" from "[…, in the video's language]")
    assert not {"#language", "#videos", "#point", "#measurement", "#number"} & set(texts.hashtags)
    if language == "en":  # the sentences kept are whole ones of the draft, and say what the video is about
        assert texts.description.endswith((".", "?", "!"))
        assert topic.split()[-1].lower() in texts.description.lower()


@pytest.mark.parametrize("topic", ["Why volcanoes erupt", "How do octopuses change colour",
                                   "The history of the bicycle", "How bees choose a new home"])
def test_the_offline_titles_frame_never_becomes_a_hashtag(topic):
    """"… in Under 20 Seconds", "…, Explained": the writer's frame around the topic, not what the video is about."""
    frame = {"#under", "#seconds", "#explained", "#steps", "#short", "#version", "#simply", "#guide"}
    for seed in range(4):  # the writer picks its title's frame by seed
        script = LocalScriptWriter().write(ScriptRequest(topic, seed=seed))
        hashtags = plain_post_texts(script, "en").hashtags
        assert not frame & set(hashtags), (script.title, hashtags)
        assert 3 <= len(hashtags) and any(w.lower() in topic.lower() for w in (h[1:] for h in hashtags))



@pytest.mark.parametrize(("topic", "verb", "noun"), [
    ("How honeybees choose a new home", "#choose", "#home"), ("Why cats knead blankets", "#knead", "#blankets"),
    ("How plants grow toward light", "#grow", "#light"), ("5 foods that never spoil", "#spoil", "#foods"),
    ("Why cats never land on their feet", "#land", "#cats"), ("How to fall asleep in two minutes", "#fall", "#asleep")])
def test_what_the_topics_subject_does_is_no_hashtag_but_what_it_shows_is(topic, verb, noun):
    """"#choose" was the third hashtag of a bee video (the draft says the topic in every scene): a verb
    names nothing a person searches for; the topic's nouns and "#shorts" fill the list instead."""
    for seed in range(3):
        hashtags = plain_post_texts(LocalScriptWriter().write(ScriptRequest(topic, seed=seed)), "en").hashtags
        assert verb not in hashtags and not {"#toward", "#never"} & set(hashtags), hashtags
        assert noun in hashtags and len(hashtags) >= 3, hashtags

def test_a_sentence_with_a_place_to_fill_in_is_left_out_and_the_rest_kept():
    script = Script("why the sky is blue", "Why the Sky Is Blue", (
        Scene(1, "v", "The sky is blue because of sunlight. [A number? with its source]. Air scatters blue light."),
        Scene(2, "v", "Sunsets are red for the same reason: [your example]. Follow for more.")))
    texts = plain_post_texts(script, "en")
    assert texts.description == "The sky is blue because of sunlight. Air scatters blue light. Follow for more."
    opening_unfilled = Script("why the sky is blue", "Why the Sky Is Blue, Explained", (
        Scene(1, "v", "Why the sky is blue: [your hook]."), Scene(2, "v", "Air scatters blue light.")))
    assert plain_post_texts(opening_unfilled, "en").description == (
        "Why the Sky Is Blue, Explained. Air scatters blue light.")
    nothing_filled = Script("why the sky is blue", "Why the Sky Is Blue, Explained", (Scene(1, "v", "[your hook]"),))
    assert plain_post_texts(nothing_filled, "en").description == "Why the Sky Is Blue, Explained"
    placed_title = plain_post_texts(Script("[your topic]", "[a title] about volcanoes", (
        Scene(1, "v", "[your hook]. Lava flows downhill."),)), "en")
    assert placed_title.title == "About volcanoes" and placed_title.description == "Lava flows downhill."
    assert "#volcanoes" in placed_title.hashtags and not {"#title", "#topic", "#hook"} & set(placed_title.hashtags)


@pytest.mark.parametrize(("topic", "narration", "language", "tag"), [
    ("火山为什么会喷发", "火山喷发了。岩浆来自地球深处。", "zh", "#火山"),
    ("لماذا تثور البراكين", "البراكين تثور بسبب الضغط. الصهارة تصعد من الأعماق.", "ar", "#البراكين"),
])
def test_the_offline_writer_keeps_the_videos_language(topic, narration, language, tag):
    texts = plain_post_texts(Script(topic, topic, (Scene(1, "v", narration),)), language)
    assert texts.title == topic and texts.description == narration
    assert tag in texts.hashtags and 3 <= len(texts.hashtags) <= 8


# --- the cover ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("size", "title"), [((270, 480), "Why do cats purr? The science of a sound"),
                                             ((480, 270), "لماذا تثور البراكين"), ((270, 480), "火山为什么会喷发")])
def test_the_cover_is_the_title_over_a_frame_of_the_clip_at_the_videos_size(size, title, tmp_path, fakes):
    _, _, clips = fakes
    clip = clips().make("a calm sea", 2.0, tmp_path)
    frame = cover_frame(clip, *size, tmp_path / "frame.jpg")
    cover = draw_cover(frame, title, tmp_path / "cover.jpg")
    with Image.open(cover) as image:
        assert image.format == "JPEG" and image.size == size
        drawn = np.asarray(image.convert("L"), dtype=np.int16)
    plain = np.asarray(Image.open(frame).convert("L"), dtype=np.int16)
    band = slice(round(size[1] * 0.6), round(size[1] * 0.76))
    assert (drawn[band] > 240).mean() > 0.03  # white letters across the lower middle, where captions go
    assert np.abs(drawn[: size[1] // 10] - plain[: size[1] // 10]).mean() < 4  # the top left as it was
    assert list(tmp_path.glob("*.partial*")) == []


# --- with every render ----------------------------------------------------------------------------

@pytest.mark.slow
def test_an_offline_render_has_its_kit_beside_the_video_and_the_cover_is_its_thumbnail(fake_settings):
    with Pipeline(fake_settings) as pipeline:
        result = pipeline.make("Why cats purr")
    video = Path(result.video_path)
    kit = PostKit.from_dict(result.post_kit)
    assert {name: Path(p) for name, p in kit.files().items()} == {
        "srt_path": video.with_suffix(".srt"), "vtt_path": video.with_suffix(".vtt"),
        "cover_path": video.with_suffix(".jpg"), "json_path": video.with_name(video.stem + ".post.json")}
    assert kit.title == "Why cats purr" and kit.language == "en"
    assert kit.description.startswith("Scene 1 says hello world.")
    assert "fake credit" in kit.description  # the stock footage's credits go with the post
    assert 3 <= len(kit.hashtags) <= 8 and "#cats" in kit.hashtags
    with Image.open(kit.cover_path) as cover:
        assert cover.format == "JPEG" and cover.size == (180, 320)
    assert load_kit(video) == kit
    record = json.loads(record_render(video, result.to_dict()).read_text(encoding="utf-8"))
    assert record["thumbnail"] == kit.cover_path and record["post_kit"] == kit.to_dict()


def _openai_settings(tmp_path, api, **kw) -> Settings:
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"{api.url}/v1"}
    return settings_from_env(environ=env, script_provider="openai", voice_provider="fake", clip_provider="fake",
                             cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", **{**SMALL, **kw})


def _post_requests(api) -> list:
    return [r for r in api.requests_to("/chat/completions") if "the post that goes with" in r.text()]


@pytest.fixture
def api():
    with FakeOpenAI(KEY) as fake:
        yield fake


@pytest.mark.slow
def test_openai_writes_the_kit_in_one_json_call_cached_and_counted(tmp_path, api, fakes):
    settings = _openai_settings(tmp_path, api)
    script = Script("Why cats purr", "All about cats", tuple(
        Scene(i, f"shot {i}", f"Scene {i} tells you about cats purring.") for i in (1, 2, 3)))
    with Pipeline(settings) as pipeline:
        first = pipeline.make("Why cats purr", script=script)
        estimate = pipeline.provider("script").estimate_post_cost(script)
    assert first.success, first.message
    (sent,) = _post_requests(api)
    body = sent.json
    assert body["response_format"]["json_schema"]["name"] == "short_video_post" and body["max_tokens"] == 400
    assert "Scene 1 tells you about cats purring." in body["messages"][-1]["content"]
    kit = first.post_kit
    assert kit["title"] == "All about cats: the 30-second version"
    assert kit["description"].startswith("A quick look at Why cats purr. What surprised you most?")
    assert kit["hashtags"] == ["#shorts", "#learn", "#facts", "#science"]
    assert first.cache["provider_calls"] == {"post": 1, "voice": 3, "clips": 3}
    post_cost = first.cost_usd - (3 * 0.002 + 3 * 0.05)  # the fake voices' and clips' own prices
    assert 0 < post_cost < 3 * estimate  # the one small call, counted in the run's cost

    with Pipeline(settings) as pipeline:  # the same render again: the kit from the cache, nothing paid
        again = pipeline.make("Why cats purr", script=script)
    assert len(_post_requests(api)) == 1 and again.cost_usd == 0.0
    assert {k: again.post_kit[k] for k in ("title", "description", "hashtags")} == \
        {k: kit[k] for k in ("title", "description", "hashtags")}
    assert Path(again.post_kit["cover_path"]).is_file()


@pytest.mark.slow
def test_openai_writes_the_kit_in_the_videos_language_even_without_json_schema(tmp_path, api, fakes):
    api.supports_json_schema = False  # an older OpenAI-compatible server: json_object mode
    with Pipeline(_openai_settings(tmp_path, api, language="zh")) as pipeline:
        result = pipeline.make("火山为什么会喷发")
    assert result.success, result.message
    assert api.post_languages_asked == ["Chinese"]
    assert result.post_kit["title"].endswith("：三十秒看懂") and result.post_kit["language"] == "zh"
    assert result.post_kit["hashtags"] == ["#科学", "#知识", "#短视频"]


@pytest.mark.slow
def test_a_short_hashtag_list_is_topped_up_from_the_script(tmp_path, api, fakes):
    api.fail("few_hashtags")
    with Pipeline(_openai_settings(tmp_path, api)) as pipeline:
        result = pipeline.make("Why cats purr")
    assert result.post_kit["hashtags"][0] == "#shorts" and 3 <= len(result.post_kit["hashtags"]) <= 8


@pytest.mark.slow
def test_post_texts_that_keep_failing_leave_plain_ones_and_a_warning_never_a_failed_render(tmp_path, api, fakes):
    api.fail("bad_content", times=None, match="the post that goes with")
    waits: list[float] = []
    with Pipeline(_openai_settings(tmp_path, api), sleep=waits.append) as pipeline:
        result = pipeline.make("Why cats purr")
    assert result.success and len(_post_requests(api)) == 2 and len(waits) == 1  # retried once, like a script
    assert result.post_kit["title"] == "Why cats purr" and Path(result.post_kit["srt_path"]).is_file()
    assert any("could not be written" in w and "plain ones" in w for w in result.warnings)
    assert KEY not in json.dumps(result.to_dict())

    api.clear_faults()
    with Pipeline(_openai_settings(tmp_path, api)) as pipeline:  # nothing was cached from the failure
        later = pipeline.make("Why cats purr")
    assert later.post_kit["title"] == "All about Why cats purr: the 30-second version"


# --- edits ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_an_edited_kit_is_saved_and_its_cover_redrawn_with_the_new_title(fake_settings):
    with Pipeline(fake_settings) as pipeline:
        kit = PostKit.from_dict(pipeline.make("Why cats purr").post_kit)
    before = Path(kit.cover_path).read_bytes()
    edited = edit_kit(kit, "Cats: the purr explained", "My own words.", "#cats #purr science")
    assert edited.hashtags == ("#cats", "#purr", "#science") and edited.description == "My own words."
    assert load_kit(Path(kit.json_path).with_name(Path(kit.json_path).name.replace(".post.json", ".mp4"))) == edited
    assert Path(kit.cover_path).read_bytes() != before
    with pytest.raises(BadInput, match="title is empty"):
        edit_kit(edited, " ", "x", "#a #b #c")
    with pytest.raises(BadInput, match="hashtags"):
        edit_kit(edited, "A title", "x", "#only")
    assert load_kit(Path(kit.cover_path).with_suffix(".mp4")) == edited  # a refused edit changes nothing


@pytest.mark.slow
def test_a_cover_whose_picture_left_the_cache_is_redrawn_from_the_video(fake_settings):
    with Pipeline(fake_settings) as pipeline:
        kit = PostKit.from_dict(pipeline.make("Why cats purr").post_kit)
    Path(kit.cover_frame).unlink()  # evicted
    before = Path(kit.cover_path).read_bytes()
    edit_kit(kit, "A new title", kit.description, kit.hashtags)
    assert Path(kit.cover_path).read_bytes() != before
    with Image.open(kit.cover_path) as cover:
        assert cover.size == (180, 320)
    assert sorted(p.name for p in Path(kit.cover_path).parent.iterdir() if p.name.startswith(".")) == []


@pytest.mark.slow
def test_a_kit_part_that_cannot_be_made_is_a_warning_and_the_rest_is_kept(fake_settings, fakes):
    _, _, clips = fakes
    script = Script("Cats", "Cats", tuple(Scene(i, f"shot {i}", f"Scene {i} says hello.") for i in (1, 2, 3)))
    with Pipeline(fake_settings) as pipeline:
        voices = {s.number: pipeline.voice_for(s) for s in script.scenes}
        made = {s.number: pipeline.clip_for(s) for s in script.scenes}
        video = pipeline.assemble(script, voices, made)
        broken = fake_settings.output_dir / "not-a-video.mp4"
        broken.write_text("<html>not a video</html>")
        made[1] = replace(made[1], video_path=str(broken))  # the cover's frame comes from the first clip
        kit = pipeline.make_post_kit(script, pipeline.scene_media(script, voices, made), video)
    assert kit.cover_path == "" and set(kit.files()) == {"srt_path", "vtt_path", "json_path"}
    assert any(w.startswith("The cover could not be made") for w in pipeline.warnings)
    assert load_kit(video) == kit


# --- over the API ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_get_job_shows_the_kit_and_its_files_are_served(tmp_path, fake_settings):
    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2), fake_settings)
    server = ApiServer(create_app(queue, workers=1))
    try:
        status_url = server.post("/create-video", json={"topic": "Why cats purr", "scenes": 3, **SMALL}).json()[
            "status_url"]
        job = wait_until(lambda: (j := server.get(status_url).json())["state"] in ("succeeded", "failed") and j, 60)
        assert job["state"] == "succeeded", job["error"]
        kit = job["result"]["post_kit"]
        assert kit["title"] == "Why cats purr" and "cover_frame" not in kit
        stem = job["result"]["video_file"].removesuffix(".mp4")
        assert kit["urls"] == {"srt_path": f"/videos/{stem}.srt", "vtt_path": f"/videos/{stem}.vtt",
                               "cover_path": f"/videos/{stem}.jpg", "json_path": f"/videos/{stem}.post.json"}
        vtt = server.get(kit["urls"]["vtt_path"])
        assert vtt.status_code == 200 and vtt.headers["content-type"].startswith("text/vtt")
        assert vtt.text.startswith("WEBVTT")
        assert server.get(kit["urls"]["cover_path"]).headers["content-type"] == "image/jpeg"
        assert server.get(kit["urls"]["json_path"]).json()["title"] == "Why cats purr"
        assert server.get(f"/videos/{stem}.txt").status_code == 404
    finally:
        server.close()
        queue.close()
