"""Which settings each way in may set, in one table: a job (the HTTP API, batch, a worker), the studio's
own controls (saved with a project) and the CLI's flags of the same name.

Keys and folders other than the cache are never a job's to set: they are the worker's.
"""

from __future__ import annotations

__all__ = ["CLI_OPTIONS", "JOB_OPTIONS", "STUDIO_OPTIONS"]

_TABLE: tuple[tuple[str, bool, bool, bool], ...] = (
    # name               job    studio  cli
    ("scenes",           True,  False,  True),
    ("tone",             True,  False,  True),
    ("seed",             True,  False,  True),
    ("script_provider",  True,  True,   True),
    ("voice_provider",   True,  True,   True),
    ("clip_provider",    True,  True,   True),
    ("voice_speed",      False, True,   False),
    ("aspect",           True,  False,  False),
    ("width",            True,  True,   False),
    ("height",           True,  True,   False),
    ("fps",              False, True,   False),
    ("transitions",      True,  True,   False),
    ("caption_style",    True,  False,  True),   # a preset's name; the studio keeps it in captions["preset"]
    ("captions",         True,  False,  False),  # a style's fields: adjust the preset (or the default)
    ("music",            True,  True,   True),
    ("music_volume",     True,  True,   True),
    ("language",         True,  False,  True),
    ("provider_options", True,  False,  False),
    ("cache_dir",        False, False,  True),
    ("in_flight",        False, False,  True),   # SERVICE=N: calls at once per service (the worker's, like keys)
    ("length",           True,  False,  True),   # the studio keeps its target in the topic form
)

JOB_OPTIONS = tuple(name for name, job, _, _ in _TABLE if job)
STUDIO_OPTIONS = tuple(name for name, _, studio, _ in _TABLE if studio)
CLI_OPTIONS = tuple(name for name, _, _, cli in _TABLE if cli)
