"""The studio in a real browser: `streamlit run` on 127.0.0.1, Debian's Chromium driven by Playwright.

Walks the five steps with the offline providers, checks that the finished video plays in a <video>
element, and takes a screenshot of every page: into a temporary folder, or, to refresh the README's,
into the folder named by ``VIRALREEL_SCREENSHOTS`` (``VIRALREEL_SCREENSHOTS=docs/screenshots``).
Walks the friction a new user met (one click to write the script, a phone's step bar and player, the
spend question under a daily limit, a stop, upload limits, an unchanged re-render, New project).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from tests.browser import MARKS, ROOT, STEP_TIMEOUT, chromium, studio_server
from tests.services import wait_until

SCREENSHOTS_ENV = "VIRALREEL_SCREENSHOTS"  # where to keep the screenshots (relative to the repository)
FRAME = "360x640"  # big enough for readable thumbnails in the screenshots, small enough to render quickly

pytestmark = MARKS


@pytest.fixture
def studio_url(tmp_path):
    """A headless studio on a free local port, with its own cache, output and projects folders."""
    with studio_server(tmp_path / "streamlit.log", {
            "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_OUTPUT_DIR": str(tmp_path / "out"),
            "VIRALREEL_PROJECTS_DIR": str(tmp_path / "projects"), "VIRALREEL_STUDIO_SIZE": FRAME}) as (url, _):
        yield url


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where this run's screenshots go: a temporary folder unless ``VIRALREEL_SCREENSHOTS`` names one."""
    asked = os.environ.get(SCREENSHOTS_ENV, "").strip()
    return ROOT / asked if asked else tmp_path / "screenshots"


def screenshot(page, shots: Path, name: str) -> None:
    """The whole page (Streamlit scrolls inside its main area, so grow the viewport to fit it first)."""
    time.sleep(0.8)  # let fragments and images settle
    height = page.evaluate("() => Math.max(document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight || 0,"
                           " document.body.scrollHeight)")
    page.set_viewport_size({"width": 1440, "height": min(2600, max(900, int(height) + 40))})
    time.sleep(0.4)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"))
    page.set_viewport_size({"width": 1440, "height": 900})


def test_five_steps_in_a_real_browser_end_with_a_playable_video(studio_url, shots):
    from playwright.sync_api import expect

    started = time.time()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.set_default_timeout(STEP_TIMEOUT)
        page.goto(studio_url)

        # 1 · Topic
        expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
        topic = page.get_by_label("What is the video about?")
        topic.fill("Why do cats purr?")
        page.get_by_role("heading", name="Step 1 · Topic").click()  # leaving the field sends it
        expect(page.get_by_text("17 / 500 characters")).to_be_visible()
        screenshot(page, shots, "1-topic")
        page.get_by_role("button", name="Write the script").click()

        # 2 · Script
        expect(page.get_by_role("heading", name="Step 2 · Script")).to_be_visible()
        accept = page.get_by_role("button", name="Accept script")
        expect(accept).to_be_enabled()
        screenshot(page, shots, "2-script")
        accept.click()
        expect(page.get_by_text("The script is accepted")).to_be_visible()
        page.get_by_role("link", name="Go to Voice").click()

        # 3 · Voice: the page keeps updating while the voices are recorded
        page.get_by_role("button", name="Record 4 voices").click()
        expect(page.get_by_text("Making the voice of 4 scenes")).to_be_visible()
        expect(page.get_by_role("button", name="All voices recorded")).to_be_visible()
        expect(page.locator("audio")).to_have_count(4)
        screenshot(page, shots, "3-voice")
        page.get_by_role("link", name="Next: make the clips").click()

        # 4 · Clips
        page.get_by_role("button", name="Make 4 clips").click()
        expect(page.get_by_text("4 of 4 scenes have a clip")).to_be_visible()
        expect(page.get_by_test_id("stImage")).to_have_count(4)
        screenshot(page, shots, "4-clips")
        page.get_by_role("link", name="Next: assemble the video").click()

        # 5 · Assemble
        page.get_by_role("button", name="Render the video (4 scenes)").click()
        video = page.locator("video")
        expect(video).to_have_count(1)
        source = video.get_attribute("src")
        # streamed from disk by the static route (never held in the server's memory), with range requests
        assert source and "/app/static/v/" in source and "/media/" not in source
        source = source if source.startswith("http") else studio_url + source
        answer = page.request.get(source)
        assert answer.ok and answer.headers["content-type"].startswith("video/mp4") and len(answer.body()) > 10_000
        part = page.request.get(source, headers={"Range": "bytes=100-1099"})
        assert part.status == 206 and part.body() == answer.body()[100:1100]
        assert part.headers["content-range"] == f"bytes 100-1099/{len(answer.body())}"
        page.wait_for_function("() => { const v = document.querySelector('video');"
                               " return v && v.readyState >= 1 && v.duration > 5 && !v.error; }")
        download = page.get_by_role("link", name="Download MP4")
        expect(download).to_be_visible()
        with page.expect_download() as saving:
            download.click()
        saved = saving.value
        assert saved.suggested_filename.startswith("viralreel_") and saved.suggested_filename.endswith(".mp4")
        assert Path(saved.path()).read_bytes() == answer.body()
        screenshot(page, shots, "5-assemble")

        # Projects: save, and the render is listed with its thumbnail
        page.get_by_role("link", name="Save the project and see past renders").click()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("open now")).to_be_visible()
        expect(page.get_by_role("button", name="Watch")).to_have_count(1)
        screenshot(page, shots, "6-projects")
        # each written by this run (the docs' folder, which the README's refresh command names, holds others too)
        for name in ("1-topic", "2-script", "3-voice", "4-clips", "5-assemble", "6-projects"):
            assert (shots / f"{name}.png").stat().st_mtime >= started - 1, name


def test_a_fresh_servers_first_visit_can_be_a_link_straight_to_a_step(studio_url):
    """A `pages/` folder makes Streamlit run a linked page on its own at first; the studio must still be whole."""
    from playwright.sync_api import expect

    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{studio_url}/voice")
        expect(page.get_by_role("heading", name="Step 3 · Voice")).to_be_visible()
        expect(page.get_by_role("link", name="Write a script — go to Topic")).to_be_visible()  # guidance
        expect(page.get_by_text("Providers")).to_be_visible()  # the entry script's sidebar ran
        expect(page.get_by_test_id("stException")).to_have_count(0)
        page.get_by_role("link", name="1 · Topic").click()
        expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def owner_with_runway(tmp_path):
    """The studio run by its owner with a Runway key (a local fake whose tasks never finish, so a paid clip
    runs until it is stopped), a daily limit of $0.60 and a price question above $0.10."""
    from tests.fakes.servers import FakeRunway

    with FakeRunway("rw-owner") as runway:
        runway.task_statuses = ["RUNNING"]
        with studio_server(tmp_path / "streamlit.log", {
                "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_OUTPUT_DIR": str(tmp_path / "out"),
                "VIRALREEL_PROJECTS_DIR": str(tmp_path / "projects"), "VIRALREEL_STUDIO_SIZE": "180x320",
                "VIRALREEL_WORKSPACES_DIR": str(tmp_path / "workspaces"), "RUNWAYML_API_SECRET": "rw-owner",
                "RUNWAYML_BASE_URL": runway.url, "VIRALREEL_DAILY_LIMIT_USD": "0.60",
                "VIRALREEL_CONFIRM_ABOVE_USD": "0.10"}) as (url, _):
            yield url, runway


def open_popover(button, inside, tries: int = 5) -> None:
    """Click ``button`` until ``inside`` shows: a rerun that lands with the click (the storyboard redrawn as a
    job ends) can close a popover as it opens."""
    for _ in range(tries):
        button.click()
        try:
            inside.wait_for(state="visible", timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try the click again
            button.page.keyboard.press("Escape")
    inside.wait_for(state="visible", timeout=10_000)


def scroll_main_to_top(page) -> None:
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]')?.scrollTo(0, 0)")
    time.sleep(0.3)


def test_a_new_user_meets_none_of_the_friction_found_by_trying_it(owner_with_runway, tmp_path):
    """The friction list walked as a new user would, on a phone (390×844) where it matters."""
    from playwright.sync_api import expect

    url, runway = owner_with_runway
    shots = tmp_path / "screenshots"  # to look at; never the docs' folder
    with chromium() as browser:
        page = browser.new_page(viewport=PHONE)
        page.set_default_timeout(STEP_TIMEOUT)
        page.goto(url)

        # (i) the step bar: chips, not five full-width rows
        expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible()
        # (measured once the icon font is in: until then each icon's name is drawn as a word)
        page.wait_for_function("() => document.querySelector('.st-key-step_bar')?.getBoundingClientRect().height"
                               " < 120", timeout=20_000)  # five stacked links were ~450 px
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "friction-phone-topic.png"))

        # (a) type a topic and click once: the click that leaves the box writes the script
        page.get_by_label("What is the video about?").fill("Why do cats purr?")
        page.get_by_role("button", name="Write the script").click(timeout=20_000)
        expect(page.get_by_role("heading", name="Step 2 · Script")).to_be_visible(timeout=30_000)
        page.set_viewport_size({"width": 1440, "height": 900})
        accept = page.get_by_role("button", name="Accept script")
        expect(accept).to_be_enabled()
        accept.click()
        page.get_by_role("link", name="Go to Voice").click()

        # (e) the offline voice's file: plainly optional
        field = page.get_by_label("Offline voice (Piper .onnx file) · optional", exact=True)
        expect(field).to_have_value("")
        expect(field).to_have_attribute("placeholder", "Leave empty for the built-in voice")
        page.get_by_role("button", name="Record 4 voices").click()
        expect(page.get_by_role("button", name="All voices recorded")).to_be_visible()
        page.get_by_role("link", name="Next: make the clips").click()

        # (c) Runway for all four scenes costs more than the $0.60 left today: refused, saying what is left
        page.get_by_role("button", name="Make 4 clips").click()
        refusal = page.get_by_test_id("stAlertContentError").filter(has_text="spending limit")
        expect(refusal).to_be_visible()
        expect(refusal).to_contain_text("$0.60 left")
        expect(page.get_by_role("button", name="Spend about")).to_have_count(0)
        # one scene fits: asked first, with what the limit leaves
        page.get_by_role("button", name="Make this clip").first.click()
        expect(page.get_by_text("Today's limit leaves $0.60")).to_be_visible()
        screenshot(page, shots, "friction-spend-question")
        page.get_by_role("button", name="Spend about").click()
        wait_until(lambda: runway.tasks, 60, 0.1, "the paid Runway task to be created")  # the thing to stop

        # (d) stopped: said once, as information, and not again after a reload
        page.get_by_role("button", name="Stop").click()
        stopped = page.get_by_test_id("stAlertContentInfo").filter(has_text="Stopped.")
        expect(stopped).to_be_visible()
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
        screenshot(page, shots, "friction-stopped")
        wait_until(lambda: any(task.cancelled for task in runway.tasks.values()), 20, 0.1,
                   "the paid task to be cancelled at Runway")
        page.reload()
        expect(page.get_by_role("heading", name="Step 4 · Clips")).to_be_visible()
        expect(page.get_by_role("button", name="Make 4 clips")).to_be_visible()
        expect(page.get_by_text("Stopped.")).to_have_count(0)
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)

        # the offline clips instead
        page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text="Clip provider").click()
        page.get_by_role("option", name="Offline motion clips").click()
        page.get_by_role("button", name="Make 4 clips").click()
        expect(page.get_by_text("4 of 4 scenes have a clip")).to_be_visible()

        # (k) an upload box says the limit its caption gives
        clip_box = page.get_by_test_id("stFileUploaderDropzoneInstructions").first
        open_popover(page.get_by_role("button", name="Use my own clip").first, clip_box)
        expect(clip_box).to_contain_text(re.compile(r"\b200\s*MB"))
        expect(page.get_by_text("up to 200 MB").first).to_be_visible()
        page.keyboard.press("Escape")
        page.get_by_role("link", name="Next: assemble the video").click()
        page.get_by_role("button", name="Upload music").click()
        music_box = page.get_by_test_id("stFileUploaderDropzoneInstructions").first
        expect(music_box).to_contain_text(re.compile(r"\b50\s*MB"))
        expect(music_box).not_to_contain_text("200")
        expect(page.get_by_text("up to 50 MB")).to_be_visible()
        page.keyboard.press("Escape")

        # (f) the finished video: at the top, on a phone too, with a poster
        page.get_by_role("button", name="Render the video (4 scenes)").click()
        video = page.locator(".st-key-final_video video")
        expect(video).to_have_count(1)
        expect(video).to_have_attribute("poster", re.compile(r"^data:image/jpeg;base64,/9j/"))
        # (g) the counts say the same kind of thing
        expect(page.get_by_text("Scenes reused")).to_be_visible()
        expect(page.get_by_text("Media reused")).to_be_visible()
        expect(page.get_by_text("Cache hits")).to_have_count(0)
        page.set_viewport_size(PHONE)
        scroll_main_to_top(page)
        box = video.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box  # all of it on the first screen
        page.screenshot(path=str(shots / "friction-phone-video.png"))
        captions = page.get_by_role("heading", name="Captions").bounding_box()
        assert captions is not None and captions["y"] > box["y"] + box["height"]
        page.set_viewport_size({"width": 1440, "height": 900})
        screenshot(page, shots, "friction-assemble")

        # (h) rendered again with nothing changed: the same file, not another copy
        first = page.locator(".st-key-final_video video").get_attribute("src")
        page.get_by_role("button", name="Render the video (4 scenes)").click()
        expect(page.get_by_text("was not written again")).to_be_visible()
        assert len(list((tmp_path / "out").glob("*.mp4"))) == 1 and first

        # (j) New project: this one is kept (autosave), and says so
        page.get_by_role("link", name="Save the project and see past renders").click()
        page.get_by_role("button", name="New").click()
        expect(page.get_by_text("is saved as it is")).to_be_visible()
        expect(page.get_by_text("are lost")).to_have_count(0)
