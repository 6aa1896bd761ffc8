"""Every step says it has started before its first scene is done (a model load or a slow service shows)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tests.studio_app import studio_app
from tests.test_assembler import SIZE, make_clip, make_voice
from tests.test_services_end_to_end import TOPIC, settings_for
from viralreel_core import providers
from viralreel_core.environment import settings_from_env
from viralreel_core.providers.voice.local_voice import LocalVoice
from viralreel_core.render.assembler import Assembler, SceneMedia
from viralreel_core.run.pipeline import Pipeline

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"


@pytest.mark.slow
def test_voice_and_clip_steps_report_their_start_before_any_scene(tmp_path):
    for thread in threading.enumerate():  # a studio started by an earlier test may still be warming the model
        if thread.name == "warm-voice":
            thread.join(120)
    providers.release_resident()  # no voice model loaded by an earlier test: this one loads it
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


@pytest.mark.slow
def test_one_cpu_and_one_pool_thread_still_finish_every_voice_and_clip(tmp_path, machine):
    """Clips wait for the voice phase's CPU slot; queued after the voices, they can never starve them."""
    machine(cpus=1)
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


@pytest.mark.slow
def test_a_voice_model_already_loaded_is_not_announced_as_loading(tmp_path):
    settings = settings_for(tmp_path, script="local", voice="local", clips="local", scenes=3)
    LocalVoice.from_settings(settings).warm_up()  # as the studio does when it starts
    events = []
    pipeline = Pipeline(settings, on_progress=events.append)
    pipeline.make_media(pipeline.write_script(TOPIC), clips=False)
    first = next(e for e in events if e.step == "voice")
    assert first.fraction == 0.0 and first.message.startswith("Starting 3 voices with local")
    assert not LocalVoice.from_settings(settings).warm()  # the voice phase let it go when it ended


@pytest.mark.slow
def test_offline_clips_never_start_beside_a_loaded_voice_model(tmp_path):
    settings = settings_for(tmp_path, script="local", voice="local", clips="local", scenes=3)
    voice = LocalVoice.from_settings(settings)
    voice.warm_up()
    pipeline = Pipeline(settings)
    loaded_during = []
    pipeline.on_progress = lambda e: loaded_during.append(voice.warm()) if e.step == "clips" else None
    pipeline.make_media(pipeline.write_script(TOPIC), voices=False)
    assert loaded_during and not any(loaded_during)


def test_a_render_reports_before_it_hashes_draws_or_starts_ffmpeg(tmp_path, cache):
    settings = settings_from_env(environ={}, cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", **SIZE)
    scenes = [SceneMedia(n, "Hello there world.", make_clip(tmp_path / f"c{n}.mp4", 2.0),
                         make_voice(tmp_path / f"v{n}.wav", 1.5)) for n in (1, 2)]
    seen = []

    def first_event(event):
        if not seen:  # the work folder is made before any scene is drawn or rendered
            seen.append((event, sorted(p.name for p in (cache.directory / "tmp").glob("assemble*"))))

    Assembler(settings, cache, on_progress=first_event).assemble(scenes, tmp_path / "out" / "v.mp4")
    (event, work_folders), = seen
    assert event.step == "assemble" and event.fraction == 0.0 and event.message == "Preparing 2 scenes…"
    assert work_folders == []


@pytest.mark.slow
def test_the_studio_starts_loading_the_offline_voice_model_when_it_starts(tmp_path, monkeypatch):
    from pages import session

    for name in ("cache", "out", "projects"):
        monkeypatch.setenv(f"VIRALREEL_{name.upper()}_DIR", str(tmp_path / name))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    providers.release_resident()
    session._voice_warmed.clear()  # once per server: this test is the server's start
    voice = LocalVoice()
    assert not voice.warm()
    studio_app(90).run()
    deadline = time.monotonic() + 120
    while not voice.warm() and time.monotonic() < deadline:  # loading takes a second or two (more when busy)
        time.sleep(0.2)
    assert voice.warm()
    providers.release_resident()
