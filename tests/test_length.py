"""Any length: ``--length SECONDS`` (CLI, API, batch, the studio's slider) sets the scenes and their words at the
voice's pace, up to 20 scenes; the finished video lands within ±15% of the target."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.fakes.servers import FakeOpenAI
from tests.media import probe
from tests.studio_app import studio_app
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_LENGTH, MAX_SCENES, MIN_LENGTH
from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.script.local_script import LocalScriptWriter
from viralreel_core.providers.script.openai_script import OpenAIScriptWriter
from viralreel_core.providers.voice.local_voice import LocalVoice
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.text.length_plan import plan_length
from viralreel_core.text.timing import spoken_words

KEY = "sk-test-OPENAI-0123456789abcdef"
SMALL = {"width": 180, "height": 320}
TOPICS = ["Why do cats purr?", "How to bake bread", "10 facts about octopuses", "The future of AI",
          "Is coffee bad for you?", "Marie Curie", "how volcanoes work", "人工智能的未来"]


def sentences(script):
    return [s.strip() for scene in script.scenes for s in re.split(r"(?<=[.?!])\s+", scene.narration) if s.strip()]


# -- the plan ---------------------------------------------------------------------------------------

def test_a_length_sets_the_scenes_and_their_words_at_the_voice_s_pace():
    assert plan_length(60, words_per_second=3.2) == plan_length(60, None, 3.2)
    plan = plan_length(60, words_per_second=3.2)
    assert (plan.scenes, plan.words) == (8, 24)  # a scene every 8 s; 192 words in all
    assert plan_length(60, words_per_second=2.6).words == 20  # a slower voice: fewer words, same scenes
    assert plan_length(MIN_LENGTH).scenes == 3 and plan_length(MAX_LENGTH).scenes == MAX_SCENES == 20
    kept = plan_length(60, scenes=4, words_per_second=2.6)
    assert (kept.scenes, kept.words) == (4, 39)  # a count given is kept; its words follow the length


@pytest.mark.parametrize("seconds", [5, 9, 181, 500, 0, -60, True, 60.0, "60"])
def test_a_length_outside_10_to_180_seconds_is_one_line(seconds):
    with pytest.raises(BadInput, match=r"A video's length is 10 to 180 seconds, not .*\. Give a whole number"):
        plan_length(seconds)


@pytest.mark.parametrize("seconds, scenes, fits", [(180, 3, "9 to 20"), (10, 6, "3"), (30, 20, "3 to 10")])
def test_a_length_and_a_scene_count_that_cannot_go_together_are_refused_in_one_line(seconds, scenes, fits):
    with pytest.raises(BadInput) as caught:
        plan_length(seconds, scenes)
    line = str(caught.value)
    assert f"{scenes} scenes in {seconds} seconds" in line and f"give {fits} scenes" in line and "\n" not in line


# -- the writers get the target ---------------------------------------------------------------------

@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("scenes, words", [(3, 11), (4, 24), (8, 24), (15, 25), (20, 29), (20, 10)])
def test_the_offline_writer_writes_as_many_words_as_asked_without_saying_a_sentence_twice(topic, scenes, words):
    """To ±12% in ordinary words (what takes time to say); 20 scenes of 3 s (the shortest a scene may be)
    come out up to a quarter long: a draft's shortest lines say about ten words."""
    script = LocalScriptWriter().write(ScriptRequest(topic, scenes=scenes, words=words))
    assert len(script.scenes) == scenes
    said = sum(spoken_words(s.narration) for s in script.scenes)
    low, high = (0.88, 1.12) if words >= 11 else (0.88, 1.27)
    assert low <= said / (scenes * words) <= high, (said, scenes * words)
    assert len(set(sentences(script))) == len(sentences(script))  # no sentence twice in a video
    assert all(s.narration[-1] in ".!?" for s in script.scenes)
    if topic != "人工智能的未来":  # the call to action still ends the video, after any added places
        assert re.search(r"(comments|Share|Send|Save|Tag|Comment)[^.]*\.$", script.scenes[-1].narration)


def test_the_offline_writer_writes_20_scenes_when_asked_for_a_count_alone():
    script = LocalScriptWriter().write(ScriptRequest("5 ways to save money", scenes=20))
    assert [s.number for s in script.scenes] == list(range(1, 21))
    assert len(set(sentences(script))) == len(sentences(script))
    assert len({s.visuals for s in script.scenes}) == 20


@pytest.fixture
def openai_api():
    with FakeOpenAI(KEY) as fake:
        yield fake


def test_a_model_writer_is_asked_for_the_scenes_and_words_and_given_room_for_them(openai_api):
    writer = OpenAIScriptWriter(KEY, base_url=f"{openai_api.url}/v1")
    script = writer.write(ScriptRequest("Why cats purr", scenes=20, words=70))
    (sent,) = openai_api.requests_to("/chat/completions")
    system = sent.json["messages"][0]["content"]
    assert "exactly 20 scenes" in system and "about 70 words (63 to 77)" in system
    assert sent.json["max_tokens"] > 1000  # 20 long scenes do not fit the 6-scene cap
    assert len(script.scenes) == 20 and all(len(s.narration.split()) == 70 for s in script.scenes)  # over 60 taken
    plain = writer.write(ScriptRequest("Why cats purr"))  # no length: the prompt it always had
    system = openai_api.requests_to("/chat/completions")[-1].json["messages"][0]["content"]
    assert "Write 3 to 6 scenes" in system and "8 to 35 words" in system and plain.scenes


def test_the_pipeline_asks_the_writer_for_the_length_at_the_chosen_voice_s_pace(tmp_path):
    def request(**options):
        settings = settings_from_env(environ={}, cache_dir=tmp_path, script_provider="local", **options)
        return Pipeline(settings).script_request("Why do cats purr?")

    offline = request(length=60, voice_provider="local")
    assert (offline.scenes, offline.words) == (8, round(60 * LocalVoice.words_per_second / 8))
    faster = request(length=60, voice_provider="local", voice_speed=1.5)
    assert faster.words == round(offline.words * 1.5)  # a faster voice says more in the same time
    assert request(length=60, scenes=5, voice_provider="local").scenes == 5
    assert request().words is None and "words" not in request().to_dict()  # no length: the old cache key
    with pytest.raises(BadInput, match="3 scenes in 180 seconds"):
        request(length=180, scenes=3)


# -- the finished video ----------------------------------------------------------------------------

@pytest.mark.slow
def test_a_keyed_voice_s_timings_land_within_15_percent_of_the_length(tmp_path):
    """The OpenAI voice (its fake speaks 2.6 words a second, at its speed): the voices of a --length 60 script."""
    with FakeOpenAI(KEY) as api:
        for speed in (1.0, 1.4):
            settings = settings_from_env(environ={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"{api.url}/v1"},
                                         cache_dir=tmp_path / str(speed), script_provider="local",
                                         voice_provider="openai", length=60, voice_speed=speed)
            with Pipeline(settings) as pipeline:
                script = pipeline.write_script("Why do cats purr?")
                voices, _, skipped = pipeline.make_media(script, clips=False)
            seconds = sum(v.duration for v in voices.values())
            assert not skipped and len(script.scenes) == 8 and 51 <= seconds <= 69, (speed, seconds)


@pytest.mark.slow  # the Piper voice and a render of a minute (small frames)
def test_make_length_60_offline_makes_a_51_to_69_second_video(tmp_path, capsys):
    code = cli.main(["make", "How volcanoes work", "--length", "60", "--script-provider", "local",
                     "--voice-provider", "local", "--clip-provider", "local", "--width", "180", "--height", "320",
                     "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "--quiet"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["success"], result["message"]
    assert result["scenes_count"] == 8
    assert 51 <= probe(result["video_path"]).duration <= 69


# -- every way in ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, line", [
    (["--length", "5"], "A video's length is 10 to 180 seconds, not 5."),
    (["--length", "500"], "A video's length is 10 to 180 seconds, not 500."),
    (["--length", "180", "--scenes", "3"], "3 scenes in 180 seconds is 60.0 s a scene"),
])
def test_the_cli_refuses_a_length_it_cannot_make_in_one_line(tmp_path, capsys, args, line):
    assert cli.main(["make", "Cats", *args, "--cache-dir", str(tmp_path / "c"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert line in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_the_cli_writes_a_script_for_a_length_and_takes_20_scenes(tmp_path, capsys):
    base = ["--script-provider", "local", "--cache-dir", str(tmp_path / "c")]
    assert cli.main(["script", "Why do cats purr?", "--length", "120", *base]) == 0
    script = json.loads(capsys.readouterr().out)
    assert len(script["scenes"]) == 15
    assert cli.main(["script", "Why do cats purr?", "--scenes", "20", *base]) == 0
    assert len(json.loads(capsys.readouterr().out)["scenes"]) == 20
    notes = tmp_path / "notes.txt"
    notes.write_text("\n\n".join(f"Scene {i} says one thing about cats." for i in range(1, 21)), encoding="utf-8")
    assert cli.main(["make", "--script", str(notes), "--dry-run", *base]) == 0
    assert json.loads(capsys.readouterr().out)["scenes"] == 20  # your own 20 scenes are taken


def test_the_api_takes_a_length_and_20_scenes_and_refuses_5_or_500_in_one_line(tmp_path, fake_settings):
    from tests.services import ApiServer
    from viralreel_core.api.app import create_app
    from viralreel_core.jobs import JobQueue, QueueConfig

    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2),
                     fake_settings.with_(script_provider="local"))
    server = ApiServer(create_app(queue, workers=0))
    try:
        script = server.post("/generate-script", json={"topic": "Why do cats purr?", "length": 120})
        assert script.status_code == 200 and len(script.json()["scenes"]) == 15
        for length in (5, 500):
            for route in ("/generate-script", "/create-video"):
                answer = server.post(route, json={"topic": "Cats", "length": length})
                said = answer.json()["message"]
                assert answer.status_code == 400 and f"10 to 180 seconds, not {length}." in said and "\n" not in said
        assert server.post("/create-video", json={"topic": "Cats", "length": "60"}).status_code == 422  # strict
        queued = server.post("/create-video", json={"topic": "Cats", "length": 60, **SMALL})
        assert queued.status_code == 202
        assert server.get(queued.json()["status_url"]).json()["params"]["options"]["length"] == 60
        twenty = "\n\n".join(f"Scene {i} says one thing about cats." for i in range(1, 21))
        own = server.post("/create-video", json={"script": twenty, **SMALL})
        assert own.status_code == 202
        assert len(server.get(own.json()["status_url"]).json()["params"]["script"]["scenes"]) == 20
        fields = server.get("/openapi.json").json()["components"]["schemas"]["VideoBody"]["properties"]
        assert (fields["length"]["minimum"], fields["length"]["maximum"]) == (10, 180)
        assert fields["scenes"]["maximum"] == 20
    finally:
        server.close()
        queue.close()


@pytest.mark.slow
def test_a_batch_row_takes_a_length_and_a_bad_one_is_reported(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{tmp_path / 'jobs.db'}")
    topics = tmp_path / "topics.csv"
    topics.write_text("topic,length,scenes,width,height,script_provider,voice_provider,clip_provider\n"
                      "Why cats purr,10,,180,320,fake,fake,fake\n"
                      "Too short,5,,180,320,fake,fake,fake\n"
                      "Too long,500,,180,320,fake,fake,fake\n"
                      "Crowded,180,3,180,320,fake,fake,fake\n", encoding="utf-8")
    code = cli.main(["batch", str(topics), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c")])
    with open(tmp_path / "topics_results.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert code == 1 and [r["status"] for r in rows] == ["succeeded", "invalid", "invalid", "invalid"], rows
    assert "10 to 180 seconds, not 5." in rows[1]["message"] and "not 500." in rows[2]["message"]
    assert "3 scenes in 180 seconds" in rows[3]["message"]
    assert Path(rows[0]["path"]).is_file()


@pytest.mark.slow
def test_the_studio_slider_reaches_10_to_180_seconds_and_the_writer_follows_it(tmp_path, monkeypatch):
    for name in ("CACHE", "OUTPUT", "PROJECTS"):
        monkeypatch.setenv(f"VIRALREEL_{name}_DIR", str(tmp_path / name.lower()))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    at = studio_app(90).run()
    slider = at.slider(key="topic_length")
    assert (slider.min, slider.max) == (10, 180)
    assert at.selectbox(key="topic_scenes").options[-1] == "20 scenes"
    slider.set_value(180).run()
    assert "Auto · 20 for 180 s" in at.selectbox(key="topic_scenes").options
    at.text_area(key="topic_text").input("Why do cats purr?").run()
    at.button(key="write_script").click().run()
    studio = at.session_state["studio"]
    studio.wait(90)
    assert len(studio.draft.scenes) == 20
    said = sum(spoken_words(s.narration) for s in studio.draft.scenes)
    assert abs(said / (180 * LocalVoice.words_per_second) - 1) < 0.12
    at.switch_page("pages/topic.py").run()
    at.selectbox(key="topic_scenes").select(3).run()
    at.button(key="write_script").click().run()
    assert any("3 scenes in 180 seconds" in e.value for e in at.error)  # the contradiction, said on the page
