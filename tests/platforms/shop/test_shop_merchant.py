"""The merchant-level facade the tools call, and the factory the runtime uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import respx
from shop_fakes import API, APP_KEY, APP_SECRET, NOW, fail, ok, product_json
from sqlalchemy.engine import Engine

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant, Shop
from shopwarden.errors import ConfigError, NotFound
from shopwarden.platforms.shop import MerchantShop, shop_client_for
from shopwarden.security.connections import store_tokens

SETTINGS = Settings(shop_app_key=APP_KEY, shop_app_secret=APP_SECRET, shop_api_base=API)


@pytest.fixture
async def two_shops(engine: Engine, merchant: Merchant) -> AsyncIterator[MerchantShop]:
    with session_scope(engine) as session:
        store_tokens(session, Connection(merchant_id=merchant.id, platform="shop"), access_token="acc-token-123",
                     refresh_token="ref-token-123", access_expires_at=NOW + timedelta(days=7),
                     refresh_expires_at=NOW + timedelta(days=365))
        session.add(Shop(merchant_id=merchant.id, shop_id="s-us", cipher="c-us", region="US"))
        session.add(Shop(merchant_id=merchant.id, shop_id="s-gb", cipher="c-gb", region="GB"))
    shop = shop_client_for(engine, merchant.id, SETTINGS, clock=lambda: NOW)
    yield shop
    await shop.aclose()


async def test_get_product_finds_the_shop_that_has_it(two_shops: MerchantShop, api: respx.MockRouter) -> None:
    def answer(request):  # type: ignore[no-untyped-def]
        if request.url.params["shop_cipher"] == "c-gb":
            return ok(product_json("p1", quantity=3))
        return fail(12052048, "Product p1 does not exist in this shop")

    route = api.get("/product/202309/products/p1").mock(side_effect=answer)
    product = await two_shops.get_product("p1")
    assert product.quantity("p1-s0", "wh-1") == 3
    assert route.calls.last.request.headers["x-tts-access-token"] == "acc-token-123"


async def test_a_product_in_no_shop_is_not_found(two_shops: MerchantShop, api: respx.MockRouter) -> None:
    api.get("/product/202309/products/p9").mock(return_value=fail(12052048, "Product p9 does not exist"))
    with pytest.raises(NotFound, match="product p9 is not in any TikTok Shop of merchant m-acme"):
        await two_shops.get_product("p9")


async def test_search_orders_yields_orders_of_every_shop(two_shops: MerchantShop, api: respx.MockRouter) -> None:
    def answer(request):  # type: ignore[no-untyped-def]
        cipher = request.url.params["shop_cipher"]
        return ok({"orders": [{"id": f"o-{cipher}"}], "next_page_token": ""})

    api.post("/order/202309/orders/search").mock(side_effect=answer)
    ids = [o.id async for o in two_shops.search_orders(since=NOW - timedelta(hours=24), until=NOW)]
    assert sorted(ids) == ["o-c-gb", "o-c-us"]


async def test_update_inventory_through_the_facade(two_shops: MerchantShop, api: respx.MockRouter) -> None:
    api.get("/product/202309/products/p1").mock(return_value=ok(product_json("p1", quantity=3)))
    update = api.post("/product/202309/products/p1/inventory/update").mock(return_value=ok({}))
    await two_shops.update_inventory("p1", [{"id": "p1-s0", "inventory": [{"warehouse_id": "wh-1",
                                                                             "quantity": 9}]}], shop_id="s-us")
    assert update.calls.last.request.url.params["shop_cipher"] == "c-us"


def test_factory_names_the_missing_setting(engine: Engine, merchant: Merchant) -> None:
    with pytest.raises(ConfigError, match="SHOPWARDEN_SHOP_APP_SECRET: is not set"):
        shop_client_for(engine, merchant.id, Settings(shop_app_key=APP_KEY))
