"""Settings: one frozen object built at the edge (CLI flags, sidebar, environment) and passed down.

API keys are read from the environment only here (``Settings.from_env``) and kept out of ``repr``,
``to_dict`` and therefore out of logs, project files and cache keys.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from .errors import BadConfiguration

__all__ = ["ApiKeys", "CaptionStyle", "Settings", "REPO_ROOT", "KEY_ENV_VARS", "BASE_URL_ENV_VARS",
           "MIN_FRAME_SIDE", "MAX_FRAME_SIDE", "check_frame_size"]

REPO_ROOT = Path(__file__).resolve().parents[1]
MIN_KBPS = 800  # below this even a small frame looks blocky
MIN_FRAME_SIDE, MAX_FRAME_SIDE = 16, 4096  # H.264 level 5.2 tops out at 4096 wide; beyond that nothing plays it


def check_frame_size(width: int, height: int) -> None:
    """BadConfiguration unless both sides are even and within 16..4096 (checked before anything is spent)."""
    sides_ok = all(isinstance(v, int) and MIN_FRAME_SIDE <= v <= MAX_FRAME_SIDE and v % 2 == 0
                   for v in (width, height))
    if not sides_ok:
        raise BadConfiguration(f"A frame of {width}×{height} cannot be encoded.",
                               hint=f"Use even sizes from {MIN_FRAME_SIDE} to {MAX_FRAME_SIDE}, "
                                    "e.g. 1080 wide and 1920 high.")

#: service -> the environment variable holding its key
KEY_ENV_VARS = {
    "openai": "OPENAI_API_KEY",
    "elevenlabs": "ELEVENLABS_API_KEY",
    "runway": "RUNWAYML_API_SECRET",
    "pexels": "PEXELS_API_KEY",
}
#: service -> the environment variable overriding its base URL (tests point these at local fakes)
BASE_URL_ENV_VARS = {
    "openai": "OPENAI_BASE_URL",
    "elevenlabs": "ELEVENLABS_BASE_URL",
    "runway": "RUNWAYML_BASE_URL",
    "pexels": "PEXELS_BASE_URL",
}


def _without_credentials(url: str) -> str:
    """A base URL with any user:password and query string dropped (some proxies carry keys there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


@dataclass(frozen=True)
class ApiKeys:
    """The paid services' keys; never printed (``repr`` shows only which are present)."""

    openai: str = field(default="", repr=False)
    elevenlabs: str = field(default="", repr=False)
    runway: str = field(default="", repr=False)
    pexels: str = field(default="", repr=False)

    def present(self) -> dict[str, bool]:
        """Which services have a key, without the keys."""
        return {f.name: bool(getattr(self, f.name)) for f in fields(self)}

    def __repr__(self) -> str:
        have = [name for name, ok in self.present().items() if ok]
        return f"ApiKeys(present={have})"

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ApiKeys:
        """Keys from a mapping of environment-variable names (``os.environ``, ``st.secrets``)."""
        return cls(**{svc: str(values.get(var, "") or "").strip() for svc, var in KEY_ENV_VARS.items()})


@dataclass(frozen=True)
class CaptionStyle:
    """How burned-in captions look; sizes are for a 1080-wide frame and scale with the width."""

    font_size: int = 86
    text_color: str = "#FFFFFF"
    highlight_color: str = "#FFD23F"
    stroke_color: str = "#000000"
    stroke_width: int = 7
    position: float = 0.70  # vertical centre of the caption, as a fraction of the frame height
    max_words: int = 3
    uppercase: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run. Build with ``Settings.from_env()`` and change with ``.with_()``."""

    script_provider: str = "auto"
    voice_provider: str = "auto"
    clip_provider: str = "auto"
    scenes: int | None = None  # 3–6; None lets the writer choose
    tone: str = ""
    seed: int = 0

    openai_model: str = "gpt-4o-mini"
    openai_voice_model: str = "gpt-4o-mini-tts"
    openai_voice: str = "coral"
    elevenlabs_voice_id: str = "JBFqnCBsd6RMkjVDRZzb"
    elevenlabs_model: str = "eleven_multilingual_v2"
    runway_model: str = "gen4_turbo"
    piper_voice_path: str = ""  # empty: the bundled en_US-joe-medium voice
    voice_speed: float = 1.0
    base_urls: dict[str, str] = field(default_factory=dict, repr=False)  # may carry credentials

    width: int = 1080
    height: int = 1920
    fps: int = 30
    video_bitrate: str = "8000k"
    audio_bitrate: str = "192k"
    x264_preset: str = "veryfast"
    transitions: bool = True
    fade_seconds: float = 0.25
    captions: CaptionStyle = field(default_factory=CaptionStyle)

    output_dir: Path = Path("outputs")
    cache_dir: Path = REPO_ROOT / "cache"
    cache_size_limit: int = 8 * 2**30
    workers: int = 4

    keys: ApiKeys = field(default_factory=ApiKeys)

    def frame_bitrate(self) -> str:
        """``video_bitrate`` (set for 1080×1920) scaled to this frame size, so smaller renders stay small."""
        kbps = int(self.video_bitrate.rstrip("kK"))
        share = min(1.0, (self.width * self.height) / (1080 * 1920))
        return f"{max(MIN_KBPS, round(kbps * share))}k"

    def with_(self, **changes: Any) -> Settings:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from the environment (keys, base URLs, cache dir) plus explicit overrides."""
        env = os.environ if environ is None else environ
        base = {
            "keys": ApiKeys.from_mapping(env),
            "base_urls": {svc: env[var] for svc, var in BASE_URL_ENV_VARS.items() if env.get(var)},
        }
        if env.get("VIRALREEL_CACHE_DIR"):
            base["cache_dir"] = Path(env["VIRALREEL_CACHE_DIR"])
        if env.get("VIRALREEL_OUTPUT_DIR"):
            base["output_dir"] = Path(env["VIRALREEL_OUTPUT_DIR"])
        if env.get("VIRALREEL_PIPER_VOICE"):
            base["piper_voice_path"] = env["VIRALREEL_PIPER_VOICE"]
        base.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**base)
        # folders are made absolute here, once: a relative one would mean something else to ffmpeg's
        # concat list, a worker thread or a later chdir
        return settings.with_(cache_dir=Path(settings.cache_dir).expanduser().absolute(),
                              output_dir=Path(settings.output_dir).expanduser().absolute())

    def public_dict(self) -> dict[str, Any]:
        """Every setting but the keys: safe to log and to save in a project file."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "keys"}
        data["captions"] = self.captions.to_dict()
        data["base_urls"] = {svc: _without_credentials(url) for svc, url in self.base_urls.items()}
        data["output_dir"] = str(self.output_dir)
        data["cache_dir"] = str(self.cache_dir)
        return data
