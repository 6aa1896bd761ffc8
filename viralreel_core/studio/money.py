"""The checks paid studio work passes before it starts: a yes above the price threshold, then the
owner's daily budget (see ``viralreel_core.workspace.spending``)."""

from __future__ import annotations

from typing import Any

from viralreel_core.errors import NeedsConfirmation
from viralreel_core.run.pipeline import Pipeline
from viralreel_core.workspace.spending import DEFAULT_CONFIRM_ABOVE, Budget

__all__ = ["Wallet"]


class Wallet:
    """Whose money a studio spends, and the paid starts waiting for the person's yes."""

    def __init__(self) -> None:
        self.budget: Budget | None = None  # the owner's daily limit, when the owner's keys are in use
        self.confirm_above = DEFAULT_CONFIRM_ABOVE
        self.pending: dict[str, dict[str, Any]] = {}  # step -> the start waiting for a yes, with its cost

    def pay(self, step: str, pipeline: Pipeline, cost: float, confirmed: bool,
            retry: dict[str, Any] | None = None) -> float | None:
        """Before ``step``'s paid work starts: NeedsConfirmation above the threshold (``retry`` is kept in
        ``pending`` for ``Studio.confirm``), then reserve ``cost`` in the budget (SpendingLimitReached).

        Returns what was reserved: None when nothing is counted (offline, all cached, or no budget)."""
        if pipeline.provider(step).offline:
            return None
        if retry is not None and cost > self.confirm_above and not confirmed:
            self.pending[step] = {**retry, "cost": cost}
            raise NeedsConfirmation(cost, self.confirm_above)
        self.pending.pop(step, None)
        if self.budget is None or (cost <= 0 and retry is not None):  # all of it cached: nothing to spend
            return None
        self.budget.reserve(cost)
        return cost
