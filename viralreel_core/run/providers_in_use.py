"""The providers one run uses: made once each, stopped, closed, and the machine's share for offline ones.

Offline makers run on this machine's CPUs and memory: no more at once than those allow
(``resources.local_jobs``), and offline voices one at a time (the model serializes them anyway: a second
would only hold a slot). What a provider keeps loaded (the offline voice model, ~300 MB) is let go
before a render or an offline clip encoder runs beside it.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator

from viralreel_core import providers
from viralreel_core.cache.store import AssetCache
from viralreel_core.config import Settings
from viralreel_core.errors import ViralReelError
from viralreel_core.media import resources
from viralreel_core.providers.base import ClipMaker, Provider
from viralreel_core.run.scheduler import Lane, VoicePhase

__all__ = ["ProvidersInUse", "service_label"]


def service_label(provider: Provider) -> str:
    """The name people know a provider's service by ("Runway", "ElevenLabs", "OpenAI")."""
    found = providers.services().get(provider.service or "")
    return found.label if found is not None else provider.display_name()


SLOT_CHECK_SECONDS = 0.2  # how often a job waiting for a slot asks whether its run was stopped


@contextlib.contextmanager
def _held(slot: threading.Lock | threading.BoundedSemaphore, check: Callable[[], None]) -> Iterator[None]:
    """``slot`` held, ``check()`` called while waiting for it and once it is had (it raises to give up).

    A stopped run's clips must not wait for a slot: its voice phase gives the slot back only once the run has
    unwound, which waits for them (a stopped worker process hung until it was killed), and once had, a slot
    must not start work the run no longer wants."""
    while not slot.acquire(timeout=SLOT_CHECK_SECONDS):
        check()
    try:
        check()
        yield
    finally:
        slot.release()


class ProvidersInUse:
    """Providers by step for one settings object, made on first use; thread-safe."""

    def __init__(self, settings: Settings, cache: AssetCache,
                 watch: Callable[[str, str, str, str | None], None] | None = None) -> None:
        self.settings, self.cache = settings, cache
        self._watch = watch  # told (service, step, task, state) as a provider's tasks change state
        self._providers: dict[str, Provider] = {}
        self._lock = threading.Lock()
        self._local_slots = threading.BoundedSemaphore(resources.local_jobs())
        self._offline_voice = threading.Lock()

    def get(self, step: str, name: str | None = None) -> Provider:
        """The provider for ``step`` (created once); ``name``: that one instead of the settings' (e.g. the
        next clip source for a scene that the first has no good match for)."""
        slot = step if name is None else f"{step}:{name}"
        with self._lock:
            if slot not in self._providers:
                made = providers.create(step, self.settings, name)
                if isinstance(made, ClipMaker):
                    made.use_cache(self.cache)  # e.g. an image maker keeps its paid images there
                if self._watch is not None and not made.offline:
                    made.watch(functools.partial(self._told, service_label(made)))
                self._providers[slot] = made
            return self._providers[slot]

    def _told(self, label: str, provider: Provider, task: str, state: str | None) -> None:
        if self._watch is not None:
            self._watch(label, provider.step, task, state)

    def lane(self, step: str) -> Lane:
        """Where ``step``'s jobs wait their turn: a service's own in-flight limit (``Provider.in_flight``), or,
        for offline work (or a provider that cannot be made: its jobs say why), this machine's ``workers``."""
        try:
            provider = self.get(step)
        except ViralReelError:
            provider = None
        limit = provider.in_flight(self.settings) if provider is not None else None
        if provider is None or limit is None:
            return Lane(f"this machine: {step}", self.settings.workers)
        return Lane(provider.service or provider.name, limit, service_label(provider))

    def abort(self, *, paid_only: bool = False) -> None:
        """Ask every provider in use (or every paid one) to stop what it is doing."""
        with self._lock:
            in_use = [p for p in self._providers.values() if not (paid_only and p.offline)]
        for provider in in_use:
            provider.abort()

    def close(self) -> None:
        """Close the providers made so far (their HTTP sessions); a later ``get`` makes new ones."""
        with self._lock:
            in_use, self._providers = list(self._providers.values()), {}
        for provider in in_use:
            provider.close()

    def local_slot(self, provider: Provider, check: Callable[[], None] = lambda: None
                   ) -> contextlib.AbstractContextManager:
        """Held while an offline provider works on this machine (see ``resources.local_jobs``).

        Offline voices take turns (the model serializes them anyway); their CPU slot is held for the
        whole voice phase by ``voice_phase``. ``check`` raises to give up waiting (a stopped run): see ``_held``.
        """
        if not provider.offline:
            return contextlib.nullcontext()
        return _held(self._offline_voice if provider.step == "voice" else self._local_slots, check)

    def starting_message(self, step: str, scenes: int, text: str = "") -> str:
        """What a step says as it starts: the offline voice names its model loading (about a second)."""
        try:
            provider = self.get(step)
        except ViralReelError:
            return "Starting…"
        what = "voices" if step == "voice" else "clips"
        if step == "voice" and not provider.warm(text):
            return f"Loading the voice model, then {scenes} {what}…"
        return f"Starting {scenes} {what} with {provider.describe()}…"

    def offline(self, step: str) -> bool:
        """Whether ``step``'s provider runs on this machine (False when it cannot be made: its jobs say why)."""
        try:
            return self.get(step).offline
        except ViralReelError:  # e.g. a missing key: the jobs report it
            return False

    def remote(self, step: str) -> bool:
        """Whether ``step``'s provider is a service far away (False when it cannot be made: its jobs say why)."""
        try:
            return not self.get(step).offline
        except ViralReelError:
            return False

    def voice_phase(self, voices: bool) -> VoicePhase:
        """The phase in which offline voices hold a CPU slot and the model (nothing held for a paid voice)."""
        return VoicePhase(self._local_slots, lambda: self.release("voice"), voices and self.offline("voice"))

    def release_models(self) -> None:
        """Unload what the providers keep in memory (the offline voice model) and give the memory back.

        Called before assembly and before offline clips, so a full-HD render or clip encoder never has the
        voice model resident beside it, whichever pipeline loaded it (the studio warms it at start).
        """
        with self._lock:
            in_use = list(self._providers)
        for step in in_use:
            self.release(step)
        providers.release_resident()
        # always: besides a model, the heap keeps what drawing every scene's clip and captions freed (glibc holds
        # it), which grows with the scenes; handed back once here, before the renders (~0.1 s)
        resources.trim_memory()

    def release(self, step: str) -> None:
        """Unload what ``step``'s provider keeps loaded, if it is in use."""
        with self._lock:
            provider = self._providers.get(step)
        if provider is not None and provider.release():
            resources.trim_memory()  # only when something big was let go: a full collection costs ~0.1 s
