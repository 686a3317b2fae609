"""Recent orders cached for revenue attribution (ROAS) and dashboards; purged by `fetched_at`."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.engine import Engine

from shopwarden.db.models import CachedOrder, utcnow
from shopwarden.db.tables import table_of
from shopwarden.errors import NotFound
from shopwarden.platforms.shop._upsert import upsert
from shopwarden.platforms.shop.catalog import as_shop_client
from shopwarden.platforms.shop.models import Order


class OrdersReport(BaseModel):
    merchant_id: str
    shops: int
    orders: int
    since: datetime
    until: datetime


def order_lines(order: Order) -> list[dict[str, Any]]:
    """One line per SKU: TikTok lists one line item per unit sold, so units are counted here."""
    lines: dict[tuple[str, str], dict[str, Any]] = {}
    quantities: dict[tuple[str, str], int] = defaultdict(int)
    for item in order.line_items:
        price = str(item.sale_price) if item.sale_price is not None else None
        key = (item.sku_id, price or "")
        quantities[key] += 1
        lines[key] = {"sku_id": item.sku_id, "product_id": item.product_id, "seller_sku": item.seller_sku,
                      "price": price, "currency": item.currency or order.payment.currency}
    return [{**line, "quantity": quantities[key]} for key, line in lines.items()]


async def sync_orders(
    engine: Engine, client: Any, merchant_id: str, *, since: datetime, until: datetime | None = None,
    shop_id: str | None = None,
) -> OrdersReport:
    """Cache every order updated in [since, until) of each authorized shop (upsert by order id)."""
    if since.tzinfo is None or (until is not None and until.tzinfo is None):
        raise ValueError("since/until must be timezone-aware")
    until = until or utcnow()
    shop_client = as_shop_client(client)
    shops = await shop_client.authorized_shops()
    if shop_id is not None:
        shops = [s for s in shops if s.id == shop_id]
        if not shops:
            raise NotFound(f"shop {shop_id} is not authorized for merchant {merchant_id}")
    total = 0
    for shop in shops:
        async for page in shop_client.search_orders(shop.cipher, update_time_ge=int(since.timestamp()),
                                                    update_time_lt=int(until.timestamp())):
            await asyncio.to_thread(_write, engine, merchant_id, shop.id, page.orders)
            total += len(page.orders)
    return OrdersReport(merchant_id=merchant_id, shops=len(shops), orders=total, since=since, until=until)


def _write(engine: Engine, merchant_id: str, shop_id: str, orders: list[Order]) -> None:
    now = utcnow()
    rows = [{"merchant_id": merchant_id, "shop_id": shop_id, "order_id": o.id, "status": o.status,
             "currency": o.payment.currency, "total": o.payment.total_amount, "lines": order_lines(o),
             "create_time": o.create_time, "update_time": o.update_time, "fetched_at": now} for o in orders]
    with engine.begin() as conn:
        upsert(conn, table_of(CachedOrder), rows, ("merchant_id", "order_id"))
