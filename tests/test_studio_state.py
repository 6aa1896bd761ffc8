"""The studio's working state (viralreel_core.studio, projects, uploads) driven without a browser."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests

from tests.fakes.providers import FakeClipMaker
from tests.media import probe
from viralreel_core import ApiKeys
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.studio import Studio, StudioConfig, TopicForm, scenes_for_length
from viralreel_core.workspace.projects import ProjectStore, list_renders


@pytest.fixture
def studio(fake_settings, cache, tmp_path) -> Studio:
    s = Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    s.form.topic = "Cats"
    s.form.scenes = 3
    return s


def accepted(studio: Studio) -> Studio:
    studio.start_script().wait()
    assert studio.poll() == ["script"] and not studio.errors
    studio.accept_script()
    return studio


def made(studio: Studio) -> Studio:
    accepted(studio)
    studio.start_voices()
    studio.start_clips()
    studio.wait()
    assert not studio.errors
    return studio


def statuses(studio: Studio, step: str) -> list[str]:
    return [s.status for s in studio.states(step)]


def test_topic_form_checks_the_topic_and_picks_a_scene_count():
    assert "empty" in TopicForm("  ").problem()
    assert "limit is 500" in TopicForm("x" * 501).problem()
    assert TopicForm("Cats").problem() is None
    assert [scenes_for_length(s) for s in (10, 30, 40, 90, 120, 180)] == [3, 4, 5, 11, 15, 20]
    assert TopicForm("Cats", scenes=None, target_seconds=40).scene_count() == 5


def test_nothing_downstream_starts_before_the_script_is_accepted(studio, fakes):
    studio.start_script().wait()
    studio.poll()
    assert studio.draft is not None and studio.script is None and studio.states("voice") == []
    with pytest.raises(BadInput, match="Accept the script"):
        studio.start_voices()
    _, voice, clips = fakes
    assert voice.calls == clips.calls == []


def test_table_edits_add_delete_and_reorder_scenes_keeping_their_ids(studio):
    studio.start_script().wait()
    studio.poll()
    rows = studio.draft_rows()
    first, second, third = (r["uid"] for r in rows)
    rows[2]["scene"] = 1  # move the last scene to the top
    rows.append({"scene": None, "visuals": "a new shot", "narration": "A new line.", "uid": None})
    del rows[1]  # delete the second scene
    assert studio.edit_draft(rows)
    assert studio.draft_uids[:2] == [third, first] and len(studio.draft_uids) == 3
    assert [s.number for s in studio.draft.scenes] == [1, 2, 3]
    assert studio.draft.scenes[2].narration == "A new line."
    assert second not in studio.draft_uids
    assert not studio.edit_draft(studio.draft_rows())  # the same table again: no change


def test_empty_cells_block_acceptance_with_a_clear_reason(studio):
    studio.start_script().wait()
    studio.poll()
    rows = studio.draft_rows()
    rows[1]["narration"] = "  "
    studio.edit_draft(rows)
    assert studio.script_problems() == ["Scene 2 has no narration."]
    with pytest.raises(BadInput, match="Scene 2 has no narration"):
        studio.accept_script()


@pytest.mark.slow
def test_editing_one_narration_makes_only_that_voice_stale_and_redoes_only_it(studio, fakes):
    _, voice, clips = fakes
    made(studio)
    assert statuses(studio, "voice") == statuses(studio, "clips") == ["ready"] * 3
    rows = studio.draft_rows()
    rows[1]["narration"] = "Completely different words for the second scene."
    studio.edit_draft(rows)
    assert statuses(studio, "voice") == ["ready"] * 3  # the accepted script has not changed yet
    studio.accept_script()
    assert statuses(studio, "voice") == ["ready", "stale", "ready"]
    assert statuses(studio, "clips") == ["ready"] * 3  # the clip follows the visuals, not the words
    before_voice, before_clips = len(voice.calls), len(clips.calls)
    studio.start_voices()
    studio.wait()
    assert voice.calls[before_voice:] == ["Completely different words for the second scene."]
    assert len(clips.calls) == before_clips
    assert statuses(studio, "voice") == ["ready"] * 3


def test_a_voice_setting_change_makes_every_voice_stale(studio):
    made(studio)
    studio.options["voice_provider"] = "local"  # another voice: every recording is out of date
    assert statuses(studio, "voice") == ["stale"] * 3
    studio.options["voice_provider"] = "fake"
    assert statuses(studio, "voice") == ["ready"] * 3


def test_regenerating_one_scene_makes_a_fresh_take_of_that_scene_only(studio, fakes):
    _, voice, clips = fakes
    made(studio)
    uid = studio.uids[0]
    old = studio.clips[uid]
    before = len(clips.calls)
    studio.start_clips([uid], fresh=True)
    studio.wait()
    assert len(clips.calls) == before + 1 and studio.clips[uid].take == 1
    assert studio.clips[uid].key != old.key and statuses(studio, "clips") == ["ready"] * 3


def test_a_failing_scene_is_reported_and_the_others_are_kept(studio, fakes):
    _, voice, _ = fakes
    accepted(studio)
    for _ in range(3):
        voice.enqueue_failure(ProviderError("voice service down", hint="Try again in a minute."), match="Scene 2")
    studio.start_voices()
    studio.wait()
    assert statuses(studio, "voice") == ["ready", "missing", "ready"]
    assert studio.errors["voice"] == ["Scene 2: voice service down Try again in a minute."]
    assert studio.needs("voice") == [studio.uids[1]]


def test_the_same_failure_in_several_scenes_is_reported_once_naming_them(studio, fakes):
    _, voice, _ = fakes
    accepted(studio)
    for scene in ("Scene 1", "Scene 3"):
        for _ in range(3):
            voice.enqueue_failure(ProviderError("voice service down", hint="Try again in a minute."), match=scene)
    studio.start_voices()
    studio.wait()
    assert statuses(studio, "voice") == ["missing", "ready", "missing"]
    assert studio.errors["voice"] == ["Scenes 1 and 3: voice service down Try again in a minute."]


def test_a_blank_row_just_added_to_the_table_is_not_a_scene_yet(studio):
    studio.start_script().wait()
    studio.poll()
    version, uids = studio.editor_version, list(studio.draft_uids)
    rows = studio.draft_rows()
    # what the table sends when "add row" is pressed: redrawing the table now would lose the typing
    assert not studio.edit_draft([*rows, {"scene": 4, "visuals": None, "narration": None, "uid": None}])
    assert studio.editor_version == version and studio.draft_uids == uids
    # once something is typed into it, it is a scene (and still needs its narration)
    assert studio.edit_draft([*rows, {"scene": 4, "visuals": "a cat asleep", "narration": None, "uid": None}])
    assert len(studio.draft.scenes) == 4 and studio.script_problems() == ["Scene 4 has no narration."]


def test_deleting_the_saved_copy_of_the_open_project_keeps_its_uploaded_clip(studio, tmp_path):
    made(studio)
    clip = FakeClipMaker().make("uploaded", 2.0, tmp_path)
    uid = studio.uids[1]
    studio.use_upload(uid, "holiday.mp4", open(clip.video_path, "rb").read())
    store = ProjectStore(tmp_path / "projects")
    studio.save(store)
    saved = store.load(studio.id)["clips"][uid]["asset"]["video_path"]
    assert saved.startswith(str(store.folder(studio.id)))  # the saved project has its own copy
    again = Studio(studio.base, studio.cache, studio.config)
    again.open(store.load(studio.id))
    for open_project in (studio, again):  # saved just now, and opened from the list
        assert not open_project.clips[uid].asset.video_path.startswith(str(store.folder(studio.id)))
    store.delete(studio.id)
    assert statuses(studio, "clips")[1] == statuses(again, "clips")[1] == "ready"
    again.save(store)  # and it can be saved again
    assert store.load(studio.id)["clips"][uid]["uploaded"]


def test_a_provider_without_its_key_is_explained_not_raised(studio):
    accepted(studio)
    studio.options["voice_provider"] = "elevenlabs"
    problem = studio.provider_problem("voice")
    assert "needs an API key" in problem and "ELEVENLABS_API_KEY" in problem
    assert set(statuses(studio, "voice")) == {"missing"}


@pytest.mark.slow
def test_render_records_the_result_and_reuses_unchanged_scenes(studio):
    made(studio)
    studio.start_render()
    studio.wait()
    first = studio.last_render
    assert first["segments_rendered"] == 3 and first["segments_reused"] == 0
    info = probe(first["video_path"])
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (180, 320, "h264", "aac")
    assert first["size_bytes"] > 0 and first["duration"] == pytest.approx(info.duration, abs=0.05)
    rows = studio.draft_rows()
    rows[0]["narration"] = "A new first line."
    studio.edit_draft(rows)
    studio.accept_script()
    studio.start_voices()
    studio.wait()
    studio.start_render()
    studio.wait()
    second = studio.last_render
    assert (second["segments_rendered"], second["segments_reused"]) == (1, 2)
    assert second["video_path"] != first["video_path"]
    renders = list_renders(studio.settings().output_dir, studio.id)
    assert [r.video_id for r in renders] == [second["video_id"], first["video_id"]]
    assert all(r.thumbnail is not None and r.thumbnail.is_file() for r in renders)


@pytest.mark.slow
def test_two_sessions_render_at_once_without_touching_each_others_files(fake_settings, cache, tmp_path):
    a = Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "p"))
    b = Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "p"))
    a.form.topic, b.form.topic = "Cats", "Dogs"
    for s in (a, b):
        made(s)
    assert a.id != b.id
    a.start_render()
    b.start_render()  # both run at the same time, sharing the cache
    a.wait()
    b.wait()
    assert not a.errors and not b.errors
    paths = {a.last_render["video_path"], b.last_render["video_path"]}
    assert len(paths) == 2 and all(probe(p).duration > 0 for p in paths)
    assert [r.project_id for r in list_renders(fake_settings.output_dir, a.id)] == [a.id]


def test_a_saved_project_never_holds_a_key_and_reopens_from_the_cache(studio, fakes, tmp_path):
    made(studio)
    studio.keys = ApiKeys(openai="sk-test-not-for-saving-123", pexels="pexels-secret-456")
    store = ProjectStore(tmp_path / "projects")
    path = studio.save(store)
    text = path.read_text(encoding="utf-8")
    assert "sk-test-not-for-saving-123" not in text and "pexels-secret-456" not in text
    saved = json.loads(text)
    assert saved["script"]["script"]["topic"] == "Cats" and len(saved["voices"]) == 3
    assert "keys" not in saved["settings"]

    _, voice, clips = fakes
    calls = len(voice.calls) + len(clips.calls)
    again = Studio(studio.base, studio.cache, studio.config)
    again.open(store.load(studio.id))
    assert again.id == studio.id and again.script == studio.script
    assert statuses(again, "voice") == statuses(again, "clips") == ["ready"] * 3
    assert len(voice.calls) + len(clips.calls) == calls  # nothing was made again
    assert [p.id for p in store.list()] == [studio.id]
    assert store.delete(studio.id) and store.list() == []


@pytest.mark.slow
def test_a_saved_project_reopens_whole_after_the_cache_is_cleared_and_nothing_is_made_again(studio, tmp_path, fakes):
    _, voice, clips = fakes
    made(studio)
    store = ProjectStore(tmp_path / "projects")
    studio.save(store)
    calls = len(voice.calls) + len(clips.calls)
    studio.cache.clear()  # evicts everything
    again = Studio(studio.base, studio.cache, studio.config)
    again.open(store.load(studio.id))
    assert again.notices == []
    assert statuses(again, "voice") == statuses(again, "clips") == ["ready"] * 3
    assert all(Path(m.path).is_relative_to(store.folder(studio.id)) for m in [*again.voices.values(),
                                                                           *again.clips.values()])
    again.start_render().wait(60)
    again.poll()
    assert again.last_render and probe(again.last_render["video_path"]).duration > 1
    assert len(voice.calls) + len(clips.calls) == calls  # nothing was made again


@pytest.mark.slow
def test_an_older_save_that_points_into_the_cache_says_what_it_lost_and_makes_only_that_again(studio, tmp_path):
    made(studio)
    store = ProjectStore(tmp_path / "projects")
    store.save(studio.to_document(), secrets=[])  # as saved before projects kept their files
    studio.cache.clear()
    again = Studio(studio.base, studio.cache, studio.config)
    again.open(store.load(studio.id))
    assert len(again.notices) == 1 and "will be made again" in again.notices[0]
    assert statuses(again, "voice") == ["missing"] * 3
    again.start_voices()
    again.wait()
    assert statuses(again, "voice") == ["ready"] * 3


def test_saving_refuses_a_document_that_would_contain_a_key(tmp_path):
    store = ProjectStore(tmp_path)
    with pytest.raises(BadInput, match="API key"):
        store.save({"id": "abc123", "name": "oops sk-leak-999"}, secrets=["sk-leak-999"])
    assert not (tmp_path / "abc123").exists()
    with pytest.raises(BadInput):
        store.folder("../etc")


def test_an_uploaded_clip_is_probed_and_used_for_its_scene(studio, tmp_path):
    made(studio)
    maker = FakeClipMaker()
    clip = maker.make("uploaded", 2.0, tmp_path)
    data = open(clip.video_path, "rb").read()
    uid = studio.uids[1]
    used = studio.use_upload(uid, "holiday.mp4", data)
    assert used.provider == "upload" and used.width == 160 and used.duration == pytest.approx(2.0, abs=0.1)
    assert studio.clips[uid].uploaded and statuses(studio, "clips")[1] == "ready"
    with pytest.raises(BadInput, match="not a video file"):
        studio.use_upload(uid, "notes.txt", b"hello")
    with pytest.raises(BadInput, match="no video we can read"):
        studio.use_upload(uid, "fake.mp4", b"this is not a video at all" * 100)
    # the project keeps its own copy of the upload, so it survives the cache
    store = ProjectStore(tmp_path / "projects")
    studio.save(store)
    studio.cache.clear()
    again = Studio(studio.base, studio.cache, studio.config)
    again.open(store.load(studio.id))
    assert statuses(again, "clips")[1] == "ready" and again.clips[uid].uploaded


def test_rewriting_one_scene_changes_only_that_scene(fake_settings, cache, tmp_path):
    s = Studio(fake_settings.with_(script_provider="local"), cache, StudioConfig(projects_dir=tmp_path))
    s.form.topic, s.form.scenes = "Why do cats purr?", 4
    s.start_script().wait()
    s.poll()
    before = s.draft
    s.start_rewrite(s.draft_uids[1]).wait()
    s.poll()
    changed = [i for i, (a, b) in enumerate(zip(before.scenes, s.draft.scenes, strict=True)) if a != b]
    assert changed == [1]


def test_pipeline_estimates_costs_and_keeps_take_zero_keys(fake_settings):
    pipeline = Pipeline(fake_settings)
    script = pipeline.write_script("Cats")
    assert pipeline.estimate_cost("clips", script.scenes) == pytest.approx(0.0)  # fakes estimate nothing
    scene = script.scenes[0]
    assert pipeline.voice_key(scene) == pipeline.voice_key(scene, 0) != pipeline.voice_key(scene, 1)
    assert pipeline.clip_key(scene) != pipeline.clip_key(scene, take=2)
    with pytest.raises(BadInput):
        pipeline.estimate_cost("script", script.scenes)


@pytest.mark.slow
def test_stopping_a_paid_clip_job_cancels_it_and_keeps_the_clips_already_made(fake_settings, cache, tmp_path, fakes):
    from tests.fakes.providers import SlowClipMaker
    studio = Studio(fake_settings.with_(clip_provider="slow"), cache,
                    StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    studio.form.topic, studio.form.scenes = "Cats", 3
    accepted(studio)
    job = studio.start_clips()
    assert job.can_stop  # the Clips page shows a Stop button for it
    deadline = time.monotonic() + 20
    while job.snapshot()["scenes"].get(1, 0) < 1 and time.monotonic() < deadline:  # scene 1's quick clip
        time.sleep(0.01)
    assert not job.done and studio.stop("clips")
    studio.wait(timeout=20)
    assert SlowClipMaker.aborted.is_set()
    assert len(studio.clips) == 1  # scene 1's clip is kept
    assert "clips" not in studio.errors and studio.take_news()[0].startswith("Stopped.")  # news, not an error


def test_stopping_skips_the_scenes_not_started_yet_and_keeps_the_ones_made(fake_settings, cache, tmp_path, fakes):
    from tests.fakes.providers import SlowClipMaker
    studio = Studio(fake_settings.with_(clip_provider="slow", workers=1), cache,  # one scene at a time
                    StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    studio.form.topic, studio.form.scenes = "Cats", 3
    accepted(studio)
    job = studio.start_clips()
    deadline = time.monotonic() + 20
    while job.snapshot()["scenes"].get(1, 0) < 1 and time.monotonic() < deadline:  # scene 1 made, 2 waiting
        time.sleep(0.01)
    assert studio.stop("clips")
    studio.wait(timeout=20)
    assert len(studio.clips) == 1 and len(studio.needs("clips")) == 2
    assert "clips" not in studio.errors and studio.take_news()[0].startswith("Stopped.")
    SlowClipMaker.reset()
    SlowClipMaker.release.set()
    studio.start_clips().wait(20)
    studio.poll()
    assert not studio.needs("clips")


def test_a_render_stops_at_its_next_frame_and_leaves_no_video(studio, tmp_path):
    made(studio)
    job = studio.start_render()
    deadline = time.monotonic() + 60
    while job.snapshot()["fraction"] <= 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.can_stop and studio.stop("assemble")
    studio.wait(timeout=60)
    assert studio.last_render is None and "assemble" not in studio.errors
    assert studio.take_news() == ["Stopped. No video was written; the scenes already rendered are kept, so the next "
                                  "render starts from there."]
    assert not list((tmp_path / "out").glob("*.mp4"))


def _open_connections(provider) -> int:
    """Pooled connections held by the provider's HTTP sessions (what closing it must release)."""
    return sum(len(adapter.poolmanager.pools) for value in vars(provider).values()
               if isinstance(value, requests.Session) for adapter in value.adapters.values())


def test_one_pipeline_serves_the_pages_until_the_settings_change_and_the_old_one_is_closed(studio):
    from tests.fakes.servers import FakeElevenLabs

    key = "el-test-STUDIO-0123456789abcdef"
    with FakeElevenLabs(key) as api:
        studio.base = studio.base.with_(base_urls={"elevenlabs": api.url})
        studio.keys = ApiKeys(elevenlabs=key)
        studio.options["voice_provider"] = "elevenlabs"
        accepted(studio)
        first = studio.pipeline()
        voice = first.provider("voice")
        for _ in range(3):  # what one page run asks: states, problems, costs, the voice list
            studio.states("voice"), studio.provider_problem("voice"), studio.needs("voice")
            studio.estimate_cost("voice", studio.uids)
            assert studio.voice_choices()
        assert studio.pipeline() is first and first.provider("voice") is voice
        assert len(api.requests_to("/v1/voices")) == 1 and _open_connections(voice) > 0
        studio.options["voice_speed"] = 1.1  # new settings: a new pipeline, the old one closed
        assert studio.pipeline() is not first and _open_connections(voice) == 0
        current = studio.pipeline().provider("voice")
        studio.close()
        assert _open_connections(current) == 0
