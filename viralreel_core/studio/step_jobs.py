"""Slow studio work (a script, voices, clips, a render) running in a background thread, and its progress.

A ``StepJob`` is the whole interface the studio needs from a runner: ``start`` the work, ``report`` progress
events into it, take a ``snapshot`` to draw, ``stop`` it, and read its ``result`` or ``error`` when it is
``done``. A job never touches the studio; ``JobBoard`` keeps one job per step and applies each finished
job's result in the caller's thread (the page's), so the studio is only ever changed from there::

    board = JobBoard()
    board.start(StepJob("script", "Writing"), lambda job: write(), apply=lambda script: use(script))
    ...
    for step, error in board.poll():  # later, from the page
        ...
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from viralreel_core.errors import BadInput, ViralReelError
from viralreel_core.media import resources
from viralreel_core.models import ProgressEvent

__all__ = ["StepJob", "JobBoard", "describe_error"]

_LOGGER = logging.getLogger(__name__)


def describe_error(exc: BaseException) -> str:
    """What to tell the person about a failure: our errors' own message and hint, else a short summary."""
    if isinstance(exc, ViralReelError):
        return str(exc)
    return f"Something unexpected went wrong ({type(exc).__name__}: {exc}). Try again; if it keeps happening, " \
           f"report it with the steps that led here."


class StepJob:
    """Work running in a background thread for one step, and how far it has got (thread-safe).

    ``cancel`` (when the work can be stopped, e.g. a paid clip job) is what ``stop()`` calls.
    ``per_scene``: events carry each scene's own fraction (rendering) rather than the total.
    """

    def __init__(self, step: str, label: str, scenes: Iterable[int] = (), *, per_scene: bool = False,
                 cancel: Callable[[], None] | None = None) -> None:
        self.step = step
        self.label = label
        self.per_scene = per_scene
        self.started = time.monotonic()
        self.finished: float | None = None
        self.fraction = 0.0
        self.message = "Starting…"
        self.scenes: dict[int, float] = dict.fromkeys(scenes, 0.0)
        self.result: Any = None
        self.error: BaseException | None = None
        self.stopping = False
        self.place: int | None = None  # its place in the server's line while it waits for a turn
        self._cancel = cancel
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def report(self, event: ProgressEvent) -> None:
        """Take a progress event from the pipeline (called from worker threads)."""
        with self._lock:
            if event.message and not self.stopping:
                self.message = event.message
            if event.scene is not None and event.scene in self.scenes:
                self.scenes[event.scene] = max(self.scenes[event.scene], 1.0 if not self.per_scene
                                               else min(1.0, event.fraction))
            if self.per_scene and self.scenes:
                self.fraction = max(self.fraction, 0.95 * sum(self.scenes.values()) / len(self.scenes))
                if event.scene is None and event.fraction >= 1.0:
                    self.fraction = 1.0
            else:
                self.fraction = max(self.fraction, min(1.0, event.fraction))

    def waiting(self, place: int | None) -> None:
        """Told by the server's line (``queue.Gate``) where the job stands; None once its turn came."""
        with self._lock:
            self.place = place
            if place is not None and not self.stopping:
                self.message = f"Waiting for a turn on this server: {_ordinal(place)} in line"
            elif place is None and self.message.startswith("Waiting"):
                self.message = "Starting…"

    def follow(self, progress: dict[str, Any], place: int | None) -> None:
        """Take a queued job's progress from its record (``engine.follow``): fraction, message, scenes, place."""
        with self._lock:
            self.place = place
            if not self.stopping:
                self.message = (f"Waiting for a turn on this server: {_ordinal(place)} in line" if place
                                else progress.get("message") or self.message)
            self.fraction = max(self.fraction, min(1.0, float(progress.get("fraction") or 0.0)))
            for number, fraction in (progress.get("scenes") or {}).items():
                if number in self.scenes:
                    self.scenes[number] = max(self.scenes[number], fraction)

    def start(self, work: Callable[[StepJob], Any], *, redact: Callable[[str], str] = lambda text: text) -> StepJob:
        """Run ``work(self)`` in a daemon thread; its return value becomes ``result``, a raise ``error``.

        ``redact`` cleans the log line of an unexpected failure (a provider's error must not log a key).
        """
        def run() -> None:
            try:
                self.result = work(self)
            except BaseException as exc:  # handed to the page, never lost in a thread
                if not isinstance(exc, ViralReelError):
                    _LOGGER.error("studio %s job failed:\n%s", self.step,
                                  redact("".join(traceback.format_exception(exc))))
                self.error = exc
            finally:
                # what the step left behind goes now, and back to the OS (caption frames, decoded audio: the
                # server's memory after a render is what it was before it, not glibc's high-water mark). The
                # one full collection of the step: the server skips Streamlit's after every rerun
                # (.streamlit/config.toml, runner.postScriptGC), which cost a third of its CPU while polling
                resources.trim_memory()
                self.finished = time.monotonic()

        self._thread = threading.Thread(target=run, name=f"viralreel-{self.step}", daemon=True)
        self._thread.start()
        return self

    @property
    def can_stop(self) -> bool:
        """Whether ``stop()`` can cut the work short (a paid job in flight); False once it is done."""
        return self._cancel is not None and not self.done

    def stop(self) -> bool:
        """Ask the work to stop; what it finished already is kept. False when it cannot be stopped."""
        if not self.can_stop:
            return False
        with self._lock:
            self.stopping = True
            self.message = "Stopping…"
        self._cancel()  # type: ignore[misc]
        return True

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def wait(self, timeout: float | None = None) -> StepJob:
        if self._thread is not None:
            self._thread.join(timeout)
        return self

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of the progress for the page to draw."""
        with self._lock:
            return {"label": self.label, "fraction": self.fraction, "message": self.message,
                    "scenes": dict(self.scenes), "elapsed": self.elapsed, "done": self.done,
                    "can_stop": self.can_stop, "stopping": self.stopping, "place": self.place}


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


@dataclass
class _Entry:
    job: StepJob
    apply: Callable[[Any], None]
    uids: frozenset[str]


class JobBoard(Mapping[str, StepJob]):
    """At most one job per step, read like a dict (step → job); results applied by ``poll``."""

    def __init__(self, redact: Callable[[str], str] = lambda text: text) -> None:
        self.redact = redact
        self._entries: dict[str, _Entry] = {}

    def __getitem__(self, step: str) -> StepJob:
        return self._entries[step].job

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def busy(self, step: str | None = None) -> bool:
        """Whether work for ``step`` (any step when None) is running."""
        return any(not e.job.done for s, e in self._entries.items() if step is None or s == step)

    def working_on(self, step: str) -> frozenset[str]:
        """The scene ids the step's running job is making (empty when none runs)."""
        entry = self._entries.get(step)
        return entry.uids if entry is not None and not entry.job.done else frozenset()

    def start(self, job: StepJob, work: Callable[[StepJob], Any], apply: Callable[[Any], None],
              uids: Iterable[str] = ()) -> StepJob:
        """Start ``job`` running ``work``; ``apply(result)`` runs at the ``poll`` after it finishes."""
        if self.busy(job.step):
            raise BadInput(f"The {job.step} step is already working.", hint="Wait for it to finish.")
        self._entries[job.step] = _Entry(job, apply, frozenset(uids))
        return job.start(work, redact=self.redact)

    def stop(self, step: str) -> bool:
        """Ask the step's running job to stop; False when there is none or it cannot be stopped."""
        entry = self._entries.get(step)
        return entry is not None and entry.job.stop()

    def poll(self) -> list[tuple[str, BaseException | None]]:
        """Apply the finished jobs' results; per finished step, the error it ended with (None: applied)."""
        finished = []
        for step, entry in list(self._entries.items()):
            if not entry.job.done:
                continue
            del self._entries[step]
            error = entry.job.error
            if error is None:
                try:
                    entry.apply(entry.job.result)
                except ViralReelError as exc:
                    error = exc
            finished.append((step, error))
        return finished

    def wait(self, timeout: float | None = None) -> None:
        """Wait for every running job (for scripts and tests; ``poll`` then applies them)."""
        for entry in list(self._entries.values()):
            entry.job.wait(timeout)

    def clear(self) -> None:
        """Forget every job (their threads finish on their own; nothing is applied)."""
        self._entries.clear()
