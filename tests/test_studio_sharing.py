"""The studio shared by several visitors at once (AppTest sessions in one process, as on one server):
private workspaces, the owner's keys and cache kept to the owner."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.fakes.providers import FakeClipMaker
from tests.fakes.servers import FakeElevenLabs, FakeOpenAI, FakePexels, FakeRunway
from tests.studio_app import studio_app
from tests.test_studio_app import (
    TIMEOUT,
    make_all,
    ok,
    page,
    settle,
    texts,
    use_fakes,
    write_and_accept,
)
from viralreel_core.studio.live import LIVE
from viralreel_core.workspace import access
from viralreel_core.workspace.projects import ProjectStore, list_renders

OWNER_CODE = "correct horse battery staple"


@pytest.fixture
def shared(tmp_path, monkeypatch):
    """The studio as on a shared server: a workspace per visitor under a temporary root, a temp cache."""
    root = tmp_path / "workspaces"
    monkeypatch.setenv("VIRALREEL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VIRALREEL_STUDIO_SIZE", "180x320")
    monkeypatch.setenv("VIRALREEL_WORKSPACES", "shared")
    monkeypatch.setenv("VIRALREEL_WORKSPACES_DIR", str(root))
    access.ATTEMPTS.clear()  # the server's count of owner-code tries: one per process, as on a real server
    yield root
    access.ATTEMPTS.clear()


def visit(token: str | None = None, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    """A new browser session, optionally opening a workspace link, with the server's secrets."""
    at = studio_app(TIMEOUT)
    if token is not None:
        at.query_params["ws"] = token
    at.secrets.update(secrets or {})
    if user is not None:
        at.user = user
    return ok(at.run())


def workspace_of(at: AppTest):
    return at.session_state["visitor"].workspace


def render(at: AppTest) -> AppTest:
    ok(page(at, "assemble")).button(key="render").click().run()
    return ok(settle(at))


@pytest.mark.slow
def test_two_visitors_never_see_or_touch_each_others_projects_uploads_or_renders(shared, fakes, tmp_path):
    a = use_fakes(visit())
    token_a = a.query_params["ws"]
    assert len(token_a) == 22  # 128 random bits in the address bar
    assert not shared.exists()  # a first visit that writes nothing leaves no (empty) folders behind
    write_and_accept(a, "A's unreleased product launch: Project Falcon pricing")
    studio_a = a.session_state["studio"]
    clip = FakeClipMaker().make("A's own footage", 2.0, tmp_path)
    ok(page(a, "clips")).file_uploader(key=f"upload_{studio_a.uids[0]}_0").upload(
        "falcon.mp4", Path(clip.video_path).read_bytes(), "video/mp4").run()
    make_all(ok(a))
    render(a)
    page(a, "projects").button(key="save_project").click().run()
    ws_a = workspace_of(ok(a))
    assert list(ws_a.projects_dir.glob("*/files/upload_*"))  # A's upload is kept in A's workspace
    assert token_a not in str(ws_a.folder) and token_a not in "".join(map(str, shared.rglob("*")))

    b = use_fakes(visit())
    token_b = b.query_params["ws"]
    ws_b = workspace_of(b)
    assert token_b != token_a and ws_b.folder != ws_a.folder
    page(b, "projects")
    shown = texts(ok(b))
    assert "Falcon" not in shown and "No saved projects yet" in shown and "No videos yet" in shown
    assert not [bt for bt in b.button if bt.key and bt.key.startswith(("open_", "delete_", "watch_"))]
    assert ProjectStore(ws_b.projects_dir).list() == [] and list_renders(ws_b.output_dir) == []

    # B saves a project and clears B's own workspace: A's project, upload and render are untouched
    write_and_accept(b, "B's project")
    page(b, "projects").button(key="save_project").click().run()
    assert len(ProjectStore(ws_b.projects_dir).list()) == 1
    ok(b).button(key="clear_workspace").click().run()
    assert ProjectStore(ws_b.projects_dir).list() == []
    assert [p.id for p in ProjectStore(ws_a.projects_dir).list()] == [studio_a.id]
    assert list(ws_a.projects_dir.glob("*/files/upload_*")) and len(list_renders(ws_a.output_dir)) == 1

    # A, back through A's own link (a reload), finds it all again
    again = visit(token_a)
    assert workspace_of(again).folder == ws_a.folder
    assert "Falcon" in texts(ok(page(again, "projects")))


@pytest.mark.parametrize("token", ["../../etc", "a" * 21, "a" * 23, "A" * 21 + "\n", "%2e%2e%2f" + "a" * 13])
def test_a_made_up_or_hostile_link_gets_a_new_empty_workspace(shared, token):
    at = visit(token)
    assert at.query_params["ws"] != token and "not valid" in texts(at)
    folder = workspace_of(at).folder
    assert folder.parent == shared.resolve() and folder.name != token


@pytest.mark.slow
def test_visitors_cannot_clear_the_shared_cache_but_the_owner_can(shared, fakes):
    b = use_fakes(visit(secrets={"VIRALREEL_OWNER_CODE": OWNER_CODE}))
    write_and_accept(b)
    assert "Only the owner can clear the shared cache" in "\n".join(c.value for c in b.sidebar.caption)
    assert not [bt for bt in b.button if bt.key == "clear_cache"]
    b.text_input(key="owner_code").input("a guess").run()
    assert "not the owner code" in "\n".join(c.value for c in ok(b).sidebar.caption)
    assert not [bt for bt in b.button if bt.key == "clear_cache"]

    owner = visit(secrets={"VIRALREEL_OWNER_CODE": OWNER_CODE})
    owner.text_input(key="owner_code").input(OWNER_CODE).run()
    entries = {m.label: m.value for m in ok(owner).sidebar.metric}["Entries"]
    assert entries != "0"
    owner.button(key="clear_cache").click().run()
    assert {m.label: m.value for m in ok(owner).sidebar.metric}["Entries"] == "0"
    # typed once: the owner's own link keeps owner access after a reload, and the code is in no file
    token = owner.query_params["ws"]
    again = visit(token, secrets={"VIRALREEL_OWNER_CODE": OWNER_CODE})
    assert again.session_state["owner"] and [bt for bt in again.button if bt.key == "clear_cache"]
    assert OWNER_CODE not in "".join(p.read_text(errors="ignore") for p in shared.rglob("*") if p.is_file())
    # a new code revokes the old mark
    assert not visit(token, secrets={"VIRALREEL_OWNER_CODE": "another code"}).session_state["owner"]


def test_signed_in_visitors_get_their_own_workspace_and_the_owner_list_decides_keys(shared):
    secrets = {"VIRALREEL_OWNER_EMAILS": ["owner@example.com"], "OPENAI_API_KEY": "sk-owner-1234"}
    owner = visit(secrets=secrets, user={"is_logged_in": True, "email": "Owner@example.com"})
    guest = visit(secrets=secrets, user={"is_logged_in": True, "email": "guest@example.com"})
    assert owner.session_state["owner"] and not guest.session_state["owner"]
    assert workspace_of(owner).folder != workspace_of(guest).folder
    assert "ws" not in owner.query_params  # the account is the key, not a link
    assert owner.session_state["studio"].provider_names()["script"] == "openai"
    assert guest.session_state["studio"].provider_names()["script"] == "local"
    same = visit(secrets=secrets, user={"is_logged_in": True, "email": "guest@example.com"})
    assert workspace_of(same).folder == workspace_of(guest).folder


@pytest.fixture
def services():
    with FakeOpenAI("sk-owner-openai") as openai_api, FakeElevenLabs("el-owner") as elevenlabs_api, \
            FakeRunway("rw-owner") as runway_api, FakePexels("px-owner") as pexels_api:
        secrets = {"OPENAI_API_KEY": "sk-owner-openai", "ELEVENLABS_API_KEY": "el-owner",
                   "RUNWAYML_API_SECRET": "rw-owner", "PEXELS_API_KEY": "px-owner",
                   "OPENAI_BASE_URL": f"{openai_api.url}/v1", "ELEVENLABS_BASE_URL": elevenlabs_api.url,
                   "RUNWAYML_BASE_URL": runway_api.url, "PEXELS_BASE_URL": pexels_api.url,
                   "VIRALREEL_OWNER_CODE": OWNER_CODE}
        yield secrets, (openai_api, elevenlabs_api, runway_api, pexels_api)


@pytest.mark.slow
def test_an_anonymous_visitor_never_spends_the_owners_keys(shared, services):
    secrets, fakes = services
    visitor = visit(secrets=secrets)
    studio = visitor.session_state["studio"]
    assert studio.provider_names() == {"script": "local", "voice": "local", "clips": "local"}
    write_and_accept(visitor, "Why do cats purr?", scenes=3)
    make_all(visitor)
    assert all(s.usable for s in studio.states("voice")) and all(s.usable for s in studio.states("clips"))
    assert [len(f.requests) for f in fakes] == [0, 0, 0, 0]
    sidebar = "\n".join(c.value for c in visitor.sidebar.caption)
    assert "not used for visitors" in sidebar and "from secrets" not in sidebar
    # a paid provider picked by hand says it needs a key, and still sends nothing
    visitor.selectbox(key="sidebar_script_provider").select("openai").run()
    assert studio.provider_problem("script") and [len(f.requests) for f in fakes] == [0, 0, 0, 0]


@pytest.fixture
def quick_runway(monkeypatch):
    monkeypatch.setenv("VIRALREEL_POLL_INTERVAL", "0.01")  # the studio's settings read it, as the keys


def as_owner(secrets: dict, **limits: str) -> AppTest:
    at = visit(secrets={**secrets, **limits})
    at.text_input(key="owner_code").input(OWNER_CODE).run()
    assert ok(at).session_state["owner"]
    at.selectbox(key="sidebar_voice_provider").select("local").run()
    at.selectbox(key="sidebar_clip_provider").select("runway").run()
    return ok(at)


@pytest.mark.slow
def test_a_costly_step_asks_first_and_the_daily_limit_stops_paid_work(shared, services, quick_runway):
    from viralreel_core.workspace.spending import Budget
    secrets, (openai_api, _, runway_api, _) = services
    owner = as_owner(secrets, VIRALREEL_DAILY_LIMIT_USD="10.00")
    write_and_accept(owner, "Why do cats purr?", scenes=3)
    assert len(openai_api.requests) > 0  # the owner's keys serve the owner
    make_all_voices = page(owner, "voice").button(key="make_voices").click().run()
    settle(ok(make_all_voices))

    page(owner, "clips").button(key="make_clips").click().run()
    shown = texts(ok(owner))
    assert "estimated to cost" in shown and "Go ahead?" in shown and len(runway_api.requests) == 0
    ledger = Budget(shared / "spending.json", 10.0)
    studio = owner.session_state["studio"]
    script_cost = ledger.spent_today()
    assert 0 < script_cost < 0.01 and script_cost == pytest.approx(studio.tally.spent_usd)  # the script's
    owner.button(key="confirm_clips").click().run()
    settle(ok(owner))
    assert not studio.needs("clips") and len(runway_api.requests) > 0
    spent = ledger.spent_today()
    assert spent > 0.5 and spent == pytest.approx(studio.tally.spent_usd)  # the real cost, settled

    owner.secrets["VIRALREEL_DAILY_LIMIT_USD"] = limit = f"{spent + 0.01:.2f}"  # the owner lowers the limit
    before = len(runway_api.requests)
    ok(page(owner, "clips")).button(key=f"clip_redo_{studio.uids[0]}").click().run()
    errors = [e.value for e in ok(owner).error]
    assert any("spending limit" in e and f"${limit}" in e for e in errors), errors
    assert len(runway_api.requests) == before and not studio.busy()

    # the limit is the server's, not the session's: a new session (or a restart) finds it spent
    again = as_owner(secrets, VIRALREEL_DAILY_LIMIT_USD=limit)
    again.session_state["studio"].open(studio.to_document())
    ok(page(again, "clips")).button(key=f"clip_redo_{studio.uids[1]}").click().run()
    assert any("spending limit" in e.value for e in ok(again).error) and len(runway_api.requests) == before


@pytest.mark.slow
def test_the_ledger_holds_across_processes(tmp_path):
    import multiprocessing

    path = tmp_path / "spending.json"
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        granted = sum(pool.starmap(_reserve_many, [(str(path), 20)] * 2))
    from viralreel_core.workspace.spending import Budget
    assert granted == 30 and Budget(path, 3.0).spent_today() == pytest.approx(3.0)


def _reserve_many(path: str, times: int) -> int:
    from viralreel_core.errors import SpendingLimitReached
    from viralreel_core.workspace.spending import Budget
    budget, granted = Budget(Path(path), 3.0), 0
    for _ in range(times):
        try:
            budget.reserve(0.1)
            granted += 1
        except SpendingLimitReached:
            pass
    return granted


class Holder:
    """Someone else's render holding the server's only render worker (the test decides when it ends):
    a job in the engine's render lane whose work waits for ``release``."""

    def __init__(self) -> None:
        import threading

        self.release, self.held = threading.Event(), threading.Event()

    def settings(self, base, params):
        return base

    def run(self, kind, params, pipeline):
        self.held.set()
        self.release.wait(60)
        return {}


@pytest.mark.slow
def test_a_reload_mid_render_reattaches_shows_its_place_in_line_and_the_render_finishes_in_view(shared, fakes):
    import uuid

    from viralreel_core.jobs.records import Job as Record
    from viralreel_core.jobs.work import register_handler

    a = use_fakes(visit())
    write_and_accept(a)
    make_all(a)
    token, studio = a.query_params["ws"], a.session_state["studio"]
    holder = Holder()
    register_handler("hold", holder)
    studio.engine.queue.enqueue(Record(id=uuid.uuid4().hex[:12], kind="render", params={"handler": "hold"}))
    assert holder.held.wait(10)
    try:
        ok(page(a, "assemble")).button(key="render").click().run()
        job = studio.jobs["assemble"]
        time.sleep(1)  # a waiting render stays waiting: the server renders one video at a time
        assert job.snapshot()["place"] == 1 and not job.done  # A's waits, first in line

        b = visit(token)  # A reloads the page (F5): a new session through the same link
        assert b.session_state["studio"] is studio and workspace_of(b).folder == workspace_of(a).folder
        ok(page(b, "assemble"))
        status = [s for s in b.status if s.label.startswith("Rendering")]
        assert status and "waiting for a turn" in status[0].label, [s.label for s in b.status]
        assert any("1st in line" in p.proto.text for p in b.get("progress"))
    finally:
        holder.release.set()
    settle(b)
    assert studio.last_render and not studio.busy()
    assert b.get("video") and b.get("video")[0].proto.url.endswith(".mp4")  # the render finished in view
    assert workspace_of(b).output_dir in Path(studio.last_render["video_path"]).parents


@pytest.mark.slow
def test_work_finished_while_away_is_there_on_return_and_edits_survive_a_reload(shared, fakes):
    from tests.fakes.providers import SlowClipMaker

    a = use_fakes(visit())
    write_and_accept(a)
    a.selectbox(key="sidebar_clip_provider").select("slow").run()  # clips wait until released
    token, studio = a.query_params["ws"], a.session_state["studio"]
    page(a, "clips").button(key="make_clips").click().run()
    job = studio.jobs["clips"]
    assert not job.done  # A closes the tab here
    SlowClipMaker.release.set()
    job.wait(30)
    assert len(studio.clips) == 0  # finished while the page was gone: nobody has applied it yet
    b = visit(token)
    assert b.session_state["studio"] is studio
    assert not studio.needs("clips") and not studio.busy() and len(studio.clips) == 3
    # the project is on disk too: after a server restart (nothing live) the link still reopens it
    LIVE.put("elsewhere", studio)  # forget it in this workspace (stands for a restart)
    c = visit(token)
    reopened = c.session_state["studio"]
    assert reopened is not studio and reopened.id == studio.id and reopened.draft_rows() == studio.draft_rows()
    assert len(reopened.clips) == 3


@pytest.mark.slow
def test_a_saved_project_reopens_after_the_cache_is_cleared_with_nothing_made_again(shared, fakes):
    _, voice, clips = fakes
    owner = use_fakes(visit(secrets={"VIRALREEL_OWNER_CODE": OWNER_CODE}))
    owner.text_input(key="owner_code").input(OWNER_CODE).run()
    write_and_accept(owner)
    make_all(owner)
    project_id = owner.session_state["studio"].id
    calls = len(voice.calls) + len(clips.calls)
    page(owner, "projects").button(key="new_project").click().run()
    ok(owner).button(key="clear_cache").click().run()
    assert {m.label: m.value for m in ok(owner).sidebar.metric}["Entries"] == "0"
    page(owner, "projects").button(key=f"open_{project_id}").click().run()
    reopened = ok(owner).session_state["studio"]
    assert reopened.id == project_id and not reopened.notices
    assert not reopened.needs("voice") and not reopened.needs("clips")
    render(owner)
    assert reopened.last_render and len(voice.calls) + len(clips.calls) == calls


@pytest.mark.slow
def test_a_workspace_runs_at_most_its_cap_of_jobs(shared, fakes, monkeypatch):
    from tests.fakes.providers import SlowClipMaker

    monkeypatch.setenv("VIRALREEL_MAX_JOBS_PER_WORKSPACE", "1")
    a = use_fakes(visit())
    write_and_accept(a)
    a.selectbox(key="sidebar_clip_provider").select("slow").run()
    page(a, "clips").button(key="make_clips").click().run()
    try:
        page(a, "voice").button(key="make_voices").click().run()
        assert any("already has 1 jobs running" in e.value for e in ok(a).error)
        assert not a.session_state["studio"].busy("voice")
        other = use_fakes(visit())  # another visitor's workspace is not held up
        write_and_accept(other)
    finally:
        SlowClipMaker.release.set()
    settle(a)


def test_with_no_browser_address_and_nothing_set_the_studio_keeps_one_local_workspace(shared, monkeypatch):
    monkeypatch.delenv("VIRALREEL_WORKSPACES")
    at = visit()
    assert workspace_of(at).name == "local" and at.session_state["owner"] and "ws" not in at.query_params
    assert not shared.exists()  # nothing was made for visitors


def sidebar_captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.sidebar.caption)


@pytest.mark.slow
def test_wrong_owner_codes_lock_the_address_out_for_the_server_not_the_session(shared):
    secrets = {"VIRALREEL_OWNER_CODE": OWNER_CODE}
    open_before = visit(secrets=secrets)  # another tab, opened before the guessing
    guesser = visit(secrets=secrets)
    for n in range(access.MAX_CODE_TRIES):
        assert not guesser.text_input(key="owner_code").disabled
        guesser.text_input(key="owner_code").input(f"guess number {n}").run()
    assert guesser.text_input(key="owner_code").disabled
    assert "Too many wrong codes from your address: try again in 30 s" in sidebar_captions(ok(guesser))
    # a reload is a new session from the same address: still locked out
    again = visit(secrets=secrets)
    assert again.text_input(key="owner_code").disabled and "Too many wrong codes" in sidebar_captions(again)
    # a try from a tab whose field still shows enabled is refused, even with the right code
    open_before.text_input(key="owner_code").input(OWNER_CODE).run()
    assert not ok(open_before).session_state["owner"] and open_before.text_input(key="owner_code").disabled
    assert not [bt for bt in open_before.button if bt.key == "clear_cache"]
    assert not access.is_marked(workspace_of(open_before), OWNER_CODE)
    # once the wait is over (here: forgotten), the right code lets the owner in and clears the count
    access.ATTEMPTS.clear()
    again.run()
    again.text_input(key="owner_code").input(OWNER_CODE).run()
    assert ok(again).session_state["owner"] and access.ATTEMPTS.wait_left("") == 0


@pytest.mark.slow
def test_a_visitor_is_shown_file_names_never_where_the_server_keeps_them(shared, fakes):
    import shutil

    at = use_fakes(visit())
    write_and_accept(at)
    make_all(at)
    render(at)
    ws = workspace_of(at)
    video = list_renders(ws.output_dir)[0]
    shown = texts(at)
    assert f"Saved as `{video.video_path.name}`" in shown and str(shared.resolve()) not in shown
    page(at, "projects").button(key=f"watch_{video.video_id}").click().run()
    shown = texts(ok(at))
    assert video.video_path.name in shown and str(shared.resolve()) not in shown
    # a save that fails (the workspace's projects folder is a file now) says why, naming no server folder
    shutil.rmtree(ws.projects_dir)
    ws.projects_dir.write_text("not a folder")
    at.button(key="save_project").click().run()
    errors = [e.value for e in at.error]
    assert any("The project was not saved" in e for e in errors), errors
    assert not any(str(shared.resolve()) in e or "/projects" in e for e in errors), errors
