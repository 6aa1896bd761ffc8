"""The offline voice's spoken length, estimated from espeak's phonemes, and the writer meeting short targets:
``--length`` lands within ±15% on topics nobody tuned for (docs/BENCHMARKS.md, "Any length")."""

from __future__ import annotations

import threading
import time

import pytest

from viralreel_core.providers.base import ScriptRequest
from viralreel_core.providers.script.local_length import core_words, first_words, topic_head
from viralreel_core.providers.script.local_script import LocalScriptWriter
from viralreel_core.providers.voice.local_voice import LocalVoice
from viralreel_core.text.languages import detect_language
from viralreel_core.text.length_plan import plan_length
from viralreel_core.text.spoken import ESPEAK_LOCK, WORD_PACE, phoneme_counts, phoneme_seconds
from viralreel_core.text.timing import spoken_words

# none of these was among the calibration topics (docs/BENCHMARKS.md): a list, a how-to, a question, a name,
# a long topic with a year in it, a clause
UNSEEN = ["3 tips for learning guitar", "How to change a flat tire", "Do cats dream?", "Ada Lovelace",
          "The 2008 financial crisis and what it taught us about banks", "What causes earthquakes"]


# -- the estimate -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, phonemes, pauses", [
    ("ten cats.", 9, 1),  # tˈɛn kˈæts.
    ("Cats, dogs: birds!", 17, 3),  # kˈæts, dˈɑːɡz: bˈɜːdz!
    ("In 1600s Europe.", 35, 1),  # ɪn wˈʌn θˈaʊzənd sˈɪkshˈʌndɹɪd z jˈʊɹɹəp.
    ("[the fact] here", 11, 0),  # brackets are silent: ðə fˈækt hˈɪɹ
])
def test_the_estimate_counts_the_phonemes_espeak_gives_the_voice(text, phonemes, pauses):
    counted = phoneme_counts(text)
    assert counted is not None
    assert abs(counted[0] - phonemes) <= 1 and counted[1] == pauses, counted


def test_numbers_count_as_they_are_spoken_not_as_their_digits():
    assert spoken_words("10 cats.") == pytest.approx(spoken_words("ten cats."), abs=0.01)
    year = spoken_words("In 1600s Europe.") - spoken_words("In Europe.")
    assert year > 4  # "one thousand six hundreds": about five ordinary words, not one
    assert spoken_words("1600s") == pytest.approx(spoken_words("one thousand six hundreds"), rel=0.1)
    # an ordinary word is 1/3.2 s of the offline voice
    assert spoken_words("ten cats.") == pytest.approx(phoneme_seconds("ten cats.") * WORD_PACE)
    assert LocalVoice.words_per_second == WORD_PACE


def test_text_that_is_not_english_is_counted_by_its_letters():
    assert phoneme_counts("Le chat dort sur le canapé depuis ce matin.") is None
    assert spoken_words("Le chat dort.") == pytest.approx((10 + 4) / 5)


def test_the_estimate_waits_for_the_process_wide_espeak_lock():
    """espeak-ng keeps global state: an estimate never phonemizes while another user holds the lock."""
    done = threading.Event()
    with ESPEAK_LOCK:
        worker = threading.Thread(target=lambda: (phoneme_counts("a text nobody estimated before."), done.set()))
        worker.start()
        time.sleep(0.3)
        assert not done.is_set()
    worker.join(5)
    assert done.is_set()


@pytest.mark.slow  # loads the voice model (~1 s)
def test_the_offline_voice_speaks_only_while_no_one_else_holds_the_espeak_lock(tmp_path):
    voice = LocalVoice()
    voice.speak("Warm up.", tmp_path)  # the model loaded: what waits below is espeak's turn
    done = threading.Event()
    with ESPEAK_LOCK:
        worker = threading.Thread(target=lambda: (voice.speak("Hello there.", tmp_path), done.set()))
        worker.start()
        time.sleep(0.5)
        assert not done.is_set()
    worker.join(30)
    assert done.is_set()


# -- the writer at short targets --------------------------------------------------------------------

def test_the_topic_s_core_words_stand_in_where_a_short_video_repeats_it():
    assert core_words("the history of coffee in 1600s Europe", "subject") == "coffee"
    assert core_words("what makes the Northern Lights glow", "subject") == "the Northern Lights"
    assert core_words("Nikola Tesla and the war of the currents", "subject") == "Nikola Tesla"
    assert core_words("why zebras have stripes", "reasons") == "zebras"
    assert core_words("what causes earthquakes", "subject") == "earthquakes"  # "causes" is the verb
    assert core_words("how I paid off my loans", "subject") == "how I paid off my loans"  # no clear noun: kept
    assert core_words("how to bake bread", "steps") == "how to bake bread"
    assert topic_head("the 2008 financial crisis and what it taught") == "the 2008 financial crisis"
    assert topic_head("why zebras have stripes") == "why zebras have stripes"
    assert first_words("Go: [your most surprising line about how the pyramids were built].") == \
        "Go: [your most surprising line]."
    assert first_words("[coffee, explained in words a child would follow]", "coffee") == "[coffee, explained]"


@pytest.mark.parametrize("topic", [*UNSEEN, "The history of coffee in 1600s Europe"])
def test_a_10_second_draft_is_three_scenes_that_still_read_as_a_draft(topic):
    plan = plan_length(10, words_per_second=WORD_PACE)
    script = LocalScriptWriter().write(ScriptRequest(topic, scenes=plan.scenes, words=plan.words))
    said = [s.narration for s in script.scenes]
    assert len(said) == 3 and all(n[-1] in ".!?" and n.count("[") == n.count("]") >= 1 or "[" not in n
                                  for n in said)
    assert sum(map(spoken_words, said)) / WORD_PACE <= 10 * 1.15, said  # the estimate lands in the band
    assert "[]" not in " ".join(said)
    assert {detect_language(n) for n in said} == {"en"}  # a cut line must not read as another language
    assert topic.rstrip("?").split()[1].lower() in said[0].lower()  # the hook still says the topic


def test_a_short_draft_says_the_whole_topic_once_and_its_core_after():
    script = LocalScriptWriter().write(ScriptRequest("The history of coffee in 1600s Europe", scenes=3, words=11))
    said = " ".join(s.narration for s in script.scenes)
    assert said.count("1600s") == 1 and said.lower().count("coffee") >= 2, said
    long = LocalScriptWriter().write(ScriptRequest("The history of coffee in 1600s Europe", scenes=8, words=24))
    assert " ".join(s.narration for s in long.scenes).count("1600s") > 1  # room to say it: said in full


# -- the voice -------------------------------------------------------------------------------------

# every unseen topic at 10 and 30 s, where a scene's error weighs most; at 60 s the two that were furthest off
# before the phoneme estimate (+58 % and +94 % at 10 s). BENCHMARKS.md has all six at 10, 30 and 60 s,
# measured the same way.
SPOKEN = [(topic, seconds) for topic in UNSEEN for seconds in (10, 30)] + [(UNSEEN[0], 60), (UNSEEN[4], 60)]


@pytest.mark.slow  # the real offline voice speaks 14 drafts (about 7 minutes of audio, ~40 s of CPU)
@pytest.mark.parametrize("topic, seconds", SPOKEN)
def test_drafts_of_unseen_topics_spoken_by_the_offline_voice_land_within_15_percent(topic, seconds, tmp_path):
    voice = LocalVoice()
    plan = plan_length(seconds, words_per_second=voice.words_per_second)
    script = LocalScriptWriter().write(ScriptRequest(topic, scenes=plan.scenes, words=plan.words))
    spoken = sum(voice.speak(s.narration, tmp_path).duration for s in script.scenes)
    assert abs(spoken / seconds - 1) <= 0.15, (topic, seconds, spoken)
