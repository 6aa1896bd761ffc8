"""A shared studio in a real browser: `streamlit run` with a workspace per visitor and the owner's keys
(pointed at the local fake services) in its environment; two Chromium contexts are two visitors."""

from __future__ import annotations

import pytest

from tests.browser import MARKS, STEP_TIMEOUT, chromium, studio_server
from tests.fakes.servers import FakeElevenLabs, FakeOpenAI, FakePexels, FakeRunway

pytestmark = MARKS

OWNER_CODE = "correct horse battery staple"
SECRET_TOPIC = "A's unreleased product launch: Project Falcon pricing"


@pytest.fixture
def services():
    with FakeOpenAI("sk-owner-openai") as openai_api, FakeElevenLabs("el-owner") as elevenlabs_api, \
            FakeRunway("rw-owner") as runway_api, FakePexels("px-owner") as pexels_api:
        yield {"OPENAI_API_KEY": "sk-owner-openai", "ELEVENLABS_API_KEY": "el-owner",
               "RUNWAYML_API_SECRET": "rw-owner", "PEXELS_API_KEY": "px-owner",
               "OPENAI_BASE_URL": f"{openai_api.url}/v1", "ELEVENLABS_BASE_URL": elevenlabs_api.url,
               "RUNWAYML_BASE_URL": runway_api.url, "PEXELS_BASE_URL": pexels_api.url}, \
            (openai_api, elevenlabs_api, runway_api, pexels_api)


@pytest.fixture
def shared_url(tmp_path, services):
    """A studio shared by everyone who reaches it, the owner's keys in its environment."""
    keys, _ = services
    with studio_server(tmp_path / "streamlit.log", {
            **keys, "VIRALREEL_WORKSPACES": "shared", "VIRALREEL_WORKSPACES_DIR": str(tmp_path / "ws"),
            "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_STUDIO_SIZE": "720x1280",
            "VIRALREEL_OWNER_CODE": OWNER_CODE}) as (url, _):
        yield url


def workspace_token(page) -> str:
    page.wait_for_function("() => new URL(location.href).searchParams.get('ws')")
    return page.evaluate("() => new URL(location.href).searchParams.get('ws')")


def make_video_to_render(page, topic: str) -> None:
    """Topic → accepted script → voices → clips, then press Render (anonymous: offline providers)."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
    page.get_by_label("What is the video about?").fill(topic)
    page.get_by_role("heading", name="Step 1 · Topic").click()
    page.get_by_role("button", name="Write the script").click()
    accept = page.get_by_role("button", name="Accept script")
    expect(accept).to_be_enabled()
    accept.click()
    page.get_by_role("link", name="Go to Voice").click()
    page.get_by_role("button", name="Record 4 voices").click()
    expect(page.get_by_role("button", name="All voices recorded")).to_be_visible()
    page.get_by_role("link", name="Next: make the clips").click()
    page.get_by_role("button", name="Make 4 clips").click()
    expect(page.get_by_text("4 of 4 scenes have a clip")).to_be_visible()
    page.get_by_role("link", name="Next: assemble the video").click()
    page.get_by_role("button", name="Render the video (4 scenes)").click()


def test_two_visitors_at_once_are_kept_apart_and_a_reload_mid_render_reattaches(shared_url, services):
    from playwright.sync_api import expect

    _, fakes = services
    with chromium() as browser:
        a = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        b = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        for page in (a, b):
            page.set_default_timeout(STEP_TIMEOUT)
            page.goto(shared_url)
        token_a, token_b = workspace_token(a), workspace_token(b)
        assert token_a != token_b and len(token_a) == 22

        # A makes a video; the page is reloaded (F5) while it renders, and the render finishes in view
        make_video_to_render(a, SECRET_TOPIC)
        expect(a.get_by_text("Rendering 4 scenes")).to_be_visible()
        a.reload()
        assert workspace_token(a) == token_a
        expect(a.get_by_role("heading", name="Step 5 · Assemble")).to_be_visible()
        expect(a.get_by_text("Rendering 4 scenes")).to_be_visible()  # reattached, live progress again
        expect(a.locator("video")).to_have_count(1)  # ~20 s after the reload here: finished in view
        expect(a.get_by_role("link", name="Download MP4")).to_be_visible()
        video_a = a.locator("video").get_attribute("src") or ""
        assert "/app/static/v/" in video_a  # streamed from disk under a name only A's page holds
        assert [len(f.requests) for f in fakes] == [0, 0, 0, 0]  # anonymous: the owner's keys unused

        # B sees none of it and cannot clear the shared cache
        b.goto(f"{shared_url}/projects?ws={token_b}")
        expect(b.get_by_role("heading", name="Saved projects")).to_be_visible()
        expect(b.get_by_text("No saved projects yet")).to_be_visible()
        expect(b.get_by_text("No videos yet")).to_be_visible()
        expect(b.get_by_text("Falcon")).to_have_count(0)
        expect(b.get_by_role("button", name="Watch")).to_have_count(0)
        assert video_a.rsplit("/", 1)[-1] not in b.content()
        assert b.request.get(f"{shared_url}/app/static/v/{'0' * 32}.mp4").status == 404  # names are not guessable
        b.get_by_text("Cache", exact=True).click()
        expect(b.get_by_text("Only the owner can clear the shared cache")).to_be_visible()
        expect(b.get_by_role("button", name="Clear the cache")).to_have_count(0)

        # A's own link still shows A's project and video
        a.goto(f"{shared_url}/projects?ws={token_a}")
        expect(a.get_by_text("Falcon").first).to_be_visible()
        expect(a.get_by_role("button", name="Watch")).to_have_count(1)

        # a made-up link opens nothing of anyone's
        b.goto(f"{shared_url}/projects?ws=../{token_a[:19]}")
        expect(b.get_by_text("That workspace link is not valid")).to_be_visible()
        expect(b.get_by_text("Falcon")).to_have_count(0)
        expect(b.get_by_test_id("stException")).to_have_count(0)
        expect(a.get_by_test_id("stException")).to_have_count(0)


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                       "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}


def test_on_a_phone_the_sidebar_starts_closed_and_each_narration_is_editable_in_view(shared_url):
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_context(**PHONE).new_page()
        page.set_default_timeout(STEP_TIMEOUT)
        page.goto(shared_url)
        expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
        expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
        page.get_by_label("What is the video about?").fill("Why do cats purr?")
        page.get_by_role("heading", name="Step 1 · Topic").click()
        page.get_by_role("button", name="Write the script").click()
        expect(page.get_by_role("heading", name="Step 2 · Script")).to_be_visible()
        narrations = page.get_by_label("Narration — what is said")
        expect(narrations).to_have_count(4)  # one scene at a time, on by default on a phone
        second = narrations.nth(1)
        second.scroll_into_view_if_needed()
        box = second.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390  # no scrolling sideways
        second.fill("Purring helps a cat stay calm.")
        page.get_by_role("heading", name="Step 2 · Script").click()  # leaving the field sends it
        expect(page.get_by_text("Edited", exact=True).or_(page.get_by_text("Draft", exact=True))).to_be_visible()
        accept = page.get_by_role("button", name="Accept script")
        expect(accept).to_be_enabled()
        accept.click()
        expect(page.get_by_text("The script is accepted")).to_be_visible()
        expect(page.get_by_label("Narration — what is said").nth(1)).to_have_value("Purring helps a cat stay calm.")


def test_reached_by_a_name_other_than_localhost_the_studio_shares_itself_out_by_default(tmp_path):
    """``VIRALREEL_WORKSPACES`` unset: a browser at ``http://studio.test`` (mapped to 127.0.0.1 inside
    Chromium) gets a private workspace link; the same server on 127.0.0.1 keeps one local workspace."""
    from playwright.sync_api import expect

    env = {"VIRALREEL_WORKSPACES_DIR": str(tmp_path / "ws"), "VIRALREEL_CACHE_DIR": str(tmp_path / "c"),
           "VIRALREEL_PROJECTS_DIR": str(tmp_path / "projects"), "VIRALREEL_OUTPUT_DIR": str(tmp_path / "out")}
    with studio_server(tmp_path / "streamlit.log", env, unset=["VIRALREEL_WORKSPACES"]) as (_, port):
        with chromium("--host-resolver-rules=MAP studio.test 127.0.0.1") as browser:
            page = browser.new_page()
            page.goto(f"http://studio.test:{port}")
            expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
            assert len(workspace_token(page)) == 22
            local = browser.new_page()
            local.goto(f"http://127.0.0.1:{port}")
            expect(local.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
            local.wait_for_timeout(1500)
            assert "ws=" not in local.url
