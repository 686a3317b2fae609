"""Absolute stock updates: a lost answer is checked by reading back, and re-sent only when safe."""

from __future__ import annotations

import httpx
import pytest
import respx
from shop_fakes import CIPHER, ok, product_json

from shopwarden.errors import InvalidRequest, PlatformUnavailable
from shopwarden.platforms.shop import ShopClient, set_sku_inventory

PRODUCT = "/product/202309/products/p1"
UPDATE = "/product/202309/products/p1/inventory/update"
SET_TO_25 = [{"id": "p1-s0", "inventory": [{"warehouse_id": "wh-1", "quantity": 25}]}]


def stock(quantity: int) -> httpx.Response:
    return ok(product_json("p1", quantity=quantity))


async def test_an_answered_update_is_sent_once(api: respx.MockRouter, client: ShopClient) -> None:
    api.get(PRODUCT).mock(return_value=stock(10))
    update = api.post(UPDATE).mock(return_value=ok({}))
    result = await set_sku_inventory(client, CIPHER, "p1", SET_TO_25)
    assert result.errors == [] and update.call_count == 1


async def test_timeout_but_applied_is_not_sent_again(api: respx.MockRouter, client: ShopClient) -> None:
    reads = api.get(PRODUCT).mock(side_effect=[stock(10), stock(25)])
    update = api.post(UPDATE).mock(side_effect=httpx.ReadTimeout("lost"))
    result = await set_sku_inventory(client, CIPHER, "p1", SET_TO_25)
    assert result.errors == []
    assert (update.call_count, reads.call_count) == (1, 2)


async def test_timeout_and_still_old_quantity_is_sent_once_more(api: respx.MockRouter, client: ShopClient) -> None:
    api.get(PRODUCT).mock(side_effect=[stock(10), stock(10)])
    update = api.post(UPDATE).mock(side_effect=[httpx.ReadTimeout("lost"), ok({})])
    await set_sku_inventory(client, CIPHER, "p1", SET_TO_25)
    assert update.call_count == 2
    assert update.calls[0].request.content == update.calls[1].request.content


async def test_timeout_and_a_quantity_changed_elsewhere_is_not_overwritten(
    api: respx.MockRouter, client: ShopClient
) -> None:
    api.get(PRODUCT).mock(side_effect=[stock(10), stock(7)])
    update = api.post(UPDATE).mock(side_effect=httpx.ReadTimeout("lost"))
    with pytest.raises(PlatformUnavailable, match="changed elsewhere meanwhile\\): not re-sent"):
        await set_sku_inventory(client, CIPHER, "p1", SET_TO_25)
    assert update.call_count == 1


async def test_negative_quantities_never_leave_the_client(api: respx.MockRouter, client: ShopClient) -> None:
    update = api.post(UPDATE).mock(return_value=ok({}))
    api.get(PRODUCT).mock(return_value=stock(10))
    refused = r"skus\.0\.inventory\.0\.quantity: Input should be greater than or equal to 0"
    with pytest.raises(InvalidRequest, match=refused):
        await set_sku_inventory(client, CIPHER, "p1", [{"id": "p1-s0", "inventory": [
            {"warehouse_id": "wh-1", "quantity": -1}]}])
    assert update.call_count == 0
