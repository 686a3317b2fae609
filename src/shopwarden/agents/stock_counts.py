"""Warehouse counts the merchant reports (merchant settings `stock_counts`), used once.

A count is a snapshot: once its correction has been handed to the gate (run or queued for a
reviewer) it is removed, so later sales are never overwritten by a stale count.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant


def consume(engine: Engine, merchant_id: str, product_id: str, skus: list[dict[str, Any]]) -> None:
    handled = {(product_id, str(s.get("sku_id")), str(s.get("warehouse_id"))) for s in skus}
    with session_scope(engine) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None or not (merchant.settings or {}).get("stock_counts"):
            return
        counts = merchant.settings["stock_counts"]
        kept = [c for c in counts if (str(c.get("product_id")), str(c.get("sku_id")), str(c.get("warehouse_id")))
                not in handled]
        if len(kept) != len(counts):
            merchant.settings = {**merchant.settings, "stock_counts": kept}
            session.add(merchant)
