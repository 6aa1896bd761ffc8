"""Your own script: the narration word for word, visuals from the script writer (offline or one paid call),
through every way in: ``make --script``, the API's ``script``, a batch row's ``script``."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.fakes.servers import FakeOpenAI
from tests.services import ApiServer
from viralreel_core.api import create_app
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.jobs import JobQueue, QueueConfig, check_request
from viralreel_core.limits import MAX_DRAFT_SCENES
from viralreel_core.models import Scene, Script
from viralreel_core.providers.script.local_script import LocalScriptWriter
from viralreel_core.providers.script.narration_visuals import picture_words, visuals_for_narrations
from viralreel_core.run.own_script import fill_visuals
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.studio.pasted_rows import pasted_rows
from viralreel_core.text.script_text import script_from_text

SMALL = {"width": 180, "height": 320}
KEY = "sk-own-script-SECRET-0123456789abcdef"
PARAGRAPHS = [
    "Cats purr with tiny muscles in their throat.",
    "The vibration runs between twenty and one hundred fifty hertz, the same range that helps bones heal.",
    "Scientists think purring saves energy while cats rest in the sun.",
    "Follow for more strange facts about your pets!",
]
# one paragraph a scene; its lines are joined, extra blank lines and spaces do not matter
NOTES = (f"{PARAGRAPHS[0]}\n\nThe vibration runs between twenty and one hundred fifty hertz,\n"
         "  the same range that helps bones heal.\n\n\n"
         f"{PARAGRAPHS[2]}\r\n\r\n{PARAGRAPHS[3]}\n")


def words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower())


def srt_text(path: str | Path) -> str:
    """The caption lines of an SRT file, without numbers and times."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return " ".join(line for line in lines if line.strip() and not line.strip().isdigit() and "-->" not in line)


# --- reading a script ------------------------------------------------------------------------------------

def test_plain_text_is_one_scene_a_paragraph_word_for_word_with_empty_visuals():
    script = script_from_text(NOTES)
    assert [s.narration for s in script.scenes] == PARAGRAPHS
    assert [s.number for s in script.scenes] == [1, 2, 3, 4] and all(s.visuals == "" for s in script.scenes)
    assert script.topic == script.title == PARAGRAPHS[0]  # the first sentence names it
    assert script_from_text(NOTES, topic="Why cats purr").topic == "Why cats purr"


def test_the_script_json_as_the_script_command_prints_it_is_read_too():
    printed = {"topic": "Cats", "title": "All about cats",
               "scenes": [{"number": 1, "visuals": "a cat on a sofa", "narration": "Cats purr."},
                          {"number": 2, "visuals": "", "narration": "  Purring heals bones. "}]}
    script = script_from_text(json.dumps(printed, indent=2))
    assert script == Script("Cats", "All about cats", (Scene(1, "a cat on a sofa", "Cats purr."),
                                                       Scene(2, "", "Purring heals bones.")))


@pytest.mark.parametrize("text, message", [
    ("", "The script is empty"),
    ("\n\n  \n", "The script is empty"),
    ("\n\n".join(f"Scene {i} says something." for i in range(21)), "1 to 20 scenes, not 21"),
    ("Cats\x00 purr.", "NUL character"),
    ('{"scenes": [{"narration": "Cats"}', "looks like JSON but cannot be read"),
    ('{"scenes": [{"visuals": "a cat"}]}', "Scene 1 has no narration"),
])
def test_an_unusable_script_is_one_clear_line(text, message):
    with pytest.raises(BadInput, match=message):
        script_from_text(text)


@pytest.mark.parametrize("text, narrations", [
    ("Scene 1: Cats purr.\n\n2. They heal bones.\n\n- Follow!", ["Cats purr.", "They heal bones.", "Follow!"]),
    ("Scene 1: Cats purr.\nScene 2: They heal bones.\n3) Follow!", ["Cats purr.", "They heal bones.", "Follow!"]),
    ("Cats purr. They heal bones. Follow!", ["Cats purr. They heal bones.", "Follow!"]),
    ("2024: cats won.\n\n3.5 million ago, none purred.", ["2024: cats won.", "3.5 million ago, none purred."]),
])
def test_both_studio_pastes_and_the_cli_read_a_script_alike(text, narrations):
    """One reader (``script_text``): a paragraph, else a line, else two sentences a scene, labels dropped."""
    assert [s.narration for s in script_from_text(text).scenes] == narrations  # make --script, the Topic page
    draft = [{"uid": "u1", "visuals": "a cat"}, {"uid": "u2", "visuals": "a bone"}]
    rows = pasted_rows(text, draft)  # the Script page
    assert [r["narration"] for r in rows] == narrations and [r["uid"] for r in rows][:2] == ["u1", "u2"]
    assert [r["visuals"] for r in rows] == ["a cat", "a bone", "a cat"][:len(narrations)]


def test_a_long_one_line_paste_fits_the_scenes_and_a_bad_one_is_the_readers_line():
    sentences = [f"Fact number {i} is here." for i in range(2 * MAX_DRAFT_SCENES + 6)]
    scenes = script_from_text(" ".join(sentences)).scenes  # our split, not the person's: joined to fit
    assert len(scenes) == MAX_DRAFT_SCENES and " ".join(s.narration for s in scenes) == " ".join(sentences)
    with pytest.raises(BadInput, match="The script is empty"):
        pasted_rows(" \n- \n", [])
    with pytest.raises(BadInput, match="NUL character"):
        pasted_rows("Cats\x00 purr.", [])


# --- visuals: offline from the narration's nouns -----------------------------------------------------------

def test_the_offline_writer_pictures_the_narrations_own_nouns():
    assert picture_words("Marie Curie won two Nobel Prizes in Paris.") == ["Marie Curie", "Nobel Prizes"]
    assert picture_words("Volcanoes erupt when magma rises through the crust.") == ["volcanoes", "magma"]
    assert picture_words("Drink a glass of water before every meal.") == ["glass", "water"]
    shots = LocalScriptWriter().write_visuals(PARAGRAPHS, "en")
    assert shots == (visuals_for_narrations(PARAGRAPHS), 0.0)  # free, and the same text gives the same shots
    first, *_, last = shots[0]
    assert "cats" in first and "muscles" in first and "pets" in last
    assert len(set(shots[0])) == 4


# --- make --script ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_make_with_your_script_makes_a_scene_a_paragraph_and_its_captions_are_your_words(tmp_path, fakes, capsys):
    _, voice, clips = fakes
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    code = cli.main(["make", "--script", str(notes), "--script-provider", "local", "--voice-provider", "fake",
                     "--clip-provider", "fake", "--width", "180", "--height", "320", "--out", str(tmp_path / "out"),
                     "--cache-dir", str(tmp_path / "cache"), "--quiet"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["success"] and result["scenes_count"] == 4, result
    assert sorted(voice.calls) == sorted(PARAGRAPHS)  # spoken word for word
    assert words(srt_text(result["post_kit"]["srt_path"])) == words(" ".join(PARAGRAPHS))  # captioned in order
    assert len(clips.calls) == 4 and all(c.strip() for c in clips.calls)  # every clip has visuals
    assert result["post_kit"]["title"]


@pytest.mark.slow
def test_offline_make_with_your_script_captions_your_words_as_the_offline_voice_says_them(tmp_path, capsys):
    """The whole offline path (the writer's visuals, the Piper voice's word timings, kinetic clips): ~20 s here.
    The captions file is made from the same word timings and chunks as the burned-in captions."""
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    assert cli.main(["make", "--script", str(notes), "--script-provider", "local", "--voice-provider", "local",
                     "--clip-provider", "local", "--width", "180", "--height", "320", "--out", str(tmp_path / "out"),
                     "--cache-dir", str(tmp_path / "cache"), "--quiet"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["scenes_count"] == 4 and result["cache"]["provider_calls"] == {"voice": 4, "clips": 4}
    assert words(srt_text(result["post_kit"]["srt_path"])) == words(" ".join(PARAGRAPHS))


def test_script_with_your_script_prints_it_with_visuals_and_a_topic_names_it(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    assert cli.main(["script", "Why cats purr", "--script", str(notes), "--script-provider", "local",
                     "--cache-dir", str(tmp_path / "cache")]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["topic"] == "Why cats purr" and [s["narration"] for s in printed["scenes"]] == PARAGRAPHS
    assert all(s["visuals"] for s in printed["scenes"])
    assert script_from_text(json.dumps(printed)).scenes == Script.from_dict(printed).scenes  # and reads back


def test_make_without_a_topic_or_script_and_with_a_missing_file_are_one_line(tmp_path, capsys):
    assert cli.main(["make", "--cache-dir", str(tmp_path / "c")]) == 2
    assert capsys.readouterr().err.strip() == ("error: Say what the video is about. Give a topic, or your own "
                                               "script with --script FILE.")
    assert cli.main(["make", "--script", str(tmp_path / "nope.txt"), "--cache-dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Cannot read the script" in err[0] and "nope.txt" in err[0]


# --- a paid writer: one call for the missing visuals, cached by content, counted ------------------------------

@pytest.fixture
def openai_api():
    with FakeOpenAI(KEY) as fake:
        yield fake


def paid_settings(openai_api, tmp_path):
    return settings_from_env(environ={"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": f"{openai_api.url}/v1"},
                             script_provider="openai", voice_provider="fake", clip_provider="fake",
                             cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", **SMALL)


@pytest.mark.slow
def test_a_paid_writer_fills_the_missing_visuals_in_one_call_cached_and_counted(openai_api, tmp_path, fakes):
    _, voice, clips = fakes
    given = Script("Cats", "Cats", (Scene(1, "A cat asleep in a sunbeam", PARAGRAPHS[0]),
                                    *(Scene(i, "", text) for i, text in enumerate(PARAGRAPHS[1:], 2))))
    with Pipeline(paid_settings(openai_api, tmp_path), sleep=lambda s: None) as pipeline:
        result = pipeline.make("Cats", script=given)
    assert result.success and result.scenes_count == 4
    assert openai_api.visuals_asked == [PARAGRAPHS[1:]]  # one call, only for the scenes without visuals
    assert sorted(voice.calls) == sorted(PARAGRAPHS)
    assert "A cat asleep in a sunbeam" in clips.calls and "A cinematic shot of vibration, scene 1, soft daylight" \
        in clips.calls
    assert result.cost_usd > 0 and result.cache["provider_calls"]["script"] == 1  # the visuals' call, paid
    visuals_requests = len(openai_api.requests_to("/chat/completions"))
    with Pipeline(paid_settings(openai_api, tmp_path), sleep=lambda s: None) as pipeline:
        again = pipeline.make("Cats", script=given)
    assert again.success and len(openai_api.visuals_asked) == 1  # cached by content: not asked again
    assert len(openai_api.requests_to("/chat/completions")) == visuals_requests  # nor the post texts
    assert "script" not in again.cache["provider_calls"] and again.cache["saved_usd"] > 0


def test_the_dry_run_counts_the_visuals_call_before_and_the_cache_after(openai_api, tmp_path, fakes):
    own = script_from_text(NOTES)
    settings = paid_settings(openai_api, tmp_path)
    with Pipeline(settings, sleep=lambda s: None) as pipeline:
        plan = cli.dry_run_plan(pipeline, own.topic, own)
    assert openai_api.requests == []  # a dry run asks nothing of a paid service
    assert plan["scenes"] == 4 and plan["script_source"] == "your script; visuals assumed"
    assert plan["steps"]["script"]["calls"] == 1 and plan["steps"]["script"]["cost_usd"] > 0
    with Pipeline(settings, sleep=lambda s: None) as pipeline:
        filled = fill_visuals(pipeline, own)
        assert pipeline.tally.spent_usd > 0
    assert [s.narration for s in filled.scenes] == PARAGRAPHS and all(s.visuals for s in filled.scenes)
    with Pipeline(settings, sleep=lambda s: None) as pipeline:
        plan = cli.dry_run_plan(pipeline, own.topic, own)
    assert plan["script_source"] == "your script" and plan["steps"]["script"] == {
        "provider": "openai", "calls": 0, "cost_usd": 0.0}


def test_a_wrong_number_of_visuals_is_retried_once_and_never_cached(openai_api, tmp_path, fakes):
    openai_api.fail("few_visuals", times=None)
    own = script_from_text(NOTES)
    with Pipeline(paid_settings(openai_api, tmp_path), sleep=lambda s: None) as pipeline:
        with pytest.raises(ProviderError, match="visuals that cannot be used: there are 3 of them for 4 scenes"):
            fill_visuals(pipeline, own)
    assert len(openai_api.visuals_asked) == 2  # the script's policy: one retry
    openai_api.clear_faults()
    with Pipeline(paid_settings(openai_api, tmp_path), sleep=lambda s: None) as pipeline:
        assert all(s.visuals for s in fill_visuals(pipeline, own).scenes)
    assert len(openai_api.visuals_asked) == 3


# --- the API and batch ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_api_takes_your_narration_as_plain_text(tmp_path, fake_settings, fakes):
    _, voice, _ = fakes
    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}", heartbeat=0.2),
                     fake_settings.with_(script_provider="local"))
    server = ApiServer(create_app(queue, workers=1))
    try:
        data = server.post("/create-video", json={"script": NOTES, "wait": True, **SMALL}).json()
        assert data["success"] is True and data["scenes_count"] == 4, data
        job = server.get(f"/jobs/{data['job_id']}").json()
        assert [s["narration"] for s in job["params"]["script"]["scenes"]] == PARAGRAPHS
        assert sorted(voice.calls) == sorted(PARAGRAPHS)
        named = server.post("/create-video", json={"script": NOTES, "topic": "Why cats purr", **SMALL})
        assert named.status_code == 202
        assert server.get(named.json()["status_url"]).json()["params"]["script"]["topic"] == "Why cats purr"
        too_many = server.post("/create-video", json={"script": "\n\n".join(["Say it."] * 21)})
        assert too_many.status_code == 400 and "1 to 20 scenes, not 21" in too_many.json()["message"]
    finally:
        server.close()
        queue.close()


def test_check_request_keeps_empty_visuals_for_the_writer(fake_settings):
    params = check_request("make", {"script": {"scenes": [{"scene_number": 1, "narration": "Cats purr."}]}},
                           fake_settings)
    assert params["script"]["scenes"] == [{"scene_number": 1, "visuals": "", "narration": "Cats purr."}]


@pytest.mark.slow
def test_a_batch_row_takes_a_script_file_or_the_text_itself(tmp_path, monkeypatch, fakes):
    _, voice, _ = fakes
    monkeypatch.setenv("VIRALREEL_QUEUE_URL", f"sqlite:///{tmp_path / 'jobs.db'}")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "cats.txt").write_text(NOTES, encoding="utf-8")
    rows = tmp_path / "rows.csv"
    with open(rows, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["topic", "script", "width", "height", "script_provider", "voice_provider", "clip_provider"])
        out.writerow(["", "scripts/cats.txt", 180, 320, "local", "fake", "fake"])
        out.writerow(["Owls", "Owls hoot at night.\n\nThey turn their heads almost all the way round.", 180, 320,
                      "local", "fake", "fake"])
        out.writerow(["", "scripts/missing.txt", 180, 320, "local", "fake", "fake"])
    args = ["batch", str(rows), "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    assert cli.main(args) == 1
    results = list(csv.DictReader(open(tmp_path / "rows_results.csv", encoding="utf-8")))
    assert [r["status"] for r in results] == ["succeeded", "succeeded", "invalid"]
    assert results[0]["topic"] == PARAGRAPHS[0] and results[1]["topic"] == "Owls"
    assert "Row 3: the script file scripts/missing.txt does not exist." in results[2]["message"]
    assert "Owls hoot at night." in voice.calls and set(PARAGRAPHS) <= set(voice.calls)
    calls = len(voice.calls)
    assert cli.main(args) == 1  # a rerun skips the made rows
    assert len(voice.calls) == calls
    (tmp_path / "scripts" / "cats.txt").write_text(NOTES.replace("Cats purr", "Cats hum"), encoding="utf-8")
    assert cli.main(args) == 1  # an edited script file is a new video
    assert "Cats hum with tiny muscles in their throat." in voice.calls


# --- the studio: "Paste my own script" on the Topic page ------------------------------------------------------

@pytest.mark.slow
def test_the_studio_takes_a_pasted_script_straight_to_the_editable_table(tmp_path, monkeypatch, fakes):
    from tests.test_studio_app import new_app, ok, page, settle

    for name in ("cache", "out", "projects"):
        monkeypatch.setenv(f"VIRALREEL_{name.upper()}_DIR", str(tmp_path / name))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    at = ok(new_app())
    at.text_area(key="own_script_text").input("\n\n  ").run()
    at.button(key="use_own_script").click().run()
    assert "The script is empty" in ok(at).error[0].value and at.title[0].value.endswith("Step 1 · Topic")

    at.text_area(key="own_script_text").input(NOTES).run()
    at.button(key="use_own_script").click().run()
    assert ok(at).title[0].value.endswith("Step 2 · Script")
    settle(page(at, "script"))
    studio = at.session_state["studio"]
    rows = studio.draft_rows()
    assert [r["narration"] for r in rows] == PARAGRAPHS and all(r["visuals"] for r in rows)
    assert studio.provider_names()["script"] == "local" and studio.tally.spent_usd == 0
    assert studio.form.topic == PARAGRAPHS[0]  # the first sentence names the project
    ok(at).button(key="accept_script").click().run()
    assert [s.narration for _, s in ok(at).session_state["studio"].scenes()] == PARAGRAPHS


def test_a_pasted_script_with_a_paid_writer_costs_one_visuals_call_in_the_studio_tally(openai_api, tmp_path, fakes,
                                                                                        cache):
    from viralreel_core.studio import Studio, StudioConfig

    studio = Studio(paid_settings(openai_api, tmp_path), cache, StudioConfig(projects_dir=tmp_path / "projects"),
                    sleep=lambda s: None)
    studio.form.topic = "Why cats purr"
    studio.start_own_script(NOTES)
    studio.wait(60)
    assert not studio.errors, studio.errors
    assert [s.narration for s in studio.draft.scenes] == PARAGRAPHS and studio.draft.topic == "Why cats purr"
    assert [s.visuals for s in studio.draft.scenes] == [
        f"A cinematic shot of {next(w for w in p.split() if len(w) > 4)}, scene {i}, soft daylight"
        for i, p in enumerate(PARAGRAPHS, 1)]  # the model's shots, one call for all four
    assert openai_api.visuals_asked == [PARAGRAPHS] and studio.tally.spent_usd > 0
    with pytest.raises(BadInput, match="1 to 20 scenes, not 21"):
        studio.start_own_script("\n\n".join(["Say it."] * 21))
