"""What a run is waiting on, and on whom, in one progress line per step ("Runway: 4 queued by the service").

Two kinds of waiting are told apart: a task a service holds (queued behind the account's other tasks, or being
made: the providers report it with ``Provider.task_state``), and a call not sent yet because the run already has
as many as that service takes at once (``Provider.in_flight``; the scheduler reports it). A line goes out when it
changes, and again after each scene's own line (``repeat``), so the person sees why nothing lands::

    waits = Waits(emit)
    waits.task("Runway", "clips", "task-1", "queued")   # -> emit("clips", 0.0, "Runway: 1 queued by the service")
    waits.task("Runway", "clips", "task-1", None)       # over: the line is gone

Telling never raises into the provider that reports (a Runway poll must still cancel its task when stopped).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

__all__ = ["Waits"]

_LOGGER = logging.getLogger(__name__)

Emit = Callable[[str, float, str, int | None], None]
_WORDS = (("turn", "waiting to be sent"), ("queued", "queued by the service"), ("running", "generating"))


class Waits:
    """Tasks at each service by state, and calls waiting for a free place in the run's in-flight limit."""

    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self._lock = threading.Lock()
        self._tasks: dict[tuple[str, str], tuple[str, str]] = {}  # (service, task) -> (step, state)
        self._turns: dict[tuple[str, str], int] = {}  # (service, step) -> calls not sent yet
        self._told: dict[str, str] = {}  # step -> the last line emitted

    def task(self, service: str, step: str, task: str, state: str | None) -> None:
        """A task at ``service`` is "queued" (the service holds it behind others), "running", or over (None)."""
        with self._lock:
            if state is None:
                self._tasks.pop((service, task), None)
            else:
                self._tasks[(service, task)] = (step, state)
        self._tell(step)

    def turn(self, service: str, step: str, change: int) -> None:
        """``change`` more (or fewer) of ``step``'s calls wait for a free place in ``service``'s limit."""
        with self._lock:
            left = self._turns.get((service, step), 0) + change
            if left > 0:
                self._turns[(service, step)] = left
            else:
                self._turns.pop((service, step), None)
        self._tell(step)

    def line(self, step: str) -> str:
        """What ``step`` waits on now, e.g. "Runway: 4 queued by the service, 2 generating" ("" for nothing)."""
        with self._lock:
            return self._line(step)

    def repeat(self) -> None:
        """Say every step's line again (after a scene's own line replaced it), where there is one."""
        with self._lock:
            steps = {step for step, _ in self._tasks.values()} | {step for _, step in self._turns}
            lines = [(step, self._line(step)) for step in sorted(steps)]
        for step, line in lines:
            if line:
                self._send(step, line)

    # -- inside ---------------------------------------------------------------------------------
    def _line(self, step: str) -> str:
        counts: dict[str, dict[str, int]] = {}
        for (service, _), (task_step, state) in self._tasks.items():
            if task_step == step:
                counts.setdefault(service, {}).setdefault(state, 0)
                counts[service][state] += 1
        for (service, turn_step), waiting in self._turns.items():
            if turn_step == step:
                counts.setdefault(service, {})["turn"] = waiting
        parts = []
        for service, by_state in counts.items():
            said = [f"{by_state[state]} {words}" for state, words in _WORDS if by_state.get(state)]
            if said:
                parts.append(f"{service}: {', '.join(said)}")
        return "; ".join(parts)

    def _tell(self, step: str) -> None:
        with self._lock:
            line = self._line(step)
            if line == self._told.get(step, ""):
                return
            self._told[step] = line
        if line:
            self._send(step, line)

    def _send(self, step: str, line: str) -> None:
        try:
            self._emit(step, 0.0, line, None)
        except Exception as exc:  # e.g. a cancelled job's progress: the scheduler's own lines carry that
            _LOGGER.debug("a waiting line was not shown: %s", exc)
