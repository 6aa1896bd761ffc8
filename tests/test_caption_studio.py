"""The studio's caption section: a preset picked, adjusted by the controls, previewed and saved with the project."""

from __future__ import annotations

import pytest

from tests.test_studio_app import dirs, make_all, new_app, ok, page, use_fakes, write_and_accept  # noqa: F401
from viralreel_core.config import CaptionStyle
from viralreel_core.render.caption_styles import caption_style


@pytest.mark.slow
def test_a_preset_is_picked_adjusted_previewed_and_saved(dirs, fakes):  # noqa: F811
    at = make_all(write_and_accept(use_fakes(new_app())))
    ok(page(at, "assemble"))
    studio = at.session_state["studio"]
    assert at.selectbox(key="caption_preset").value == "classic"
    preview = at.image[-1].proto.imgs[0].url if at.image else None
    at.selectbox(key="caption_preset").select("boxed").run()
    ok(at)
    assert studio.options["captions"] == caption_style("boxed").to_dict()
    assert studio.settings().captions == caption_style("boxed")
    assert at.slider(key="caption_size").value == 74 and at.toggle(key="caption_upper").value is False
    assert at.image and at.image[-1].proto.imgs[0].url != preview  # the preview follows
    at.slider(key="caption_size").set_value(60).run()
    at.selectbox(key="caption_animation").select("karaoke").run()
    look = ok(at).session_state["studio"].settings().captions
    assert (look.preset, look.font_size, look.animation, look.box_color) == ("boxed", 60, "karaoke", "#FFFFFF")
    assert any("Boxed, adjusted." in c.value for c in at.caption)
    saved = studio.saved()
    assert CaptionStyle(**saved.options["captions"]) == look  # kept with the project
    at.button(key="caption_reset").click().run()
    assert ok(at).session_state["studio"].settings().captions == caption_style("boxed")
