"""The pipeline's failure policy and caching, driven through in-process fake providers."""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from tests.media import audio_samples, caption_pixels, frame_at, probe, rms
from viralreel_core import providers
from viralreel_core.cli import main as cli
from viralreel_core.config import check_frame_size
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AuthError, BadInput, ProviderError, QuotaExceeded, RateLimited
from viralreel_core.limits import MAX_DRAFT_SCENES, MAX_TOPIC_CHARS, scene_role
from viralreel_core.media.music import check_music, loudness
from viralreel_core.models import Scene, Script
from viralreel_core.providers.base import ScriptWriter
from viralreel_core.run.checks import validate_topic
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.text.placeholders import count_placeholders


def make_pipeline(settings, waits=None):
    return Pipeline(settings, sleep=(waits.append if waits is not None else lambda s: None))


@pytest.mark.parametrize("topic", ["", "   ", "\n\t", "x" * (MAX_TOPIC_CHARS + 1)])
def test_bad_topics_are_refused_before_anything_starts(fake_settings, fakes, topic):
    writer, voice, clips = fakes
    with pytest.raises(BadInput) as info:
        make_pipeline(fake_settings).make(topic)
    assert "topic" in str(info.value).lower()
    assert writer.calls == voice.calls == clips.calls == []


@contextlib.contextmanager
def counting_calls(*functions):
    """How many times each of ``functions`` runs, in any thread, as the interpreter's profiler sees the calls:
    nothing of ours is replaced, so what runs is the code as it is."""
    names = {f.__code__: f.__qualname__ for f in functions}
    counts: Counter[str] = Counter()

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in names:
            counts[names[frame.f_code]] += 1

    before, before_threads = sys.getprofile(), threading.getprofile()
    sys.setprofile(profile)
    threading.setprofile(profile)
    try:
        yield counts
    finally:
        sys.setprofile(before)
        threading.setprofile(before_threads)


@pytest.mark.slow
def test_the_make_command_checks_each_thing_once_and_picks_the_usable_scenes_once(tmp_path, fakes, capsys):
    """The topic is checked once (was twice: by ``make`` and again by the writer's request), the frame size
    and music once (were twice: ``check_settings`` and again before spending), and the scenes with both a
    voice and a clip picked once for the assembly and the post kit (was three times)."""
    checked = (validate_topic, check_frame_size, check_music, Pipeline.scene_media)
    args = ["Why cats purr", "--script-provider", "fake", "--voice-provider", "fake", "--clip-provider", "fake",
            "--width", "180", "--height", "320", "--out", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "c"),
            "--quiet"]
    with counting_calls(*checked) as calls:
        assert cli.main(["make", *args]) == 0
    assert json.loads(capsys.readouterr().out)["scenes_count"] == 3
    assert calls == {f.__qualname__: 1 for f in checked}
    with counting_calls(*checked) as calls:  # the dry run: the topic and the settings, once each
        assert cli.main(["make", "--dry-run", *args]) == 0
    assert json.loads(capsys.readouterr().out)["topic"] == "Why cats purr"
    assert calls == {f.__qualname__: 1 for f in checked[:3]}


def test_topic_is_trimmed_and_a_500_char_topic_is_fine():
    assert validate_topic("  The   future of AI \n") == "The future of AI"
    assert len(validate_topic("y" * MAX_TOPIC_CHARS)) == MAX_TOPIC_CHARS


def test_script_is_retried_once_then_succeeds(fake_settings, fakes):
    writer, _, _ = fakes
    writer.enqueue_failure(ProviderError("malformed JSON"))
    script = make_pipeline(fake_settings).write_script("Cats")
    assert len(writer.calls) == 2 and len(script.scenes) == 3


def test_script_failing_twice_is_a_clear_error(fake_settings, fakes):
    writer, _, _ = fakes
    writer.enqueue_failure(ProviderError("first"))
    writer.enqueue_failure(ProviderError("second", hint="Try again later."))
    result = make_pipeline(fake_settings).make("Cats")
    assert not result.success and "second" in result.message and "Try again later." in result.message
    assert len(writer.calls) == 2


@pytest.mark.parametrize("exc", [AuthError("bad key"), QuotaExceeded("no credit")])
def test_script_auth_and_quota_errors_are_not_retried(fake_settings, fakes, exc):
    writer, _, _ = fakes
    writer.enqueue_failure(exc)
    with pytest.raises(type(exc)):
        make_pipeline(fake_settings).write_script("Cats")
    assert len(writer.calls) == 1


def test_scene_count_out_of_range_is_bad_input(fake_settings):
    with pytest.raises(BadInput, match="3 to 20"):
        make_pipeline(fake_settings).write_script("Cats", scenes=21)


def test_voice_rate_limit_honours_retry_after(fake_settings, fakes):
    _, voice, _ = fakes
    voice.enqueue_failure(RateLimited("slow down", retry_after=7))
    waits: list[float] = []
    pipeline = make_pipeline(fake_settings, waits)
    script = pipeline.write_script("Cats")
    track = pipeline.voice_for(script.scenes[0])
    assert waits == [7] and track.duration > 0 and len(voice.calls) == 2


@pytest.mark.slow
def test_scene_whose_voice_keeps_failing_is_skipped_and_the_rest_is_made(fake_settings, fakes):
    _, voice, clips = fakes
    for _ in range(3):
        voice.enqueue_failure(ProviderError("voice service down"), match="Scene 2")
    result = make_pipeline(fake_settings).make("Cats")
    assert result.success and result.scenes_count == 2
    assert result.skipped_scenes == [{"scene": 2, "step": "voice", "reason": "voice service down"}]
    assert sum("Scene 2" in c for c in voice.calls) == 3  # retried per scene
    assert probe(result.video_path).duration > 0


@pytest.mark.slow
def test_failed_clip_is_not_retried_and_other_scenes_are_kept(fake_settings, fakes):
    _, _, clips = fakes
    clips.enqueue_failure(ProviderError("generation failed"), match="visual 3")
    pipeline = make_pipeline(fake_settings)
    result = pipeline.make("Cats")
    assert result.success and result.scenes_count == 2
    assert [s["scene"] for s in result.skipped_scenes] == [3]
    assert sum("visual 3" in c for c in clips.calls) == 1
    # the person retries just that scene later: the others come from the cache
    again = make_pipeline(fake_settings).make("Cats")
    assert again.scenes_count == 3 and again.cache["provider_calls"] == {"clips": 1}
    assert (again.cache["segments_rendered"], again.cache["segments_reused"]) == (1, 2)


def test_nothing_usable_is_an_unsuccessful_result_not_a_crash(fake_settings, fakes):
    _, _, clips = fakes
    for n in (1, 2, 3):
        clips.enqueue_failure(ProviderError("down"), match=f"visual {n}")
    result = make_pipeline(fake_settings).make("Cats")
    assert not result.success and result.video_path is None and len(result.skipped_scenes) == 3


@pytest.mark.slow
def test_video_matches_voice_lengths_and_a_second_run_makes_no_provider_call(fake_settings, fakes):
    writer, voice, clips = fakes
    pipeline = make_pipeline(fake_settings)
    result = pipeline.make("Cats")
    assert result.success, result.message
    info = probe(result.video_path)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (180, 320, "h264", "aac")
    voice_total = 3 * (5 * 0.4)  # five words a scene, 0.4 s each
    assert info.duration == pytest.approx(voice_total, abs=0.3)
    assert rms(audio_samples(result.video_path, 0.05, 0.2)) > 0.05  # first word is audible
    assert result.cache["misses"] > 0 and result.cost_usd > 0
    calls = (len(writer.calls), len(voice.calls), len(clips.calls))

    second = make_pipeline(fake_settings).make("Cats")
    assert second.success and second.cache["misses"] == 0 and second.cache["hits"] == result.cache["misses"]
    assert (len(writer.calls), len(voice.calls), len(clips.calls)) == calls
    assert second.cache["saved_usd"] == pytest.approx(result.cost_usd)
    assert second.video_path != result.video_path


@pytest.mark.slow
def test_editing_one_narration_redoes_only_that_scene(fake_settings, fakes):
    _, voice, clips = fakes
    pipeline = make_pipeline(fake_settings)
    script = pipeline.write_script("Cats")
    voices, made_clips, _ = pipeline.make_media(script)
    pipeline.assemble(script, voices, made_clips)
    before = len(voice.calls)
    edited = Script(script.topic, script.title,
                    (script.scenes[0], Scene(2, script.scenes[1].visuals, "New words here."), script.scenes[2]))
    second = make_pipeline(fake_settings)
    voices2, clips2, _ = second.make_media(edited)
    second.assemble(edited, voices2, clips2)
    assert voice.calls[before:] == ["New words here."]
    assert second.tally.provider_calls == {"voice": 1}
    assert (second.tally.segments_rendered, second.tally.segments_reused) == (1, 2)


@pytest.mark.slow
def test_output_name_and_no_partial_files(fake_settings, fakes):
    result = make_pipeline(fake_settings).make("Cats")
    out_dir = fake_settings.output_dir
    names = sorted(p.name for p in out_dir.iterdir())
    video = result.video_path.rsplit('/', 1)[1]
    stem = video.removesuffix(".mp4")
    assert names == sorted([video, *(stem + suffix for suffix in (".srt", ".vtt", ".jpg", ".post.json"))])  # its kit
    assert video.startswith("viralreel_") and video.endswith(f"_{result.video_id}.mp4")


@pytest.mark.slow
def test_frames_of_different_scenes_differ(fake_settings, fakes):
    result = make_pipeline(fake_settings).make("Cats")
    a = frame_at(result.video_path, 1.0, 180, 320).astype(int)
    b = frame_at(result.video_path, 3.0, 180, 320).astype(int)
    assert abs(a - b).mean() > 10


@pytest.mark.slow
def test_secrets_never_reach_keys_results_or_files(tmp_path, cache_dir, fakes, monkeypatch, capsys):
    secret = "sk-test-SECRET-1234567890"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("ELEVENLABS_API_KEY", secret + "x")
    settings = settings_from_env(script_provider="fake", voice_provider="fake", clip_provider="fake",
                                 cache_dir=cache_dir, output_dir=tmp_path / "out", width=180, height=320)
    assert settings.keys["openai"] == secret
    assert secret not in repr(settings) and secret not in json.dumps(settings.public_dict(), default=str)
    result = make_pipeline(settings).make("Cats")
    assert secret not in json.dumps(result.to_dict())
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    out = capsys.readouterr()
    assert secret not in out.out + out.err


@pytest.mark.slow
def test_captions_show_while_words_are_spoken_and_not_in_a_pause(fake_settings, fakes):
    pipeline = make_pipeline(fake_settings.with_(width=360, height=640))
    script = Script("Cats", "Cats", (Scene(1, "calm sea", "Hello there. [pause] Cats purr."),
                                     Scene(2, "warm fire", "They purr when happy.")))
    voices, clips, _ = pipeline.make_media(script)
    words = voices[1].words
    assert [w.word for w in words] == ["Hello", "there.", "Cats", "purr."]
    path = pipeline.assemble(script, voices, clips)
    spoken = caption_pixels(frame_at(path, 0.15, 360, 640))
    pause = caption_pixels(frame_at(path, (words[1].end + words[2].start) / 2 + 0.25, 360, 640))
    later = caption_pixels(frame_at(path, words[2].start + 0.15, 360, 640))
    assert spoken > 150 and later > 150, (spoken, later)
    assert pause < spoken / 10, (pause, spoken)


def test_a_long_retry_after_is_reported_not_waited_out(fake_settings, fakes):
    _, voice, _ = fakes
    voice.enqueue_failure(RateLimited("hourly limit", retry_after=3600))
    waits: list[float] = []
    pipeline = make_pipeline(fake_settings, waits)
    with pytest.raises(RateLimited):
        pipeline.voice_for(Scene(1, "x", "Hello there."))
    assert waits == [] and len(voice.calls) == 1


def test_an_unexpected_error_in_one_scene_keeps_the_others(fake_settings, fakes):
    _, _, clips = fakes
    clips.enqueue_failure(RuntimeError("disk on fire"), match="visual 2")
    result = make_pipeline(fake_settings).make("Cats")
    assert result.success and result.scenes_count == 2
    assert [s["scene"] for s in result.skipped_scenes] == [2]
    assert "unexpectedly" in result.skipped_scenes[0]["reason"]


def test_an_unwritable_output_folder_is_bad_input_before_anything_is_spent(fake_settings, fakes, tmp_path):
    writer, voice, clips = fakes
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(BadInput, match="output folder"):
        make_pipeline(fake_settings.with_(output_dir=blocker / "videos")).make("Cats")
    assert writer.calls == voice.calls == clips.calls == []


def test_credentials_in_a_base_url_stay_out_of_saved_settings_and_repr():
    settings = settings_from_env(environ={"OPENAI_BASE_URL": "https://user:s3cret-token@proxy.example/v1?api-key=k3y"})
    assert settings.base_urls["openai"].startswith("https://user:s3cret")  # the provider still gets it whole
    saved = json.dumps(settings.public_dict(), default=str)
    assert "s3cret" not in saved and "k3y" not in saved and "https://proxy.example/v1" in saved
    assert "s3cret" not in repr(settings)


def test_rewriting_a_scene_of_a_new_version_gives_a_different_scene(tmp_path, cache_dir):
    """A new version of the script uses seed + 1; a rewrite must not land on that same script again."""
    pipeline = Pipeline(settings_from_env(environ={}, script_provider="local", cache_dir=cache_dir))
    for version in (0, 1, 2):
        script = pipeline.write_script("Why do cats purr?", 4, seed=version)
        for number in (1, 2, 4):
            again = pipeline.rewrite_scene(script, number, attempt=1)
            old = script.scenes[number - 1]
            assert again.number == number and (again.visuals, again.narration) != (old.visuals, old.narration)


def _offline_draft(cache_dir):
    pipeline = Pipeline(settings_from_env(environ={}, script_provider="local", cache_dir=cache_dir))
    return pipeline, pipeline.write_script("Black holes", 4)


def test_an_offline_draft_warns_that_its_facts_are_the_persons(cache_dir):
    pipeline, draft = _offline_draft(cache_dir)
    assert any("[square brackets] wait for your own" in line for line in pipeline.warnings), pipeline.warnings
    assert "[" in draft.scenes[1].narration


@pytest.mark.slow  # two whole videos: ~8 s here
def test_an_offline_drafts_video_warns_until_its_facts_are_filled_in(fake_settings, cache_dir):
    _, draft = _offline_draft(cache_dir)
    filled = replace(draft, scenes=tuple(replace(s, narration=f"Black holes bend light, part {s.number}.")
                                         for s in draft.scenes))
    made = make_pipeline(fake_settings).make("Black holes", script=filled)
    assert made.success and not any("square brackets" in line for line in made.warnings), made.warnings
    left = make_pipeline(fake_settings).make("Black holes", script=draft)
    places = f"{count_placeholders(s.narration for s in draft.scenes)} places in [square brackets]"
    assert left.success and any(places in line for line in left.warnings), left.warnings


class RoleWriter(ScriptWriter):
    """Writes scenes that say their role, so a test can see which one a rewrite took."""

    name = "roles"
    offline = True

    @classmethod
    def from_settings(cls, settings):
        return cls()

    def write(self, request):
        n = request.scenes or 4
        roles = [scene_role(i, n) for i in range(n)]
        return Script(request.topic, "Roles", tuple(Scene(i + 1, f"shot {i + 1} seed {request.seed}",
                                                          f"{role} line {i + 1} seed {request.seed}")
                                                    for i, role in enumerate(roles)))


@pytest.fixture
def role_writer():
    providers.register("script", "roles", RoleWriter)
    yield
    providers.unregister("script", "roles")


@pytest.mark.parametrize("length", [*range(1, MAX_DRAFT_SCENES + 1)])
def test_a_rewrite_keeps_the_role_of_the_scene_it_replaces_at_any_length(role_writer, cache_dir, length):
    pipeline = Pipeline(settings_from_env(environ={}, script_provider="roles", cache_dir=cache_dir))
    draft = Script("Cats", "Cats", tuple(Scene(i, f"old shot {i}", f"old line {i}") for i in range(1, length + 1)))
    for index, scene in enumerate(draft.scenes):
        again = pipeline.rewrite_scene(draft, scene.number)
        assert again.number == scene.number
        assert again.narration.split()[0] == scene_role(index, length), (length, scene.number, again.narration)


def test_rewriting_every_scene_of_a_twelve_scene_draft_gives_the_call_to_action_only_last(cache_dir):
    pipeline = Pipeline(settings_from_env(environ={}, script_provider="local", cache_dir=cache_dir))
    six = pipeline.write_script("The future of AI", 6)
    body = six.scenes[1:-1]
    scenes = [six.scenes[0], *body, *body, *body[:2], six.scenes[-1]]  # hook, 10 body scenes, call to action
    draft = replace(six, scenes=tuple(replace(s, number=i) for i, s in enumerate(scenes, 1)))
    assert len(draft.scenes) == 12
    rewrites = [pipeline.rewrite_scene(draft, s.number) for s in draft.scenes]
    cta = rewrites[-1].narration
    assert all(r.narration != cta for r in rewrites[:-1])  # before the fix, scenes 7–11 all came back as the CTA
    assert len({r.narration for r in rewrites[1:-1]}) >= 5  # body scenes are not one line repeated


def test_a_new_voice_carries_its_loudness_measured_once(fake_settings, fakes):
    """A take's loudness is measured as it is made and kept with it in the cache, so no render measures it."""
    _, voice, _ = fakes
    script = make_pipeline(fake_settings).write_script("Cats")
    made = make_pipeline(fake_settings).voice_for(script.scenes[0])
    assert made.loudness is not None and made.loudness > -60  # the fake speaks a tone
    assert made.loudness == pytest.approx(loudness(Path(made.audio_path)).lufs, abs=0.01)
    again = make_pipeline(fake_settings).voice_for(script.scenes[0])  # a new process's view: from the cache
    assert again.loudness == made.loudness and len(voice.calls) == 1
