"""The ROI target of a GMV Max campaign as a lever, and when it is the better one.

A GMV Max campaign's daily budget caps its spend; its ROI target (gross revenue / cost) tells
TikTok how choosy to be. So:
  - a winner that spent well short of its budget on the last full day is held back by its target,
    not by its budget: raising the budget would change nothing, lowering the target (not below
    `scale_above` x break-even, so it stays a winner) lets it spend;
  - a loser whose target sits below break-even lets TikTok buy orders that lose money: raising the
    target towards break-even is the lever; with a target already at or above break-even, TikTok
    cannot reach it and the budget is cut instead.
Each change is measured from the day's starting target and limited by `roi_target_change_pct`,
at most `roi_target_changes_per_day` a day (the policy's limits), and voids TikTok's ROI
protection for the rest of the day, which the rationale says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal
from typing import Any

from shopwarden.agents.facts import CampaignFacts

CENTS = Decimal("0.01")
VOIDS_PROTECTION = "changing the ROI target voids TikTok's ROI protection for this campaign for the rest of the day"
Limit = Callable[[str, Any], Any]


@dataclass(frozen=True)
class RoiChange:
    was: Decimal
    roas_bid: Decimal
    rationale: str


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


def target_binds(c: CampaignFacts, limit: Limit) -> bool:
    """The last full day's spend stopped short of the budget in force that day (the start of today's)."""
    budget = c.start_of_day_budget if c.start_of_day_budget is not None else c.budget
    if c.kind != "gmv_max" or not budget or c.last_closed_day_spend is None or c.roas_bid is None:
        return False
    return c.last_closed_day_spend < budget * _d(limit("gmv_max_underspend_share", "0.8"))


def _room_today(c: CampaignFacts, limit: Limit) -> tuple[Decimal, Decimal] | None:
    """(start-of-day target, allowed move) when another change is allowed today, else None."""
    if c.roas_bid is None or c.roi_changes_today >= int(limit("roi_target_changes_per_day", 1)):
        return None
    start = c.start_of_day_roas_bid if c.start_of_day_roas_bid is not None else c.roas_bid
    return start, start * _d(limit("roi_target_change_pct", 20)) / 100


def lower_for_winner(c: CampaignFacts, break_even: Decimal, why: str, limit: Limit) -> RoiChange | None:
    if not target_binds(c, limit) or c.roas_bid is None:
        return None
    room = _room_today(c, limit)
    if room is None:
        return None
    start, step = room
    floor = (break_even * _d(limit("scale_above", "1.5"))).quantize(CENTS, rounding=ROUND_UP)
    new = max(floor, (start - step).quantize(CENTS, rounding=ROUND_UP))
    if new >= c.roas_bid:
        return None
    budget = c.start_of_day_budget if c.start_of_day_budget is not None else c.budget
    return RoiChange(c.roas_bid, new, (
        f"lower the ROI target of {c.name} from {c.roas_bid} to {new}: {why}; yesterday it spent "
        f"{c.last_closed_day_spend} of its {budget} budget, so the target, not the budget, holds it back "
        f"(a target of at least {floor} keeps it {limit('scale_above', '1.5')}x above break-even); "
        f"{VOIDS_PROTECTION}"))


def raise_for_loser(c: CampaignFacts, break_even: Decimal, why: str, limit: Limit) -> RoiChange | None:
    if c.kind != "gmv_max" or c.roas_bid is None or c.roas_bid >= break_even:
        return None
    room = _room_today(c, limit)
    if room is None:
        return None
    start, step = room
    new = min(break_even, (start + step).quantize(CENTS, rounding=ROUND_DOWN)).quantize(CENTS, rounding=ROUND_UP)
    if new <= c.roas_bid:
        return None
    return RoiChange(c.roas_bid, new, (
        f"raise the ROI target of {c.name} from {c.roas_bid} to {new}: {why}; its target {c.roas_bid} is below "
        f"break-even {break_even}, so TikTok buys orders that lose money, and a higher target stops that "
        f"without starving it; {VOIDS_PROTECTION}"))
