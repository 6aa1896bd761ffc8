"""The two new visual sources reach every place a person meets a provider: the doctor, the studio's sidebar
(key fields, picker, price) and the clips page (the provider's declared choices, the estimate, then clips made
through the fake services)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.servers import FakeOpenAI
from tests.studio_app import studio_app
from tests.test_studio_app import ok, page, settle, write_and_accept
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"
OPENAI_KEY = "sk-vis-OPENAI-SECRET-5566778899aabbccdd"
PIXABAY_KEY = "31415926-pxbVISUALSsecret0a1b2c3d4e"


def test_the_doctor_reports_the_pixabay_key_and_auto_picks_it(monkeypatch):
    monkeypatch.setenv("PIXABAY_API_KEY", PIXABAY_KEY)
    for var in ("RUNWAYML_API_SECRET", "PEXELS_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    report = cli.doctor(settings_from_env())
    assert report["keys"]["PIXABAY_API_KEY"] is True and report["providers"]["clips"] == "pixabay"
    assert PIXABAY_KEY not in str(report)


@pytest.fixture
def openai_api():
    with FakeOpenAI(OPENAI_KEY) as fake:
        yield fake


@pytest.mark.slow
def test_the_studio_offers_both_prices_images_per_image_and_makes_the_clips(fakes, openai_api, tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("VIRALREEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VIRALREEL_PROJECTS_DIR", str(tmp_path / "projects"))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    monkeypatch.setenv("OPENAI_BASE_URL", f"{openai_api.url}/v1")
    for var in ("RUNWAYML_API_SECRET", "PEXELS_API_KEY", "PIXABAY_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    at = studio_app(90)
    at.secrets["OPENAI_API_KEY"] = OPENAI_KEY
    ok(at.run())
    assert at.text_input(key="key_pixabay").label == "Pixabay · `PIXABAY_API_KEY`"
    picker = at.selectbox(key="sidebar_clip_provider")
    assert {"Pixabay", "OpenAI images + motion"} <= set(picker.options)
    assert not picker.options[0].endswith("OpenAI images + motion")  # an OpenAI key buys no images unasked
    for option in ("script_provider", "voice_provider"):
        at.selectbox(key=f"sidebar_{option}").select("fake").run()
    picker.select("openai_images").run()
    assert any("$0.063 per image" in c.value for c in at.sidebar.caption)
    write_and_accept(at)
    ok(page(at, "clips"))
    assert any("estimated to cost" in i.value and "$0.19" in i.value for i in at.info)  # 3 × $0.063
    quality = at.selectbox(key="clips_option_image_quality")  # what the provider declares it offers
    assert quality.options == ["low", "medium", "high"] and quality.value == "medium"
    assert at.selectbox(key="clips_option_image_model").options[:2] == ["gpt-image-1", "gpt-image-1-mini"]
    quality.select("low").run()
    assert any("$0.016 per image" in c.value for c in at.sidebar.caption)
    assert any("estimated to cost" in i.value and "$0.0480" in i.value for i in at.info)  # 3 × $0.016
    at.button(key="make_clips").click().run()
    ok(settle(at))
    studio = at.session_state["studio"]
    assert [s.status for s in studio.states("clips")] == ["ready"] * 3
    requests = openai_api.requests_to("/images/generations")
    assert len(requests) == 3 and all((r.json["size"], r.json["quality"]) == ("1024x1536", "low") for r in requests)
    assert OPENAI_KEY not in str(studio.settings().public_dict())
