"""Shop API endpoints and the checks the platform makes on them."""

from __future__ import annotations

import httpx
import pytest

from conftest import CIPHER, SHOP_ID, shop_call
from shopwarden.platforms.simulator import Simulator

SEARCH = "/product/202309/products/search"
SERUM = "1729000000000000001"
SERUM_30 = "1729000000000001001"
LA_DC = "7300000000000000101"
NJ_DC = "7300000000000000102"  # SERUM_30 is stocked in both: an update lists every warehouse of the SKU


def test_shop_cipher_is_required_on_shop_scoped_paths(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    answer = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token, cipher=None).json()
    assert answer["code"] == 36009004
    assert answer["message"] == "Invalid request: shop_cipher is required for this API"


def test_shop_cipher_is_refused_on_authorization_paths(sim: Simulator, client: httpx.Client,
                                                       access_token: str) -> None:
    answer = shop_call(sim, client, "GET", "/authorization/202309/shops", token=access_token, cipher=CIPHER).json()
    assert answer["code"] == 36009004
    assert "shop_cipher is not allowed" in answer["message"]


def test_an_unknown_cipher_is_refused(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    answer = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token,
                       cipher="ROW_someone_else").json()
    assert answer["code"] == 36009004
    assert "not authorized" in answer["message"]


def test_a_wrong_app_key_is_refused(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    response = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token,
                         query={"app_key": "someone-elses-app"})
    assert response.json()["code"] == 36009004
    assert "app_key" in response.json()["message"]


def test_a_timestamp_more_than_five_minutes_off_is_refused(sim: Simulator, client: httpx.Client,
                                                            access_token: str) -> None:
    stale = sim.clock.timestamp() - 301
    answer = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token,
                       timestamp=stale).json()
    assert answer["code"] == 36009004
    assert "5 minutes" in answer["message"]
    ok = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token,
                   timestamp=sim.clock.timestamp() - 299).json()
    assert ok["code"] == 0


def test_warehouses_are_listed(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    data = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token).json()["data"]
    assert [w["name"] for w in data["warehouses"]] == ["Los Angeles DC", "New Jersey DC", "Dallas Overflow"]
    assert [w["is_default"] for w in data["warehouses"]] == [True, False, False]


@pytest.mark.parametrize("size", ["0", "101", "ten"])
def test_page_size_outside_1_to_100_is_refused(sim: Simulator, client: httpx.Client, access_token: str,
                                               size: str) -> None:
    answer = shop_call(sim, client, "POST", SEARCH, token=access_token, query={"page_size": size}, body={}).json()
    assert answer["code"] == 36009004
    assert answer["message"] == "Invalid parameter page_size: must be an integer from 1 to 100"


def test_product_search_pages_through_the_whole_catalog(sim: Simulator, client: httpx.Client,
                                                        access_token: str) -> None:
    seen, token, pages = [], "", 0
    while True:
        query = {"page_size": "5", **({"page_token": token} if token else {})}
        data = shop_call(sim, client, "POST", SEARCH, token=access_token, query=query, body={}).json()["data"]
        seen += [p["id"] for p in data["products"]]
        pages += 1
        token = data["next_page_token"]
        if not token:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == data["total_count"] == 12


def test_product_search_filters_by_seller_sku_and_reports_prices_as_strings(
    sim: Simulator, client: httpx.Client, access_token: str
) -> None:
    data = shop_call(sim, client, "POST", SEARCH, token=access_token, query={"page_size": "10"},
                     body={"seller_skus": ["SERUM-50"]}).json()["data"]
    assert [p["title"] for p in data["products"]] == ["Glow Serum"]
    sku = data["products"][0]["skus"][1]
    assert sku["price"] == {"currency": "USD", "sale_price": "34.00", "tax_exclusive_price": "34.00"}


def test_a_filter_of_the_wrong_type_names_the_field(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    answer = shop_call(sim, client, "POST", SEARCH, token=access_token, query={"page_size": "10"},
                       body={"create_time_ge": "yesterday"}).json()
    assert answer["code"] == 36009004
    assert answer["message"].startswith("Invalid parameter create_time_ge:")


def test_inventory_update_sets_absolute_stock(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    body = {"skus": [{"id": SERUM_30, "inventory": [{"warehouse_id": LA_DC, "quantity": 7},
                                                    {"warehouse_id": NJ_DC, "quantity": 30}]}]}
    answer = shop_call(sim, client, "POST", f"/product/202309/products/{SERUM}/inventory/update",
                       token=access_token, body=body).json()
    assert answer["code"] == 0
    assert "errors" not in answer["data"]
    sku = sim.world.shops[SHOP_ID].products[SERUM].skus[0]
    assert sku.stock[LA_DC] == 7


def test_inventory_update_naming_one_of_two_warehouses_is_refused(sim: Simulator, client: httpx.Client,
                                                                  access_token: str) -> None:
    body = {"skus": [{"id": SERUM_30, "inventory": [{"warehouse_id": LA_DC, "quantity": 7}]}]}
    answer = shop_call(sim, client, "POST", f"/product/202309/products/{SERUM}/inventory/update",
                       token=access_token, body=body).json()
    [error] = answer["data"]["errors"]
    assert (error["code"], error["detail"]["extra_errors"][0]["warehouse_id"]) == (12019028, NJ_DC)
    assert sim.world.shops[SHOP_ID].products[SERUM].skus[0].stock[LA_DC] == 90


def test_inventory_update_reports_foreign_skus_as_partial_failure(sim: Simulator, client: httpx.Client,
                                                                  access_token: str) -> None:
    body = {"skus": [
        {"id": SERUM_30, "inventory": [{"warehouse_id": LA_DC, "quantity": 5},
                                       {"warehouse_id": NJ_DC, "quantity": 30}]},
        {"id": "1729000000000002001", "inventory": [{"warehouse_id": LA_DC, "quantity": 5}]},
    ]}
    answer = shop_call(sim, client, "POST", f"/product/202309/products/{SERUM}/inventory/update",
                       token=access_token, body=body).json()
    assert answer["code"] == 0
    [error] = answer["data"]["errors"]
    assert error["detail"]["sku_id"] == "1729000000000002001"
    assert "does not belong to product" in error["message"]
    assert sim.world.shops[SHOP_ID].products[SERUM].skus[0].stock[LA_DC] == 5
    assert sim.world.shops[SHOP_ID].products["1729000000000000002"].skus[0].stock.get(LA_DC) is None


def test_negative_quantity_is_refused_and_nothing_changes(sim: Simulator, client: httpx.Client,
                                                          access_token: str) -> None:
    before = sim.snapshot()
    body = {"skus": [{"id": SERUM_30, "inventory": [{"warehouse_id": LA_DC, "quantity": -1}]}]}
    answer = shop_call(sim, client, "POST", f"/product/202309/products/{SERUM}/inventory/update",
                       token=access_token, body=body).json()
    assert answer["code"] == 36009004
    assert "quantity" in answer["message"]
    assert Simulator.diff(before, sim.snapshot()) == {}


def test_unknown_product_is_not_found(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    answer = shop_call(sim, client, "GET", "/product/202309/products/999", token=access_token).json()
    assert answer["code"] == 12052032  # "product does not exist" (12052048 is "not listed in the shop")
    assert answer["message"] == "Product 999 does not exist in this shop"


def test_unknown_path_is_36009009(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    response = shop_call(sim, client, "GET", "/product/202309/nowhere/else", token=access_token)
    assert response.status_code == 404
    assert response.json()["code"] == 36009009


def test_orders_appear_as_days_pass_and_page_with_at_most_100(sim: Simulator, client: httpx.Client,
                                                              access_token: str) -> None:
    sim.advance(days=2)
    query = {"page_size": "100", "sort_field": "create_time", "sort_order": "ASC"}
    data = shop_call(sim, client, "POST", "/order/202309/orders/search", token=access_token, query=query,
                     body={}).json()["data"]
    assert data["total_count"] == len(sim.world.shops[SHOP_ID].orders) > 0
    times = [o["create_time"] for o in data["orders"]]
    assert times == sorted(times)
    ids = ",".join(o["id"] for o in data["orders"][:3])
    details = shop_call(sim, client, "GET", "/order/202309/orders", token=access_token, query={"ids": ids}).json()
    assert [o["id"] for o in details["data"]["orders"]] == ids.split(",")


def test_order_detail_takes_at_most_50_ids(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    ids = ",".join(str(n) for n in range(51))
    answer = shop_call(sim, client, "GET", "/order/202309/orders", token=access_token, query={"ids": ids}).json()
    assert answer["code"] == 36009004
    assert "1 to 50" in answer["message"]
