"""Every step says it has started before its first scene is done (a model load or a slow service shows)."""

from __future__ import annotations

from tests.test_services_end_to_end import TOPIC, settings_for
from viralreel_core.pipeline import Pipeline


def test_voice_and_clip_steps_report_their_start_before_any_scene(tmp_path):
    events = []
    pipeline = Pipeline(settings_for(tmp_path, script="local", voice="local", clips="local", scenes=3),
                        on_progress=events.append)
    pipeline.make_media(pipeline.write_script(TOPIC))
    voice = [e for e in events if e.step == "voice"]
    clips = [e for e in events if e.step == "clips"]
    assert voice[0].fraction == 0.0 and "Loading the voice model" in voice[0].message
    assert clips[0].fraction == 0.0 and clips[0].message.startswith("Starting 3 clips")
    media = [e for e in events if e.step in ("voice", "clips")]
    first_done = min(i for i, e in enumerate(media) if e.fraction > 0)
    assert {e.step for e in media[:first_done]} == {"voice", "clips"}


def test_one_cpu_and_one_pool_thread_still_finish_every_voice_and_clip(tmp_path, monkeypatch):
    """Clips wait for the voice phase's CPU slot; queued after the voices, they can never starve them."""
    import threading

    monkeypatch.setenv("VIRALREEL_CPUS", "1")
    settings = settings_for(tmp_path, script="local", voice="local", clips="local", scenes=3, workers=1)
    pipeline = Pipeline(settings)
    done = {}
    worker = threading.Thread(target=lambda: done.update(media=pipeline.make_media(pipeline.write_script(TOPIC))),
                              daemon=True)
    worker.start()
    worker.join(300)
    assert "media" in done, "make_media did not finish: a clip starved the voices of pool threads"
    voices, clips, skipped = done["media"]
    assert len(voices) == len(clips) == 3 and skipped == []
