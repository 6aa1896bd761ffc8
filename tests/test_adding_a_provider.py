"""Adding a paid provider is its class plus one registry line: nothing else in the studio names it.

``AcmeVoice`` is registered here and nowhere else; the settings, ``auto``, the key check, the CLI's
doctor and the studio's sidebar must all find it from what the class declares.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.providers import FakeVoice
from tests.studio_app import studio_app
from tests.test_studio_app import ok, page, settle, write_and_accept
from viralreel_core import providers
from viralreel_core.cli import main as cli
from viralreel_core.environment import settings_from_env
from viralreel_core.errors import AuthError

APP = Path(__file__).resolve().parents[1] / "streamlit_app.py"
SECRET = "acme-SECRET-0123456789"


class AcmeVoice(FakeVoice):
    """A paid voice service as a new provider module would declare it (it speaks like the fake)."""

    name = "acme"
    label = "Acme Voices"
    offline = False
    service = "acme"
    key_env = "ACME_API_KEY"
    base_url_env = "ACME_BASE_URL"
    options = {"acme_voice": "robin"}
    voice_option = "acme_voice"
    voice_names = ("robin", "sparrow")
    speed_range = (0.8, 1.25)

    def __init__(self, key: str = "", voice: str = "robin", base_url: str | None = None) -> None:
        self.key, self.voice, self.base_url = key, voice, base_url

    @classmethod
    def from_settings(cls, settings):
        return cls(settings.keys.get(cls.service, ""), settings.option("acme_voice"),
                   settings.base_urls.get(cls.service))

    def cache_params(self):
        return {"voice": self.voice}

    def unit_cost(self):
        return 0.0002  # dollars per character (``cost_unit``, a voice's default)


@pytest.fixture
def acme(fakes, monkeypatch):
    providers.register("voice", "acme", AcmeVoice)  # the one registry line
    yield AcmeVoice
    providers.unregister("voice", "acme")
    for var in (AcmeVoice.key_env, AcmeVoice.base_url_env):
        monkeypatch.delenv(var, raising=False)


def test_settings_read_its_key_and_base_url_under_the_names_it_declares(acme):
    settings = settings_from_env(environ={"ACME_API_KEY": SECRET, "ACME_BASE_URL": "http://127.0.0.1:9/v1"})
    assert settings.keys["acme"] == SECRET and settings.base_urls["acme"] == "http://127.0.0.1:9/v1"
    assert SECRET not in repr(settings) and SECRET not in str(settings.public_dict())
    assert providers.services()["acme"].label == "Acme Voices"
    assert providers.key_envs()["acme"] == "ACME_API_KEY"


def test_its_options_have_its_defaults_and_reach_it(acme):
    settings = settings_from_env(environ={"ACME_API_KEY": SECRET})
    assert settings.option("acme_voice") == "robin"
    voice = providers.create("voice", settings.with_(voice_provider="acme", acme_voice="sparrow"))
    assert isinstance(voice, AcmeVoice) and (voice.key, voice.voice) == (SECRET, "sparrow")
    with pytest.raises(TypeError, match="acme_voise"):
        settings.with_(acme_voise="sparrow")  # a misspelt option is an error, not silently ignored


def test_auto_picks_it_when_only_its_key_is_set_and_a_missing_key_names_its_variable(acme):
    assert providers.resolve_name("voice", "auto", settings_from_env(environ={"ACME_API_KEY": SECRET})) == "acme"
    assert providers.resolve_name("voice", "auto", settings_from_env(environ={})) == "local"
    with pytest.raises(AuthError, match="ACME_API_KEY"):
        providers.create("voice", settings_from_env(environ={}, voice_provider="acme"))


def test_the_doctor_reports_its_key(acme, monkeypatch):
    monkeypatch.setenv("ACME_API_KEY", SECRET)
    report = cli.doctor(settings_from_env())
    assert report["keys"]["ACME_API_KEY"] is True and SECRET not in str(report)


def test_the_sidebar_offers_a_key_field_for_it_and_uses_the_key(acme, tmp_path, monkeypatch):
    monkeypatch.setenv("VIRALREEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VIRALREEL_PROJECTS_DIR", str(tmp_path / "projects"))
    at = studio_app(90)
    at.secrets["ACME_API_KEY"] = SECRET
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    field = at.text_input(key="key_acme")
    assert field.label == "Acme Voices · `ACME_API_KEY`" and field.value == ""
    assert any("Acme Voices key in use (from secrets)" in c.value for c in at.sidebar.caption)
    assert any("$0.0002 per character" in c.value for c in at.sidebar.caption)  # its declared price
    assert "Acme Voices" in at.selectbox(key="sidebar_voice_provider").options  # its declared display name
    studio = at.session_state["studio"]
    assert studio.provider_names()["voice"] == "acme" and studio.keys["acme"] == SECRET
    assert not studio.cancels_paid_work("voice") and not studio.cancels_paid_work("assemble")  # declared, not guessed


@pytest.mark.slow  # the studio from the topic to every voice made: ~4 s here
def test_the_voice_page_offers_its_voices_and_its_speed_range(acme, tmp_path, monkeypatch):
    monkeypatch.setenv("VIRALREEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VIRALREEL_PROJECTS_DIR", str(tmp_path / "projects"))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    at = studio_app(90)
    at.secrets["ACME_API_KEY"] = SECRET
    ok(at.run())
    for option in ("script_provider", "clip_provider"):
        at.selectbox(key=f"sidebar_{option}").select("fake").run()
    studio = at.session_state["studio"]
    studio.options["voice_speed"] = 1.5  # set for another voice: out of Acme's range
    write_and_accept(at)
    ok(page(at, "voice"))
    picker = at.selectbox(key="voice_acme")
    assert picker.label == "Acme Voices voice" and picker.options == ["Robin", "Sparrow"]
    speed = at.slider(key="voice_speed")
    assert (speed.min, speed.max, speed.value) == (0.8, 1.25, 1.25)
    picker.select("sparrow").run()
    at.button(key="make_voices").click().run()
    ok(settle(at))
    assert studio.options["acme_voice"] == "sparrow" and studio.settings().option("acme_voice") == "sparrow"
    assert [s.status for s in studio.states("voice")] == ["ready"] * 3
