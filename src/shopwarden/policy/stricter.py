"""Tightening the merchant's limits for one agent: an agent (an MCP client) may carry limits of its own,
and the policy sees the stricter of each pair, never the looser.

    limits = stricter_limits(merchant_limits, {"daily_budget_change_pct": 5})
    autonomy = stricter_autonomy("guarded", "suggest")   # "suggest"

Which way is stricter depends on the limit: a smaller allowed rise is stricter, a larger minimum budget
is stricter. A limit not named here cannot be tightened (so nothing unknown reaches the policy).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shopwarden.domain.numbers import as_number
from shopwarden.domain.vocabulary import Autonomy

# The policy limits (policies/data.json) whose smaller value allows less.
LOWER_IS_STRICTER = frozenset({
    "daily_budget_change_pct", "hard_budget_change_pct", "account_daily_increase_max",
    "roi_target_change_pct", "roi_target_changes_per_day", "max_skus_per_call",
    "inventory_change_approval_threshold",
})
# ... and those whose larger value allows less.
HIGHER_IS_STRICTER = frozenset({"min_campaign_budget", "min_adgroup_budget", "min_gmv_max_budget"})
TIGHTENABLE = LOWER_IS_STRICTER | HIGHER_IS_STRICTER
# From the level that lets an agent do least to the one that lets it do most.
AUTONOMY_ORDER = (Autonomy.OBSERVE, Autonomy.SUGGEST, Autonomy.GUARDED)


def stricter_limits(limits: Mapping[str, Any], ceilings: Mapping[str, Any]) -> dict[str, Any]:
    """`limits` with each tightenable ceiling applied where it allows less; other entries ignored.
    A ceiling that applies is kept as given (a JSON number or numeric text, as merchant limits are)."""
    merged = dict(limits)
    for name, raw in ceilings.items():
        own = as_number(raw)
        if name not in TIGHTENABLE or own is None:
            continue
        current = as_number(merged.get(name))  # None: the merchant's is missing or malformed, the agent's binds
        if current is None or ((own < current) if name in LOWER_IS_STRICTER else (own > current)):
            merged[name] = raw
    return merged


def stricter_autonomy(autonomy: str, ceiling: str | None) -> str:
    """The merchant's level, lowered to `ceiling` when that lets the agent do less. An unknown merchant
    level is kept, so the policy refuses it as it would without a ceiling."""
    if ceiling is None or ceiling not in AUTONOMY_ORDER or autonomy not in AUTONOMY_ORDER:
        return autonomy
    return min(autonomy, ceiling, key=lambda level: AUTONOMY_ORDER.index(Autonomy(level)))
