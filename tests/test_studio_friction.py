"""The studio as a new user first meets it: the rough edges found by trying it (the browser walk is in
test_studio_browser.py), each checked here where no browser is needed — through AppTest and the studio."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest

from tests.fakes.providers import FakeVoice, SlowClipMaker
from tests.studio_app import studio_app
from tests.test_studio_app import APP, TIMEOUT, make_all, new_app, ok, page, settle, texts, use_fakes, write_and_accept
from tests.test_studio_state import accepted, made
from viralreel_core import providers
from viralreel_core.errors import NeedsConfirmation, SpendingLimitReached
from viralreel_core.media import music
from viralreel_core.studio import Studio, StudioConfig
from viralreel_core.workspace.projects import ProjectStore, list_renders
from viralreel_core.workspace.spending import Budget
from viralreel_core.workspace.uploads import MAX_UPLOAD_BYTES


@pytest.fixture
def studio(fake_settings, cache, tmp_path) -> Studio:
    s = Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    s.form.topic, s.form.scenes = "Cats", 3
    return s


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    paths = {name: tmp_path / name for name in ("cache", "out", "projects")}
    monkeypatch.setenv("VIRALREEL_CACHE_DIR", str(paths["cache"]))
    monkeypatch.setenv("VIRALREEL_OUTPUT_DIR", str(paths["out"]))
    monkeypatch.setenv("VIRALREEL_PROJECTS_DIR", str(paths["projects"]))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    return paths


def sends(selectbox, label: str) -> None:
    """Make AppTest send ``label`` for ``selectbox``, as a browser does with the label it still shows
    (AppTest itself only sends labels of the current options)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    class Stale(type(selectbox)):
        @property
        def _widget_state(self) -> WidgetState:
            return WidgetState(id=self.id, string_value=label)

    selectbox.__class__ = Stale


def test_a_click_that_races_a_relabel_keeps_the_choices(dirs, fakes):
    """Typing a topic relabels *Language* ("Auto · English"); a click landing while that run is under way
    sends the old label, which Streamlit returns as the label itself: it must not become the language."""
    at = use_fakes(new_app())
    stale = at.selectbox(key="topic_language").format_func("auto")  # what the browser still shows
    at.text_area(key="topic_text").input("Why do cats purr?").run()
    assert ok(at).selectbox(key="topic_language").format_func("auto") != stale
    sends(at.selectbox(key="topic_language"), stale)
    sends(at.selectbox(key="topic_scenes"), "Auto · 4 for 25 s")  # a label from another target length
    at.button(key="write_script").click().run()
    studio = ok(at).session_state["studio"]
    assert studio.form.language == "auto" and studio.form.scenes is None and not at.error
    assert at.title[0].value.endswith("Step 2 · Script")


# -- (b) a visitor's missing key: what *they* can do --------------------------------------------------

@pytest.fixture
def shared(tmp_path, monkeypatch):
    monkeypatch.setenv("VIRALREEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    monkeypatch.setenv("VIRALREEL_WORKSPACES", "shared")
    monkeypatch.setenv("VIRALREEL_WORKSPACES_DIR", str(tmp_path / "workspaces"))


def test_a_visitor_picking_a_paid_provider_is_told_to_type_their_own_key_not_to_set_the_environment(shared):
    at = ok(studio_app(TIMEOUT).run())
    assert not at.session_state["owner"]
    at.selectbox(key="sidebar_script_provider").select("openai").run()
    problem = [c.value for c in ok(at).sidebar.caption if c.value.startswith(":material/warning:")]
    assert len(problem) == 1 and "Type your own OpenAI key under API keys in the sidebar" in problem[0]
    assert "environment" not in problem[0] and "st.secrets" not in problem[0]
    # and when they try anyway: said on the page at once, nothing started
    at.text_area(key="topic_text").input("Why do cats purr?").run()
    at.button(key="write_script").click().run()
    errors = [e.value for e in ok(at).error]
    assert any("Type your own OpenAI key" in e for e in errors) and not any("environment" in e for e in errors)
    assert not at.session_state["studio"].jobs and at.title[0].value.endswith("Step 1 · Topic")


def test_the_owner_running_locally_still_gets_the_environment_hint(dirs):
    at = ok(new_app())
    assert at.session_state["owner"]
    at.selectbox(key="sidebar_voice_provider").select("elevenlabs").run()
    sidebar = "\n".join(c.value for c in ok(at).sidebar.caption)
    assert "ELEVENLABS_API_KEY in the environment or st.secrets" in sidebar


# -- (c) the spend question never offers more than today's budget ---------------------------------------

class PaidVoice(FakeVoice):
    """A paid voice needing no key (declared like a real one): $0.30 a scene."""

    name = "paid"
    offline = False

    def estimate_cost(self, work):
        return 0.30


@pytest.fixture
def paid_voice():
    providers.register("voice", "paid", PaidVoice)
    yield
    providers.unregister("voice", "paid")


def test_a_cost_over_what_is_left_today_is_refused_with_what_is_left_not_offered(studio, paid_voice, tmp_path):
    budget = Budget(tmp_path / "spending.json", daily_limit=1.00)
    budget.reserve(0.50)
    studio.wallet.budget, studio.wallet.confirm_above = budget, 0.10
    studio.options["voice_provider"] = "paid"
    accepted(studio)
    with pytest.raises(SpendingLimitReached) as refused:  # 3 scenes: $0.90 of the $0.50 left
        studio.start_voices()
    message = str(refused.value)
    assert "$0.50 left" in message and "$0.90" in message and "fewer scenes" in message
    assert not studio.wallet.pending and not studio.busy() and budget.spent_today() == pytest.approx(0.50)
    # what fits is still asked about first, then reserved
    with pytest.raises(NeedsConfirmation):
        studio.start_voices([studio.uids[0]])
    assert studio.wallet.pending["voice"]["cost"] == pytest.approx(0.30)
    studio.confirm("voice").wait(20)
    studio.poll()
    assert len(studio.voices) == 1 and budget.remaining() == pytest.approx(0.498)  # settled at the real cost


@pytest.mark.slow
def test_the_spend_question_says_what_is_left_and_is_withdrawn_when_it_no_longer_fits(dirs, tmp_path, paid_voice,
                                                                                     monkeypatch):
    monkeypatch.setenv("VIRALREEL_DAILY_LIMIT_USD", "5")
    monkeypatch.setenv("VIRALREEL_CONFIRM_ABOVE_USD", "0.10")
    monkeypatch.setenv("VIRALREEL_WORKSPACES_DIR", str(tmp_path / "workspaces"))
    at = use_fakes(new_app())
    write_and_accept(at)
    at.selectbox(key="sidebar_voice_provider").select("paid").run()
    page(at, "voice").button(key="make_voices").click().run()
    shown = texts(ok(at))
    assert "estimated to cost **$0.90**" in shown and "Today's limit leaves $5.00" in shown
    Budget(tmp_path / "workspaces" / "spending.json", 5.0).reserve(4.50)  # another session spends meanwhile
    ok(at.run())
    assert not [b for b in at.button if b.key == "confirm_voice"]
    assert any("leaves $0.50" in e.value for e in at.error)
    assert not at.session_state["studio"].wallet.pending


# -- (d) a stop is news, said once, not an error kept ---------------------------------------------------

def test_a_stop_is_said_once_as_news_and_is_not_an_error_even_after_reopening(fake_settings, cache, tmp_path, fakes):
    studio = Studio(fake_settings.with_(clip_provider="slow"), cache,
                    StudioConfig(projects_dir=tmp_path / "projects"), sleep=lambda s: None)
    studio.form.topic, studio.form.scenes = "Cats", 3
    accepted(studio)
    job = studio.start_clips()
    deadline = time.monotonic() + 20
    while job.snapshot()["scenes"].get(1, 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert studio.stop("clips")
    studio.wait(timeout=20)
    assert SlowClipMaker.aborted.is_set() and len(studio.clips) == 1  # what was made is kept
    assert "clips" not in studio.errors
    assert studio.take_news() == ["Stopped. The clips made before the stop are kept; make the others when you want."]
    assert studio.take_news() == []  # once
    store = ProjectStore(tmp_path / "projects")
    studio.save(store)
    again = Studio(fake_settings, cache, StudioConfig(projects_dir=tmp_path / "projects"))
    again.open(store.load(studio.id))
    assert not again.errors and again.take_news() == [] and len(again.clips) == 1


@pytest.mark.slow
def test_the_page_shows_a_stop_as_info_once(dirs, fakes):
    at = use_fakes(new_app())
    write_and_accept(at)
    studio = at.session_state["studio"]
    studio.news.append("Stopped. The voices recorded before the stop are kept; record the others when you want.")
    ok(page(at, "voice"))
    assert any(i.value.startswith("Stopped.") for i in at.info) and not at.error
    ok(at.run())
    assert not any(i.value.startswith("Stopped.") for i in at.info)


# -- (e) the offline voice's file field is plainly optional ----------------------------------------------

def test_the_offline_voice_file_field_says_it_is_optional(dirs, fakes):
    at = ok(new_app())
    at.selectbox(key="sidebar_script_provider").select("fake").run()
    write_and_accept(at)
    field = ok(page(at, "voice")).text_input(key="voice_local")
    assert field.label.endswith("· optional") and field.placeholder == "Leave empty for the built-in voice"
    assert field.value == ""


# -- (f)(g)(h) the finished video: first on the page, with a poster, clear counts, no second copy ----------

@pytest.mark.slow
def test_after_a_render_the_video_comes_first_with_a_poster_and_clear_counts(dirs, fakes):
    at = use_fakes(new_app())
    write_and_accept(at)
    make_all(at)
    ok(page(at, "assemble")).button(key="render").click().run()
    ok(settle(at))
    assert at.subheader[0].value == "Your video"  # above the caption style, music and render button
    assert [s.value for s in at.subheader][:2] == ["Your video", "Captions"]
    scripts = [h.proto.body for h in at.get("html") if "const poster" in h.proto.body]
    assert len(scripts) == 1 and "data:image/jpeg;base64,/9j/" in scripts[0]  # a JPEG, inline
    assert ".st-key-final_video video" in scripts[0]
    metrics = {m.label: m.value for m in at.metric}
    assert "Cache hits" not in metrics and "Scenes from cache" not in metrics
    assert metrics["Scenes reused"] == "0 of 3"
    tally = at.session_state["studio"].tally
    assert metrics["Media reused"] == f"{tally.hits} of {tally.hits + tally.misses}"

    # rendered again with nothing changed: the same file, no copy; the counts say all of it was reused
    first = at.session_state["studio"].last_render["video_path"]
    at.button(key="render").click().run()
    ok(settle(at))
    assert at.session_state["studio"].last_render["video_path"] == first
    assert len(list(dirs["out"].glob("*.mp4"))) == 1
    assert {m.label: m.value for m in at.metric}["Scenes reused"] == "3 of 3"
    assert "was not written again" in texts(at)


@pytest.mark.slow
def test_an_unchanged_re_render_reuses_the_file_and_a_changed_one_makes_a_new_one(studio, tmp_path):
    made(studio)
    studio.start_render().wait(60)
    studio.poll()
    first = dict(studio.last_render)
    size = Path(first["video_path"]).stat().st_size
    studio.start_render().wait(60)
    studio.poll()
    again = studio.last_render
    assert again["video_path"] == first["video_path"] and again["reused"] and again["segments_reused"] == 3
    assert [r.video_path for r in list_renders(tmp_path / "out")] == [Path(first["video_path"])]
    assert Path(first["video_path"]).stat().st_size == size
    # a damaged (here: shortened) file is never handed back: the render makes a new one
    with open(first["video_path"], "r+b") as video:
        video.truncate(size // 2)
    studio.start_render().wait(60)
    studio.poll()
    assert studio.last_render["video_path"] != first["video_path"] and not studio.last_render.get("reused")
    # a change (the caption size) is a new video
    studio.options["captions"]["font_size"] += 10
    studio.start_render().wait(60)
    studio.poll()
    assert len(list_renders(tmp_path / "out")) == 3


# -- (j) New project: autosave kept this one, so say so ----------------------------------------------------

def test_new_project_says_this_one_is_kept_and_it_is(dirs, fakes):
    at = use_fakes(new_app())
    write_and_accept(at, "Why do cats purr?")
    old = at.session_state["studio"]
    page(at, "projects")
    popover = " ".join(m.value for m in ok(at).markdown)
    assert "lost" not in popover and "is saved as it is" in popover
    at.text_input(key="project_name").input("Purring").run()  # a change in the same run as the click
    at.button(key="new_project").click().run()
    assert ok(at).session_state["studio"].id != old.id
    saved = {p.id: p.name for p in ProjectStore(dirs["projects"]).list()}
    assert saved.get(old.id) == "Purring"


# -- (k) each upload box states the limit it keeps -------------------------------------------------------

@pytest.mark.slow
def test_upload_boxes_state_the_limit_their_caption_gives(dirs, fakes):
    config = tomllib.loads((APP.parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_BYTES // 2**20
    at = use_fakes(new_app())
    write_and_accept(at)
    make_all(at)
    studio = at.session_state["studio"]
    clip_box = ok(page(at, "clips")).get("file_uploader")[0]
    assert clip_box.proto.max_upload_size_mb == MAX_UPLOAD_BYTES // 2**20
    assert f"up to {MAX_UPLOAD_BYTES // 2**20} MB" in texts(at) and studio.uids
    music_box = next(u for u in ok(page(at, "assemble")).get("file_uploader") if "music_upload" in u.proto.id)
    assert music_box.proto.max_upload_size_mb == music.MAX_MUSIC_BYTES // 2**20 == 50
    assert "up to 50 MB" in texts(at)
