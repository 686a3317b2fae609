"""Budget ledger: start-of-day budgets in the advertiser's time zone, cumulative account increase,
and the policy's daily limit cannot be escaped by small steps or ping-pong."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.policy import default_limits, load_engine
from shopwarden.tools import budget_ledger
from shopwarden.tools.budget_ledger import ObjectRef, account_increase_today, advertiser_day, record_change

CAMPAIGN = ObjectRef("m-acme", "adv1", "campaign", "c1")
ADGROUP = ObjectRef("m-acme", "adv1", "adgroup", "g1")
DAY = date(2026, 3, 2)


def _apply(engine, ref: ObjectRef, before: str, after: str, day: date = DAY) -> None:
    with session_scope(engine) as session:
        record_change(session, ref, day, budget_before=Decimal(before), budget_after=Decimal(after))


def _start(engine, ref: ObjectRef, current: str, day: date = DAY) -> Decimal:
    with session_scope(engine) as session:
        return budget_ledger.start_of_day_budget(session, ref, day, Decimal(current))


def _increase(engine, day: date = DAY) -> Decimal:
    with session_scope(engine) as session:
        return account_increase_today(session, "m-acme", "adv1", day)


def test_day_is_the_advertisers_calendar_day() -> None:
    # 07:30 UTC on 2 March is still 1 March in Los Angeles, already 2 March in Tokyo.
    moment = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert advertiser_day(moment, "America/Los_Angeles") == date(2026, 3, 1)
    assert advertiser_day(moment, "Asia/Tokyo") == date(2026, 3, 2)
    with pytest.raises(ValueError, match="timezone-aware"):
        advertiser_day(datetime(2026, 3, 2), "UTC")


def test_without_entries_the_start_of_day_budget_is_the_current_budget(engine, merchant) -> None:
    assert _start(engine, CAMPAIGN, "100") == Decimal("100")
    assert _increase(engine) == Decimal(0)


def test_the_first_change_of_the_day_fixes_the_start_of_day_budget(engine, merchant) -> None:
    _apply(engine, CAMPAIGN, "100", "110")
    _apply(engine, CAMPAIGN, "110", "120")
    assert _start(engine, CAMPAIGN, "120") == Decimal("100")
    assert _increase(engine) == Decimal("20")


def test_ping_pong_does_not_reset_the_start_of_day_budget(engine, merchant) -> None:
    for before, after in [("100", "120"), ("120", "100"), ("100", "120"), ("120", "100")]:
        _apply(engine, CAMPAIGN, before, after)
    assert _start(engine, CAMPAIGN, "100") == Decimal("100")
    assert _increase(engine) == Decimal(0)


def test_account_increase_sums_objects_and_ignores_decreases(engine, merchant) -> None:
    _apply(engine, CAMPAIGN, "100", "150")
    _apply(engine, ADGROUP, "40", "30")
    _apply(engine, ObjectRef("m-acme", "adv1", "adgroup", "g2"), "20", "25")
    _apply(engine, ObjectRef("m-acme", "adv2", "campaign", "other"), "20", "900")  # another ad account
    assert _increase(engine) == Decimal("55")


def test_a_new_day_in_the_advertisers_time_zone_starts_from_the_current_budget(engine, merchant) -> None:
    _apply(engine, CAMPAIGN, "100", "120", day=date(2026, 3, 1))
    assert _start(engine, CAMPAIGN, "120", day=date(2026, 3, 2)) == Decimal("120")
    assert _increase(engine, day=date(2026, 3, 2)) == Decimal(0)
    assert _increase(engine, day=date(2026, 3, 1)) == Decimal("20")


def _budget_decision(engine, current: str, requested: str):
    with session_scope(engine) as session:
        start = budget_ledger.start_of_day_budget(session, CAMPAIGN, DAY, Decimal(current))
        increase = account_increase_today(session, "m-acme", "adv1", DAY)
    return load_engine(get_settings()).decide({
        "tool": "update_budget", "action": "mutate", "now": "2026-03-02T20:00:00Z",
        "args": {"advertiser_id": "adv1", "object_type": "campaign", "object_id": "c1", "budget": requested},
        "merchant": {"id": "m-acme", "autonomy": "guarded", "limits": default_limits()},
        "agent": {"id": "growth", "allowed_tools": ["update_budget"]},
        "state": {"object_type": "campaign", "object_id": "c1", "object_name": "Spring", "currency": "USD",
                  "budget_mode": "BUDGET_MODE_DAY", "current_budget": current, "start_of_day_budget": str(start),
                  "day": DAY.isoformat(), "account_increase_today": str(increase), "status": "ENABLE",
                  "timezone": "UTC"},
    })


def test_small_steps_cannot_escape_the_daily_limit(engine, merchant) -> None:
    budget = Decimal("100")
    for step in ("105", "110", "115", "120"):
        assert _budget_decision(engine, str(budget), step).decision == "allow"
        _apply(engine, CAMPAIGN, str(budget), step)
        budget = Decimal(step)
    decision = _budget_decision(engine, "120", "125")
    assert decision.decision == "require_approval"
    assert "budget.daily_change_limit" in decision.reason_codes
    assert "above today's limit of 120.00 (start of day 100.00 + 20%)" in " ".join(decision.reasons)


def test_ping_pong_cannot_escape_the_daily_limit(engine, merchant) -> None:
    _apply(engine, CAMPAIGN, "100", "120")
    _apply(engine, CAMPAIGN, "120", "80")
    decision = _budget_decision(engine, "80", "140")  # +75% of the current budget, +40% of the start
    assert decision.decision == "require_approval"
    assert "budget.daily_change_limit" in decision.reason_codes
    assert _budget_decision(engine, "80", "120").decision == "allow"


def test_the_account_day_read_gives_each_objects_first_start_of_day_and_the_increase(engine, merchant) -> None:
    """The gate's read pass reads the day once (account_day): it must agree with the per-object lookups."""
    roi = ObjectRef("m-acme", "adv1", budget_ledger.ROI_TARGET, "c1")
    _apply(engine, CAMPAIGN, "100", "130")
    _apply(engine, CAMPAIGN, "130", "90")
    _apply(engine, ADGROUP, "40", "50")
    _apply(engine, roi, "2", "3")  # an ROI target of the same object id: neither a budget nor in the increase
    _apply(engine, CAMPAIGN, "90", "70", day=date(2026, 3, 1))  # yesterday's
    with session_scope(engine) as session:
        today = budget_ledger.account_day(session, "m-acme", "adv1", DAY)
        for ref in (CAMPAIGN, ADGROUP):
            assert today.start_of_day(ref.object_type, ref.object_id) == budget_ledger.first_start_of_day(
                session, ref, DAY)
        assert today.start_of_day("campaign", "c1") == Decimal("100")
        assert today.start_of_day("campaign", "c2") is None
        assert today.increase == Decimal("10") == account_increase_today(session, "m-acme", "adv1", DAY)
