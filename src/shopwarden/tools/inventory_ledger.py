"""The inventory ledger: every applied stock change per SKU and warehouse, and its stock at the start of the day.

Like the budget ledger: the policy measures a change against the start-of-day quantity (the
`start_of_day_quantity` of the SKU's first entry that day, else its current stock), so ten
+99 steps or a +990 split over several calls meet the same approval threshold as one +990.
The day is the UTC calendar day (the Shop API gives no per-shop time zone we rely on).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlmodel import Session

from shopwarden.db.models import InventoryLedgerEntry, utcnow
from shopwarden.db.tables import table_of

_table = table_of(InventoryLedgerEntry)
_ledger = _table.c
_FIRST = (
    select(_ledger.start_of_day_quantity)
    .where(_ledger.merchant_id == bindparam("merchant_id"), _ledger.sku_id == bindparam("sku_id"),
           _ledger.warehouse_id == bindparam("warehouse_id"), _ledger.day == bindparam("day"))
    .order_by(_ledger.id)
    .limit(1)
)
_INSERT = insert(_table).returning(_ledger.id)


def inventory_day(now: datetime) -> date:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(UTC).date()


def first_start_of_day(session: Session, merchant_id: str, sku_id: str, warehouse_id: str, day: date) -> int | None:
    """The quantity fixed by the SKU's first change on `day`, None when it was not changed yet."""
    found = session.connection().execute(_FIRST, {"merchant_id": merchant_id, "sku_id": sku_id,
                                                  "warehouse_id": warehouse_id, "day": day}).scalar()
    return None if found is None else int(found)


def record_change(session: Session, *, merchant_id: str, product_id: str, sku_id: str, warehouse_id: str, day: date,
                  quantity_before: int, quantity_after: int, approval_id: int | None = None,
                  execution_id: int | None = None) -> int:
    """Record an applied change; the first change of the day fixes the start-of-day quantity."""
    first = first_start_of_day(session, merchant_id, sku_id, warehouse_id, day)
    values: dict[str, Any] = {
        "merchant_id": merchant_id, "product_id": product_id, "sku_id": sku_id, "warehouse_id": warehouse_id,
        "day": day, "start_of_day_quantity": quantity_before if first is None else first,
        "quantity_before": quantity_before, "quantity_after": quantity_after, "approval_id": approval_id,
        "execution_id": execution_id, "created_at": utcnow(),
    }
    return int(session.connection().execute(_INSERT, values).scalar_one())
