"""Stopping a run's paid work when a service refuses the account (the failure policy's last rule).

An account-level failure (``retry.ends_paid_work``: a rejected key, no credit, no plan) fails every later
call to that service in the run. So from the first one, for the rest of the run:

* no new paid call of that step starts (each would fail the same way);
* no new paid call of another step starts for a scene that lacks that step's asset (that scene can never
  be assembled); scenes that have it still get the rest, so a video can be made of them;
* once no scene has that step's asset and none is still being made, nothing paid can be used any more:
  ``on_hopeless`` runs once (the pipeline asks its paid providers to abort, and Runway cancels its
  running tasks with ``DELETE /v1/tasks/{id}``).

Free work (cache hits, the assembly) goes on. ``cause`` is the failure, for the result's ``stopped_because``.
Before this, an ElevenLabs account out of quota failed every voice while three Runway clips ($1.05) were
still made for scenes that were then skipped.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from viralreel_core.errors import ProviderError, Stopped
from viralreel_core.providers.http.retry import ends_paid_work

__all__ = ["PaidWorkHalt"]

_LOGGER = logging.getLogger(__name__)


class PaidWorkHalt:
    """One run's record of which paid work may still start; safe to share between its worker threads."""

    def __init__(self, on_hopeless: Callable[[], None]) -> None:
        self._on_hopeless = on_hopeless
        self._lock = threading.Lock()
        self._cause: ProviderError | None = None
        self._step = ""
        self._have: dict[str, set[int | None]] = {}  # step -> scenes whose asset exists (made or cached)
        self._running: Counter[tuple[str, int | None]] = Counter()  # (step, scene) -> paid calls in flight
        self._hopeless_told = False

    @property
    def cause(self) -> ProviderError | None:
        """The account-level failure that stopped paid work, or None while it goes on."""
        return self._cause

    def check(self, step: str, scene: int | None = None) -> None:
        """Raise Stopped when paid work for ``step`` (of ``scene``) must not start any more."""
        with self._lock:
            cause = self._cause
            if cause is None or (step != self._step and scene in self._have.get(self._step, ())):
                return
        raise Stopped(f"Not started: paid work stopped after {cause.message}", hint=cause.hint)

    @contextmanager
    def working(self, step: str, scene: int | None = None) -> Iterator[None]:
        """Around one paid call: counted as in flight, and its failure noted if it is account-level."""
        with self._lock:
            self._running[(step, scene)] += 1
        try:
            yield
        except BaseException as exc:
            self.failed(step, exc, settle=False)
            raise
        finally:
            with self._lock:
                self._running[(step, scene)] -= 1
            self._settle()

    def made(self, step: str, scene: int | None = None) -> None:
        """``scene`` has its ``step`` asset (made now or found in the cache)."""
        with self._lock:
            self._have.setdefault(step, set()).add(scene)

    def failed(self, step: str, exc: BaseException, *, settle: bool = True) -> None:
        """Note a failure of ``step``; the first account-level one stops paid work."""
        if not isinstance(exc, ProviderError) or not ends_paid_work(exc):
            return
        with self._lock:
            if self._cause is not None:
                return
            self._cause, self._step = exc, step
        _LOGGER.warning("Stopping paid work for this run: %s", exc)
        if settle:
            self._settle()

    def _settle(self) -> None:
        """Run ``on_hopeless`` once, when no scene has or can still get the halted step's asset."""
        with self._lock:
            if self._cause is None or self._hopeless_told or self._have.get(self._step):
                return
            if any(n for (step, _), n in self._running.items() if step == self._step):
                return
            self._hopeless_told = True
        self._on_hopeless()
