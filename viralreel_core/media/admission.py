"""One memory budget for this whole process: every big piece of work is admitted against it, in one line.

A render's ffmpeg, an offline clip's encoder, the video's sound, the loaded voice model: each asks the
process-wide ``GATE`` for its megabytes (one figure per kind, ``resources``) before it starts and gives them
back when it ends, whoever asked — any visitor of the studio (they share the process), a worker's job, the
CLI. Work that does not fit beside what runs waits, first come first served, and never runs beside it;
something bigger than the whole budget runs alone. A waiter is told its place (``waiter.waiting(2)``, None
once admitted) and leaves the line when it is stopping::

    with GATE.admit("render", resources.segment_mb(1080, 1920), waiter=job):
        run_ffmpeg(...)

Work in a pool thread names its waiter once for the thread (``work_for`` as the pool's initializer). Memory
kept loaded while idle (the voice model between voices) is *evictable*: when the first in line does not fit,
the gate asks it to unload (``Ticket.evictable``), so nothing waits on a model nobody is using.

The budget is per process (a worker on another process has its own); the studio's visitors share one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from viralreel_core.errors import Stopped
from viralreel_core.media import resources

__all__ = ["GATE", "MemoryGate", "Ticket", "Waiter", "current_waiter", "work_for"]

POLL_SECONDS = 0.2  # how often a waiter looks again (a stop, a budget changed by the environment)


class Waiter(Protocol):
    """Whoever the work is for: told its place in line, and asked whether it is stopping."""

    stopping: bool

    def waiting(self, place: int | None) -> None: ...


_thread = threading.local()


def work_for(waiter: Waiter | None) -> None:
    """Make ``waiter`` the one this thread's requests wait for (a pool's ``initializer``)."""
    _thread.waiter = waiter


def current_waiter() -> Waiter | None:
    """The waiter this thread works for (``work_for``), if any."""
    return getattr(_thread, "waiter", None)


class Ticket:
    """Megabytes admitted for one piece of work until ``release`` (also on leaving a ``with`` block)."""

    def __init__(self, gate: MemoryGate, kind: str, mb: float) -> None:
        self.gate, self.kind, self.mb = gate, kind, mb
        self.released = False
        self.evict: Callable[[], None] | None = None

    def release(self) -> None:
        """Give the memory back (once; later calls do nothing)."""
        self.gate._release(self)

    def evictable(self, evict: Callable[[], None] | None) -> None:
        """While set, the gate may call ``evict`` (which must unload and ``release``) to make room; None: in use."""
        self.gate._set_evict(self, evict)

    def __enter__(self) -> Ticket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class _Request:
    def __init__(self, kind: str, mb: float) -> None:
        self.kind, self.mb = kind, mb


class MemoryGate:
    """Admits work by megabytes against ``budget_mb()`` (read at each look: the limit may change); FIFO."""

    def __init__(self, budget_mb: Callable[[], float] = resources.work_budget_mb,
                 poll: float = POLL_SECONDS) -> None:
        self.budget_mb = budget_mb
        self.poll = poll
        self._cond = threading.Condition()
        self._line: list[_Request] = []
        self._held: list[Ticket] = []

    # -- asking ---------------------------------------------------------------------------------
    def acquire(self, kind: str, mb: float, waiter: Waiter | None = None) -> Ticket:
        """Wait in line until ``mb`` fits beside what runs (or nothing runs); Stopped if the waiter stops."""
        waiter = waiter if waiter is not None else current_waiter()
        request, told = _Request(kind, max(0.0, float(mb))), None
        with self._cond:
            self._line.append(request)
        try:
            while True:
                evict: list[Callable[[], None]] = []
                with self._cond:
                    place = self._line.index(request) + 1
                    if place == 1 and self._fits(request.mb):
                        self._line.remove(request)
                        ticket = Ticket(self, kind, request.mb)
                        self._held.append(ticket)
                        self._cond.notify_all()  # the next in line may fit too
                        break
                    if place == 1:
                        evict = self._take_evictable()
                    if waiter is not None:
                        if waiter.stopping:
                            raise Stopped("Stopped while waiting its turn.",
                                          hint="Start it again when you want it.")
                        if place != told:
                            waiter.waiting(place)
                            told = place
                    if not evict:
                        self._cond.wait(self.poll)
                for unload in evict:  # outside the lock: unloading takes the owner's own locks
                    unload()
        finally:
            with self._cond:
                if request in self._line:
                    self._line.remove(request)
                    self._cond.notify_all()
        if told is not None and waiter is not None:
            waiter.waiting(None)
        return ticket

    @contextmanager
    def admit(self, kind: str, mb: float, waiter: Waiter | None = None) -> Iterator[Ticket]:
        """Hold ``mb`` for the block (waiting in line for it first)."""
        ticket = self.acquire(kind, mb, waiter)
        try:
            yield ticket
        finally:
            ticket.release()

    def try_acquire(self, kind: str, mb: float) -> Ticket | None:
        """``mb`` now if nobody waits and it fits within the budget, else None (for work done on spec)."""
        with self._cond:
            if self._line or self._used() + mb > self.budget_mb():
                return None
            ticket = Ticket(self, kind, mb)
            self._held.append(ticket)
            return ticket

    # -- looking --------------------------------------------------------------------------------
    def in_use_mb(self) -> float:
        with self._cond:
            return self._used()

    def snapshot(self) -> dict[str, object]:
        """What holds memory and what waits, now (for tests, benchmarks and ``doctor``)."""
        with self._cond:
            return {"budget_mb": round(self.budget_mb()), "in_use_mb": round(self._used()),
                    "running": [(t.kind, round(t.mb)) for t in self._held],
                    "waiting": [(r.kind, round(r.mb)) for r in self._line]}

    # -- inside ---------------------------------------------------------------------------------
    def _used(self) -> float:
        return sum(t.mb for t in self._held)

    def _fits(self, mb: float) -> bool:
        used = self._used()
        return not self._held or used + mb <= self.budget_mb()

    def _take_evictable(self) -> list[Callable[[], None]]:
        """The unload calls of idle holders, each asked once (cleared: it is unloading now)."""
        calls = []
        for ticket in self._held:
            if ticket.evict is not None:
                calls.append(ticket.evict)
                ticket.evict = None
        return calls

    def _release(self, ticket: Ticket) -> None:
        with self._cond:
            if ticket.released:
                return
            ticket.released = True
            ticket.evict = None
            self._held.remove(ticket)
            self._cond.notify_all()

    def _set_evict(self, ticket: Ticket, evict: Callable[[], None] | None) -> None:
        with self._cond:
            if not ticket.released:
                ticket.evict = evict
                self._cond.notify_all()


GATE = MemoryGate()
