"""The app layer's widget helpers (pages/widgets.py): caption preview, audio type, table cells."""

from __future__ import annotations

import math

from pages.widgets import audio_format, caption_preview, table_rows
from tests.fakes.providers import write_tone
from viralreel_core import CaptionStyle


def test_caption_preview_draws_the_style():
    plain = caption_preview(CaptionStyle(), short_side=180)
    assert plain.shape == (320, 180, 3)
    yellow = caption_preview(CaptionStyle(text_color="#FFFF00", highlight_color="#FFFF00"), short_side=180)
    assert (plain != yellow).any()


def test_caption_preview_takes_the_frame_shape_and_crops_its_background(tmp_path):
    from PIL import Image

    tall = tmp_path / "tall.png"
    Image.new("RGB", (90, 160), (200, 30, 30)).save(tall)
    wide = caption_preview(CaptionStyle(), tall, frame=(1920, 1080), short_side=180)
    assert wide.shape == (180, 320, 3)
    assert tuple(wide[5, 5]) == (200, 30, 30)  # the picture fills the frame, cropped rather than squeezed


def test_audio_format_reads_the_first_bytes_not_the_name(tmp_path):
    wav = tmp_path / "voice.val"
    write_tone(wav, 0.2)
    assert audio_format(wav) == "audio/wav"
    for head, kind in ((b"fLaC", "audio/flac"), (b"OggS", "audio/ogg"), (b"ID3\x04", "audio/mpeg")):
        (tmp_path / "x.val").write_bytes(head + b"\0" * 20)
        assert audio_format(tmp_path / "x.val") == kind


def test_table_rows_turn_empty_cells_into_empty_text_and_numbers_into_whole_numbers():
    nan = math.nan
    rows = table_rows([{"scene": 2.0, "visuals": " a cat ", "narration": nan, "uid": "ab12cd34"},
                       {"scene": nan, "visuals": None, "narration": "Hi.", "uid": nan},
                       {"scene": "x", "visuals": nan, "narration": None, "uid": None}])
    assert rows == [{"uid": "ab12cd34", "scene": 2, "visuals": "a cat", "narration": ""},
                    {"uid": None, "scene": None, "visuals": "", "narration": "Hi."},
                    {"uid": None, "scene": None, "visuals": "", "narration": ""}]
