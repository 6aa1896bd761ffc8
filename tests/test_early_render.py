"""Segments render as soon as their scene's voice and clip are ready, while a slow clip is still generating."""

from __future__ import annotations

import time

import pytest

from tests.media import probe
from tests.test_services_end_to_end import TOPIC, services, settings_for  # noqa: F401 - the fixture
from viralreel_core.run.pipeline import Pipeline


@pytest.mark.slow
def test_ready_scenes_render_while_the_slowest_clip_is_still_generating(services, tmp_path):  # noqa: F811
    # one clip takes 10 s, the others none: room for two small renders even on a loaded machine (at 4 s they
    # did not always finish first when the tests ran two at a time)
    services.runway.fail("task_takes", times=1, seconds=10.0)
    events, times = [], []
    settings = settings_for(tmp_path, clips="runway", scenes=3)
    pipeline = Pipeline(settings, sleep=lambda s: None,
                        on_progress=lambda e: (events.append(e), times.append(time.time())))
    result = pipeline.make(TOPIC)
    assert result.success, result.message
    last_clip = max(i for i, e in enumerate(events) if e.step == "clips")
    rendered_early = {e.scene for e in events[:last_clip] if e.step == "assemble" and e.scene is not None}
    assert len(rendered_early) == 2  # the two quick scenes, before the slow clip arrived
    assert result.cache["segments_rendered"] == 3 and result.cache["segments_reused"] == 0
    assert probe(result.video_path).duration > 1
    # the sound depends on the voices alone: made while the slow clip was still generating
    sounds = [a for a in map(pipeline.cache.get, pipeline.cache.entry_keys()) if a and a.step == "narration"]
    assert len(sounds) == 1 and sounds[0].files["audio"].stat().st_mtime < times[last_clip]


@pytest.mark.slow
def test_offline_clips_are_not_rendered_early(tmp_path):
    """Offline clips keep the CPUs busy themselves: renders would only compete with them (and their memory)."""
    events = []
    settings = settings_for(tmp_path, script="local", voice="local", clips="local", scenes=3)
    result = Pipeline(settings, on_progress=events.append).make(TOPIC)
    assert result.success
    first_assemble = min(i for i, e in enumerate(events) if e.step == "assemble")
    assert all(e.step == "assemble" for e in events[first_assemble:])
