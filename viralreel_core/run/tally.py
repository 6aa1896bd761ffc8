"""What one run asked of the cache and what it spent: hits, misses, money, segments; safe across threads."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunTally"]


@dataclass
class RunTally:
    """What one run asked of the cache and what it spent; safe to update from several threads."""

    hits: int = 0
    misses: int = 0
    spent_usd: float = 0.0
    saved_usd: float = 0.0
    provider_calls: dict[str, int] = field(default_factory=dict)
    segments_rendered: int = 0
    segments_reused: int = 0
    spent_by_scene: dict[int, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, step: str, hit: bool, cost: float, scene: int | None = None) -> None:
        with self._lock:
            if hit:
                self.hits += 1
                self.saved_usd += cost
            else:
                self.misses += 1
                self._spend(step, cost, scene)

    def count_failed(self, step: str, exc: BaseException, scene: int | None = None) -> None:
        """A call that failed after the service charged for it (``exc.spent_usd``): the money still counts."""
        spent = float(getattr(exc, "spent_usd", 0.0) or 0.0)
        if spent > 0:
            with self._lock:
                self._spend(step, spent, scene)

    def _spend(self, step: str, cost: float, scene: int | None) -> None:
        self.spent_usd += cost
        self.provider_calls[step] = self.provider_calls.get(step, 0) + 1
        if scene is not None:
            self.spent_by_scene[scene] = self.spent_by_scene.get(scene, 0.0) + cost

    def add(self, other: RunTally) -> None:
        """Add another tally's counts to this one (e.g. one studio action's into the session's)."""
        with self._lock:
            self.hits += other.hits
            self.misses += other.misses
            self.spent_usd += other.spent_usd
            self.saved_usd += other.saved_usd
            for step, calls in other.provider_calls.items():
                self.provider_calls[step] = self.provider_calls.get(step, 0) + calls
            self.segments_rendered += other.segments_rendered
            self.segments_reused += other.segments_reused
            for scene, spent in other.spent_by_scene.items():
                self.spent_by_scene[scene] = self.spent_by_scene.get(scene, 0.0) + spent

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunTally:
        """A tally saved with ``to_dict`` (missing counts are zero)."""
        return cls(hits=int(data.get("hits", 0)), misses=int(data.get("misses", 0)),
                   spent_usd=float(data.get("spent_usd", 0.0)), saved_usd=float(data.get("saved_usd", 0.0)),
                   provider_calls={str(k): int(v) for k, v in (data.get("provider_calls") or {}).items()},
                   segments_rendered=int(data.get("segments_rendered", 0)),
                   segments_reused=int(data.get("segments_reused", 0)))

    def count_segments(self, rendered: int, reused: int) -> None:
        """A render's segments: how many were rendered and how many came from the cache."""
        with self._lock:
            self.segments_rendered += rendered
            self.segments_reused += reused

    def rendered_early(self, count: int) -> None:
        """``count`` segments the assembly found cached were rendered early in this run: they count as rendered."""
        with self._lock:
            moved = min(count, self.segments_reused)
            self.segments_reused -= moved
            self.segments_rendered += count

    def to_dict(self) -> dict[str, Any]:
        return {"hits": self.hits, "misses": self.misses, "spent_usd": round(self.spent_usd, 6),
                "saved_usd": round(self.saved_usd, 6), "provider_calls": dict(self.provider_calls),
                "segments_rendered": self.segments_rendered, "segments_reused": self.segments_reused}
