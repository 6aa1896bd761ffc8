"""Publishing from a shared studio in a real browser: `streamlit run` with the owner code and an OAuth client
pointed at the fake Google; two Chromium contexts are the owner and a visitor. The owner connects (Google's
consent opens in a new tab, which comes back to the studio), publishes and sees the address; the visitor
sees and reaches none of it; no token text in any page, the server's log or any file but the token file.
Screenshots the publish section (``VIRALREEL_SCREENSHOTS=docs/screenshots`` keeps it for the docs)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.browser import MARKS, ROOT, STEP_TIMEOUT, chromium, frame, studio_server
from tests.fakes.google import FakeGoogle
from tests.test_studio_sharing_browser import OWNER_CODE, make_video_to_render, workspace_token
from tests.youtube_helpers import environment_for

pytestmark = MARKS

TOPIC = "Why do octopuses have three hearts?"


@pytest.fixture
def google():
    with FakeGoogle() as fake:
        yield fake


@pytest.fixture
def shared_url(tmp_path, google):
    with studio_server(tmp_path / "streamlit.log", {
            **environment_for(google, tmp_path / "config"), "VIRALREEL_WORKSPACES": "shared",
            "VIRALREEL_WORKSPACES_DIR": str(tmp_path / "ws"), "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"),
            "VIRALREEL_QUEUE_URL": f"sqlite:///{tmp_path / 'queue' / 'jobs.db'}", "VIRALREEL_STUDIO_SIZE": frame(),
            "VIRALREEL_OWNER_CODE": OWNER_CODE}) as (url, _):
        yield url


def section_screenshot(page, path: Path) -> None:
    """The publish section alone: from its heading to the connection line under it."""
    time.sleep(0.8)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(4000, int(height) + 40)})
    time.sleep(0.5)
    top = page.get_by_role("heading", name="Publish to YouTube").bounding_box()
    bottom = page.get_by_role("button", name="Disconnect the channel").bounding_box()
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), clip={"x": 0, "y": top["y"] - 24, "width": 1440,
                                          "height": bottom["y"] + bottom["height"] + 24 - (top["y"] - 24)})
    page.set_viewport_size({"width": 1440, "height": 900})


def test_the_owner_publishes_and_a_visitor_sees_none_of_the_connection(shared_url, google, tmp_path):
    from playwright.sync_api import expect

    with chromium() as browser:
        owner_context = browser.new_context(viewport={"width": 1440, "height": 900})
        owner = owner_context.new_page()
        guest = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        for page in (owner, guest):
            page.set_default_timeout(STEP_TIMEOUT)
            page.goto(shared_url)
        assert workspace_token(owner) != workspace_token(guest)

        # the owner lets themselves in, makes a video and connects the channel in a new tab
        owner.get_by_text("Workspace", exact=True).click()
        code = owner.get_by_role("textbox", name="Owner code")
        code.fill(OWNER_CODE)
        code.press("Enter")
        expect(owner.get_by_text("Owner access: the keys in Secrets")).to_be_visible()
        make_video_to_render(owner, TOPIC)
        expect(owner.locator("video")).to_have_count(1)
        owner.get_by_role("button", name="Connect a YouTube channel").click()
        with owner_context.expect_page() as opened:
            owner.get_by_role("link", name="Open Google to allow uploads").click()
        answered = opened.value
        expect(answered.get_by_text("The YouTube channel is connected")).to_be_visible()
        assert "code=" not in answered.url or answered.wait_for_function(
            "() => !location.search.includes('code=')") is not None
        answered.close()

        # back in the studio's tab the form appears by itself; publish
        expect(owner.get_by_text("A YouTube channel is connected")).to_be_visible()
        owner.get_by_role("textbox", name="Title on YouTube").fill("Three hearts, blue blood")
        owner.get_by_role("button", name="Publish to YouTube").click()
        expect(owner.get_by_text("Published as a Short (private)")).to_be_visible()
        (youtube_id,) = google.videos
        expect(owner.get_by_role("link", name=f"https://www.youtube.com/shorts/{youtube_id}")).to_be_visible()
        assert google.videos[youtube_id]["snippet"]["title"] == "Three hearts, blue blood"
        asked = os.environ.get("VIRALREEL_SCREENSHOTS", "").strip()
        shot = (ROOT / asked if asked else tmp_path / "screenshots") / "7-publish.png"
        section_screenshot(owner, shot)
        assert shot.stat().st_size > 10_000

        # the visitor makes a video too: no connection, no controls, no way in by a hand-made answer
        make_video_to_render(guest, TOPIC)
        expect(guest.locator("video")).to_have_count(1)
        expect(guest.get_by_text("only the owner can publish from here")).to_be_visible()
        for name in ("Connect a YouTube channel", "Publish to YouTube", "Disconnect the channel"):
            expect(guest.get_by_role("button", name=name)).to_have_count(0)
        expect(guest.get_by_text("A YouTube channel is connected")).to_have_count(0)
        guest.goto(f"{shared_url}/?state=made-up&code=4/stolen")
        expect(guest.get_by_text("belongs to no connection started on this studio")).to_be_visible()
        assert google.grants == ["authorization_code"] and len(google.videos) == 1

        pages = owner.content() + guest.content()
        for page in (owner, guest):
            expect(page.get_by_test_id("stException")).to_have_count(0)

    token_file = tmp_path / "config" / "youtube" / "token.json"
    assert token_file.exists() and google.leaked(token_file.read_text())
    assert google.leaked(pages) == []
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != token_file and "screenshots" not in p.parts]
    assert any(p.name == "streamlit.log" for p in files) and any(p.name == "jobs.db" for p in files)
    assert [p for p in files if google.leaked(p.read_bytes())] == []
