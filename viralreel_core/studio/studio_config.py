"""What the studio is set up with: where it keeps projects, the default frame size, the settings a person
may change in it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from viralreel_core import providers
from viralreel_core.config import REPO_ROOT, check_frame_size
from viralreel_core.errors import BadInput
from viralreel_core.option_names import STUDIO_OPTIONS

__all__ = ["StudioConfig", "option_names"]


def option_names() -> tuple[str, ...]:
    """Every setting a person may change in the studio: its own and each registered provider's options."""
    return (*STUDIO_OPTIONS, *providers.option_defaults())


@dataclass(frozen=True)
class StudioConfig:
    """Where the studio keeps projects, and the default frame size (tests ask for tiny frames)."""

    projects_dir: Path = REPO_ROOT / "projects"
    frame: tuple[int, int] | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> StudioConfig:
        """``VIRALREEL_PROJECTS_DIR`` and ``VIRALREEL_STUDIO_SIZE`` (e.g. ``180x320``) from a mapping."""
        frame = None
        size = str(environ.get("VIRALREEL_STUDIO_SIZE", "")).lower().strip()
        if size:
            try:
                w, h = (int(v) for v in size.split("x"))
            except ValueError:
                raise BadInput(f"VIRALREEL_STUDIO_SIZE={size!r} is not WIDTHxHEIGHT.",
                               hint="Use e.g. 720x1280.") from None
            frame = (w, h)
            check_frame_size(w, h)
        projects = environ.get("VIRALREEL_PROJECTS_DIR")  # made absolute here, once, like the other folders
        return cls(projects_dir=Path(projects).expanduser().absolute() if projects else cls.projects_dir,
                   frame=frame)
