"""Order cache: one line per SKU with units, price and currency; fetch time kept for the purge."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import respx
from shop_fakes import CIPHER, NOW, ok
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import CachedOrder, Merchant, utcnow
from shopwarden.platforms.shop import ShopClient, sync_orders

SHOP_LIST = {"shops": [{"id": "7494", "name": "Acme US", "region": "US", "cipher": CIPHER}]}


def order(order_id: str, status: str = "AWAITING_SHIPMENT") -> dict:
    serum = {"id": "l", "product_id": "p1", "sku_id": "s1", "seller_sku": "SERUM", "sale_price": "19.99",
             "currency": "USD"}
    matcha = {**serum, "product_id": "p2", "sku_id": "s2", "seller_sku": "MATCHA", "sale_price": "5.00"}
    return {"id": order_id, "status": status, "create_time": 1772400000, "update_time": 1772430000,
            "payment": {"currency": "USD", "total_amount": "44.98", "sub_total": "44.98"},
            "line_items": [serum, serum, matcha], "recipient_address": {"name": "not cached"}}


@pytest.fixture(autouse=True)
def shops(api: respx.MockRouter) -> None:
    api.get("/authorization/202309/shops").mock(return_value=ok(SHOP_LIST))


async def test_orders_are_cached_with_lines_units_prices_and_fetch_time(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    search = api.post("/order/202309/orders/search").mock(return_value=ok({"orders": [order("o1")],
                                                                           "next_page_token": ""}))
    before = utcnow()
    report = await sync_orders(engine, client, merchant.id, since=NOW - timedelta(days=1), until=NOW)
    assert report.orders == 1
    assert json.loads(search.calls.last.request.content) == {"update_time_ge": int(NOW.timestamp()) - 86400,
                                                             "update_time_lt": int(NOW.timestamp())}
    with session_scope(engine) as session:
        cached = session.exec(select(CachedOrder)).one()
    assert (cached.order_id, cached.shop_id, cached.status, cached.currency) == ("o1", "7494", "AWAITING_SHIPMENT",
                                                                                 "USD")
    assert cached.total == Decimal("44.98")
    assert (cached.create_time, cached.update_time) == (1772400000, 1772430000)
    assert cached.lines == [
        {"sku_id": "s1", "product_id": "p1", "seller_sku": "SERUM", "price": "19.99", "currency": "USD", "quantity": 2},
        {"sku_id": "s2", "product_id": "p2", "seller_sku": "MATCHA", "price": "5.00", "currency": "USD", "quantity": 1},
    ]
    assert cached.fetched_at >= before


async def test_a_later_sync_updates_the_cached_order(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    route = api.post("/order/202309/orders/search")
    route.mock(return_value=ok({"orders": [order("o1")], "next_page_token": ""}))
    await sync_orders(engine, client, merchant.id, since=NOW - timedelta(days=1), until=NOW)
    route.mock(return_value=ok({"orders": [order("o1", "DELIVERED")], "next_page_token": ""}))
    await sync_orders(engine, client, merchant.id, since=NOW - timedelta(days=1), until=NOW)
    with session_scope(engine) as session:
        assert [o.status for o in session.exec(select(CachedOrder))] == ["DELIVERED"]


async def test_naive_times_are_refused(engine: Engine, merchant: Merchant, client: ShopClient) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await sync_orders(engine, client, merchant.id, since=NOW.replace(tzinfo=None))
