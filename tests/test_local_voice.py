"""The offline Piper voice: alignment arithmetic on synthetic data, then a few real syntheses."""

from __future__ import annotations

import os
import random
import threading
import wave
from pathlib import Path

import numpy as np
import pytest

from viralreel_core.config import Settings
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.models import WordTiming
from viralreel_core.providers.voice.alignment import (
    phoneme_word_sizes,
    proportional_words,
    speech_span,
    split_sentences,
    words_from_alignment,
)
from viralreel_core.providers.voice.local_voice import INSTALL_HINT, LocalVoice
from viralreel_core.text.languages import split_words

RATE = 1000  # synthetic alignments: one sample per millisecond keeps the arithmetic readable


def seq(*items: str | tuple[str, int], each: int = 100) -> list[tuple[str, int]]:
    """An alignment from phonemes (each ``each`` samples long) and explicit (phoneme, samples) pairs."""
    out: list[tuple[str, int]] = []
    for item in items:
        if isinstance(item, tuple):
            out.append(item)
        else:
            out += [(ph, each) for ph in item]
    return out


def spans(timings: list[WordTiming]) -> list[tuple[str, float, float]]:
    return [(t.word, round(t.start, 3), round(t.end, 3)) for t in timings]


def assert_well_formed(timings, words, lo: float, hi: float) -> None:
    assert [t.word for t in timings] == list(words)
    previous = lo
    for t in timings:
        assert previous - 1e-9 <= t.start <= t.end <= hi + 1e-9, (t, previous, hi)
        previous = t.end


# --- alignment arithmetic ----------------------------------------------------------------------------


def test_one_phoneme_word_per_text_word_maps_one_to_one_and_skips_pauses():
    # ^ h ə l ˈ o , ␠ w ˈ ɜ l d . $  ("Hello, world.") with long silences at both ends
    alignment = seq(("^", 400), "həlˈo", (",", 250), (" ", 150), "wˈɜld", (".", 300), ("$", 500))
    timings = words_from_alignment(["Hello,", "world."], alignment, RATE)
    # Hello starts after the leading silence and ends before the comma's pause; world likewise
    assert spans(timings) == [("Hello,", 0.4, 0.9), ("world.", 1.3, 1.8)]


def test_stress_and_length_marks_are_part_of_their_word_not_words_of_their_own():
    alignment = seq("^", "ˈaɪ", " ", "θˈɪŋk", " ", "sˈoː", "$")
    assert phoneme_word_sizes([p for p, _ in alignment]) == [2, 4, 2]
    timings = words_from_alignment(["I", "think", "so"], alignment, RATE, weights=[2, 4, 2])
    assert spans(timings) == [("I", 0.1, 0.4), ("think", 0.5, 1.0), ("so", 1.1, 1.5)]


def test_words_espeak_runs_together_share_their_phoneme_word():
    # "in the end": espeak says "ɪnðə" as one word; the text has two
    alignment = seq("^", "ɪnðə", " ", "ˈɛnd", "$")
    timings = words_from_alignment(["In", "the", "end"], alignment, RATE, weights=[2, 2, 3])
    assert spans(timings) == [("In", 0.1, 0.3), ("the", 0.3, 0.5), ("end", 0.6, 1.0)]


def test_a_number_read_as_several_words_keeps_one_timing_with_its_punctuation():
    # "In 2024, we won." -> ɪn | tuː θaʊzənd twɛnti fɔːɹ , | wi wʌn .
    alignment = seq("^", "ɪn", " ", "tˈuː", " ", "θˈaʊzənd", " ", "twˈɛnti", " ", "fˈɔːɹ", (",", 300),
                    " ", "wi", " ", "wˈʌn", ".", "$")
    words = ["In", "2024,", "we", "won."]
    timings = words_from_alignment(words, alignment, RATE, weights=[2, 16, 2, 3])
    assert [t.word for t in timings] == words
    t_in, t_year, t_we, t_won = timings
    assert (t_in.start, t_in.end) == (0.1, 0.3)
    assert t_year.start == pytest.approx(0.4)  # from "two"…
    assert t_year.end == pytest.approx(3.1)  # …to "four", not through the comma's pause
    assert t_we.start == pytest.approx(3.5) and t_won.end == pytest.approx(4.2)


def test_a_merge_and_a_split_in_one_sentence_are_not_mistaken_for_one_to_one():
    # "In the year 2000": four text words, four phoneme words, but not one to one
    alignment = seq("^", "ɪnðə", " ", "jˈɪɹ", " ", "tˈuː", " ", "θˈaʊzənd", "$")
    words = ["In", "the", "year", "2000"]
    timings = words_from_alignment(words, alignment, RATE, weights=[2, 2, 3, 9])
    assert spans(timings) == [("In", 0.1, 0.3), ("the", 0.3, 0.5), ("year", 0.6, 1.0), ("2000", 1.1, 2.4)]


def test_mismatched_counts_without_weights_still_give_every_word_a_sane_timing():
    alignment = seq("^", "ɪn", " ", "tˈuː", " ", "θˈaʊzənd", " ", "fˈɔːɹ", " ", "ˌeɪˈaɪ", "$")
    words = ["In", "2004", "AI"]
    timings = words_from_alignment(words, alignment, RATE)
    assert_well_formed(timings, words, 0.1, 3.0)
    assert timings[0].end <= 0.35 and timings[2].start >= 1.5


def test_equal_counts_with_guessed_weights_map_one_to_one_even_when_lengths_disagree():
    alignment = seq("^", "ə", " ", "ɛkstɹɔɹdɪnɚɹi", " ", "ɪ", "$")  # 1, 13 and 1 phonemes
    timings = words_from_alignment(["extraordinarily", "a", "I"], alignment, RATE)
    assert spans(timings) == [("extraordinarily", 0.1, 0.2), ("a", 0.3, 1.6), ("I", 1.7, 1.8)]


def test_a_word_not_heard_gets_a_zero_length_timing_in_place():
    alignment = seq("^", "wˈaʊ", " ", "nˈaʊ", "$")
    timings = words_from_alignment(["wow", "—", "now"], alignment, RATE, weights=[3, 0, 3])
    assert_well_formed(timings, ["wow", "—", "now"], 0.0, 1.0)
    assert timings[1].start == timings[1].end and timings[0].end <= timings[1].start <= timings[2].start
    assert timings[2].start == pytest.approx(0.6)


def test_offset_shifts_and_missing_alignment_falls_back_to_proportional():
    alignment = seq("^", "hˈaɪ", "$")  # piper's phonemes are code points: a and ɪ are two
    assert spans(words_from_alignment(["hi"], alignment, RATE, offset=2.0)) == [("hi", 2.1, 2.5)]
    timings = words_from_alignment(["aa", "bbbbbb"], None, RATE, offset=1.0, total_samples=800)
    assert spans(timings) == [("aa", 1.0, 1.2), ("bbbbbb", 1.2, 1.8)]
    silent = words_from_alignment(["x"], seq("^", ".", "$"), RATE)  # no speech phonemes at all
    assert spans(silent) == [("x", 0.0, 0.3)]


def test_random_alignments_always_give_ordered_timings_inside_the_audio():
    rng = random.Random(7)
    symbols = ["a", "ˈ", "ː", "ɪ", "n", " ", ",", ".", "ʲ", "t", " "]
    for _ in range(300):
        alignment = [("^", rng.randint(0, 900))]
        alignment += [(rng.choice(symbols), rng.randint(0, 600)) for _ in range(rng.randint(0, 40))]
        alignment.append(("$", rng.randint(0, 900)))
        total = sum(n for _, n in alignment)
        words = [f"w{i}" for i in range(rng.randint(1, 12))]
        weights = [rng.choice([0, 1, 2, 3, 8]) for _ in words] if rng.random() < 0.7 else None
        timings = words_from_alignment(words, alignment, 22050, weights=weights, offset=0.5)
        assert_well_formed(timings, words, 0.5, 0.5 + total / 22050)


def test_proportional_words_and_speech_span():
    assert spans(proportional_words(["a", "bbb"], 1.0, 2.0)) == [("a", 1.0, 1.25), ("bbb", 1.25, 2.0)]
    signal = np.zeros(22050)
    signal[5512:16538] = 0.5 * np.sin(np.arange(11026) * 0.3)  # speech from 0.25 s to 0.75 s
    onset, offset = speech_span(signal, 22050)
    assert onset == pytest.approx(0.25, abs=0.011) and offset == pytest.approx(0.75, abs=0.011)
    assert speech_span(np.zeros(1000), 22050) == pytest.approx((0.0, 1000 / 22050))


@pytest.mark.parametrize("text, expected", [
    ("One. Two! Three? Four", [["One."], ["Two!"], ["Three?"], ["Four"]]),
    ('He said "stop." Then left.', [["He", "said", '"stop."'], ["Then", "left."]]),
    ("Dr. Smith costs 3.5 dollars vs. e.g. two… and more.", [["Dr.", "Smith", "costs", "3.5", "dollars",
                                                              "vs.", "e.g.", "two…", "and", "more."]]),
    ("Wait... 2024 was big.", [["Wait..."], ["2024", "was", "big."]]),
])
def test_split_sentences(text, expected):
    words = text.split()
    assert [words[a:b] for a, b in split_sentences(words)] == expected


# --- the provider without the model --------------------------------------------------------------------


def test_settings_speed_and_bad_inputs(tmp_path):
    voice = LocalVoice.from_settings(Settings(voice_speed=1.25))
    assert voice.speed == 1.25 and voice.model_path == ""
    for speed in (0, -1, 10, "fast"):
        with pytest.raises(BadInput):
            LocalVoice(speed=speed)
    with pytest.raises(BadInput):
        voice.speak("  \n ", tmp_path)


def test_a_missing_voice_file_is_a_provider_error_naming_the_fix(tmp_path):
    voice = LocalVoice(model_path=str(tmp_path / "nope.onnx"))
    with pytest.raises(ProviderError) as info:
        voice.speak("Hello there.", tmp_path)
    assert "nope.onnx" in str(info.value) and ".onnx" in (info.value.hint or "")
    assert voice.cache_params()["model_hash"] == "missing"
    assert "pip install" in INSTALL_HINT and "piper-tts" in INSTALL_HINT


def test_cache_params_name_the_voice_and_change_with_what_changes_the_audio(tmp_path):
    params = LocalVoice().cache_params()
    assert params["model"] == "en_US-joe-medium" and params["sample_rate"] == 22050
    assert params["speed"] == 1.0 and len(params["model_hash"]) == 16
    assert "/" not in repr(params)  # no machine-specific paths in the cache key
    assert LocalVoice(speed=1.5).cache_params() != params
    # a different voice file (same name, other bytes) gives another key
    copy = tmp_path / "en_US-joe-medium.onnx"
    copy.write_bytes(b"not really a model")
    Path(f"{copy}.json").write_text('{"audio": {"sample_rate": 22050}}')
    other = LocalVoice(model_path=str(copy)).cache_params()
    assert other["model"] == params["model"] and other["model_hash"] != params["model_hash"]


# --- real synthesis ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def voice() -> LocalVoice:
    v = LocalVoice()
    v.warm_up()
    return v


def read_wav(path: str) -> tuple[np.ndarray, int]:
    with wave.open(path, "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        rate = wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return data, rate


@pytest.mark.slow
def test_speaks_a_sentence_with_word_timings(voice, tmp_path):
    text = "Octopuses have three hearts, and AI can't explain it."
    track = voice.speak(text, tmp_path)
    data, rate = read_wav(track.audio_path)
    assert Path(track.audio_path).parent == tmp_path and track.provider == "local" and track.cost_usd == 0.0
    assert track.duration == pytest.approx(len(data) / rate)
    assert 2.0 < track.duration < 6.0  # nine words at a narration pace
    assert np.sqrt(np.mean(data**2)) > 0.03  # not silence
    assert [w.word for w in track.words] == text.split()
    assert_well_formed(track.words, text.split(), 0.0, track.duration)
    assert all(w.end > w.start for w in track.words)
    onset, offset = speech_span(data, rate)
    assert abs(track.words[0].start - onset) < 0.1  # the first word starts when speech does
    assert abs(track.words[-1].end - offset) < 0.25  # piper adds random noise to its audio
    # "hearts," ends before the comma's pause and "and" starts after it
    assert track.words[4].start - track.words[3].end > 0.05
    # the words are where the sound is: speech energy inside them, near silence in the comma's pause
    inside = np.concatenate([data[int(w.start * rate):int(w.end * rate)] for w in track.words])
    pause = data[int(track.words[3].end * rate) + 400:int(track.words[4].start * rate) - 400]
    assert np.sqrt(np.mean(inside**2)) > 3 * np.sqrt(np.mean(pause**2))


@pytest.mark.slow
def test_second_sentence_comes_after_the_first_and_speed_shortens(voice, tmp_path):
    text = "Stop scrolling now. Here is the secret."
    track = voice.speak(text, tmp_path)
    assert len(track.words) == 7
    first, second = track.words[:3], track.words[3:]
    assert second[0].start - first[-1].end > 0.1  # the pause between sentences is nobody's
    assert max(w.end for w in first) <= min(w.start for w in second)
    fast = LocalVoice(speed=1.6).speak(text, tmp_path)
    assert fast.duration < 0.85 * track.duration
    assert fast.audio_path != track.audio_path


@pytest.mark.slow
def test_awkward_text_does_not_crash(voice, tmp_path):
    text = "In 2024, GPT-4o cost $100 😀 — wow… 日本語 don't [[stop]]"
    track = voice.speak(text, tmp_path)
    assert [w.word for w in track.words] == split_words(text)  # the text's words; 日本語 is 日本 | 語
    assert_well_formed(track.words, split_words(text), 0.0, track.duration)
    year = track.words[1]
    assert year.end - year.start > 0.6  # "two thousand twenty four" is one word of the text, and long
    with pytest.raises(BadInput):
        voice.speak("— …", tmp_path)


def test_threads_can_speak_at_once(voice, tmp_path):
    results: dict[int, object] = {}

    def run(i: int) -> None:
        try:
            results[i] = voice.speak(f"Scene number {i} is ready.", tmp_path)
        except Exception as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    tracks = [results[i] for i in range(3)]
    assert all(not isinstance(t, Exception) for t in tracks), tracks
    assert len({t.audio_path for t in tracks}) == 3
    assert all(len(t.words) == 5 and t.duration > 1.0 for t in tracks)


def test_cache_params_read_the_voice_files_once_until_they_change(tmp_path):
    model, config = tmp_path / "v.onnx", tmp_path / "v.onnx.json"
    model.write_bytes(b"not really a model")
    config.write_text('{"audio": {"sample_rate": 22050}}', encoding="utf-8")
    voice = LocalVoice(str(model))
    first = voice.cache_params()
    assert first["sample_rate"] == 22050 and first["model_hash"] != "missing"
    seen = config.stat()
    config.write_text('{"audio": {"sample_rate": 16000}}', encoding="utf-8")  # same size, same time
    os.utime(config, ns=(seen.st_atime_ns, seen.st_mtime_ns))
    assert voice.cache_params() == first  # asked once per scene: the files are not read again
    os.utime(config, ns=(seen.st_atime_ns, seen.st_mtime_ns + 10**9))  # a changed file is read again
    changed = voice.cache_params()
    assert changed["sample_rate"] == 16000 and changed["model_hash"] != first["model_hash"]
