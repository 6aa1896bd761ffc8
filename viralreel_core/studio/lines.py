"""Server-wide limits on studio work: at most N renders (default 1) and M other jobs (default 4) run at
once on this server; the rest wait in line, first come first served, and know their place in it.

A job enters its gate in its own thread before its work starts and leaves it when the work ends;
a job stopped while waiting leaves the line at once::

    with GATES.line_for("assemble").place(job):   # waits; job.waiting(n) is told its place
        render()
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

from viralreel_core.errors import BadInput, Stopped

__all__ = ["GATES", "MAX_JOBS", "MAX_JOBS_PER_WORKSPACE", "MAX_RENDERS", "Gate", "Gates", "limit"]

MAX_RENDERS = "VIRALREEL_MAX_RENDERS"  # renders at once on this server (default 1)
MAX_JOBS = "VIRALREEL_MAX_JOBS"  # scripts, voices and clips at once on this server (default 4)
MAX_JOBS_PER_WORKSPACE = "VIRALREEL_MAX_JOBS_PER_WORKSPACE"  # running or waiting, per workspace (default 3)
DEFAULTS = {MAX_RENDERS: 1, MAX_JOBS: 4, MAX_JOBS_PER_WORKSPACE: 3}


class Waiter(Protocol):
    stopping: bool

    def waiting(self, place: int | None) -> None: ...


def limit(values: Mapping[str, Any], name: str) -> int:
    """A limit from Secrets or the environment (a whole number of at least 1), else its default."""
    raw = str(values.get(name) or "").strip()
    if not raw:
        return DEFAULTS[name]
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise BadInput(f"{name}={raw!r} is not a whole number of at least 1.", hint=f"Use e.g. {DEFAULTS[name]}.")
    return number


class Gate:
    """At most ``size`` holders at once; the others wait in line in the order they came."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._cond = threading.Condition()
        self._line: list[Waiter] = []
        self._running = 0

    def resize(self, size: int) -> None:
        with self._cond:
            self.size = size
            self._cond.notify_all()

    @contextmanager
    def place(self, waiter: Waiter, poll: float = 0.2) -> Iterator[None]:
        """Hold a place for ``waiter`` while the block runs; Stopped if it is stopped while waiting."""
        with self._cond:
            self._line.append(waiter)
            try:
                while not (self._line[0] is waiter and self._running < self.size):
                    waiter.waiting(self._line.index(waiter) + 1)
                    if waiter.stopping:
                        raise Stopped("Stopped while waiting its turn.", hint="Start it again when you want it.")
                    self._cond.wait(poll)
            finally:
                self._line.remove(waiter)
                self._cond.notify_all()
            self._running += 1
        waiter.waiting(None)
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def load(self) -> tuple[int, int]:
        """(running, waiting) now."""
        with self._cond:
            return self._running, len(self._line)


class Gates:
    """The server's two gates: renders, and every other kind of job."""

    def __init__(self) -> None:
        self.renders = Gate(DEFAULTS[MAX_RENDERS])
        self.jobs = Gate(DEFAULTS[MAX_JOBS])

    def configure(self, values: Mapping[str, Any]) -> None:
        """Take the limits from Secrets or the environment (the owner may change them while running)."""
        self.renders.resize(limit(values, MAX_RENDERS))
        self.jobs.resize(limit(values, MAX_JOBS))

    def line_for(self, step: str) -> Gate:
        return self.renders if step == "assemble" else self.jobs


GATES = Gates()
