import json

from viralreel_core.models import Clip, Project, RenderResult, Scene, Script, VoiceTrack, WordTiming
from viralreel_core.text.timing import estimate_seconds


def make_script():
    return Script("The future of AI", "AI tomorrow", (Scene(1, "neon city", "Hello there."),
                                                      Scene(2, "deep blue ocean", "Second scene, with ünïcode ✓.")))


def test_script_json_round_trip():
    script = make_script()
    assert Script.from_dict(json.loads(json.dumps(script.to_dict()))) == script


def test_project_round_trip_keeps_voices_clips_and_settings():
    voice = VoiceTrack("/c/a.wav", 1.5, (WordTiming("Hello", 0.1, 0.4), WordTiming("there.", 0.5, 0.9)), "local")
    clip = Clip("/c/b.mp4", 4.0, 1080, 1920, "pexels", 0.0, "Video by A on Pexels")
    project = Project("abc", make_script(), {1: voice}, {1: clip}, {"voice_provider": "local"})
    again = Project.from_dict(project.to_dict())
    assert again == project
    assert again.voices[1].words[1].word == "there."


def test_renumbered_orders_scenes_from_one():
    script = Script("t", "", (Scene(5, "a", "x"), Scene(2, "b", "y")))
    assert [s.number for s in script.renumbered().scenes] == [1, 2]
    assert [s.visuals for s in script.renumbered().scenes] == ["a", "b"]


def test_estimate_seconds_grows_with_words_and_has_a_floor():
    assert estimate_seconds("one") == 1.0
    assert estimate_seconds(" ".join(["word"] * 26)) == 10.0


def test_render_result_has_the_seed_fields():
    data = RenderResult(True, "/o/v.mp4", "abc", 3, "ok").to_dict()
    for name in ("success", "video_path", "video_id", "scenes_count", "message", "skipped_scenes"):
        assert name in data
