"""The checks every way in (CLI, HTTP API, batch, worker) runs on settings before anything is spent.

One place, so the command line and a job refuse the same things with the same one-line messages.
"""

from __future__ import annotations

from . import providers
from .config import Settings, check_frame_size
from .errors import BadInput
from .languages import check_language
from .limits import MAX_SCENES, MIN_SCENES, WRITER_SCENES
from .music import check_music

__all__ = ["check_settings"]


def check_settings(settings: Settings, *, music_files: bool = True) -> Settings:
    """``settings`` if usable (its language as a known code), else BadInput: scene count, frame size,
    music, language, and each step's provider.

    ``music_files=False`` allows only the shipped tracks and uploaded ones, never a path."""
    if settings.scenes is not None and settings.scenes not in WRITER_SCENES:
        raise BadInput(f"A script has {MIN_SCENES} to {MAX_SCENES} scenes, not {settings.scenes}.",
                       hint=f"Pick a number from {MIN_SCENES} to {MAX_SCENES}.")
    check_frame_size(settings.width, settings.height)
    # over the API only the shipped tracks and uploads (POST /music): a path would read any file on the server
    check_music(settings.music, settings.music_volume, settings.music_dir, paths=music_files)
    settings = settings.with_(language=check_language(settings.language))
    for step, name in (("script", settings.script_provider), ("voice", settings.voice_provider),
                       ("clips", settings.clip_provider)):
        providers.resolve_name(step, name, settings)  # an unknown provider is bad input, before anything starts
    return settings
