"""Peak memory of a whole process tree: a process and every child it starts (ffmpeg included).

    with TreeSampler(pid) as sampler:  # samples every 50 ms in a thread
        ...
    sampler.peak_mb, sampler.peak_parts

RSS is summed over the processes alive at each sample, which counts pages shared between them (libraries,
mmapped models) once per process: an upper bound, the figure a container's memory limit is closest to.
A child caught between fork and exec (Python's subprocess vforks: the child runs in its parent's memory until
ffmpeg replaces it) is the parent's own pages a second time, so it is left out: same command line as its parent.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence

import psutil

__all__ = ["TreeSampler", "run_sampled"]

MB = 1024 * 1024


class TreeSampler:
    """Samples the summed RSS of ``pid`` and all its descendants every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_mb = 0.0
        self.peak_parts: list[tuple[str, int]] = []  # (process name, MB) at the peak
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> float:
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        parts = []
        commands: dict[int, list[str]] = {}
        for proc in procs:
            try:
                command = commands[proc.pid] = proc.cmdline()
                if proc is not self.root and commands.get(proc.ppid()) == command:
                    continue  # not exec'd yet: its parent's memory, already counted
                parts.append((proc.name(), proc.memory_info().rss))
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
        total = sum(rss for _, rss in parts) / MB
        self.samples += 1
        if total > self.peak_mb:
            self.peak_mb = total
            self.peak_parts = sorted(((name, round(rss / MB)) for name, rss in parts), key=lambda p: -p[1])
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_sampled(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: str | None = None,
                interval: float = 0.05) -> dict:
    """Run ``cmd`` to the end; its wall time, exit code and the tree's peak RSS (MB) with the parts at the peak."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env or dict(os.environ), cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeSampler(proc.pid, interval) as sampler:
        out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… failed ({proc.returncode}):\n{err[-2000:]}")
    return {"wall_s": round(wall, 2), "peak_mb": round(sampler.peak_mb), "peak_parts": sampler.peak_parts[:6],
            "samples": sampler.samples, "stdout": out, "stderr": err}
