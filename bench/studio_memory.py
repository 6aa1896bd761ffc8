"""Benchmark: memory of the studio server's whole process tree while it makes a full-HD video.

    python bench/studio_memory.py [--size 1080x1920]

Starts the real studio (`streamlit run streamlit_app.py`, headless, on a free 127.0.0.1 port, offline
providers, a fresh cache) and drives it from Debian's Chromium with Playwright, as a person would: topic,
script, voices, clips, render. The browser is not a child of the server, so it is not counted. Every
50 ms the summed RSS of the server and all its descendants (ffmpeg included, bench/tree.py) is sampled;
the peak of each step is printed with the processes at that peak. Target (issue 11): the render step
≤ 690 MB, Streamlit Community Cloud's smallest memory. ``--memory-mb 690`` tells the studio that limit, as
the cgroup there does (otherwise it plans with this machine's memory).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tree import TreeSampler  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS, studio_server  # noqa: E402

TIMEOUT_MS = 900_000  # a full-HD video on a loaded 2-core machine takes minutes
TARGET_MB = 690


def server_pid(port: int) -> int:
    """The pid of the studio server answering on ``port`` (the root of the tree measured)."""
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "streamlit" in " ".join(cmdline) and str(port) in cmdline:
            return proc.info["pid"]
    raise RuntimeError(f"no streamlit server on port {port}")


def drive(url: str, pid: int) -> dict[str, dict]:
    """Walk the five steps; the tree's peak (MB, the processes at the peak, seconds) for each."""
    from playwright.sync_api import expect, sync_playwright

    steps: dict[str, dict] = {}

    def step(name: str, act, done) -> None:
        started = time.perf_counter()
        with TreeSampler(pid) as sampler:
            act()
            done()
        steps[name] = {"peak_mb": round(sampler.peak_mb), "parts_at_peak": sampler.peak_parts[:6],
                       "seconds": round(time.perf_counter() - started, 1)}
        print(f"{name}: {steps[name]}", file=sys.stderr, flush=True)

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            step("open", lambda: page.goto(url),
                 lambda: expect(page.get_by_role("heading", name="Step 1 · Topic")).to_be_visible())
            page.get_by_label("What is the video about?").fill("Why do cats purr?")
            page.get_by_role("heading", name="Step 1 · Topic").click()  # leaving the field sends it
            step("script", lambda: page.get_by_role("button", name="Write the script").click(),
                 lambda: expect(page.get_by_role("button", name="Accept script")).to_be_enabled())
            page.get_by_role("button", name="Accept script").click()
            expect(page.get_by_text("The script is accepted")).to_be_visible()
            page.get_by_role("link", name="Go to Voice").click()
            step("voices", lambda: page.get_by_role("button", name="Record 4 voices").click(),
                 lambda: expect(page.get_by_role("button", name="All voices recorded")).to_be_visible())
            page.get_by_role("link", name="Next: make the clips").click()
            step("clips", lambda: page.get_by_role("button", name="Make 4 clips").click(),
                 lambda: expect(page.get_by_text("4 of 4 scenes have a clip")).to_be_visible())
            page.get_by_role("link", name="Next: assemble the video").click()
            step("render", lambda: page.get_by_role("button", name="Render the video (4 scenes)").click(),
                 lambda: expect(page.locator("video")).to_have_count(1))
        finally:
            browser.close()
    return steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1080x1920")
    parser.add_argument("--memory-mb", type=int, help="the limit the studio is told (VIRALREEL_MEMORY_MB), as "
                        "Community Cloud's cgroup tells it there (690 at its floor); default: what this machine has")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {"VIRALREEL_CACHE_DIR": str(work / "cache"), "VIRALREEL_OUTPUT_DIR": str(work / "out"),
               "VIRALREEL_PROJECTS_DIR": str(work / "projects"), "VIRALREEL_STUDIO_SIZE": args.size,
               **({"VIRALREEL_MEMORY_MB": str(args.memory_mb)} if args.memory_mb else {})}
        with studio_server(work / "streamlit.log", env) as (url, port):
            pid = server_pid(port)
            with TreeSampler(pid) as idle:
                time.sleep(1.0)
            steps = drive(url, pid)
    print(json.dumps({
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "size": args.size, "memory_mb_told": args.memory_mb, "server_started_mb": round(idle.peak_mb), "steps": steps,
        "render_peak_mb": steps["render"]["peak_mb"], "target_mb": TARGET_MB,
        "whole_session_peak_mb": max(s["peak_mb"] for s in steps.values()),
        "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }, indent=2))


if __name__ == "__main__":
    main()
