"""The budget ledger: every applied budget change, and each object's budget at the start of its day.

The day is the calendar day in the advertiser's time zone. The start-of-day budget of an object
is the `start_of_day_budget` of its first ledger entry that day, or its current platform budget
when nothing was changed yet today; the policy measures every change against it, so many small
steps or raising and lowering again (ping-pong) cannot escape the daily limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from shopwarden.db.models import BudgetLedgerEntry


def advertiser_day(now: datetime, timezone: str) -> date:
    """The calendar day `now` falls on in the advertiser's time zone."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(ZoneInfo(timezone)).date()


@dataclass(frozen=True)
class ObjectRef:
    merchant_id: str
    advertiser_id: str
    object_type: str
    object_id: str


def _first_entry_of_day(session: Session, ref: ObjectRef, day: date) -> BudgetLedgerEntry | None:
    statement = (
        select(BudgetLedgerEntry)
        .where(BudgetLedgerEntry.merchant_id == ref.merchant_id, BudgetLedgerEntry.object_type == ref.object_type,
               BudgetLedgerEntry.object_id == ref.object_id, BudgetLedgerEntry.day == day)
        .order_by(col(BudgetLedgerEntry.id))
        .limit(1)
    )
    return session.exec(statement).first()


def start_of_day_budget(session: Session, ref: ObjectRef, day: date, current_budget: Decimal) -> Decimal:
    """The object's budget at the start of `day`: from its first ledger entry, else the current budget."""
    first = _first_entry_of_day(session, ref, day)
    return Decimal(first.start_of_day_budget) if first is not None else current_budget


def account_increase_today(session: Session, merchant_id: str, advertiser_id: str, day: date) -> Decimal:
    """Sum over the account's objects of max(0, latest budget - start-of-day budget) for `day`.

    One row per object changed today (first and latest entry found in SQL), however many
    changes were made.
    """
    ends = (
        select(BudgetLedgerEntry.object_type, BudgetLedgerEntry.object_id,
               func.min(BudgetLedgerEntry.id).label("first_id"), func.max(BudgetLedgerEntry.id).label("last_id"))
        .where(BudgetLedgerEntry.merchant_id == merchant_id, BudgetLedgerEntry.advertiser_id == advertiser_id,
               BudgetLedgerEntry.day == day)
        .group_by(BudgetLedgerEntry.object_type, BudgetLedgerEntry.object_id)
        .subquery()
    )
    first, latest = aliased(BudgetLedgerEntry), aliased(BudgetLedgerEntry)
    statement = (
        select(first.start_of_day_budget, latest.budget_after)
        .join(ends, first.id == ends.c.first_id)
        .join(latest, latest.id == ends.c.last_id)
    )
    return sum((max(Decimal(0), Decimal(after) - Decimal(start)) for start, after in session.execute(statement)),
               Decimal(0))


def record_change(
    session: Session,
    ref: ObjectRef,
    day: date,
    *,
    budget_before: Decimal,
    budget_after: Decimal,
    approval_id: int | None = None,
    execution_id: int | None = None,
) -> BudgetLedgerEntry:
    """Record an applied change; the first change of the day fixes the start-of-day budget."""
    entry = BudgetLedgerEntry(
        merchant_id=ref.merchant_id,
        advertiser_id=ref.advertiser_id,
        object_type=ref.object_type,
        object_id=ref.object_id,
        day=day,
        start_of_day_budget=start_of_day_budget(session, ref, day, budget_before),
        budget_before=budget_before,
        budget_after=budget_after,
        approval_id=approval_id,
        execution_id=execution_id,
    )
    session.add(entry)
    session.flush()
    return entry
