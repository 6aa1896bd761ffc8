"""The environment, read at the edge (the CLI, the studio's setup, the API's and workers' startup) and passed
down from there: settings (keys and base URLs under the names the registered providers declare, folders, the
encoder, the waits), the machine's CPUs and memory, the job queue's and the YouTube client's configuration.
Below this module nothing reads ``os.environ`` (``tests/test_edges.py``)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viralreel_core import providers
from viralreel_core.config import ApiKeys, Settings
from viralreel_core.errors import BadConfiguration
from viralreel_core.media.resources import Limits, use_limits
from viralreel_core.providers.voice.piper_voices import VOICES_DIR_ENV, VOICES_URL_ENV

if TYPE_CHECKING:
    from viralreel_core.jobs.queue import QueueConfig
    from viralreel_core.publish.youtube_auth import YouTubeConfig

__all__ = ["settings_from_env", "machine_limits", "use_machine_limits", "queue_config", "youtube_config", "WAIT_ENVS",
           "in_flight_limits", "in_flight_services", "MAX_IN_FLIGHT"]

MAX_IN_FLIGHT = 64  # calls at once to one service: past this a typo, not a plan

#: the waits a deployment (or a test's fakes, which answer at once) may shorten, by setting
WAIT_ENVS = {"retry_backoff": "VIRALREEL_RETRY_BACKOFF", "retry_jitter": "VIRALREEL_RETRY_JITTER",
             "poll_interval": "VIRALREEL_POLL_INTERVAL"}


def _seconds(var: str, value: str) -> float:
    """A wait from a variable; BadConfiguration (one line) unless it is 0–600 seconds."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 600:  # nan fails both
        raise BadConfiguration(f"{var}={value!r} is not a number of seconds.",
                               hint=f"Set {var} to seconds from 0 to 600, or leave it unset for the default.")
    return seconds


def settings_from_env(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from the environment (keys, base URLs, cache dir) plus explicit overrides.

    Keys and base URLs are read under the variable names each registered provider declares.
    """
    env = os.environ if environ is None else environ
    known = providers.services()
    base: dict[str, Any] = {
        "keys": ApiKeys.from_mapping(env, {svc: s.key_env for svc, s in known.items()}),
        "base_urls": {name: env[var] for name, var in providers.base_url_envs().items() if env.get(var)},
    }
    if env.get("VIRALREEL_CACHE_DIR"):
        base["cache_dir"] = Path(env["VIRALREEL_CACHE_DIR"])
    if env.get("VIRALREEL_OUTPUT_DIR"):
        base["output_dir"] = Path(env["VIRALREEL_OUTPUT_DIR"])
    if env.get("VIRALREEL_MUSIC_DIR") or env.get("VIRALREEL_PROJECTS_DIR"):
        base["music_dir"] = Path(env.get("VIRALREEL_MUSIC_DIR") or Path(env["VIRALREEL_PROJECTS_DIR"]) / ".music")
    if env.get("VIRALREEL_PIPER_VOICE"):
        base["piper_voice_path"] = env["VIRALREEL_PIPER_VOICE"]
    if env.get("VIRALREEL_ENCODER"):
        base["encoder"] = env["VIRALREEL_ENCODER"]
    if env.get(VOICES_DIR_ENV):
        base["voices_dir"] = Path(env[VOICES_DIR_ENV]).expanduser().absolute()
    if env.get(VOICES_URL_ENV):
        base["voices_url"] = env[VOICES_URL_ENV]
    for field, var in WAIT_ENVS.items():
        if str(env.get(var) or "").strip():
            base[field] = _seconds(var, env[var])
    if in_flight := _in_flight(env):
        base["in_flight"] = in_flight
    given = {k: v for k, v in overrides.items() if v is not None}
    settings = Settings(option_defaults=providers.option_defaults()).with_(**{**base, **given})
    # folders are made absolute here, once: a relative one would mean something else to ffmpeg's
    # concat list, a worker thread or a later chdir
    return settings.with_(cache_dir=Path(settings.cache_dir).expanduser().absolute(),
                          output_dir=Path(settings.output_dir).expanduser().absolute(),
                          music_dir=Path(settings.music_dir).expanduser().absolute())


def queue_config(environ: Mapping[str, str] | None = None, **overrides: Any) -> QueueConfig:
    """Where jobs live and the queue's limits (``VIRALREEL_QUEUE_URL``, ``VIRALREEL_QUEUE_LIMIT``…)."""
    from viralreel_core.jobs.queue import QueueConfig  # the queue (Huey) loads only where one is opened

    return QueueConfig.from_env(os.environ if environ is None else environ, **overrides)


def youtube_config(environ: Mapping[str, str] | None = None) -> YouTubeConfig:
    """The YouTube OAuth client (``YOUTUBE_CLIENT_ID``…) as the environment names it now."""
    from viralreel_core.publish.youtube_auth import YouTubeConfig

    return YouTubeConfig.from_env(os.environ if environ is None else environ)


def _number(value: str | None, floor: float) -> float | None:
    """A limit from a variable; unset or nonsense: None (the machine's own figure stands)."""
    try:
        number = float(str(value or "").strip())
    except ValueError:
        return None
    return max(floor, number) if math.isfinite(number) else None


def machine_limits(environ: Mapping[str, str] | None = None) -> Limits:
    """The CPUs and memory this machine is said to have (``VIRALREEL_CPUS``, ``VIRALREEL_MEMORY_MB``)."""
    env = os.environ if environ is None else environ
    return Limits(cpus=_number(env.get("VIRALREEL_CPUS"), 0.1), memory_mb=_number(env.get("VIRALREEL_MEMORY_MB"), 64.0))


def use_machine_limits(environ: Mapping[str, str] | None = None) -> Limits:
    """Plan this process's work with the limits the environment names (``resources.use_limits``); returns them."""
    limits = machine_limits(environ)
    use_limits(limits)
    return limits


def in_flight_services() -> list[str]:
    """The services an in-flight limit may be set for: every one a provider names."""
    return sorted({*providers.services(), *providers.base_url_envs()})


def in_flight_limits(values: Mapping[str, str], named: Callable[[str], str]) -> dict[str, int]:
    """Calls one run may have waiting on each service at once, from text by service (``named(service)`` says
    where a value came from); BadConfiguration for one that is not a whole number from 1 to 64, or an unknown
    service."""
    found: dict[str, int] = {}
    known = in_flight_services()
    for name, text in values.items():
        value = str(text).strip()
        if name not in known:
            raise BadConfiguration(f"{named(name)}: no provider calls a service named {name!r}.",
                                   hint=f"Name one of: {', '.join(known)}.")
        if not value.isdigit() or not 1 <= int(value) <= MAX_IN_FLIGHT:
            raise BadConfiguration(f"{named(name)} is {value!r}, not a number of calls at once.",
                                   hint=f"Set it to a whole number from 1 to {MAX_IN_FLIGHT}, or leave it unset.")
        found[name] = int(value)
    return found


def _in_flight(env: Mapping[str, str]) -> dict[str, int]:
    """``VIRALREEL_<SERVICE>_IN_FLIGHT`` for each service a provider names."""
    var = {name: f"VIRALREEL_{name.upper()}_IN_FLIGHT" for name in in_flight_services()}
    return in_flight_limits({name: env[v] for name, v in var.items() if (env.get(v) or "").strip()}, var.__getitem__)
