"""Start-up shared by the real-browser tests: the studio under `streamlit run` on a free 127.0.0.1 port, and
Debian's Chromium driven by Playwright (headless, never a downloaded browser); the marks each such test carries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.services import free_port

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "MARKS", "ROOT", "STEP_TIMEOUT", "chromium", "frame", "studio_server"]

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STEP_TIMEOUT = 120_000  # ms
MARKS = [pytest.mark.slow,  # a real server and browser: tens of seconds
         pytest.mark.waits,  # mostly waiting on them: started first (conftest.py)
         pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium (/usr/bin/chromium) is not "
                            "installed: apt-get install chromium chromium-driver")]


def frame() -> str:
    """The studio's frame for a browser test: 360×640 when its screenshots are kept for the docs
    (``VIRALREEL_SCREENSHOTS``: thumbnails and covers a reader can see), else 180×320, a quarter of the work."""
    return "360x640" if os.environ.get("VIRALREEL_SCREENSHOTS", "").strip() else "180x320"


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not answer /_stcore/health in time")


@contextmanager
def studio_server(log: Path, env: Mapping[str, str], unset: Sequence[str] = (),
                  address: str = "127.0.0.1", cgroup_procs: Path | None = None) -> Iterator[tuple[str, int]]:
    """The studio served on ``address`` (127.0.0.1, or 0.0.0.0 for every interface) with this environment
    (``unset``: variables taken out of it), its output in ``log``; yields its 127.0.0.1 URL and port, and
    stops it (its whole process group) afterwards. ``cgroup_procs``: a cgroup's ``cgroup.procs`` the server
    starts in (its memory limit, for benchmarks)."""
    port = free_port()
    full_env = {**os.environ, **env}
    for name in unset:
        full_env.pop(name, None)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"), "--server.headless", "true",
             "--server.address", address, "--server.port", str(port), "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=(lambda: cgroup_procs.write_text(str(os.getpid()))) if cgroup_procs else None)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url, port
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def chromium(*extra_args: str, executable: Path = CHROMIUM):
    """Debian's Chromium (``executable``: a wrapper that starts it), headless, with Playwright's ``expect``
    waiting up to a step's time; closed afterwards."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), headless=True, args=[*CHROMIUM_ARGS, *extra_args])
        try:
            yield browser
        finally:
            browser.close()
