"""Settings: one frozen object built at the edge (CLI flags, sidebar, environment) and passed down.

The environment is read at the edge (``environment.settings_from_env``), not here: API keys, by service,
under the names the registered providers declare. Keys are kept out of ``repr``, ``public_dict`` and
therefore out of logs, project files and cache keys. Each provider's own options (model, voice…) live in
``provider_options``; the defaults the providers declare come with settings built at the edge
(``option_defaults``), so a new provider adds none here and this module imports nothing above it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from viralreel_core.errors import BadConfiguration

__all__ = ["ApiKeys", "CaptionStyle", "Settings", "REPO_ROOT", "MIN_FRAME_SIDE", "MAX_FRAME_SIDE", "check_frame_size"]

_UNSET = object()
#: left out of ``public_dict``: the keys, and what belongs to the machine rather than the video
_NOT_PUBLIC = frozenset({"keys", "option_defaults", "retry_backoff", "retry_jitter", "poll_interval",
                         "voices_dir", "voices_url", "encoder", "in_flight"})
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
    """How burned-in captions look; sizes are for a frame 1080 on its short side and scale with it.

    The defaults are the "classic" preset; ``render.caption_styles`` has the named presets people choose
    (``preset`` says which one a style started from; the other fields may have been adjusted since)."""

    font_size: int = 86
    text_color: str = "#FFFFFF"
    highlight_color: str = "#FFD23F"
    stroke_color: str = "#000000"
    stroke_width: int = 7
    position: float = 0.70  # vertical centre of the caption, as a fraction of the frame height
    max_words: int = 3
    uppercase: bool = True
    preset: str = "classic"
    #: how the spoken word shows: "highlight" (its colour), "pop" (words appear one by one, each popping in),
    #: "karaoke" (the highlight fills each word as it is spoken), "word-box" (a box behind the spoken word)
    animation: str = "highlight"
    font_weight: str = "black"  # "black", "bold" or "medium" (Latin, Greek, Cyrillic; other scripts stay bold)
    box_color: str = ""  # a rounded box behind the whole caption ("" for none)
    box_opacity: float = 0.0  # how opaque that box is, 0–1
    shadow: bool = False  # a soft drop shadow under the letters

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run. Build with ``environment.settings_from_env()``; change with ``.with_()``."""

    script_provider: str = "auto"
    voice_provider: str = "auto"
    clip_provider: str = "auto"
    scenes: int | None = None  # 3–20; None lets the writer choose (or the length)
    length: int | None = None  # the video's target seconds, 10–180 (``text.length_plan``); None: as written
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
    workers: int = 4  # at once on this machine's CPU slots (offline voices and clips)
    #: how long to wait between tries of a failing service (``retry.policy_for``; None: the policy's own)
    #: and between Runway's looks at a task (None: its own); the machine's, not the project's: never saved
    retry_backoff: float | None = None
    retry_jitter: float | None = None
    poll_interval: float | None = None
    #: offline voices for other languages: where they are kept (None: ``<cache_dir>/piper-voices``) and the
    #: catalogue they are downloaded from ("": Piper's own); the machine's too
    voices_dir: Path | None = None
    voices_url: str = field(default="", repr=False)
    #: the H.264 encoder: "auto" (NVENC where it works), "libx264" or "nvenc" (``ffmpeg.h264_encoder``)
    encoder: str = "auto"
    #: calls one run may have waiting on a service at once, by service (``runway``, ``elevenlabs``…); one left out
    #: takes its provider's ``max_in_flight`` (``VIRALREEL_RUNWAY_IN_FLIGHT`` and the like set it at the edge)
    in_flight: dict[str, int] = field(default_factory=dict)

    keys: ApiKeys = field(default_factory=ApiKeys)
    #: every provider option the registry knows, with its provider's default (set at the edge); empty for
    #: settings made by hand, which then take any option name
    option_defaults: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

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
            unknown = sorted(set(extra) - set(self.option_defaults)) if self.option_defaults else []
            if unknown:
                raise TypeError(f"No setting or provider option is called {', '.join(map(repr, unknown))}.")
            changes = {k: v for k, v in changes.items() if k in own}
            changes["provider_options"] = {**changes.get("provider_options", self.provider_options), **extra}
        return replace(self, **changes)

    def option(self, name: str, default: Any = _UNSET) -> Any:
        """A setting or a provider option by name; an option not set takes its provider's default
        (``option_defaults``), else ``default``; KeyError when there is neither."""
        if name in {f.name for f in fields(self)}:
            return getattr(self, name)
        if name in self.provider_options:
            return self.provider_options[name]
        if name in self.option_defaults:
            return self.option_defaults[name]
        if default is _UNSET:
            raise KeyError(f"No setting or provider option is called {name!r}.")
        return default

    def public_dict(self) -> dict[str, Any]:
        """Every setting but the keys: safe to log and to save in a project file."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in _NOT_PUBLIC}
        data["captions"] = self.captions.to_dict()
        data["base_urls"] = {svc: _without_credentials(url) for svc, url in self.base_urls.items()}
        data["output_dir"] = str(self.output_dir)
        data["cache_dir"] = str(self.cache_dir)
        data["music_dir"] = str(self.music_dir)
        return data
