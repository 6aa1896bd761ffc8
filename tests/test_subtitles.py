"""Captions files (SRT, WebVTT) beside every render: the burned-in captions' chunks, timed to the words.

The render tests make real videos (9:16, 16:9, Chinese, Arabic) and read the files back: each cue holds
whole chunks of the burned-in captions (the same ``chunk_words`` over the same word timings), and its
times are the pipeline's own word timings moved by the scene's start in the finished video (checked
against the probed video), within one frame.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tests.media import probe
from viralreel_core.environment import settings_from_env
from viralreel_core.models import Clip, Scene, Script, VoiceTrack, WordTiming
from viralreel_core.post.subtitles import SubtitleCue, scene_starts, subtitle_cues, to_srt, to_vtt
from viralreel_core.render.assembler import SceneMedia
from viralreel_core.render.caption_chunks import chunk_words, timings_for
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.text.languages import join_words

_TIMES = re.compile(r"^(\d\d):(\d\d):(\d\d)[,.](\d\d\d) --> (\d\d):(\d\d):(\d\d)[,.](\d\d\d)$")


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def read_cues(text: str) -> list[SubtitleCue]:
    """The cues of an SRT or WebVTT file (times and one line of text each)."""
    cues = []
    for block in text.strip().split("\n\n"):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if (times := _TIMES.match(line)) is not None:
                parts = times.groups()
                cues.append(SubtitleCue(_seconds(*parts[:4]), _seconds(*parts[4:]), "\n".join(lines[i + 1:])))
                break
    return cues


# --- the files' format ----------------------------------------------------------------------------

def test_srt_numbers_its_cues_and_writes_times_with_a_comma():
    text = to_srt([SubtitleCue(0.0, 1.25, "Cats purr."), SubtitleCue(3661.5, 3662.0041, "Then  they\nsleep.")])
    assert text == ("1\n00:00:00,000 --> 00:00:01,250\nCats purr.\n\n"
                    "2\n01:01:01,500 --> 01:01:02,004\nThen they sleep.\n")


def test_vtt_has_its_header_and_escapes_what_would_read_as_markup():
    text = to_vtt([SubtitleCue(0.5, 2.0, "Tom & Jerry <3 --> fun")], "en")
    assert text.startswith("WEBVTT\nKind: captions\nLanguage: en\n\n")
    assert "00:00:00.500 --> 00:00:02.000\nTom &amp; Jerry &lt;3 → fun\n" in text
    assert read_cues(text) == [SubtitleCue(0.5, 2.0, "Tom &amp; Jerry &lt;3 → fun")]


# --- cues from scenes -----------------------------------------------------------------------------

def _scene(number: int, narration: str, words: list[tuple[str, float, float]], duration: float) -> SceneMedia:
    voice = VoiceTrack("voice.wav", duration, tuple(WordTiming(*w) for w in words))
    return SceneMedia(number, narration, Clip("clip.mp4", duration, 160, 284), voice)


def test_a_cue_is_a_sentence_of_whole_chunks_offset_by_the_whole_frames_before_its_scene():
    first = _scene(1, "Cats purr. They do it when happy, and when hurt.",
                   [("Cats", 0.1, 0.4), ("purr.", 0.5, 0.9), ("They", 1.2, 1.4), ("do", 1.5, 1.6), ("it", 1.7, 1.8),
                    ("when", 1.9, 2.0), ("happy,", 2.1, 2.5), ("and", 2.6, 2.7), ("when", 2.8, 2.9),
                    ("hurt.", 3.0, 3.41)], 3.41)
    second = _scene(2, "Listen closely.", [("Listen", 0.05, 0.4), ("closely.", 0.45, 1.0)], 1.0)
    assert scene_starts([first, second], 30) == [0.0, 103 / 30]  # 3.41 s is 102.3 frames: 103 whole ones
    cues = subtitle_cues([first, second], 30, max_words=3)
    assert [c.text for c in cues] == ["Cats purr.", "They do it when happy, and when hurt.", "Listen closely."]
    assert cues[1].start == pytest.approx(1.2) and cues[1].end == pytest.approx(3.41)
    assert cues[2].start == pytest.approx(103 / 30 + 0.05) and cues[2].end == pytest.approx(103 / 30 + 1.0)


def test_a_long_sentence_is_cut_between_chunks_and_no_cue_outlasts_the_next_ones_start():
    words = [(f"word{i:02d}", i * 0.5, i * 0.5 + 0.6) for i in range(30)]  # each runs into the next
    scene = _scene(1, " ".join(w for w, _, _ in words), words, 15.6)
    cues = subtitle_cues([scene], 30, max_words=2)
    assert len(cues) > 1 and all(len(c.text) <= 84 and c.end - c.start <= 7.0 for c in cues)
    assert " ".join(c.text for c in cues) == scene.narration
    assert all(a.end <= b.start for a, b in zip(cues, cues[1:], strict=False))
    assert all(len(c.text.split()) % 2 == 0 for c in cues)  # whole two-word chunks


def test_a_voice_without_word_timings_is_timed_like_its_burned_in_captions():
    scene = _scene(1, "Volcanoes erupt when pressure builds.", [], 3.0)
    (cue,) = subtitle_cues([scene], 30)
    estimated = timings_for(scene.voice, scene.narration)
    assert cue.text == scene.narration
    assert (cue.start, cue.end) == pytest.approx((estimated[0].start, estimated[-1].end))


# --- every render has them ------------------------------------------------------------------------

RENDERS = {
    "upright": ((180, 320), ["Cats purr for many reasons. Scientists still argue about it!",
                             "They purr when happy, and when hurt.", "Follow for more."]),
    "wide": ((320, 180), ["Volcanoes erupt when pressure builds up underground.", "Magma rises. Then it blows."]),
    "chinese": ((180, 320), ["火山喷发了。岩浆来自地球深处，温度极高。", "你知道吗？关注我们了解更多。"]),
    "arabic": ((180, 320), ["البراكين تثور بسبب الضغط. الصهارة تصعد من الأعماق.", "تابعنا لمعرفة المزيد!"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(RENDERS))
def test_every_render_has_srt_and_vtt_matching_its_burned_in_captions_within_a_frame(name, tmp_path, fakes):
    (width, height), narrations = RENDERS[name]
    settings = settings_from_env(environ={}, script_provider="fake", voice_provider="fake", clip_provider="fake",
                                 cache_dir=tmp_path / "cache", output_dir=tmp_path / "out", width=width,
                                 height=height)
    script = Script(name, name, tuple(Scene(i, f"shot {i}", n) for i, n in enumerate(narrations, 1)))
    with Pipeline(settings) as pipeline:
        result = pipeline.make(name, script=script)
        assert result.success, result.message
        voices = [pipeline.voice_for(scene) for scene in script.scenes]  # from the cache: what the render used
    video = Path(result.video_path)
    assert Path(result.post_kit["srt_path"]) == video.with_suffix(".srt")
    assert Path(result.post_kit["vtt_path"]) == video.with_suffix(".vtt")
    srt = read_cues(video.with_suffix(".srt").read_text(encoding="utf-8"))
    vtt = read_cues(video.with_suffix(".vtt").read_text(encoding="utf-8"))
    assert [(c.start, c.end) for c in srt] == [(c.start, c.end) for c in vtt]
    assert [c.text for c in srt] == [c.text for c in vtt]  # nothing to escape in these narrations

    frame, fps = 1 / settings.fps, settings.fps
    offset, expected = 0.0, []  # per scene: (its start in the video, its burned-in chunks)
    for scene, voice in zip(script.scenes, voices, strict=True):
        expected.append((offset, chunk_words(timings_for(voice, scene.narration), settings.captions.max_words)))
        offset += math.ceil(voice.duration * fps - 1e-6) / fps
    assert probe(video).duration == pytest.approx(offset, abs=1.5 * frame)  # the offsets are the video's own

    cues = iter(srt)
    for start, chunks in expected:
        while chunks:
            cue = next(cues)
            run = 1  # the cue holds whole chunks: the first n of the scene's remaining ones
            while join_words([w.word for c in chunks[:run] for w in c.words]) != cue.text:
                run += 1
                assert run <= len(chunks), f"{cue.text!r} is not made of the burned-in chunks {chunks}"
            words = [w for c in chunks[:run] for w in c.words]
            assert abs(cue.start - (start + words[0].start)) <= frame
            assert abs(cue.end - (start + words[-1].end)) <= frame
            chunks = chunks[run:]
    assert next(cues, None) is None
