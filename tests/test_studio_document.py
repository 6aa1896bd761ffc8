"""Saved projects: one document shape that round-trips everything, and projects saved in format 1 still open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakes.providers import FakeClipMaker, write_tone
from viralreel_core.errors import BadInput
from viralreel_core.studio import Studio, StudioConfig
from viralreel_core.studio.document import migrate
from viralreel_core.workspace.projects import FORMAT, ProjectStore

FORMAT_1 = Path(__file__).parent / "fixtures" / "project_format1.json"  # saved by the studio of 2026-12-01


@pytest.fixture
def studio(fake_settings, cache, tmp_path) -> Studio:
    s = Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    s.form.topic, s.form.scenes = "Cats", 3
    return s


def statuses(studio: Studio, step: str) -> list[str]:
    return [s.status for s in studio.states(step)]


def worked_on(studio: Studio) -> Studio:
    """A project with a bit of everything: accepted script, a pending edit, voices, clips, a fresh take,
    a rewritten scene, a render, and a tally of it all."""
    studio.start_script().wait()
    studio.poll()
    studio.accept_script()
    studio.start_voices()
    studio.start_clips()
    studio.wait()
    studio.start_clips([studio.uids[0]], fresh=True)
    studio.wait()
    studio.start_rewrite(studio.draft_uids[2]).wait()
    studio.poll()
    studio.start_render()
    studio.wait()
    rows = studio.draft_rows()
    rows[0]["narration"] = "An edit not accepted yet."
    studio.edit_draft(rows)
    studio.options["transitions"] = False
    assert not studio.errors and studio.draft_pending
    return studio


@pytest.mark.slow
def test_a_saved_project_has_one_shape_and_reopens_exactly(studio, tmp_path):
    worked_on(studio)
    store = ProjectStore(tmp_path / "projects")
    saved = json.loads(studio.save(store).read_text(encoding="utf-8"))
    assert saved["format"] == FORMAT == 2
    assert "project" not in saved and "studio" not in saved  # each asset is stored once
    assert set(saved["voices"]) == set(saved["clips"]) == set(studio.uids)
    tally = saved["tally"]
    calls = tally["provider_calls"]
    assert (calls["voice"], calls["clips"], tally["segments_rendered"]) == (3, 4, 3) and calls["script"] >= 2

    again = Studio(studio.base, studio.cache, studio.config)
    again.open(store.load(studio.id))
    assert again.notices == []
    assert again.to_document() == studio.to_document()  # everything, the whole tally included
    assert again.tally.to_dict() == studio.tally.to_dict()
    assert (again.draft, again.draft_uids, again.script, again.uids) == (
        studio.draft, studio.draft_uids, studio.script, studio.uids)
    assert again.voices == studio.voices and again.clips == studio.clips and again.clips[again.uids[0]].take == 1
    assert again.rewrites == studio.rewrites and again.last_render == studio.last_render
    assert again.options == studio.options and again.form == studio.form
    assert statuses(again, "voice") == statuses(again, "clips") == ["ready"] * 3
    assert [p.scenes for p in store.list()] == [3]


def _cache_the_assets_of(document: dict, studio: Studio) -> None:
    """Put real files in the cache under the saved keys, as if this machine had made them."""
    for made in document["studio"]["voices"].values():
        def make(work_dir, meta=made["asset"]):
            path = work_dir / "voice.wav"
            write_tone(path, meta["duration"])
            return meta, {"audio": path}, meta["cost_usd"]
        studio.cache.get_or_make(made["key"], "voice", make)
    for made in document["studio"]["clips"].values():
        def make(work_dir, meta=made["asset"]):
            clip = FakeClipMaker().make("cached", meta["duration"], work_dir)
            return meta, {"video": clip.video_path}, meta["cost_usd"]
        studio.cache.get_or_make(made["key"], "clips", make)


def test_a_project_saved_in_format_1_opens_with_everything_it_held(studio):
    document = json.loads(FORMAT_1.read_text(encoding="utf-8"))
    assert document["format"] == 1 and "project" in document and "studio" in document
    _cache_the_assets_of(document, studio)
    studio.open(document)
    old = document["studio"]
    assert studio.id == "v1fixture01" and studio.name == "Cats, saved by format 1" and studio.notices == []
    assert (studio.form.topic, studio.form.scenes, studio.form.tone, studio.form.target_seconds) == ("Cats", 3,
                                                                                                     "funny", 25)
    assert studio.options["voice_speed"] == 1.1 and studio.options["captions"]["font_size"] == 70
    assert studio.uids == old["uids"] and studio.draft_uids == old["draft_uids"]
    assert studio.script.scenes[1].narration == "Cats purr when they are happy."
    assert studio.draft.scenes[2].visuals == "a cat on a sofa, close up" and studio.draft_pending
    assert studio.clips[studio.uids[0]].take == 1 and studio.rewrites == {studio.uids[2]: 1}
    assert studio.tally.to_dict() == old["tally"]  # the whole tally, not only its money and hits
    assert studio.last_render["video_id"] == old["last_render"]["video_id"]
    # the assets are found in the cache by their keys, and count as made for these scenes
    assert statuses(studio, "voice") == statuses(studio, "clips") == ["ready"] * 3
    assert all(str(studio.cache.directory) in m.path for m in [*studio.voices.values(), *studio.clips.values()])
    # saved again, it is written in today's shape
    store = ProjectStore(studio.config.projects_dir)
    resaved = json.loads(studio.save(store).read_text(encoding="utf-8"))
    assert resaved["format"] == FORMAT and "studio" not in resaved and "project" not in resaved
    assert [(p.id, p.scenes, p.topic) for p in store.list()] == [("v1fixture01", 3, "Cats")]


def test_a_format_1_project_whose_assets_the_cache_lost_opens_and_says_so(studio):
    studio.open(json.loads(FORMAT_1.read_text(encoding="utf-8")))
    assert studio.voices == studio.clips == {}
    assert len(studio.notices) == 1 and "will be made again" in studio.notices[0]
    assert statuses(studio, "voice") == ["missing"] * 3


def test_the_project_list_reads_both_formats(tmp_path):
    store = ProjectStore(tmp_path)
    folder = store.folder("v1fixture01")
    folder.mkdir(parents=True)
    (folder / "project.json").write_text(FORMAT_1.read_text(encoding="utf-8"), encoding="utf-8")
    [summary] = store.list()
    assert (summary.id, summary.name, summary.topic, summary.scenes) == ("v1fixture01", "Cats, saved by format 1",
                                                                        "Cats", 3)


def test_a_project_from_a_newer_version_is_refused_with_a_clear_reason():
    with pytest.raises(BadInput, match="newer version"):
        migrate({"id": "abc", "format": FORMAT + 1})
