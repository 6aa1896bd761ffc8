"""Who counts as the person at the server's keyboard, in a real browser: the studio in its default mode
(``VIRALREEL_WORKSPACES`` unset) trusts the connection, never the name the browser gave the server. A browser
on another machine (a network namespace of the test's own) that maps ``localhost`` to the server, and a
browser behind a reverse proxy on this very machine, are both visitors; a browser here, direct, is the owner."""

from __future__ import annotations

import pytest

from tests.browser import MARKS, chromium, studio_server
from tests.fakes.netns import Unavailable, other_machine
from tests.fakes.proxy import ForwardingProxy
from tests.fakes.servers import FakeOpenAI

pytestmark = MARKS


@pytest.fixture
def elsewhere(tmp_path):
    """A second machine: a network namespace linked to this one (removed afterwards)."""
    try:
        with other_machine(tmp_path) as there:
            yield there
    except Unavailable as exc:
        pytest.skip(f"no network namespace for a second machine: {exc}")


@pytest.fixture
def owner_openai():
    """The owner's OpenAI key, pointed at a fake on 127.0.0.1 that records every request made with it."""
    with FakeOpenAI("sk-owner-openai") as api:
        yield api


def studio_env(tmp_path, api) -> dict[str, str]:
    return {"OPENAI_API_KEY": "sk-owner-openai", "OPENAI_BASE_URL": f"{api.url}/v1",
            "VIRALREEL_WORKSPACES_DIR": str(tmp_path / "ws"), "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"),
            "VIRALREEL_PROJECTS_DIR": str(tmp_path / "owner-projects"), "VIRALREEL_STUDIO_SIZE": "180x320",
            "VIRALREEL_OUTPUT_DIR": str(tmp_path / "owner-out")}


def write_a_script(page, topic: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
    page.get_by_label("What is the video about?").fill(topic)
    page.get_by_role("heading", name="Step 1 · Topic").click()
    page.get_by_role("button", name="Write the script").click()
    expect(page.get_by_role("heading", name="Step 2 · Script")).to_be_visible()
    expect(page.get_by_role("button", name="Accept script")).to_be_visible()


def workspace_link(page) -> str | None:
    page.wait_for_timeout(1500)  # the link is put in the address bar on the first run
    return page.evaluate("() => new URL(location.href).searchParams.get('ws')")


def assert_visitor(page, api) -> None:
    """The page is a visitor's: a workspace link of its own, offline providers, no clearing the cache."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
    assert len(workspace_link(page) or "") == 22
    write_a_script(page, "Why do cats purr?")
    assert len(api.requests) == 0  # the owner's key was not used for them
    page.get_by_text("Cache", exact=True).click()
    expect(page.get_by_text("Only the owner can clear the shared cache")).to_be_visible()
    expect(page.get_by_role("button", name="Clear the cache")).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def assert_owner(page, api) -> None:
    """The page is the owner's: the configured folders (no link), the owner's key, the Clear button."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
    assert workspace_link(page) is None
    write_a_script(page, "Why is the sky blue?")
    assert len(api.requests) > 0  # the same server does use the owner's key for the owner
    page.get_by_text("Cache", exact=True).click()
    expect(page.get_by_role("button", name="Clear the cache")).to_be_visible()


def test_a_browser_on_another_machine_that_calls_the_server_localhost_is_a_visitor(tmp_path, elsewhere,
                                                                                    owner_openai):
    env = studio_env(tmp_path, owner_openai)
    with studio_server(tmp_path / "streamlit.log", env, unset=["VIRALREEL_WORKSPACES"], address="0.0.0.0") \
            as (url, port):
        with chromium(f"--host-resolver-rules=MAP localhost {elsewhere.host_ip}",
                      executable=elsewhere.chromium) as browser:
            page = browser.new_page()
            page.goto(f"http://localhost:{port}")
            assert page.evaluate("() => location.hostname") == "localhost"  # what the browser tells the server
            assert_visitor(page, owner_openai)
        assert not (tmp_path / "owner-projects").exists()  # nothing of theirs went into the owner's folder
        assert list((tmp_path / "ws").iterdir())  # but into a workspace of their own
        with chromium() as browser:  # the owner, at this machine, on the same server
            page = browser.new_page()
            page.goto(f"http://localhost:{port}")
            assert_owner(page, owner_openai)


def test_a_browser_behind_a_reverse_proxy_on_this_machine_is_a_visitor(tmp_path, owner_openai):
    env = studio_env(tmp_path, owner_openai)
    with studio_server(tmp_path / "streamlit.log", env, unset=["VIRALREEL_WORKSPACES"]) as (url, port), \
            ForwardingProxy(port) as proxy, chromium() as browser:
        page = browser.new_page()
        page.goto(proxy.url)  # http://127.0.0.1:…, and the proxy says the client is 127.0.0.1 too
        assert_visitor(page, owner_openai)
        assert proxy.forwarded > 0
        direct = browser.new_page()
        direct.goto(url)
        assert_owner(direct, owner_openai)
