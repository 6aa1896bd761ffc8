"""Real servers for the job and API tests: redis-server on a free port, uvicorn in a thread, worker processes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import uvicorn

from viralreel_core.config import REPO_ROOT

__all__ = ["free_port", "RedisServer", "ApiServer", "start_cli", "wait_until"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float = 30.0, every: float = 0.1, what: str = "condition"):
    """Poll ``check()`` until it returns something truthy; that value (AssertionError after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class RedisServer:
    """Debian's redis-server on 127.0.0.1:<free port>, no persistence, in a temp folder."""

    def __init__(self, directory: Path) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.fail("redis-server is not installed (apt-get install redis-server; .ci/run does it)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._ping, 10, what="redis-server to answer")

    def _ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ApiServer:
    """A FastAPI app served by a real uvicorn on 127.0.0.1:<free port>, in a thread of this process."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_until(lambda: self.server.started, 20, 0.05, "uvicorn to start")

    def get(self, path: str, **kw) -> requests.Response:
        return requests.get(self.url + path, timeout=30, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return requests.post(self.url + path, timeout=kw.pop("timeout", 60), **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return requests.delete(self.url + path, timeout=30, **kw)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def start_cli(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """``python -m viralreel_core <args>`` as its own process (its output in ``log``)."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(REPO_ROOT)}
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process by the caller's cleanup
    process = subprocess.Popen([sys.executable, "-m", "viralreel_core", *args], cwd=REPO_ROOT, env=full_env,
                               stdout=handle, stderr=subprocess.STDOUT)
    process.log_handle = handle  # type: ignore[attr-defined]
    return process


def stop_cli(process: subprocess.Popen, sig: str = "terminate", timeout: float = 20) -> None:
    if process.poll() is None:
        getattr(process, sig)()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    process.log_handle.close()  # type: ignore[attr-defined]
