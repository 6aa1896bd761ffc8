"""A memory cgroup of the benchmark's own (v2 or v1), as Community Cloud puts an app in one, and what it says.

    with MemoryCgroup(690) as group:        # a child of this process's own cgroup, memory limit 690 MiB
        start a process with group.procs     # (tests.browser.studio_server(cgroup_procs=...))
        group.stat()  -> {"rss_mb", "mapped_mb", "cache_mb", "usage_mb"}
        group.peak_mb(), group.oom_kills()

Needs root and a writable cgroup filesystem. ``rss`` is the processes' own memory (anonymous pages: what
the kernel cannot drop), ``cache`` the page cache charged to the group (dropped first when memory is short).
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

__all__ = ["CgroupSampler", "MemoryCgroup"]

ROOT = Path("/sys/fs/cgroup")
MB = 2**20


def _own(controller: str) -> tuple[Path, bool]:
    """This process's cgroup folder for memory, and whether it is cgroup v2."""
    lines = Path("/proc/self/cgroup").read_text().splitlines()
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if controller in controllers.split(",") and (ROOT / controller).is_dir():
            return ROOT / controller / rel.lstrip("/"), False
    for line in lines:
        _, controllers, rel = line.split(":", 2)
        if controllers == "" and (ROOT / "cgroup.controllers").exists():
            return ROOT / rel.lstrip("/"), True
    raise RuntimeError("no writable memory cgroup here (neither v1's memory controller nor v2)")


class MemoryCgroup:
    """A child memory cgroup limited to ``limit_mb`` MiB (swap off), removed on leaving."""

    def __init__(self, limit_mb: int) -> None:
        parent, self.v2 = _own("memory")
        self.path = parent / f"viralreel-bench-{os.getpid()}"
        self.limit_mb = limit_mb

    @property
    def procs(self) -> Path:
        return self.path / "cgroup.procs"

    def __enter__(self) -> MemoryCgroup:
        if self.v2:
            control = self.path.parent / "cgroup.subtree_control"
            if "memory" not in control.read_text():
                control.write_text("+memory")
        self.path.mkdir()
        if self.v2:
            (self.path / "memory.max").write_text(str(self.limit_mb * MB))
            if (self.path / "memory.swap.max").exists():
                (self.path / "memory.swap.max").write_text("0")
        else:
            (self.path / "memory.limit_in_bytes").write_text(str(self.limit_mb * MB))
        return self

    def __exit__(self, *exc: object) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                self.path.rmdir()
                return
            except OSError:  # its processes are still exiting
                time.sleep(0.2)

    def _fields(self, name: str) -> dict[str, int]:
        out = {}
        for line in (self.path / name).read_text().splitlines():
            key, _, value = line.partition(" ")
            if value.strip().isdigit():
                out[key] = int(value)
        return out

    def stat(self) -> dict[str, float]:
        """The group's memory now, MiB: its processes' own (rss), mapped files, page cache, and the total."""
        fields = self._fields("memory.stat")
        if self.v2:
            rss, mapped, cache = fields["anon"], fields.get("file_mapped", 0), fields["file"]
            usage = int((self.path / "memory.current").read_text())
        else:
            rss, mapped, cache = fields["rss"], fields.get("mapped_file", 0), fields["cache"]
            usage = int((self.path / "memory.usage_in_bytes").read_text())
        return {"rss_mb": rss / MB, "mapped_mb": mapped / MB, "cache_mb": cache / MB, "usage_mb": usage / MB}

    def peak_mb(self) -> float:
        """The most the group has used (page cache included), as the kernel counts it."""
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        try:
            return int((self.path / name).read_text()) / MB
        except (OSError, ValueError):
            return 0.0

    def oom_kills(self) -> int:
        """Processes the kernel killed in this group for want of memory."""
        try:
            return self._fields("memory.events" if self.v2 else "memory.oom_control").get("oom_kill", 0)
        except OSError:
            return 0


class CgroupSampler:
    """Samples a group every ``interval`` s in a thread; ``mark(name)`` starts a new step's peaks."""

    def __init__(self, group: MemoryCgroup, interval: float = 0.1) -> None:
        self.group, self.interval = group, interval
        self.steps: dict[str, dict[str, float]] = {}
        self.step = "start"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def mark(self, step: str) -> None:
        self.step = step

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                now = self.group.stat()
            except (OSError, KeyError):
                break
            peaks = self.steps.setdefault(self.step, {"rss_peak_mb": 0.0, "rss_and_mapped_peak_mb": 0.0,
                                                      "usage_peak_mb": 0.0, "cache_at_usage_peak_mb": 0.0})
            peaks["rss_peak_mb"] = max(peaks["rss_peak_mb"], now["rss_mb"])
            peaks["rss_and_mapped_peak_mb"] = max(peaks["rss_and_mapped_peak_mb"], now["rss_mb"] + now["mapped_mb"])
            if now["usage_mb"] > peaks["usage_peak_mb"]:
                peaks["usage_peak_mb"], peaks["cache_at_usage_peak_mb"] = now["usage_mb"], now["cache_mb"]
            self._stop.wait(self.interval)

    def __enter__(self) -> CgroupSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict[str, dict[str, int]]:
        return {step: {k: round(v) for k, v in peaks.items()} for step, peaks in self.steps.items()}
