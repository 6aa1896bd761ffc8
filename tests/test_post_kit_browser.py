"""The Assemble step's post kit in a real browser (Debian's Chromium through Playwright, the studio under
`streamlit run`): the kit shows under the video, a new title is saved, and "All as ZIP" downloads the files.

Its screenshot of the kit section goes to a temporary folder, or to ``VIRALREEL_SCREENSHOTS``
(``VIRALREEL_SCREENSHOTS=docs/screenshots``) as ``5-assemble-post-kit.png``.
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest

from tests.browser import MARKS, ROOT, STEP_TIMEOUT, chromium, frame, studio_server

SHOT = "5-assemble-post-kit"

pytestmark = MARKS


@pytest.fixture
def studio(tmp_path):
    """A headless studio on a free local port with its own folders; yields its URL and output folder."""
    out = tmp_path / "out"
    with studio_server(tmp_path / "streamlit.log", {
            "VIRALREEL_CACHE_DIR": str(tmp_path / "cache"), "VIRALREEL_OUTPUT_DIR": str(out),
            "VIRALREEL_PROJECTS_DIR": str(tmp_path / "projects"), "VIRALREEL_STUDIO_SIZE": frame()}) as (url, _):
        yield url, out


def test_the_post_kit_is_shown_edited_and_downloaded_in_a_real_browser(studio, tmp_path):
    from playwright.sync_api import expect

    url, out = studio
    asked = os.environ.get("VIRALREEL_SCREENSHOTS", "").strip()
    shots = ROOT / asked if asked else tmp_path / "screenshots"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        page.set_default_timeout(STEP_TIMEOUT)
        page.goto(url)
        page.get_by_label("What is the video about?").fill("Why do cats purr?")
        page.get_by_role("heading", name="Step 1 · Topic").click()
        page.get_by_role("button", name="Write the script").click()
        page.get_by_role("button", name="Accept script").click()
        page.get_by_role("link", name="Go to Voice").click()
        page.get_by_role("button", name="Record 4 voices").click()
        expect(page.get_by_role("button", name="All voices recorded")).to_be_visible()
        page.get_by_role("link", name="Next: make the clips").click()
        page.get_by_role("button", name="Make 4 clips").click()
        expect(page.get_by_text("4 of 4 scenes have a clip")).to_be_visible()
        page.get_by_role("link", name="Next: assemble the video").click()
        page.get_by_role("button", name="Render the video (4 scenes)").click()

        heading = page.get_by_role("heading", name="Post kit")
        expect(heading).to_be_visible()
        title = page.get_by_label("Title")
        expect(title).to_have_value("Why do cats purr?")
        title.fill("Why cats purr, in 30 seconds")
        page.get_by_role("button", name="Save the texts").click()
        expect(page.get_by_text("Saved: the kit's JSON and its cover have the new texts.")).to_be_visible()
        (kit_file,) = out.glob("*.post.json")
        deadline = time.monotonic() + 10
        while json.loads(kit_file.read_text(encoding="utf-8"))["title"] != "Why cats purr, in 30 seconds":
            assert time.monotonic() < deadline, "the edited title was not saved"
            time.sleep(0.2)

        with page.expect_download() as download:
            page.get_by_role("button", name="All as ZIP").click()
        data = Path(download.value.path()).read_bytes()
        stem = kit_file.name.removesuffix(".post.json")
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert sorted(archive.namelist()) == sorted(f"{stem}{s}" for s in (".jpg", ".post.json", ".srt", ".vtt"))
            assert archive.read(f"{stem}.srt").decode().startswith("1\n00:00:0")

        # the whole page in view (Streamlit scrolls inside its main area), then the kit section cut out of it
        height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
        page.set_viewport_size({"width": 1440, "height": min(4000, int(height) + 40)})
        time.sleep(1.5)  # the cover image and the toast settle
        top = heading.bounding_box()
        bottom = page.get_by_role("button", name="All as ZIP").bounding_box()
        assert top and bottom
        y = max(0, top["y"] - 24)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / f"{SHOT}.png"),
                        clip={"x": 0, "y": y, "width": 1440, "height": bottom["y"] + bottom["height"] + 24 - y})
