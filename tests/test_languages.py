"""Languages: detection, the one setting (CLI, API, batch, studio, projects), the writer told, ElevenLabs'
multilingual model, words of text written without spaces."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.fakes.environment import serving
from tests.fakes.servers import FakeElevenLabs
from viralreel_core.cli.batch import read_rows
from viralreel_core.config import Settings
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import BadInput
from viralreel_core.jobs import settings_for
from viralreel_core.providers.voice.elevenlabs import ElevenLabsVoice, words_from_alignment
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.studio import Studio, StudioConfig
from viralreel_core.text.languages import (
    check_language,
    detect_language,
    join_words,
    language_choices,
    resolve_language,
    split_words,
)
from viralreel_core.text.timing import estimate_seconds

TOPICS = {
    "Why do cats purr?": "en", "¿Por qué ronronean los gatos?": "es", "Pourquoi les chats ronronnent-ils ?": "fr",
    "Wie funktionieren Vulkane?": "de", "Come funzionano i vulcani": "it", "Como funcionam os vulcões": "pt",
    "Jak działają wulkany": "pl", "Volkanlar nasıl çalışır": "tr", "Núi lửa hoạt động như thế nào": "vi",
    "Почему кошки мурлычут?": "ru", "Як працюють вулкани? Її історія": "uk", "Πώς λειτουργούν τα ηφαίστεια": "el",
    "كيف تعمل البراكين؟": "ar", "آتشفشان‌ها چگونه کار می‌کنند": "fa", "איך עובדים הרי געש": "he",
    "ज्वालामुखी कैसे काम करते हैं?": "hi", "火山是怎样形成的？": "zh", "火山はどのように噴火する": "ja",
    "화산은 어떻게 작동할까": "ko", "ภูเขาไฟทำงานอย่างไร": "th", "Taylor Swift": "en", "2024": "en", "": "en",
}


@pytest.mark.parametrize(("topic", "code"), TOPICS.items())
def test_a_topics_language_is_detected(topic, code):
    assert detect_language(topic) == code


def test_a_chosen_language_wins_unless_the_text_is_plainly_in_another_script():
    assert resolve_language("auto", "ज्वालामुखी").code == "hi"
    assert resolve_language("es", "Volcanoes erupt").code == "es"  # the person chose: Latin text may be Spanish
    assert resolve_language("hi", "Volcanoes erupt when pressure builds.", spoken=True).code == "en"  # narration
    assert resolve_language("hi", "Volcanoes erupt when pressure builds.").code == "hi"  # a script to write
    assert resolve_language("ja", "火山").code == "ja" and resolve_language("zh", "火山").code == "zh"
    assert [check_language(x) for x in ("", "AUTO", "hi-IN", "Hindi", "हिन्दी", "ZH_cn")] == [
        "auto", "auto", "hi", "hi", "hi", "zh"]
    with pytest.raises(BadInput, match="not a language"):
        check_language("klingon")
    assert language_choices()[0][0] == "auto" and ("hi", "Hindi (हिन्दी)") in language_choices()


def test_text_without_spaces_is_split_into_its_words_that_join_back():
    text = "火山是怎样形成的？它们会喷发。"
    pieces = split_words(text)
    assert pieces == ["火山", "是", "怎样", "形成", "的？", "它们", "会", "喷发。"]  # never inside 喷发 (to erupt)
    assert join_words(pieces) == text
    assert split_words("为什么猫喜欢盒子") == ["为什么", "猫", "喜欢", "盒子"]
    assert split_words("“为什么猫喜欢盒子？”") == ["“为什么", "猫", "喜欢", "盒子？”"]  # no quote mark alone
    assert split_words("「猫はなぜ箱が好き？」") == ["「猫は", "なぜ箱が", "好き？」"]  # Japanese: BudouX's phrases
    thai = split_words("ภูเขาไฟทำงานอย่างไร")
    assert "".join(thai) == "ภูเขาไฟทำงานอย่างไร"
    assert not any(p[0] in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e48\u0e49" for p in thai)  # no piece starts with a mark
    assert not any(p[-1] in "เแโใไ" for p in thai)  # a leading vowel stays with its consonant
    assert split_words("Hola, ¿qué tal?") == ["Hola,", "¿qué", "tal?"]
    chinese = "火山会喷出炽热的岩浆。它们改变了地球的样子。"  # 22 characters: about 4.7 a second
    assert 4.0 <= estimate_seconds(chinese) <= 5.5 and estimate_seconds("Cats purr when happy") < 2
    assert join_words(["Hello", "火山", "是"]) == "Hello 火山是"


# --- the writer is told ------------------------------------------------------------------------------

def test_the_openai_writer_is_told_the_topics_language_and_keeps_its_json_schema(monkeypatch, tmp_path):
    with serving(monkeypatch) as svc:
        settings = settings_from_env(script_provider="openai", cache_dir=tmp_path / "c")
        with Pipeline(settings) as pipeline:
            hindi = pipeline.write_script("ज्वालामुखी कैसे काम करते हैं?")
            chosen = Pipeline(settings.with_(language="es")).write_script("Why do cats purr?")
        assert svc.openai.languages_asked == ["Hindi", "Spanish"]
        first = svc.openai.requests_to("/chat/completions")[0].json
        assert first["response_format"]["type"] == "json_schema"
        assert "in Hindi (हिन्दी)" in first["messages"][0]["content"]
        assert "visuals in English" in first["messages"][0]["content"]
        assert detect_language(hindi.scenes[0].narration) == "hi"
        assert detect_language(chosen.scenes[0].narration) == "es"


def test_the_offline_writer_says_in_one_line_that_it_writes_english_only(tmp_path):
    settings = settings_from_env(environ={}, script_provider="local", cache_dir=tmp_path / "c")
    with Pipeline(settings) as pipeline:
        pipeline.write_script("火山是怎样形成的？")
        english = Pipeline(settings).write_script("How volcanoes work")
    (line,) = [w for w in pipeline.warnings if "English only" in w]  # beside it: the draft's places to fill
    assert "writes English only, not Chinese" in line and "\n" not in line
    assert english.scenes and detect_language(english.scenes[0].narration) == "en"


# --- ElevenLabs ---------------------------------------------------------------------------------------

def test_elevenlabs_speaks_other_languages_with_its_multilingual_model(tmp_path):
    key = "el-test-ELEVEN-0123456789abcdef"
    with FakeElevenLabs(key) as api:
        mono = ElevenLabsVoice(key, base_url=api.url, model="eleven_monolingual_v1")
        mono.speak("Cats purr when they are happy.", tmp_path)
        track = mono.speak("बिल्लियाँ खुश होने पर घुरघुराती हैं।", tmp_path)
        flash = ElevenLabsVoice(key, base_url=api.url, model="eleven_flash_v2_5", language="zh")
        chinese = flash.speak("猫咪开心的时候会发出呼噜声。", tmp_path)
        sent = [r.json for r in api.requests_to("/v1/text-to-speech/")]
    assert [b["model_id"] for b in sent] == ["eleven_monolingual_v1", "eleven_multilingual_v2", "eleven_flash_v2_5"]
    assert "language_code" not in sent[1] and sent[2]["language_code"] == "zh"
    assert [w.word for w in track.words][0] == "बिल्लियाँ"
    assert "".join(w.word for w in chinese.words) == "猫咪开心的时候会发出呼噜声。" and len(chinese.words) >= 4
    assert all(a.end <= b.start + 1e-9 for a, b in zip(chinese.words, chinese.words[1:], strict=False))
    assert mono.cache_params() != ElevenLabsVoice(key, base_url=api.url, model="eleven_monolingual_v1",
                                                  language="hi").cache_params()


def test_character_timings_give_the_narrations_own_pieces_for_chinese():
    text = "火山喷发了。"
    words = words_from_alignment(list(text), [i * 0.1 for i in range(6)], [i * 0.1 + 0.1 for i in range(6)], text)
    assert [(w.word, round(w.start, 3), round(w.end, 3)) for w in words] == [("火山", 0.0, 0.2), ("喷发", 0.2, 0.4),
                                                                                  ("了。", 0.4, 0.6)]


# --- the one setting, everywhere ----------------------------------------------------------------------

def test_the_language_option_is_checked_the_same_way_by_the_api_and_batch(tmp_path):
    base = settings_from_env(environ={}, cache_dir=tmp_path / "c")
    assert settings_for(base, {"language": "Hindi"}).language == "hi"
    with pytest.raises(BadInput, match="not a language"):
        settings_for(base, {"language": "xx-nope"})
    sheet = tmp_path / "topics.csv"
    sheet.write_text("topic,language\n火山是怎样形成的？,zh\nVolcanoes,auto\n", encoding="utf-8")
    assert [r["raw_options"] for r in read_rows(sheet)] == [{"language": "zh"}, {"language": "auto"}]
    assert Settings().public_dict()["language"] == "auto"  # saved with every project and render


@pytest.mark.slow
def test_the_cli_takes_language_and_rejects_an_unknown_one_in_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "VIRALREEL_CACHE_DIR": str(tmp_path / "c")}
    bad = subprocess.run([sys.executable, "-m", "viralreel_core", "script", "Volcanoes", "--language", "elvish"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "not a language" in bad.stderr and len(bad.stderr.strip().splitlines()) <= 2
    ok = subprocess.run([sys.executable, "-m", "viralreel_core", "script", "Volcanoes", "--language", "zh",
                         "--script-provider", "local"], capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout)["scenes"]
    assert "writes English only, not Chinese" in ok.stderr


def test_the_studio_tells_the_person_the_offline_writer_wrote_english(tmp_path, cache):
    settings = settings_from_env(environ={}, script_provider="local", voice_provider="fake",  # speaks Chinese
                                 cache_dir=cache.directory)
    studio = Studio(settings, cache, StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    studio.form.topic, studio.form.scenes = "火山是怎样形成的？", 3
    studio.start_script().wait()
    studio.poll()
    assert studio.draft is not None
    assert [n for n in studio.notices if "writes English only, not Chinese" in n]
