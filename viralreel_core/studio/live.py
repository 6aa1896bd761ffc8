"""Studios kept server-wide, by workspace and project, so a reloaded page finds its work still running.

A browser reload (or a dropped connection) starts a new session; the project it reopens is looked up
here first, so the new session gets the very ``Studio`` whose jobs are still running (or finished while
nobody watched) and applies their results. Only studios with no running job are ever let go, oldest
first; what they hold is saved in their workspace already::

    LIVE.put(workspace_key, studio)
    LIVE.get(workspace_key, project_id)          # the same object, in another session
    LIVE.running(workspace_key)                  # jobs running in that workspace
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from viralreel_core.errors import BadInput

if TYPE_CHECKING:
    from viralreel_core.studio.studio import Studio

__all__ = ["LIVE", "LiveStudios", "workspace_key"]


def workspace_key(projects_dir: str | Path) -> str:
    """A workspace's key: its projects folder, resolved (two workspaces never share one)."""
    return str(Path(projects_dir).resolve())


class LiveStudios:
    """The studios in use on this server, by (workspace, project id); thread-safe."""

    def __init__(self, keep: int = 64) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        self._studios: OrderedDict[tuple[str, str], Studio] = OrderedDict()

    def get(self, workspace: str, project_id: str) -> Studio | None:
        with self._lock:
            return self._studios.get((workspace, project_id))

    def put(self, workspace: str, studio: Studio) -> None:
        """Keep ``studio`` under its current project id (it may have changed: a saved copy, another project)."""
        key = (workspace, studio.id)
        with self._lock:
            for old in [k for k, s in self._studios.items() if s is studio and k != key]:
                del self._studios[old]
            self._studios[key] = studio
            self._studios.move_to_end(key)
            idle = [k for k, s in self._studios.items() if not s.busy()]
            let_go = [self._studios.pop(k) for k in idle[: max(0, len(self._studios) - self.keep)]]
        for gone in let_go:
            gone.close()

    def running(self, workspace: str) -> int:
        """How many jobs are running in ``workspace``."""
        with self._lock:
            studios = [s for (w, _), s in self._studios.items() if w == workspace]
        return sum(1 for s in studios for job in s.jobs.values() if not job.done)

    def check_room(self, workspace: str, cap: int) -> None:
        """BadInput when ``workspace`` already runs ``cap`` jobs (0: no cap)."""
        if cap and self.running(workspace) >= cap:
            raise BadInput(f"This workspace already has {cap} jobs running or waiting.",
                           hint="Wait for one to finish, or stop one.")


LIVE = LiveStudios()
