"""Which H.264 encoder renders: NVENC where it really works, libx264 otherwise, or what VIRALREEL_ENCODER forces."""

from __future__ import annotations

import pytest

from tests.media import probe
from tests.test_assembler import make_clip, make_voice
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AssemblyError, BadInput
from viralreel_core.media import ffmpeg
from viralreel_core.render.assembler import Assembler, SceneMedia

NVENC_HERE = ffmpeg._nvenc_works(ffmpeg.ffmpeg_exe())


def test_auto_uses_nvenc_only_where_a_frame_encodes_and_renders_either_way(tmp_path):
    assert ffmpeg.h264_encoder("auto") == ffmpeg.h264_encoder() == ("h264_nvenc" if NVENC_HERE else "libx264")
    settings = settings_from_env(environ={}, width=180, height=320)
    scene = SceneMedia(1, "Hello world.", make_clip(tmp_path / "c.mp4", 1.5), make_voice(tmp_path / "v.wav", 1.0))
    out = Assembler(settings).render_segment(scene, tmp_path / "seg.mp4")
    assert probe(out).video_codec == "h264"


def test_the_setting_forces_x264(tmp_path):
    settings = settings_from_env(environ={"VIRALREEL_ENCODER": "libx264"}, width=180, height=320)
    assert settings.encoder == "libx264" and Assembler(settings).encoder == "libx264"
    assert "encoder" not in settings.public_dict()  # the machine's, not the project's
    assert ffmpeg.h264_encoder("LibX264 ") == "libx264"
    assert ffmpeg.h264_args("libx264", bitrate="8000k", preset="veryfast", fps=30)[:4] == \
        ["-c:v", "libx264", "-preset", "veryfast"]


@pytest.mark.skipif(NVENC_HERE, reason="NVENC works on this machine")
def test_forcing_nvenc_without_a_gpu_is_one_clear_error():
    with pytest.raises(AssemblyError, match="NVENC cannot encode here") as info:
        ffmpeg.h264_encoder("nvenc")
    assert "libx264" in info.value.hint


def test_an_unknown_encoder_is_bad_input():
    with pytest.raises(BadInput, match="quantum"):
        ffmpeg.h264_encoder("quantum")


def test_segments_made_with_different_encoders_never_share_a_cache_entry(tmp_path, monkeypatch):
    settings = settings_from_env(environ={}, width=180, height=320)
    scene = SceneMedia(1, "Hello world.", make_clip(tmp_path / "c.mp4", 1.5), make_voice(tmp_path / "v.wav", 1.0))
    x264, nvenc = Assembler(settings, encoder="libx264"), Assembler(settings, encoder="h264_nvenc")
    assert x264.segment_key(scene) != nvenc.segment_key(scene)
