"""The studio's pages through streamlit.testing.v1.AppTest: every page, the whole path, edits, guidance."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes.providers import FakeClipMaker
from tests.media import probe
from tests.studio_app import studio_app
from viralreel_core.errors import ProviderError

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"
PAGES = ["topic", "script", "voice", "clips", "assemble", "projects"]
TIMEOUT = 90


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """Temp cache, output and projects folders, and tiny frames, through the environment the app reads."""
    paths = {name: tmp_path / name for name in ("cache", "out", "projects")}
    monkeypatch.setenv("VIRALREEL_CACHE_DIR", str(paths["cache"]))
    monkeypatch.setenv("VIRALREEL_OUTPUT_DIR", str(paths["out"]))
    monkeypatch.setenv("VIRALREEL_PROJECTS_DIR", str(paths["projects"]))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    return paths


def new_app() -> AppTest:
    return studio_app(TIMEOUT).run()


def page(at: AppTest, name: str) -> AppTest:
    """Go to a page. (AppTest keeps requesting the last switched-to page, even after the app moved on.)"""
    return at.switch_page(f"pages/{name}.py").run()


def settle(at: AppTest) -> AppTest:
    """Wait for the session's background work, then run the page once more to apply and show it."""
    deadline = time.monotonic() + TIMEOUT
    while at.session_state["studio"].jobs:
        for job in list(at.session_state["studio"].jobs.values()):
            job.wait(max(0.1, deadline - time.monotonic()))
        at.run()
        assert time.monotonic() < deadline, "background work did not finish"
    return at


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def use_fakes(at: AppTest) -> AppTest:
    for option in ("script_provider", "voice_provider", "clip_provider"):
        at.selectbox(key=f"sidebar_{option}").select("fake").run()
    return ok(at)


def write_and_accept(at: AppTest, topic: str = "Cats", scenes: int = 3) -> AppTest:
    page(at, "topic")
    at.text_area(key="topic_text").input(topic).run()
    at.selectbox(key="topic_scenes").select(scenes).run()
    at.button(key="write_script").click().run()
    assert ok(at).title[0].value.endswith("Step 2 · Script")  # the app moved on to the script
    settle(page(at, "script"))
    ok(at).button(key="accept_script").click().run()
    return ok(at)


def make_all(at: AppTest) -> AppTest:
    page(at, "voice").button(key="make_voices").click().run()
    settle(ok(at))
    page(at, "clips").button(key="make_clips").click().run()
    return ok(settle(at))


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_on_a_fresh_session(dirs, name):
    at = new_app()
    ok(page(at, name))
    assert at.title, f"{name} has no title"


def guidance_links(at: AppTest) -> list[str]:
    return [link.proto.label for link in at.main.get("page_link") if "go to" in link.proto.label]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["script", "voice", "clips", "assemble"])
def test_a_missing_step_is_explained_with_a_link_not_a_traceback(dirs, name):
    at = ok(page(new_app(), name))
    assert at.info, "no guidance shown"
    # nothing written yet: straight to the Topic step, not to a Script page that only points on to Topic
    assert guidance_links(at) == ["Write a script — go to Topic"]


@pytest.mark.slow
def test_with_a_draft_not_yet_accepted_the_later_steps_point_to_the_script(dirs, fakes):
    at = use_fakes(new_app())
    page(at, "topic").text_area(key="topic_text").input("Cats").run()
    at.button(key="write_script").click().run()
    settle(page(at, "script"))
    for name in ("voice", "clips", "assemble"):
        assert guidance_links(ok(page(at, name))) == ["Accept the script — go to Script"], name


def test_topic_validation_is_clear(dirs):
    """The button is never disabled for the topic (a browser sends the topic on the click that leaves the
    box, and a disabled button would swallow that click): the topic is checked when it is clicked."""
    at = ok(new_app())
    assert not at.button(key="write_script").disabled
    at.button(key="write_script").click().run()
    assert "The topic is empty" in ok(at).error[0].value and at.title[0].value.endswith("Step 1 · Topic")
    at.text_area(key="topic_text").input("x" * 501).run()
    assert "limit is 500" in at.error[0].value and not at.button(key="write_script").disabled
    at.button(key="write_script").click().run()
    assert [e.value for e in ok(at).error if "limit is 500" in e.value] == [at.error[0].value]  # said once
    assert not at.session_state["studio"].busy()
    at.text_area(key="topic_text").input("Why do cats purr?").run()
    assert not at.error and not at.button(key="write_script").disabled


def test_an_example_topic_can_be_picked_again_after_typing_another(dirs):
    at = ok(new_app())
    examples = next(w for w in at.get("button_group") if w.key == "topic_example")
    examples.set_value("Why do cats purr?").run()
    assert at.text_area(key="topic_text").value == "Why do cats purr?"
    # no pill stays selected: in the browser a second click on a selected pill unselects it and does nothing
    assert next(w for w in at.get("button_group") if w.key == "topic_example").value is None
    at.text_area(key="topic_text").input("Why is the sky blue?").run()
    next(w for w in at.get("button_group") if w.key == "topic_example").set_value("Why do cats purr?").run()
    assert ok(at).text_area(key="topic_text").value == "Why do cats purr?"


def test_the_language_is_read_from_the_topic_or_chosen_and_saved_with_the_project(dirs):
    at = ok(new_app())
    at.text_area(key="topic_text").input("ज्वालामुखी कैसे काम करते हैं?").run()
    picker = ok(at).selectbox(key="topic_language")
    assert picker.value == "auto" and "Auto · Hindi" in picker.options
    picker.select("zh").run()
    studio = ok(at).session_state["studio"]
    assert studio.form.language == "zh" and studio.settings().language == "zh"
    saved = studio.saved()
    assert saved.form.language == "zh"


@pytest.mark.slow  # the neural voice, drawn clips and a render: the browser test walks this path too
def test_topic_to_video_with_the_offline_providers(dirs):
    """The whole path with the real offline providers (local writer, Piper voice, procedural clips)."""
    at = write_and_accept(new_app(), "Why do cats purr?", scenes=0)  # 0: as many as the target length suits
    studio = at.session_state["studio"]
    assert studio.provider_names() == {"script": "local", "voice": "local", "clips": "local"}
    assert len(studio.script.scenes) == 4
    make_all(at)
    assert all(s.usable for s in studio.states("voice")) and all(s.usable for s in studio.states("clips"))
    assert len(at.image) >= 4  # the storyboard's thumbnails
    ok(page(at, "assemble")).button(key="render").click().run()
    ok(settle(at))
    result = studio.last_render
    info = probe(result["video_path"])
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (180, 320, "h264", "aac")
    assert info.duration > 5
    videos = at.get("video")
    assert videos and videos[0].proto.url.endswith(".mp4")
    assert any("Download MP4" in m.value for m in at.markdown)
    assert "Scenes reused" in [m.label for m in at.metric]


@pytest.mark.slow  # a whole studio flow to a render: ~7 s here (studio/published.py: test_published.py)
def test_the_video_and_its_download_are_served_from_disk_not_held_in_the_server(dirs, fakes):
    """The player and the download take the file by URL from the static route (``studio.published``): no
    copy of the MP4 goes into Streamlit's in-memory media store, where it stayed for as long as the page did."""
    import html as html_lib
    import re

    from viralreel_core.studio.published import STATIC_DIR, URL_PREFIX

    at = use_fakes(new_app())
    make_all(write_and_accept(at))
    clip_urls = [v.proto.url for v in at.get("video")]  # the clips' previews
    assert len(clip_urls) == 3 and all(url.startswith(URL_PREFIX) for url in clip_urls)
    ok(page(at, "assemble")).button(key="render").click().run()
    ok(settle(at))
    made = Path(at.session_state["studio"].last_render["video_path"])
    url = at.get("video")[0].proto.url
    assert url.startswith(URL_PREFIX) and "/media/" not in url
    served = STATIC_DIR / url.removeprefix("/app/static/")
    assert served.read_bytes() == made.read_bytes()
    assert os.path.samestat(served.stat(), made.stat())  # a hard link: not even a copy on disk
    # the post kit's small files (captions, cover, texts) are download buttons; the video never is
    assert not [b for b in at.get("download_button") if "MP4" in b.label or b.key == "download_video"]
    link = next(m.value for m in at.markdown if "Download MP4" in m.value)
    href = re.search(r'href="([^"]+)"', link).group(1)
    assert "/" + html_lib.unescape(href) == url and f'download="{made.name}"' in link
    assert len(set(clip_urls + [url])) == 4  # each file its own unguessable name
    assert all(len(Path(u).stem) == 32 and made.stem not in u for u in clip_urls + [url])


@pytest.mark.slow
def test_editing_a_narration_in_the_table_redoes_only_that_voice(dirs, fakes):
    _, voice, clips = fakes
    at = use_fakes(new_app())
    write_and_accept(at)
    make_all(at)
    studio = at.session_state["studio"]
    voices_before, clips_before = len(voice.calls), len(clips.calls)

    page(at, "script")
    table = at.data_editor[0]
    at.session_state[table.key] = {"edited_rows": {1: {"narration": "Purring is a cat's engine."}},
                                   "added_rows": [], "deleted_rows": []}
    ok(at.run())
    assert studio.draft.scenes[1].narration == "Purring is a cat's engine."
    assert at.data_editor[0].value["narration"][1] == "Purring is a cat's engine."  # redrawn from the draft
    at.button(key="accept_script").click().run()

    ok(page(at, "voice"))
    assert [s.status for s in studio.states("voice")] == ["ready", "stale", "ready"]
    assert at.button(key="make_voices").label == "Record 1 voice"
    at.button(key="make_voices").click().run()
    ok(settle(at))
    assert voice.calls[voices_before:] == ["Purring is a cat's engine."]
    assert len(clips.calls) == clips_before
    assert [s.status for s in studio.states("voice")] == ["ready"] * 3


@pytest.mark.slow
def test_rows_can_be_added_deleted_and_reordered_in_the_table(dirs, fakes):
    at = use_fakes(new_app())
    write_and_accept(at)
    studio = at.session_state["studio"]
    first, second, third = studio.draft_uids
    page(at, "script")
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [{"scene": 4}]}  # "add row"
    ok(at.run())  # the blank row waits in the table for typing: not redrawn under the cursor, not a scene yet
    assert at.data_editor[0].key == key and studio.draft_uids == [first, second, third] and not at.warning
    at.session_state[at.data_editor[0].key] = {
        "edited_rows": {2: {"scene": 1}}, "deleted_rows": [1],
        "added_rows": [{"visuals": "sunset over the sea", "narration": "And that is why."}]}
    ok(at.run())
    assert studio.draft_uids[:2] == [third, first] and second not in studio.draft_uids
    assert studio.draft.scenes[-1].narration == "And that is why."
    assert "Edited" in [m.value for m in at.metric]
    at.button(key="accept_script").click().run()
    assert [s.narration for s in ok(at).session_state["studio"].script.scenes][-1] == "And that is why."


@pytest.mark.slow
def test_a_service_error_shows_on_its_step_and_the_other_scenes_stay(dirs, fakes):
    _, voice, _ = fakes
    at = use_fakes(new_app())
    write_and_accept(at)
    for _ in range(3):
        voice.enqueue_failure(ProviderError("The voice service is down.", hint="Try again in a minute."),
                              match="Scene 2")
    page(at, "voice").button(key="make_voices").click().run()
    ok(settle(at))
    assert any("Scene 2: The voice service is down. Try again in a minute." in e.value for e in at.error)
    assert [s.status for s in at.session_state["studio"].states("voice")] == ["ready", "missing", "ready"]
    assert at.button(key="make_voices").label == "Record 1 voice"


@pytest.mark.slow
def test_failures_are_grouped_point_to_the_offline_provider_and_go_once_every_scene_is_ready(dirs, fakes,
                                                                                             monkeypatch):
    _, voice, _ = fakes
    at = use_fakes(new_app())
    write_and_accept(at)
    studio = at.session_state["studio"]
    for scene in ("Scene 1", "Scene 2"):
        for _ in range(3):
            voice.enqueue_failure(ProviderError("voice service down"), match=scene)
    page(at, "voice").button(key="make_voices").click().run()
    settle(ok(at))
    assert [e.value for e in at.error] == ["Scenes 1 and 2: voice service down"]
    assert not any("choose **local**" in c.value for c in at.caption)  # the fake voice is offline already
    monkeypatch.setattr(voice, "offline", False)  # as a paid service: the way on without it is shown
    assert any("choose **local** for *Voice*" in c.value for c in at.run().caption)
    monkeypatch.setattr(voice, "offline", True)
    at.button(key="make_voices").click().run()  # the service is back
    settle(ok(at))
    assert not at.error and all(s.usable for s in studio.states("voice"))
    studio.errors["voice"] = ["Scene 1: an old failure"]  # e.g. before switching to a provider that works
    assert not ok(page(at, "voice")).error and "voice" not in studio.errors
    # a voice made with another provider says so, rather than blaming an edit
    at.selectbox(key="voice_page_provider").select("local").run()
    assert any("Recorded with fake, and this step now uses local" in c.value for c in ok(at).caption)


@pytest.mark.slow
def test_a_key_typed_in_the_sidebar_is_never_echoed_or_saved(dirs, fakes):
    secret = "sk-test-typed-into-the-sidebar-0042"
    at = use_fakes(new_app())
    at.text_input(key="key_openai").input(secret).run()
    write_and_accept(at)
    studio = at.session_state["studio"]
    assert studio.keys["openai"] == secret
    assert secret not in texts(ok(at))
    # the field is emptied once the key is taken: left there, the browser would get the key back with every
    # page and the field's eye button would show it
    assert at.text_input(key="key_openai").value == ""
    assert at.session_state["key_openai"] == ""
    assert "OpenAI key in use (typed in)" in "\n".join(c.value for c in at.sidebar.caption)
    page(at, "projects").button(key="save_project").click().run()
    ok(at)
    files = [p for p in dirs["projects"].rglob("*") if p.is_file()]
    assert files, "nothing was saved"
    assert all(secret not in p.read_text(encoding="utf-8", errors="ignore") for p in files)


def test_keys_from_secrets_choose_the_paid_service_without_showing_it(dirs):
    at = studio_app(TIMEOUT)
    at.secrets["OPENAI_API_KEY"] = "sk-from-secrets-7777"
    ok(at.run())
    assert at.session_state["studio"].provider_names()["script"] == "openai"
    assert "sk-from-secrets-7777" not in texts(at)
    assert at.text_input(key="key_openai").value == ""  # never put into the field
    assert "OpenAI key in use (from secrets)" in "\n".join(c.value for c in at.sidebar.caption)


@pytest.mark.slow
def test_upload_your_own_clip_for_a_scene(dirs, fakes, tmp_path):
    at = use_fakes(new_app())
    write_and_accept(at)
    studio = at.session_state["studio"]
    uid = studio.uids[0]
    ok(page(at, "clips"))
    clip = FakeClipMaker().make("my own footage", 2.0, tmp_path)
    at.file_uploader(key=f"upload_{uid}_0").upload("mine.mp4", Path(clip.video_path).read_bytes(), "video/mp4").run()
    ok(at)
    assert studio.clips[uid].uploaded and studio.states("clips")[0].status == "ready"
    assert "your upload" in texts(at)
    uid2 = studio.uids[1]
    at.file_uploader(key=f"upload_{uid2}_0").upload("broken.mp4", b"not a video" * 50, "video/mp4").run()
    assert any("no video we can read" in e.value for e in ok(at).error)
    assert uid2 not in studio.clips
    # any file can be chosen, and a wrong one gets a sentence saying what to upload (the browser's own
    # type filter would only mark it with an icon whose reason shows on hover)
    assert not list(at.file_uploader(key=f"upload_{uid2}_0").proto.type)
    at.file_uploader(key=f"upload_{uid2}_0").upload("notes.txt", b"hello", "text/plain").run()
    assert any("notes.txt is not a video file we accept" in e.value and ".mp4" in e.value for e in ok(at).error)


@pytest.mark.slow
def test_save_reopen_in_another_session_and_delete(dirs, fakes):
    _, voice, clips = fakes
    at = use_fakes(new_app())
    write_and_accept(at)
    make_all(at)
    page(at, "projects")
    at.text_input(key="project_name").input("Cat facts").run()
    at.button(key="save_project").click().run()
    project_id = ok(at).session_state["studio"].id
    calls = len(voice.calls) + len(clips.calls)

    other = use_fakes(new_app())  # a second browser tab, or a reload: back in the project where it was
    assert other.session_state["studio"].id == project_id
    page(other, "projects").button(key="new_project").click().run()
    assert ok(other).session_state["studio"].id != project_id
    page(other, "projects")
    assert "Cat facts" in texts(other)
    other.button(key=f"open_{project_id}").click().run()
    reopened = ok(other).session_state["studio"]
    assert reopened.id == project_id and reopened.name == "Cat facts"
    assert all(s.usable for s in reopened.states("voice")) and all(s.usable for s in reopened.states("clips"))
    assert len(voice.calls) + len(clips.calls) == calls  # straight from the cache

    page(other, "projects").button(key=f"delete_{project_id}").click().run()
    assert "No saved projects yet" in texts(ok(other))


def test_sidebar_shows_cache_statistics_and_clears_the_cache(dirs, fakes):
    at = use_fakes(new_app())
    write_and_accept(at)
    labels = {m.label: m.value for m in at.sidebar.metric}
    assert labels["Entries"] == "1" and "Money saved" in labels
    at.button(key="clear_cache").click().run()
    assert {m.label: m.value for m in ok(at).sidebar.metric}["Entries"] == "0"


class PricedClips(FakeClipMaker):
    """A clip maker that costs money, like Runway: the studio must show the price before spending it."""

    name = "priced"
    offline = False

    def estimate_cost(self, seconds: float) -> float:
        return 0.05 * seconds


@pytest.mark.slow
def test_a_paid_clip_provider_shows_the_estimated_cost_before_the_button(dirs, fakes):
    from viralreel_core import providers

    providers.register("clips", "priced", PricedClips)
    at = use_fakes(new_app())
    write_and_accept(at)
    at.selectbox(key="sidebar_clip_provider").select("priced").run()
    ok(page(at, "clips"))
    estimate = [i.value for i in at.info if "estimated to cost" in i.value]
    assert estimate and "$0.60" in estimate[0]  # 3 scenes × 4 s × $0.05
    at.button(key="make_clips").click().run()
    assert any("$0.60" in w.value for w in ok(at).warning)  # above $0.50: asks before spending
    assert not at.session_state["studio"].busy()
    at.button(key="confirm_clips").click().run()
    ok(settle(at))
    assert not any("estimated to cost" in i.value for i in at.info)  # nothing left to pay for


@pytest.mark.slow
def test_with_an_elevenlabs_key_the_voice_page_lists_its_voices_and_records_with_it(dirs, fakes, monkeypatch):
    from tests.fakes.servers import FakeElevenLabs

    with FakeElevenLabs("el-studio-key") as service:
        monkeypatch.setenv("ELEVENLABS_BASE_URL", service.url)
        at = studio_app(TIMEOUT)
        at.secrets["ELEVENLABS_API_KEY"] = "el-studio-key"
        ok(at.run())
        at.selectbox(key="sidebar_script_provider").select("fake").run()
        at.selectbox(key="sidebar_clip_provider").select("fake").run()
        write_and_accept(at)
        studio = at.session_state["studio"]
        assert studio.provider_names()["voice"] == "elevenlabs"
        ok(page(at, "voice"))
        picker = at.selectbox(key="voice_elevenlabs")
        assert len(picker.options) >= 2 and service.requests_to("/v1/voices")
        assert any("estimated cost $" in c.value for c in at.caption)
        assert "Sarah · premade" in picker.options
        picker.select("EXAVITQu4vr4xnSDxMaL").run()
        assert studio.options["elevenlabs_voice_id"] == "EXAVITQu4vr4xnSDxMaL"
        at.button(key="make_voices").click().run()
        ok(settle(at))
        assert [s.status for s in studio.states("voice")] == ["ready"] * 3
        spoken = service.requests_to("/v1/text-to-speech/")
        assert len(spoken) == 3 and all("/EXAVITQu4vr4xnSDxMaL" in r.path for r in spoken)
        assert "el-studio-key" not in texts(at)


@pytest.mark.slow
def test_page_runs_share_one_pipeline_until_a_setting_changes(dirs, fakes):
    at = use_fakes(new_app())
    write_and_accept(at)
    studio = at.session_state["studio"]
    first = studio.pipeline()
    for name in ("voice", "clips", "assemble", "voice"):  # each run rebuilds the settings from the edge
        ok(page(at, name))
    assert studio.pipeline() is first
    at.selectbox(key="sidebar_voice_provider").select("local").run()
    assert studio.pipeline() is not first and studio.pipeline().settings.voice_provider == "local"


@pytest.mark.slow
def test_the_script_can_be_edited_one_scene_at_a_time_as_on_a_phone(dirs, fakes):
    at = use_fakes(new_app())
    page(at, "topic").text_area(key="topic_text").input("Cats").run()
    at.selectbox(key="topic_scenes").select(3).run()
    at.button(key="write_script").click().run()
    settle(page(at, "script"))
    studio = at.session_state["studio"]
    at.toggle(key="script_one_by_one").set_value(True).run()
    uids = list(studio.draft_uids)
    narration = [t for t in ok(at).text_area if t.key.startswith(f"card_narration_{uids[1]}")][0]
    narration.input("Cats purr when they are calm and when they heal.").run()
    assert studio.draft.scenes[1].narration == "Cats purr when they are calm and when they heal."
    ok(at).button(key=f"card_remove_{uids[0]}").click().run()
    assert ok(at).session_state["studio"].draft_uids == uids[1:]
    at.button(key="card_add").click().run()
    assert len(ok(at).session_state["studio"].draft.scenes) == 3
    at.button(key="accept_script").click().run()
    assert ok(at).session_state["studio"].script.scenes[0].narration.startswith("Cats purr when they are calm")


def test_the_aspect_is_picked_on_the_topic_step_and_the_size_in_the_sidebar(dirs, fakes):
    at = ok(new_app())
    studio = at.session_state["studio"]
    assert at.selectbox(key="topic_aspect").value == "9:16"
    ok(at.selectbox(key="topic_aspect").select("16:9").run())
    assert (studio.options["width"], studio.options["height"]) == (320, 180)
    assert at.selectbox(key="sidebar_frame").value == (320, 180)
    ok(at.selectbox(key="sidebar_frame").select((960, 540)).run())
    assert studio.aspect == "16:9" and studio.settings().width == 960
    ok(page(at, "assemble"))  # its caption names the size and where the shape is chosen


def test_an_offline_draft_says_it_has_no_facts_and_a_pasted_script_takes_its_place(dirs):
    at = ok(new_app())
    page(at, "topic").text_area(key="topic_text").input("Black holes").run()
    at.selectbox(key="topic_scenes").select(4).run()
    at.button(key="write_script").click().run()
    settle(page(at, "script"))
    studio = ok(at).session_state["studio"]
    assert studio.provider_names()["script"] == "local"
    notice = [i.value for i in at.info if "square brackets" in i.value]
    places = sum(scene.narration.count("[") for scene in studio.draft.scenes)  # as many as the target's words need
    assert notice and f"{places} places in [square brackets]" in notice[0], [i.value for i in at.info]
    uids = list(studio.draft_uids)
    at.text_area(key="script_paste").input("Scene 1: Black holes bend light.\n\n2. Nothing gets out.\n\n"
                                           "Tell me what surprised you.").run()
    ok(at).button(key="script_paste_use").click().run()
    assert [s.narration for s in ok(at).session_state["studio"].draft.scenes] == [
        "Black holes bend light.", "Nothing gets out.", "Tell me what surprised you."]
    assert studio.draft_uids == uids[:3] and studio.draft.scenes[0].visuals  # ids and visuals kept in order
    assert not [i for i in at.info if "square brackets" in i.value]


@pytest.mark.slow
def test_the_storyboard_says_why_each_stock_clip_was_chosen_and_offers_the_next_ones(dirs, fakes, monkeypatch):
    from tests.fakes.servers import FakePexels

    with FakePexels("px-studio-key") as pexels:
        monkeypatch.setenv("PEXELS_API_KEY", "px-studio-key")
        monkeypatch.setenv("PEXELS_BASE_URL", pexels.url)
        at = use_fakes(new_app())
        at.selectbox(key="sidebar_clip_provider").select("pexels").run()
        write_and_accept(at)
        make_all(at)
        studio = at.session_state["studio"]
        ok(page(at, "clips"))
        assert texts(at).count("Why: matched: ") == 3, texts(at)
        uid = studio.uids[0]
        first = studio.clips[uid].asset.choice["key"]
        offered = studio.clips[uid].asset.choice["others"][0]["key"]
        searches = len(pexels.requests_to("/videos/search"))
        at.button(key=f"cand_{uid}_{offered}").click().run()
        ok(at)
        assert studio.clips[uid].asset.choice["key"] == offered != first
        assert len(pexels.requests_to("/videos/search")) == searches  # no new search
        assert studio.states("clips")[0].status == "ready"
