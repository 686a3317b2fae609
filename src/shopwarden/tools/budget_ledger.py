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
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, insert, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from shopwarden.db.models import BudgetLedgerEntry, utcnow
from shopwarden.db.tables import table_of

# GMV Max ROI targets are kept in this ledger too (same start-of-day rule), under their own object
# type; they are not money, so the account-wide budget increase never counts them.
ROI_TARGET = "roi_target"


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


# Built once with bind parameters: SQLAlchemy reuses the compiled SQL and Core execution skips the ORM.
_table = table_of(BudgetLedgerEntry)
_ledger = _table.c
_FIRST_START_OF_DAY = (
    select(_ledger.start_of_day_budget)
    .where(_ledger.merchant_id == bindparam("merchant_id"), _ledger.object_type == bindparam("object_type"),
           _ledger.object_id == bindparam("object_id"), _ledger.day == bindparam("day"))
    .order_by(_ledger.id)
    .limit(1)
)


def _account_increase_statement() -> Select[Any]:
    ends = (
        select(_ledger.object_type, _ledger.object_id,
               func.min(_ledger.id).label("first_id"), func.max(_ledger.id).label("last_id"))
        .where(_ledger.merchant_id == bindparam("merchant_id"), _ledger.advertiser_id == bindparam("advertiser_id"),
               _ledger.day == bindparam("day"), _ledger.object_type != ROI_TARGET)
        .group_by(_ledger.object_type, _ledger.object_id)
        .subquery()
    )
    first, latest = _table.alias("first"), _table.alias("latest")
    return (
        select(ends.c.object_type, ends.c.object_id, first.c.start_of_day_budget, latest.c.budget_after)
        .join(ends, first.c.id == ends.c.first_id)
        .join(latest, latest.c.id == ends.c.last_id)
    )


_ACCOUNT_INCREASE = _account_increase_statement()


def start_of_day_budget(session: Session, ref: ObjectRef, day: date, current_budget: Decimal) -> Decimal:
    """The object's budget at the start of `day`: from its first ledger entry, else the current budget."""
    first = first_start_of_day(session, ref, day)
    return first if first is not None else current_budget


def first_start_of_day(session: Session | Connection, ref: ObjectRef, day: date) -> Decimal | None:
    """The start-of-day budget fixed by the object's first change on `day`, None when it was not changed yet."""
    found = _connection(session).execute(_FIRST_START_OF_DAY, {
        "merchant_id": ref.merchant_id, "object_type": ref.object_type, "object_id": ref.object_id, "day": day,
    }).scalar()
    return None if found is None else Decimal(found)


@dataclass(frozen=True)
class AccountDay:
    """An ad account's budget changes on one day: (start-of-day, latest) budget of each object changed."""

    budgets: dict[tuple[str, str], tuple[Decimal, Decimal]]  # (object_type, object_id) -> (start of day, latest)

    def start_of_day(self, object_type: str, object_id: str) -> Decimal | None:
        """`first_start_of_day` of one of the account's budgets (its entries all carry this advertiser)."""
        found = self.budgets.get((object_type, object_id))
        return None if found is None else found[0]

    @property
    def increase(self) -> Decimal:
        """Sum over the account's objects of max(0, latest budget - start-of-day budget)."""
        return sum((max(Decimal(0), after - start) for start, after in self.budgets.values()), Decimal(0))


def account_day(session: Session | Connection, merchant_id: str, advertiser_id: str, day: date) -> AccountDay:
    """One row per object changed on `day` (first and latest entry found in SQL), however many changes were made."""
    rows = _connection(session).execute(_ACCOUNT_INCREASE,
                                        {"merchant_id": merchant_id, "advertiser_id": advertiser_id, "day": day})
    return AccountDay({(kind, object_id): (Decimal(start), Decimal(after)) for kind, object_id, start, after in rows})


def account_increase_today(session: Session | Connection, merchant_id: str, advertiser_id: str,
                           day: date) -> Decimal:
    """Sum over the account's objects of max(0, latest budget - start-of-day budget) for `day`."""
    return account_day(session, merchant_id, advertiser_id, day).increase


def _connection(session: Session | Connection) -> Connection:
    return session if isinstance(session, Connection) else session.connection()


_CHANGES_ON_DAY = (
    select(func.count())
    .where(_ledger.merchant_id == bindparam("merchant_id"), _ledger.object_type == bindparam("object_type"),
           _ledger.object_id == bindparam("object_id"), _ledger.day == bindparam("day"))
)


def changes_on(session: Session, ref: ObjectRef, day: date) -> int:
    """How many changes of the object were applied on `day`."""
    return int(session.connection().execute(_CHANGES_ON_DAY, {
        "merchant_id": ref.merchant_id, "object_type": ref.object_type, "object_id": ref.object_id, "day": day,
    }).scalar_one())


_INSERT_ENTRY = insert(_table).returning(_ledger.id)


def record_change(
    session: Session,
    ref: ObjectRef,
    day: date,
    *,
    budget_before: Decimal,
    budget_after: Decimal,
    approval_id: int | None = None,
    execution_id: int | None = None,
    start_of_day: Decimal | None = None,
) -> int:
    """Record an applied change (returns the entry's id); the first change of the day fixes the start-of-day budget.

    `start_of_day`: the object's start-of-day budget as an earlier read of this day's first entry found it
    (an entry once written is never changed, so it need not be read again); None reads it here.
    """
    values = {
        "merchant_id": ref.merchant_id,
        "advertiser_id": ref.advertiser_id,
        "object_type": ref.object_type,
        "object_id": ref.object_id,
        "day": day,
        "start_of_day_budget": start_of_day if start_of_day is not None
        else start_of_day_budget(session, ref, day, budget_before),
        "budget_before": budget_before,
        "budget_after": budget_after,
        "approval_id": approval_id,
        "execution_id": execution_id,
        "created_at": utcnow(),
    }
    return int(session.connection().execute(_INSERT_ENTRY, values).scalar_one())
