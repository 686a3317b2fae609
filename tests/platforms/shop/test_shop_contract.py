"""Contract tests: each endpoint's method, path, signed query, access-token header and exact body."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import respx
from shop_fakes import APP_KEY, CIPHER, NOW, assert_signed, ok, product_json

from shopwarden.platforms.shop import ShopClient


def _only_call(route: respx.Route) -> httpx.Request:
    assert route.call_count == 1
    return route.calls.last.request


def _common(request: httpx.Request, *, method: str, path: str, cipher: str | None = CIPHER) -> dict[str, str]:
    assert request.method == method
    assert request.url.path == path
    assert request.headers["x-tts-access-token"] == "access-token-0001"
    assert request.headers["content-type"] == "application/json"
    query = dict(request.url.params)
    assert query["app_key"] == APP_KEY
    assert query["timestamp"] == str(int(NOW.timestamp()))
    assert query.get("shop_cipher") == cipher
    assert "access_token" not in query
    assert_signed(request)
    return query


async def test_authorized_shops_is_signed_without_a_shop_cipher(api: respx.MockRouter, client: ShopClient) -> None:
    route = api.get("/authorization/202309/shops").mock(return_value=ok({"shops": [
        {"id": "7494", "name": "Glow US", "region": "US", "cipher": "ROW_c1", "code": "USG", "seller_type": "LOCAL",
         "unexpected": True}]}))
    shops = await client.authorized_shops()
    _common(_only_call(route), method="GET", path="/authorization/202309/shops", cipher=None)
    assert [(s.id, s.name, s.region, s.cipher) for s in shops] == [("7494", "Glow US", "US", "ROW_c1")]


async def test_warehouses(api: respx.MockRouter, client: ShopClient) -> None:
    route = api.get("/logistics/202309/warehouses").mock(return_value=ok({"warehouses": [
        {"id": "wh-1", "name": "Reno", "effect_status": "ENABLED", "is_default": True, "type": "SALES_WAREHOUSE",
         "sub_type": "DOMESTIC", "address": {"region_code": "US"}}]}))
    warehouses = await client.warehouses(CIPHER)
    _common(_only_call(route), method="GET", path="/logistics/202309/warehouses")
    assert [(w.id, w.is_default) for w in warehouses] == [("wh-1", True)]


async def test_search_products_pages_through_to_the_empty_token(api: respx.MockRouter, client: ShopClient) -> None:
    pages = [ok({"products": [product_json("p1")], "next_page_token": "t2", "total_count": 2}),
             ok({"products": [product_json("p2")], "next_page_token": "", "total_count": 2})]
    route = api.post("/product/202309/products/search").mock(side_effect=pages)
    seen = [p.id async for page in client.search_products(CIPHER, update_time_ge=1_700_000_000, page_size=1)
            for p in page.products]
    assert seen == ["p1", "p2"]
    first, second = (call.request for call in route.calls)
    q1 = _common(first, method="POST", path="/product/202309/products/search")
    q2 = _common(second, method="POST", path="/product/202309/products/search")
    assert (q1["page_size"], "page_token" in q1) == ("1", False)
    assert q2["page_token"] == "t2"
    assert first.content == b'{"update_time_ge":1700000000}'
    assert second.content == first.content


async def test_get_product_parses_skus_prices_and_stock(api: respx.MockRouter, client: ShopClient) -> None:
    route = api.get("/product/202309/products/p1").mock(return_value=ok(product_json("p1", skus=2, quantity=7)))
    product = await client.get_product(CIPHER, "p1")
    request = _only_call(route)
    _common(request, method="GET", path="/product/202309/products/p1")
    assert request.content == b""
    assert product.skus is not None and [s.id for s in product.skus] == ["p1-s0", "p1-s1"]
    assert product.skus[0].price is not None and product.skus[0].price.sale_price == Decimal("19.99")
    assert product.quantity("p1-s1", "wh-1") == 7


async def test_update_inventory_sends_the_exact_signed_body(api: respx.MockRouter, client: ShopClient) -> None:
    route = api.post("/product/202309/products/p1/inventory/update").mock(return_value=ok({}))
    await client.update_inventory(CIPHER, "p1", [{"id": "p1-s0", "inventory": [{"warehouse_id": "wh-1",
                                                                                  "quantity": 12}]}])
    request = _only_call(route)
    _common(request, method="POST", path="/product/202309/products/p1/inventory/update")
    assert request.content == b'{"skus":[{"id":"p1-s0","inventory":[{"warehouse_id":"wh-1","quantity":12}]}]}'


async def test_search_orders_sends_the_window_in_the_body(api: respx.MockRouter, client: ShopClient) -> None:
    order = {"id": "o1", "status": "COMPLETED", "create_time": 1, "update_time": 2,
             "payment": {"currency": "USD", "total_amount": "39.98"},
             "line_items": [{"sku_id": "s1", "sale_price": "19.99", "product_id": "p1"}] * 2}
    route = api.post("/order/202309/orders/search").mock(return_value=ok({"orders": [order], "next_page_token": ""}))
    pages = [page async for page in client.search_orders(CIPHER, update_time_ge=100, update_time_lt=200,
                                                         status="COMPLETED")]
    request = _only_call(route)
    query = _common(request, method="POST", path="/order/202309/orders/search")
    assert query["page_size"] == "100"
    assert json.loads(request.content) == {"update_time_ge": 100, "update_time_lt": 200, "order_status": "COMPLETED"}
    assert pages[0].orders[0].payment.total_amount == Decimal("39.98")


async def test_get_orders_batches_ids_fifty_at_a_time(api: respx.MockRouter, client: ShopClient) -> None:
    ids = [f"o{i}" for i in range(120)]

    def answer(request: httpx.Request) -> httpx.Response:
        return ok({"orders": [{"id": i} for i in request.url.params["ids"].split(",")]})

    route = api.get("/order/202309/orders").mock(side_effect=answer)
    orders = await client.get_orders(CIPHER, ids)
    assert [o.id for o in orders] == ids
    batches = [call.request.url.params["ids"].split(",") for call in route.calls]
    assert [len(b) for b in batches] == [50, 50, 20]
    for call in route.calls:
        _common(call.request, method="GET", path="/order/202309/orders")
