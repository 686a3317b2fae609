"""A catalogue past TikTok's 10,000-result search limit: the full sync splits the search by
update_time so no query pages to 10,000, and every one of 25,000 products arrives exactly once.
Also the authorize host per seller region."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
import respx
from shop_fakes import CIPHER, ok
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, Product
from shopwarden.errors import InvalidRequest
from shopwarden.platforms.shop import ShopClient, begin_authorization, shop_facts, sync_catalog

SEARCH = "/product/202309/products/search"
SHOPS = {"shops": [{"id": "7494", "name": "Acme US", "region": "US", "cipher": CIPHER}]}
TOTAL = 25_000
BASE_TIME = 1_700_000_000


class FakeSearch:
    """TikTok's product search over a big catalogue, refusing any page past the 10,000th result."""

    def __init__(self, update_times: list[int]) -> None:
        self.products = [{"id": f"p{i}", "title": f"P{i}", "status": "ACTIVATE", "create_time": BASE_TIME,
                          "update_time": t, "skus": [{"id": f"p{i}-s", "seller_sku": f"S{i}",
                                                      "inventory": [{"warehouse_id": "w1", "quantity": 1}]}]}
                         for i, t in enumerate(update_times)]
        self.queries: list[tuple[dict[str, Any], int, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        size = int(request.url.params["page_size"])
        token = request.url.params.get("page_token", "")
        offset = int(base64.b64decode(token)) if token else 0
        self.queries.append((body, offset, size))
        if offset + size > shop_facts.MAX_SEARCH_RESULTS:
            return ok(None, code=shop_facts.SEARCH_LIMIT_REACHED, message="search result exceeds 10000")
        low, high = body.get("update_time_ge", 0), body.get("update_time_le", 2**62)
        matches = [p for p in self.products if low <= p["update_time"] <= high]
        chunk = matches[offset:offset + size]
        more = offset + size < len(matches)
        return ok({"products": chunk, "total_count": len(matches),
                   "next_page_token": base64.b64encode(str(offset + size).encode()).decode() if more else ""})


@pytest.fixture(autouse=True)
def shops(api: respx.MockRouter) -> respx.Route:
    return api.get("/authorization/202309/shops").mock(return_value=ok(SHOPS))


def _stored(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.exec(select(func.count()).select_from(Product)).one())


async def test_a_25000_product_full_sync_splits_the_search_under_the_limit(
        engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient) -> None:
    fake = FakeSearch([BASE_TIME + i for i in range(TOTAL)])
    api.post(SEARCH).mock(side_effect=fake)
    report = await sync_catalog(engine, client, merchant.id, batch_size=2000)
    assert report.products == TOTAL and _stored(engine) == TOTAL
    assert all(offset + size <= shop_facts.MAX_SEARCH_RESULTS for _, offset, size in fake.queries)
    windows = {(b.get("update_time_ge"), b.get("update_time_le")) for b, _, _ in fake.queries}
    assert len(windows) > 3  # the whole range, then halves until each fits
    assert fake.queries[0][0] == {}  # the first query is the plain full search


async def test_a_small_catalogue_is_one_plain_search(
        engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient) -> None:
    fake = FakeSearch([BASE_TIME + i for i in range(250)])
    api.post(SEARCH).mock(side_effect=fake)
    await sync_catalog(engine, client, merchant.id)
    assert [b for b, _, _ in fake.queries] == [{}, {}, {}]  # three pages of 100, no window added


async def test_more_than_the_limit_at_one_second_is_a_clear_error(
        engine: Engine, merchant: Merchant, api: respx.MockRouter, client: ShopClient) -> None:
    api.post(SEARCH).mock(side_effect=FakeSearch([BASE_TIME] * 10_001))
    with pytest.raises(InvalidRequest, match="10001 products share update_time"):
        async for _ in client.search_all_products(CIPHER, update_time_ge=BASE_TIME, update_time_le=BASE_TIME):
            pass


@pytest.mark.parametrize(("region", "host"), [("US", "https://services.us.tiktokshop.com/open/authorize"),
                                               ("GB", "https://services.tiktokshop.com/open/authorize"),
                                               (None, "https://services.tiktokshop.com/open/authorize")])
def test_the_authorize_host_follows_the_seller_region(engine: Engine, merchant: Merchant, region: str | None,
                                                      host: str) -> None:
    settings = Settings(shop_app_key="k", shop_app_secret="s", shop_service_id="svc-1")
    with session_scope(engine) as session:
        url = begin_authorization(session, merchant.id, settings, region=region)
    assert url.startswith(f"{host}?service_id=svc-1&state=")
