"""Catalog sync: full then incremental, batched upserts, and a failed run that keeps the old cursor."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import httpx
import pytest
import respx
from shop_fakes import CIPHER, fail, ok, product_json
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, Product, Shop, Sku, SyncCursor
from shopwarden.errors import InvalidRequest, NotFound
from shopwarden.platforms.shop import CatalogProgress, ShopClient, sync_catalog

SEARCH = "/product/202309/products/search"
SHOP_LIST = {"shops": [{"id": "7494", "name": "Acme US", "region": "US", "cipher": CIPHER}]}


@pytest.fixture(autouse=True)
def shops(api: respx.MockRouter) -> respx.Route:
    return api.get("/authorization/202309/shops").mock(return_value=ok(SHOP_LIST))


def pages(*chunks: list[dict], total: int | None = None) -> list[httpx.Response]:
    count = total if total is not None else sum(len(c) for c in chunks)
    return [ok({"products": chunk, "next_page_token": f"t{i + 1}" if i + 1 < len(chunks) else "",
                "total_count": count}) for i, chunk in enumerate(chunks)]


def rows(engine: Engine) -> tuple[dict[str, Product], dict[str, Sku], SyncCursor | None]:
    with session_scope(engine) as session:
        products = {p.product_id: p for p in session.exec(select(Product))}
        skus = {s.sku_id: s for s in session.exec(select(Sku))}
        cursor = session.exec(select(SyncCursor)).first()
        return products, skus, cursor


async def test_first_sync_stores_every_product_sku_and_stock(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    search = api.post(SEARCH).mock(side_effect=pages(
        [product_json("p1", skus=2, quantity=5, update_time=100), product_json("p2", update_time=300)],
        [product_json("p3", update_time=200)]))
    seen: list[CatalogProgress] = []
    report = await sync_catalog(engine, client, merchant.id, progress=seen.append, batch_size=2)
    assert (report.products, report.skus, report.shops[0].incremental) == (3, 4, False)
    assert json.loads(search.calls[0].request.content) == {}
    products, skus, cursor = rows(engine)
    assert sorted(products) == ["p1", "p2", "p3"]
    assert products["p1"].shop_id == "7494" and products["p1"].title == "Product p1"
    assert skus["p1-s1"].stock == {"wh-1": 5}
    assert skus["p1-s1"].sale_price == Decimal("19.99") and skus["p1-s1"].currency == "USD"
    assert cursor is not None and cursor.last_update_time == 300 and cursor.completed_at is not None
    assert [(p.products_done, p.products_total) for p in seen] == [(2, 3), (3, 3)]
    with session_scope(engine) as session:
        assert [s.cipher for s in session.exec(select(Shop))] == [CIPHER]


async def test_second_sync_is_incremental_and_upserts_changes(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    api.post(SEARCH).mock(side_effect=pages([product_json("p1", skus=2, update_time=100),
                                             product_json("p2", update_time=300)]))
    await sync_catalog(engine, client, merchant.id)
    changed = product_json("p1", skus=1, quantity=42, update_time=400)
    changed["title"] = "Renamed"
    search = api.post(SEARCH).mock(side_effect=pages([changed]))
    report = await sync_catalog(engine, client, merchant.id)
    assert report.shops[0].incremental is True
    assert json.loads(search.calls.last.request.content) == {"update_time_ge": 300}
    products, skus, cursor = rows(engine)
    assert products["p1"].title == "Renamed" and products["p2"].title == "Product p2"
    assert skus["p1-s0"].stock == {"wh-1": 42}
    assert "p1-s1" not in skus  # the platform no longer lists it under p1
    assert cursor is not None and cursor.last_update_time == 400


async def test_a_failure_midway_keeps_the_cursor_and_the_next_run_resumes(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    api.post(SEARCH).mock(side_effect=pages([product_json("p1", update_time=100)]))
    await sync_catalog(engine, client, merchant.id)
    api.post(SEARCH).mock(side_effect=[*pages([product_json("p2", update_time=500)], [product_json("p3")])[:1],
                                       fail(36009004, "Invalid parameter page_token")])
    with pytest.raises(InvalidRequest, match="Invalid parameter page_token"):
        await sync_catalog(engine, client, merchant.id, batch_size=1)
    products, _, cursor = rows(engine)
    assert cursor is not None and cursor.last_update_time == 100
    assert products["p1"].title == "Product p1"
    resumed = [product_json("p2", update_time=500), product_json("p3", update_time=50)]
    retry = api.post(SEARCH).mock(side_effect=pages(resumed))
    await sync_catalog(engine, client, merchant.id)
    assert json.loads(retry.calls.last.request.content) == {"update_time_ge": 100}
    products, _, cursor = rows(engine)
    assert sorted(products) == ["p1", "p2", "p3"] and cursor is not None and cursor.last_update_time == 500


async def test_products_listed_without_skus_are_read_in_full_with_bounded_concurrency(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    ids = [f"p{i}" for i in range(10)]
    api.post(SEARCH).mock(side_effect=pages([product_json(i, with_skus=False) for i in ids]))
    in_flight, peak = 0, 0

    async def detail(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return ok(product_json(request.url.path.rsplit("/", 1)[1], skus=2))

    detail_route = api.get(path__regex=r"^/product/202309/products/p\d+$").mock(side_effect=detail)
    report = await sync_catalog(engine, client, merchant.id, detail_concurrency=3)
    assert (detail_route.call_count, report.shops[0].detail_calls, report.skus) == (10, 10, 20)
    assert peak == 3


async def test_an_unknown_shop_id_is_refused(engine: Engine, merchant: Merchant, client: ShopClient) -> None:
    with pytest.raises(NotFound, match="shop 1234 is not authorized for merchant m-acme"):
        await sync_catalog(engine, client, merchant.id, shop_id="1234")


async def test_a_full_sync_forgets_products_the_platform_no_longer_lists(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    api.post(SEARCH).mock(side_effect=pages([product_json("p1", skus=2, update_time=100),
                                             product_json("p2", update_time=300)]))
    await sync_catalog(engine, client, merchant.id)
    api.post(SEARCH).mock(side_effect=pages([]))
    incremental = await sync_catalog(engine, client, merchant.id)
    assert incremental.shops[0].removed == 0 and sorted(rows(engine)[0]) == ["p1", "p2"]  # cannot tell

    search = api.post(SEARCH).mock(side_effect=pages([product_json("p2", update_time=300)]))
    report = await sync_catalog(engine, client, merchant.id, full=True)

    assert json.loads(search.calls.last.request.content) == {}  # no update_time_ge: everything re-read
    assert (report.shops[0].incremental, report.shops[0].removed) == (False, 1)
    products, skus, cursor = rows(engine)
    assert sorted(products) == ["p2"] and not any(s.startswith("p1-") for s in skus)
    assert cursor is not None and cursor.last_update_time == 300


async def test_a_full_sync_that_fails_midway_removes_nothing(
    engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient
) -> None:
    api.post(SEARCH).mock(side_effect=pages([product_json("p1", update_time=100)], [product_json("p2")]))
    await sync_catalog(engine, client, merchant.id)
    api.post(SEARCH).mock(side_effect=[*pages([product_json("p2", update_time=500)], [product_json("p3")])[:1],
                                       fail(36009004, "Invalid parameter page_token")])
    with pytest.raises(InvalidRequest):
        await sync_catalog(engine, client, merchant.id, full=True, batch_size=1)
    assert sorted(rows(engine)[0]) == ["p1", "p2"]
