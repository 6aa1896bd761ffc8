"""Settings: one frozen object built at the edge (CLI flags, sidebar, environment) and passed down.

API keys are read from the environment only here (``Settings.from_env``), by service, under the names
the registered providers declare (``providers.services()``), and kept out of ``repr``, ``public_dict``
and therefore out of logs, project files and cache keys. Each provider's own options (model, voice…)
live in ``provider_options`` with the defaults the provider declares, so a new provider adds none here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from viralreel_core.errors import BadConfiguration

__all__ = ["ApiKeys", "CaptionStyle", "Settings", "REPO_ROOT", "MIN_FRAME_SIDE", "MAX_FRAME_SIDE", "check_frame_size"]

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

def _without_credentials(url: str) -> str:
    """A base URL with any user:password and query string dropped (some proxies carry keys there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


class ApiKeys(Mapping[str, str]):
    """The paid services' keys by service name (``keys["openai"]``); never printed.

    ``repr`` shows only which services have a key; a missing or empty key reads as ``""``.
    """

    def __init__(self, keys: Mapping[str, str] | None = None, /, **more: str) -> None:
        merged = {**(keys or {}), **more}
        self._keys = {str(svc): str(key or "").strip() for svc, key in merged.items() if str(key or "").strip()}

    def __getitem__(self, service: str) -> str:
        return self._keys[service]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]  # a mapping: equal by content, not hashable

    def __repr__(self) -> str:
        return f"ApiKeys(present={sorted(self._keys)})"

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], key_envs: Mapping[str, str]) -> ApiKeys:
        """Keys from a mapping of environment-variable names (``os.environ``, ``st.secrets``).

        ``key_envs`` maps a service to its variable (``providers.key_envs()``).
        """
        return cls({svc: str(values.get(var, "") or "") for svc, var in key_envs.items()})


@dataclass(frozen=True)
class CaptionStyle:
    """How burned-in captions look; sizes are for a frame 1080 on its short side and scale with it."""

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
    #: "auto" (each step detects it from its text: the topic, a narration) or a code from ``languages``
    language: str = "auto"

    voice_speed: float = 1.0
    #: a provider's own options by the names it declares (``openai_model``, ``elevenlabs_voice_id``…);
    #: one left out takes the provider's default
    provider_options: dict[str, Any] = field(default_factory=dict)
    base_urls: dict[str, str] = field(default_factory=dict, repr=False)  # by service; may carry credentials

    width: int = 1080
    height: int = 1920
    fps: int = 30
    video_bitrate: str = "8000k"
    audio_bitrate: str = "192k"
    x264_preset: str = "veryfast"
    transitions: bool = True
    fade_seconds: float = 0.25
    captions: CaptionStyle = field(default_factory=CaptionStyle)
    music: str = ""  # a shipped track's name (music.tracks()), an upload's id or an audio file's path; "" for none
    music_volume: float = 0.25  # the music's loudness as a fraction of the voice's (0.25 = 12 dB under it)
    music_dir: Path = REPO_ROOT / "projects" / ".music"  # uploaded music (music_uploads.py); the studio: per workspace

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
        """A copy with some settings changed; a provider option (``openai_voice=…``) goes to ``provider_options``."""
        own = {f.name for f in fields(self)}
        extra = {k: v for k, v in changes.items() if k not in own}
        if extra:
            from viralreel_core.providers import option_defaults  # the registry sits above the settings; asked lazily

            unknown = sorted(set(extra) - set(option_defaults()))
            if unknown:
                raise TypeError(f"No setting or provider option is called {', '.join(map(repr, unknown))}.")
            changes = {k: v for k, v in changes.items() if k in own}
            changes["provider_options"] = {**changes.get("provider_options", self.provider_options), **extra}
        return replace(self, **changes)

    def option(self, name: str) -> Any:
        """A setting or a provider option by name; an option not set takes its provider's default."""
        if name in {f.name for f in fields(self)}:
            return getattr(self, name)
        if name in self.provider_options:
            return self.provider_options[name]
        from viralreel_core.providers import option_defaults  # the registry sits above the settings; asked lazily

        defaults = option_defaults()
        if name not in defaults:
            raise KeyError(f"No setting or provider option is called {name!r}.")
        return defaults[name]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from the environment (keys, base URLs, cache dir) plus explicit overrides.

        Keys and base URLs are read under the variable names each registered provider declares.
        """
        from viralreel_core.providers import services  # the registry sits above the settings; asked lazily

        env = os.environ if environ is None else environ
        known = services()
        base: dict[str, Any] = {
            "keys": ApiKeys.from_mapping(env, {svc: s.key_env for svc, s in known.items()}),
            "base_urls": {svc: env[s.base_url_env] for svc, s in known.items()
                          if s.base_url_env and env.get(s.base_url_env)},
        }
        if env.get("VIRALREEL_CACHE_DIR"):
            base["cache_dir"] = Path(env["VIRALREEL_CACHE_DIR"])
        if env.get("VIRALREEL_OUTPUT_DIR"):
            base["output_dir"] = Path(env["VIRALREEL_OUTPUT_DIR"])
        if env.get("VIRALREEL_MUSIC_DIR") or env.get("VIRALREEL_PROJECTS_DIR"):
            base["music_dir"] = Path(env.get("VIRALREEL_MUSIC_DIR") or Path(env["VIRALREEL_PROJECTS_DIR"]) / ".music")
        if env.get("VIRALREEL_PIPER_VOICE"):
            base["piper_voice_path"] = env["VIRALREEL_PIPER_VOICE"]
        settings = cls().with_(**{**base, **{k: v for k, v in overrides.items() if v is not None}})
        # folders are made absolute here, once: a relative one would mean something else to ffmpeg's
        # concat list, a worker thread or a later chdir
        return settings.with_(cache_dir=Path(settings.cache_dir).expanduser().absolute(),
                              output_dir=Path(settings.output_dir).expanduser().absolute(),
                              music_dir=Path(settings.music_dir).expanduser().absolute())

    def public_dict(self) -> dict[str, Any]:
        """Every setting but the keys: safe to log and to save in a project file."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "keys"}
        data["captions"] = self.captions.to_dict()
        data["base_urls"] = {svc: _without_credentials(url) for svc, url in self.base_urls.items()}
        data["output_dir"] = str(self.output_dir)
        data["cache_dir"] = str(self.cache_dir)
        data["music_dir"] = str(self.music_dir)
        return data
