"""Settings from the environment: read once, at the edge (the CLI, the studio's setup, the API's and workers'
startup), under the variable names the registered providers declare, and passed down from there."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from viralreel_core import providers
from viralreel_core.config import ApiKeys, Settings
from viralreel_core.errors import BadConfiguration

__all__ = ["settings_from_env", "in_flight_limits", "in_flight_services", "MAX_IN_FLIGHT"]

MAX_IN_FLIGHT = 64  # calls at once to one service: past this a typo, not a plan


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
    if in_flight := _in_flight(env):
        base["in_flight"] = in_flight
    given = {k: v for k, v in overrides.items() if v is not None}
    settings = Settings(option_defaults=providers.option_defaults()).with_(**{**base, **given})
    # folders are made absolute here, once: a relative one would mean something else to ffmpeg's
    # concat list, a worker thread or a later chdir
    return settings.with_(cache_dir=Path(settings.cache_dir).expanduser().absolute(),
                          output_dir=Path(settings.output_dir).expanduser().absolute(),
                          music_dir=Path(settings.music_dir).expanduser().absolute())


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
