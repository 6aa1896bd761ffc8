"""Benchmark: memory of the studio server while 1–N visitors make a full-HD video at the same moment.

    python bench/studio_memory.py [--visitors 3] [--cgroup-mb 690] [--size 1080x1920] [--memory-mb 690]

Starts the real studio (`streamlit run streamlit_app.py`, headless, on a free 127.0.0.1 port, a workspace
per visitor, offline providers, a fresh cache) and drives it from Debian's Chromium with Playwright, one
browser context per visitor, as people would: topic, script, voices, clips, render — each step clicked for
every visitor at once, then waited for. The browser is not a child of the server, so it is not counted.

``--cgroup-mb 690`` starts the server inside a memory cgroup of its own limited to 690 MiB, as Community
Cloud's smallest box does (bench/cgroup.py; needs root and a writable cgroup filesystem): the studio reads
its limit from there, and the kernel kills it if the app's memory does not fit. Every 0.1 s the cgroup's own
figures are sampled — rss (the processes' own memory: what cannot be dropped), rss + mapped files, the page
cache, the total — and every 50 ms the summed RSS of the server's process tree (bench/tree.py, an upper
bound: shared pages counted per process). Reported per step: their peaks; at the end: the kernel's own peak,
OOM kills, each render's time, and the server's own RSS (Python, no children) before and after the renders.
Targets (issue "room to spare"): 3 visitors, no OOM kill, all finish, cgroup rss ≤ 620 MB, the server's
memory after the renders within 50 MB of before.
"""

from __future__ import annotations

import argparse
import contextlib
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

from cgroup import CgroupSampler, MemoryCgroup  # noqa: E402
from tree import TreeSampler  # noqa: E402

from tests.browser import CHROMIUM, CHROMIUM_ARGS, studio_server  # noqa: E402

STEP_TIMEOUT_S = 1800  # three full-HD videos on a loaded 2-core machine take many minutes
TARGET_RSS_MB = 620
MB = 2**20


class StudioDied(RuntimeError):
    pass


def server_pid(port: int) -> int:
    """The pid of the studio server answering on ``port`` (the root of the tree measured)."""
    for proc in psutil.process_iter(["pid", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "streamlit" in " ".join(cmdline) and str(port) in cmdline:
            return proc.info["pid"]
    raise RuntimeError(f"no streamlit server on port {port}")


def _rounded(figures: dict[str, float]) -> dict[str, int]:
    return {k: round(v) for k, v in figures.items()}


def own_rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / MB


def wait_all(pages, find, pid: int) -> list[float]:
    """Wait until ``find(page)`` is visible on every page; the seconds each took. StudioDied if the server did."""
    started, took = time.monotonic(), [0.0] * len(pages)
    waiting = set(range(len(pages)))
    while waiting:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            raise StudioDied("the studio server is gone")
        for i in sorted(waiting):
            with contextlib.suppress(Exception):  # not yet
                find(pages[i]).first.wait_for(state="visible", timeout=500)
                took[i] = time.monotonic() - started
                waiting.discard(i)
        if time.monotonic() - started > STEP_TIMEOUT_S:
            raise TimeoutError(f"{len(waiting)} visitor(s) did not get there in {STEP_TIMEOUT_S} s")
    return [round(t, 1) for t in took]


def drive(url: str, pid: int, visitors: int, cgroup: CgroupSampler | None) -> dict:
    """Walk the five steps for every visitor at once; each step's tree peak and how long each visitor took."""
    from playwright.sync_api import sync_playwright

    steps: dict[str, dict] = {}
    report: dict = {"steps": steps}

    def step(name: str, act, done) -> None:
        if cgroup is not None:
            cgroup.mark(name)
        with TreeSampler(pid) as sampler:
            for page in pages:
                act(page)
            took = wait_all(pages, done, pid)
        steps[name] = {"tree_peak_mb": round(sampler.peak_mb), "tree_parts_at_peak": sampler.peak_parts[:8],
                       "seconds_per_visitor": took}
        print(f"{name}: {steps[name]}", file=sys.stderr, flush=True)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            pages = [browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                     for _ in range(visitors)]
            step("open", lambda p: p.goto(url), lambda p: p.get_by_role("heading", name="Step 1 · Topic"))
            for i, page in enumerate(pages):
                page.get_by_label("What is the video about?").fill(f"Why do cats purr? ({i + 1})")
                page.get_by_role("heading", name="Step 1 · Topic").click()  # leaving the field sends it
            step("script", lambda p: p.get_by_role("button", name="Write the script").click(),
                 lambda p: p.get_by_role("button", name="Accept script"))
            for page in pages:
                page.get_by_role("button", name="Accept script").click()
                page.get_by_text("The script is accepted").wait_for()
                page.get_by_role("link", name="Go to Voice").click()
            step("voices", lambda p: p.get_by_role("button", name="Record 4 voices").click(),
                 lambda p: p.get_by_role("button", name="All voices recorded"))
            for page in pages:
                page.get_by_role("link", name="Next: make the clips").click()
            step("clips", lambda p: p.get_by_role("button", name="Make 4 clips").click(),
                 lambda p: p.get_by_text("4 of 4 scenes have a clip"))
            for page in pages:
                page.get_by_role("link", name="Next: assemble the video").click()
                page.get_by_role("button", name="Render the video (4 scenes)").wait_for()
            time.sleep(3)
            report["server_rss_before_renders_mb"] = round(own_rss_mb(pid))
            report["cgroup_before_renders"] = _rounded(cgroup.group.stat()) if cgroup else None
            step("render", lambda p: p.get_by_role("button", name="Render the video (4 scenes)").click(),
                 lambda p: p.locator("video"))
            report["render_seconds_on_page"] = [
                p.get_by_test_id("stMetric").filter(has_text="Render time").inner_text().split("\n")[-1]
                for p in pages]
            time.sleep(5)  # the pages settle; the last job's threads end
            report["server_rss_after_renders_mb"] = round(own_rss_mb(pid))
            report["cgroup_after_renders"] = _rounded(cgroup.group.stat()) if cgroup else None
            report["finished"] = sum(p.locator("video").count() == 1 for p in pages)
        finally:
            browser.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=1)
    parser.add_argument("--size", default="1080x1920")
    parser.add_argument("--cgroup-mb", type=int, help="run the studio in a memory cgroup of this limit (MiB), "
                        "as Community Cloud does (690 at its floor)")
    parser.add_argument("--memory-mb", type=int, help="the limit the studio is told (VIRALREEL_MEMORY_MB) "
                        "instead of reading a cgroup's; default: what it finds")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    ram = round(psutil.virtual_memory().total / 2**30)
    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, {ram} GiB, "
                               f"Python {platform.python_version()}",
                    "visitors": args.visitors, "size": args.size, "cgroup_mb": args.cgroup_mb,
                    "memory_mb_told": args.memory_mb}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        env = {"VIRALREEL_CACHE_DIR": str(work / "cache"), "VIRALREEL_WORKSPACES": "shared",
               "VIRALREEL_WORKSPACES_DIR": str(work / "ws"), "VIRALREEL_STUDIO_SIZE": args.size,
               **({"VIRALREEL_MEMORY_MB": str(args.memory_mb)} if args.memory_mb else {})}
        group = stack.enter_context(MemoryCgroup(args.cgroup_mb)) if args.cgroup_mb else None
        url, port = stack.enter_context(studio_server(work / "streamlit.log", env,
                                                      cgroup_procs=group.procs if group else None))
        pid = server_pid(port)
        result["server_started_rss_mb"] = round(own_rss_mb(pid))
        sampler = stack.enter_context(CgroupSampler(group)) if group else None
        try:
            result.update(drive(url, pid, args.visitors, sampler))
            result["outcome"] = f"{result.pop('finished')} of {args.visitors} finished"
        except StudioDied as exc:
            result["outcome"] = f"{exc}: every visitor's page lost"
        if group is not None and sampler is not None:  # read before the group is removed
            result["cgroup_steps"] = sampler.summary()
            result["cgroup_kernel_peak_mb"] = round(group.peak_mb())
            result["oom_kills"] = group.oom_kills()
            result["cgroup_rss_peak_mb"] = max(s["rss_peak_mb"] for s in result["cgroup_steps"].values())
            result["target_rss_mb"] = TARGET_RSS_MB
    result["load_average_before_after"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
