"""The three provider protocols and what every provider declares about itself.

A provider turns text into an asset and knows nothing of the cache: the pipeline asks it for
``cache_params()`` (every setting that changes its output, never a key) and caches the result.

Example, a tiny offline voice::

    class Beep(Voice):
        name = "beep"
        offline = True

        def speak(self, text, out_dir):
            path = out_dir / "beep.wav"
            ...  # write audio to path
            return VoiceTrack(str(path), duration=1.0, provider=self.name)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import requests

from ..errors import BadInput
from ..models import Clip, Script, VoiceTrack

__all__ = ["Provider", "ScriptRequest", "ScriptWriter", "Voice", "ClipMaker", "voice_speed"]


class Provider(ABC):
    """What every provider declares: its name, whether it needs a key, and what shapes its output."""

    step: ClassVar[str]  # "script" | "voice" | "clips"
    name: ClassVar[str]  # "local", "openai", "elevenlabs", "runway", "pexels"…
    offline: ClassVar[bool] = False  # True: no network, no key, no cost
    needs_key: ClassVar[str | None] = None  # service name in ApiKeys / KEY_ENV_VARS
    version: ClassVar[str] = "1"  # bump when the same inputs start giving different output

    def cache_params(self) -> dict[str, Any]:
        """Every parameter that changes this provider's output (model, voice, size…), never a key."""
        return {}

    def abort(self) -> None:  # noqa: B027 - optional hook, most providers have nothing in flight to stop
        """Stop work in flight as soon as possible (e.g. cancel a paid job); nothing to stop by default."""

    def close(self) -> None:
        """Release what this provider opened: every HTTP session or SDK client it holds is closed.

        Found by type rather than declared per provider, so a new provider's sessions are closed too.
        """
        for value in vars(self).values():
            if isinstance(value, requests.Session) or (
                    type(value).__module__.split(".")[0] == "openai" and callable(getattr(value, "close", None))):
                value.close()

    def release(self) -> None:  # noqa: B027 - optional hook, most providers hold nothing big
        """Free what this provider keeps loaded (e.g. a voice model) until it is next used; nothing by default."""

    def describe(self) -> str:
        """A short human label, e.g. ``"openai gpt-4o-mini"``."""
        model = self.cache_params().get("model")
        return f"{self.name} {model}" if model else self.name


@dataclass(frozen=True)
class ScriptRequest:
    """What a script writer is asked for."""

    topic: str
    scenes: int | None = None  # 3–6; None lets the writer choose
    tone: str = ""
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ScriptWriter(Provider):
    """Writes a Script of 3–6 scenes (visuals + narration) for a topic."""

    step = "script"

    @abstractmethod
    def write(self, request: ScriptRequest) -> Script:
        """The script for ``request``; raises ProviderError subclasses on failure."""

    def estimate_cost(self, request: ScriptRequest) -> float:
        """Dollars one call is expected to cost."""
        return 0.0


class Voice(Provider):
    """Speaks a narration into an audio file, with word timings when the provider can give them."""

    step = "voice"

    @abstractmethod
    def speak(self, text: str, out_dir: Path) -> VoiceTrack:
        """Write the spoken ``text`` into a new file under ``out_dir`` and describe it."""

    def estimate_cost(self, text: str) -> float:
        """Dollars speaking ``text`` is expected to cost."""
        return 0.0


class ClipMaker(Provider):
    """Makes a short video clip from a scene's visuals text (and its narration, when ``uses_narration``)."""

    step = "clips"
    #: True: ``make`` also takes ``narration=`` (the words the voice says), which then keys the cache too
    uses_narration: ClassVar[bool] = False

    @abstractmethod
    def make(self, visuals: str, seconds: float, out_dir: Path) -> Clip:
        """Write a clip about ``seconds`` long (at least) for ``visuals`` into a new file under ``out_dir``."""

    def estimate_cost(self, seconds: float) -> float:
        """Dollars a clip of ``seconds`` is expected to cost."""
        return 0.0


def voice_speed(speed: object, low: float, high: float, service: str = "") -> float:
    """``speed`` as a float within ``low``..``high``; BadInput naming the range otherwise."""
    try:
        value = float(speed)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadInput(f"Voice speed {speed!r} is not a number.") from None
    if not low <= value <= high:
        where = f" for {service}" if service else ""
        raise BadInput(f"Voice speed {value} is out of range{where}.",
                       hint=f"Use a speed between {low} and {high} (1.0 is normal).")
    return value
