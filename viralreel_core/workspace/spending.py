"""The owner's money: a daily spending limit counted in a small ledger file, and a price to confirm.

The ledger is one JSON file (``{"2026-12-01": 1.25, ...}``, dollars per UTC day) shared by every
session and process of the server, read and written under a cross-process file lock, so the limit
holds across restarts and sessions. Paid work *reserves* its estimated cost before it starts (two jobs
can never both squeeze under the limit) and *settles* the real cost when it ends; a job that dies with
its process leaves its estimate counted, which errs on the owner's side::

    budget = Budget(Path("workspaces/spending.json"), daily_limit=5.0)
    budget.reserve(0.40)           # SpendingLimitReached when it would go over today's limit
    ...
    budget.settle(0.40, 0.35)      # the job spent 0.35
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from viralreel_core.errors import BadInput, SpendingLimitReached
from viralreel_core.media.files import write_text_atomically

__all__ = ["CONFIRM_ABOVE", "DAILY_LIMIT", "Budget", "confirm_threshold"]

DAILY_LIMIT = "VIRALREEL_DAILY_LIMIT_USD"  # in Secrets or the environment; unset: no limit
CONFIRM_ABOVE = "VIRALREEL_CONFIRM_ABOVE_USD"  # a step estimated above this asks first (default 0.50)
DEFAULT_CONFIRM_ABOVE = 0.50
KEEP_DAYS = 62


def _money(values: Mapping[str, Any], name: str) -> float | None:
    raw = str(values.get(name) or "").strip().lstrip("$")
    if not raw:
        return None
    try:
        amount = float(raw)
    except ValueError:
        raise BadInput(f"{name}={raw!r} is not an amount of dollars.", hint="Use a number such as 5 or 2.50.") from None
    if amount < 0:
        raise BadInput(f"{name} cannot be negative.", hint="Use 0 to allow no paid work at all.")
    return amount


def confirm_threshold(values: Mapping[str, Any]) -> float:
    """The estimated cost above which a paid step asks for confirmation."""
    found = _money(values, CONFIRM_ABOVE)
    return DEFAULT_CONFIRM_ABOVE if found is None else found


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


@dataclass(frozen=True)
class Budget:
    """Today's spending against ``daily_limit`` dollars (None: no limit, only counted)."""

    path: Path
    daily_limit: float | None = None

    @classmethod
    def from_values(cls, path: Path, values: Mapping[str, Any]) -> Budget:
        return cls(Path(path), _money(values, DAILY_LIMIT))

    def _lock(self) -> FileLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path) + ".lock", timeout=30)

    def _read(self) -> dict[str, float]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _write(self, days: dict[str, float]) -> None:
        kept = dict(sorted(days.items())[-KEEP_DAYS:])
        write_text_atomically(self.path, json.dumps(kept))

    def spent_today(self) -> float:
        with self._lock():
            return self._read().get(_today(), 0.0)

    def reserve(self, estimate: float) -> None:
        """Count ``estimate`` as spent now; SpendingLimitReached (nothing counted) if it would go over."""
        with self._lock():
            days = self._read()
            spent = days.get(_today(), 0.0)
            if self.daily_limit is not None and (spent + estimate > self.daily_limit + 1e-9
                                                 or spent >= self.daily_limit):
                raise SpendingLimitReached(
                    f"Today's spending limit for this studio (${self.daily_limit:,.2f}) is reached: "
                    f"${spent:,.2f} spent, and this would cost about ${estimate:,.2f}.",
                    hint="Use the free offline providers (pick local in the sidebar), your own key, or come "
                         "back tomorrow (UTC).")
            days[_today()] = spent + estimate
            self._write(days)

    def settle(self, reserved: float, actual: float) -> None:
        """Replace a reservation by what the work really cost."""
        with self._lock():
            days = self._read()
            days[_today()] = max(0.0, days.get(_today(), 0.0) - reserved + actual)
            self._write(days)
