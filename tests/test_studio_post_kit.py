"""The Assemble step's post kit through AppTest: shown after a render, edited before posting, downloadable."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.test_studio_app import dirs, make_all, new_app, ok, page, settle, texts, use_fakes, write_and_accept
from viralreel_core.post.kit import kit_zip, load_kit

__all__ = ["dirs"]  # the fixture, shared with the studio's other page tests


@pytest.mark.slow
def test_the_assemble_step_shows_the_kit_and_keeps_the_persons_own_texts(dirs, fakes):
    at = make_all(write_and_accept(use_fakes(new_app()), "Why cats purr"))
    ok(page(at, "assemble")).button(key="render").click().run()
    ok(settle(at))
    studio = at.session_state["studio"]
    video = Path(studio.last_render["video_path"])
    stem = video.stem
    assert "Post kit" in [h.value for h in at.subheader]
    assert at.text_input(key=f"post_title_{stem}").value == "Why cats purr"
    assert "#cats" in at.text_input(key=f"post_hashtags_{stem}").value.split()
    for name in ("srt_path", "vtt_path", "cover_path", "json_path"):
        assert at.get("download_button") and at.download_button(key=f"download_{name}")
    zipped = at.download_button(key="download_post_kit")
    assert zipped.proto.label == "All as ZIP"
    assert any(image.proto.imgs[0].caption == "Cover" for image in at.image if image.proto.imgs)

    at.text_input(key=f"post_title_{stem}").input("Cats purr, explained")
    at.text_area(key=f"post_description_{stem}").input("Why a cat purrs, in half a minute.")
    at.text_input(key=f"post_hashtags_{stem}").input("#cats #purr science")
    ok(at.button(key="post_kit_save").click().run())
    saved = load_kit(video)
    assert (saved.title, saved.description, saved.hashtags) == (
        "Cats purr, explained", "Why a cat purrs, in half a minute.", ("#cats", "#purr", "#science"))
    assert studio.last_render["post_kit"]["title"] == "Cats purr, explained"
    with zipfile.ZipFile(io.BytesIO(kit_zip(saved))) as archive:  # what "All as ZIP" offers
        assert sorted(archive.namelist()) == sorted(f"{stem}{s}" for s in (".srt", ".vtt", ".jpg", ".post.json"))
        assert archive.read(f"{stem}.post.json") == Path(saved.json_path).read_bytes()

    at.text_input(key=f"post_hashtags_{stem}").input("#only")
    ok(at.button(key="post_kit_save").click().run())
    assert "3 to 8 hashtags" in texts(at)
    assert load_kit(video) == saved  # a refused edit changes nothing

