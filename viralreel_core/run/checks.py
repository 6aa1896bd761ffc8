"""The checks every way in (CLI, HTTP API, batch, worker) runs on settings before anything is spent.

One place, so the command line and a job refuse the same things with the same one-line messages.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from viralreel_core import providers
from viralreel_core.config import Settings, check_frame_size
from viralreel_core.errors import BadConfiguration, BadInput
from viralreel_core.limits import MAX_SCENES, MAX_TOPIC_CHARS, MIN_SCENES, WRITER_SCENES
from viralreel_core.media import disk
from viralreel_core.media.music import SAMPLE_RATE, check_music, check_volume
from viralreel_core.render.caption_styles import check_style
from viralreel_core.text.clean import clean_text, reject_nul
from viralreel_core.text.languages import check_language
from viralreel_core.text.length_plan import check_length, check_length_and_scenes

__all__ = ["check_output_folder", "check_provider_options", "check_settings", "check_space", "space_needed",
           "validate_topic"]

CONTAINER_OVERHEAD = 1.05  # an MP4's boxes and index over its streams' bitrates
#: the cache holds each scene's clip, its rendered segment and a copy of the finished video, and a render's
#: scratch copy passes through it before it is stored: about four times the video
CACHE_COPIES = 4
WAV_BYTES_PER_SECOND = SAMPLE_RATE * 2 * 2  # the narration laid out as 16-bit stereo before it is encoded


def check_settings(settings: Settings, *, music_files: bool = True) -> Settings:
    """``settings`` if usable (its language as a known code, its music volume a number), else BadInput:
    scene count and length, frame size, music, language, and each step's provider.

    ``music_files=False`` allows only the shipped tracks and uploaded ones, never a path."""
    if settings.scenes is not None and settings.scenes not in WRITER_SCENES:
        raise BadInput(f"A script has {MIN_SCENES} to {MAX_SCENES} scenes, not {settings.scenes}.",
                       hint=f"Pick a number from {MIN_SCENES} to {MAX_SCENES}.")
    check_length_and_scenes(check_length(settings.length), settings.scenes)
    check_frame_size(settings.width, settings.height)
    check_style(settings.captions)  # a bad colour or animation: one line now, not after the voices are paid for
    # over the API only the shipped tracks and uploads (POST /music): a path would read any file on the server
    check_music(settings.music, settings.music_volume, settings.music_dir, paths=music_files)
    # normalised here, for every way in: a batch CSV's "0.2" and the CLI's 0.2 make the same cache keys
    settings = settings.with_(language=check_language(settings.language),
                              music_volume=check_volume(settings.music_volume))
    for step, name in (("script", settings.script_provider), ("voice", settings.voice_provider),
                       ("clips", settings.clip_provider)):
        providers.resolve_name(step, name, settings)  # an unknown provider is bad input, before anything starts
    return settings


def check_provider_options(options: Mapping[str, Any], *, paths: bool = True) -> dict[str, Any]:
    """Providers' own options (``image_model``…) checked against what the providers declare; BadInput if not.

    A value must be one of the option's ``option_choices`` where it has them, else a short plain value.
    ``paths=False`` (the API, jobs) refuses options naming a file (``*_path``): they would read the server's files.
    """
    if not isinstance(options, Mapping):
        raise BadInput("options must be an object of provider options.", hint='e.g. {"image_model": "gpt-image-1"}.')
    defaults = providers.option_defaults()
    allowed = sorted(n for n in defaults if paths or not n.endswith("_path"))
    choices: dict[str, tuple[Any, ...]] = {}
    for cls in providers.classes():
        for name, values in cls.option_choices.items():
            choices[name] = (*choices.get(name, ()), *(v for v in values if v not in choices.get(name, ())))
    checked: dict[str, Any] = {}
    for name, value in options.items():
        if name not in allowed:
            raise BadInput(f"Unknown provider option {name!r}.", hint=f"Options are: {', '.join(allowed)}.")
        if name in choices:
            if value not in choices[name]:
                raise BadInput(f"{name} cannot be {value!r}.",
                               hint=f"Choose one of: {', '.join(map(str, choices[name]))}.")
        elif not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise BadInput(f"{name} must be a short text, not {value!r}."[:300], hint="e.g. a model or voice name.")
        checked[name] = value
    return checked


def _kbps(bitrate: str) -> float:
    return float(bitrate.strip().lower().rstrip("k") or 0)


def space_needed(settings: Settings, seconds: float) -> dict[str, float]:
    """Megabytes a video of ``seconds`` needs in the output folder (``"output"``) and the cache (``"cache"``):
    frame size × length × bitrate, the frame's bitrate being ``Settings.frame_bitrate``."""
    video = seconds * (_kbps(settings.frame_bitrate()) + _kbps(settings.audio_bitrate)) * 1000 / 8 / disk.MB
    video *= CONTAINER_OVERHEAD
    return {"output": video, "cache": CACHE_COPIES * video + seconds * WAV_BYTES_PER_SECOND / disk.MB}


def check_space(needs: Mapping[Path, float]) -> None:
    """BadConfiguration naming a folder whose disk lacks the megabytes ``needs`` puts on it (folders on one
    disk add up), before anything is spent."""
    disks: dict[int, list[Path]] = {}
    for folder in needs:
        disks.setdefault(os.stat(disk.nearest_existing(folder)).st_dev, []).append(folder)
    for folders in disks.values():
        total = sum(needs[f] for f in folders)
        if disk.free_mb(folders[0]) < total:
            folder = max(folders, key=lambda f: needs[f])
            raise BadConfiguration(disk.no_space_line(folder, total),
                                   hint="Free some space there, or choose another folder for the videos or the cache.")


def validate_topic(topic: str) -> str:
    """The topic, trimmed and without control characters; BadInput if empty, over 500 characters or with a NUL."""
    cleaned = " ".join(clean_text(reject_nul(topic or "", "The topic")).split())
    if not cleaned:
        raise BadInput("The topic is empty.", hint="Type what the video should be about, e.g. 'The future of AI'.")
    if len(cleaned) > MAX_TOPIC_CHARS:
        raise BadInput(f"The topic is {len(cleaned)} characters long; the limit is {MAX_TOPIC_CHARS}.",
                       hint="Shorten it to a sentence or two.")
    return cleaned


def check_output_folder(folder: Path) -> Path:
    """``folder`` made absolute and proven writable by a real write (permissions, read-only mounts and full
    disks all show here); BadConfiguration naming the folder otherwise."""
    folder = folder.expanduser().absolute()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".viralreel_probe_{uuid.uuid4().hex[:8]}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise BadConfiguration(f"Cannot write videos to {folder} ({exc.strerror or exc}).",
                               hint="Choose a writable output folder (--out).") from exc
    return folder
