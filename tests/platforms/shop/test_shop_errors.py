"""The error table: every platform failure becomes one typed error, with bounded recovery."""

from __future__ import annotations

import logging

import httpx
import pytest
import respx
from shop_fakes import CIPHER, FakeTokens, SleepRecorder, fail, ok, product_json

from shopwarden.errors import (
    AuthExpired,
    InvalidRequest,
    NotFound,
    PartialFailure,
    PlatformUnavailable,
    RateLimited,
)
from shopwarden.platforms.shop import NotFoundOnPlatform, OutcomeUnknown, ShopClient

SHOPS = "/authorization/202309/shops"
SHOP_LIST = {"shops": [{"id": "1", "name": "A", "region": "US", "cipher": "c1"}]}


async def test_expired_token_is_refreshed_once_and_the_call_retried(
    api: respx.MockRouter, client: ShopClient, tokens: FakeTokens
) -> None:
    route = api.get(SHOPS).mock(side_effect=[fail(105002, "Access token is expired"), ok(SHOP_LIST)])
    shops = await client.authorized_shops()
    assert [s.id for s in shops] == ["1"]
    assert tokens.refreshes == 1
    assert [c.request.headers["x-tts-access-token"] for c in route.calls] == ["access-token-0001",
                                                                             "access-token-0002"]


async def test_a_token_still_expired_after_refresh_is_not_looped(
    api: respx.MockRouter, client: ShopClient, tokens: FakeTokens
) -> None:
    route = api.get(SHOPS).mock(return_value=fail(105002, "Access token is expired", request_id="r-105"))
    with pytest.raises(AuthExpired, match=r"GET /authorization/202309/shops: Access token is expired "
                                          r"\(code 105002, request id r-105\)"):
        await client.authorized_shops()
    assert (tokens.refreshes, route.call_count) == (1, 2)


async def test_rate_limit_waits_for_retry_after_then_succeeds(
    api: respx.MockRouter, client: ShopClient, sleeps: SleepRecorder
) -> None:
    api.get(SHOPS).mock(side_effect=[fail(36009002, "Too many requests", status=429, **{"Retry-After": "2"}),
                                     ok(SHOP_LIST)])
    assert len(await client.authorized_shops()) == 1
    assert sleeps.delays == [2.0]


async def test_rate_limit_is_bounded_and_reports_retry_after(
    api: respx.MockRouter, client: ShopClient, sleeps: SleepRecorder
) -> None:
    route = api.get(SHOPS).mock(return_value=httpx.Response(429, text="slow down", headers={"Retry-After": "3"}))
    with pytest.raises(RateLimited) as caught:
        await client.authorized_shops()
    assert caught.value.retry_after == 3.0
    assert (route.call_count, sleeps.delays) == (3, [3.0, 3.0])


async def test_a_long_retry_after_is_not_sat_out(api: respx.MockRouter, client: ShopClient,
                                                 sleeps: SleepRecorder) -> None:
    route = api.get(SHOPS).mock(return_value=fail(36009002, "Too many requests", **{"Retry-After": "120"}))
    with pytest.raises(RateLimited, match="Too many requests") as caught:
        await client.authorized_shops()
    assert (caught.value.retry_after, route.call_count, sleeps.delays) == (120.0, 1, [])


async def test_server_errors_back_off_for_idempotent_calls_then_succeed(
    api: respx.MockRouter, client: ShopClient, sleeps: SleepRecorder
) -> None:
    api.get(SHOPS).mock(side_effect=[httpx.Response(503, text="<html>busy</html>"),
                                     fail(36009003, "internal error"), ok(SHOP_LIST)])
    assert len(await client.authorized_shops()) == 1
    assert sleeps.delays == [0.5, 1.0]


async def test_server_errors_give_up_after_bounded_backoff(api: respx.MockRouter, client: ShopClient,
                                                           sleeps: SleepRecorder) -> None:
    route = api.get(SHOPS).mock(return_value=fail(36009007, "system busy", request_id="r-busy"))
    with pytest.raises(PlatformUnavailable, match=r"system busy \(code 36009007, request id r-busy\)"):
        await client.authorized_shops()
    assert (route.call_count, sleeps.delays) == (4, [0.5, 1.0, 2.0])


@pytest.mark.parametrize(("code", "message", "expected"), [
    (106001, "Invalid signature", "Invalid signature (the request signature was refused)"),
    (36009004, "Invalid parameter page_size", "Invalid parameter page_size"),
    (36009009, "Path not found", "Path not found (the API path does not exist (wrong version?))"),
])
async def test_invalid_requests_are_not_retried_and_keep_the_platform_message(
    api: respx.MockRouter, client: ShopClient, code: int, message: str, expected: str
) -> None:
    route = api.get(SHOPS).mock(return_value=fail(code, message, request_id="r-bad"))
    with pytest.raises(InvalidRequest) as caught:
        await client.authorized_shops()
    assert str(caught.value) == (f"tiktok_shop GET /authorization/202309/shops: {expected} "
                                 f"(code {code}, request id r-bad)")
    assert route.call_count == 1


async def test_clock_skew_tells_the_merchant_to_check_the_clock(api: respx.MockRouter, client: ShopClient) -> None:
    api.get(SHOPS).mock(return_value=fail(36009004, "Invalid timestamp: differs from server time by more than 5 "
                                                    "minutes"))
    with pytest.raises(InvalidRequest, match="check this machine's clock"):
        await client.authorized_shops()


async def test_unknown_product_is_a_not_found(api: respx.MockRouter, client: ShopClient) -> None:
    api.get("/product/202309/products/p9").mock(return_value=fail(12052048, "Product p9 does not exist"))
    with pytest.raises(NotFoundOnPlatform, match="Product p9 does not exist") as caught:
        await client.get_product(CIPHER, "p9")
    assert isinstance(caught.value, NotFound)


async def test_truncated_body_is_an_unreadable_response(api: respx.MockRouter, client: ShopClient) -> None:
    api.get(SHOPS).mock(return_value=httpx.Response(200, content=b'{"code":0,"data":{"shops":[{"id"',
                                                    headers={"x-tt-logid": "log-7"}))
    with pytest.raises(PlatformUnavailable, match=r"not a JSON envelope .* \(request id log-7\)"):
        await client.authorized_shops()


async def test_missing_field_names_the_field_endpoint_and_request_id(api: respx.MockRouter,
                                                                     client: ShopClient) -> None:
    api.get(SHOPS).mock(return_value=ok({"shops": [{"id": "1", "name": "A"}]}, request_id="r-miss"))
    with pytest.raises(PlatformUnavailable) as caught:
        await client.authorized_shops()
    assert str(caught.value) == ("tiktok_shop GET /authorization/202309/shops: unreadable response: field "
                                 "data.shops.0.cipher: Field required (request id r-miss)")


async def test_wrong_typed_field_is_refused(api: respx.MockRouter, client: ShopClient) -> None:
    bad = product_json("p1")
    bad["skus"][0]["inventory"][0]["quantity"] = "lots"
    api.get("/product/202309/products/p1").mock(return_value=ok(bad))
    with pytest.raises(PlatformUnavailable, match=r"field data\.skus\.0\.inventory\.0\.quantity"):
        await client.get_product(CIPHER, "p1")


async def test_empty_shop_list_is_an_empty_list(api: respx.MockRouter, client: ShopClient) -> None:
    api.get(SHOPS).mock(return_value=ok({"shops": []}))
    assert await client.authorized_shops() == []


async def test_inventory_partial_failure_lists_the_refused_skus(api: respx.MockRouter, client: ShopClient) -> None:
    api.post("/product/202309/products/p1/inventory/update").mock(return_value=ok({"errors": [
        {"code": 12052230, "message": "SKU s9 does not belong to product p1",
         "detail": {"sku_id": "s9", "extra_errors": []}}]}, request_id="r-part"))
    lines = [{"id": "s1", "inventory": [{"warehouse_id": "w", "quantity": 1}]},
             {"id": "s9", "inventory": [{"warehouse_id": "w", "quantity": 2}]}]
    with pytest.raises(PartialFailure) as caught:
        await client.update_inventory(CIPHER, "p1", lines)
    assert caught.value.failures[0]["sku_id"] == "s9"
    assert caught.value.request_id == "r-part"
    assert "1 of 2 SKUs were not updated (s9: SKU s9 does not belong to product p1)" in str(caught.value)


async def test_repeated_page_token_stops_the_loop(api: respx.MockRouter, client: ShopClient) -> None:
    api.post("/product/202309/products/search").mock(side_effect=[
        ok({"products": [product_json("p1")], "next_page_token": "A"}),
        ok({"products": [product_json("p2")], "next_page_token": "B"}),
        ok({"products": [product_json("p3")], "next_page_token": "A"}, request_id="r-loop"),
    ])
    seen: list[str] = []
    with pytest.raises(PlatformUnavailable, match=r"pagination loop: page token 'A' came back twice.*r-loop"):
        async for page in client.search_products(CIPHER):
            seen.extend(p.id for p in page.products)
    assert seen == ["p1", "p2", "p3"]


async def test_read_timeouts_are_retried_for_reads(api: respx.MockRouter, client: ShopClient) -> None:
    route = api.get(SHOPS).mock(side_effect=[httpx.ReadTimeout("slow"), ok(SHOP_LIST)])
    assert len(await client.authorized_shops()) == 1
    assert route.call_count == 2


async def test_a_lost_inventory_answer_is_not_resent_by_the_client(api: respx.MockRouter, client: ShopClient) -> None:
    route = api.post("/product/202309/products/p1/inventory/update").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(OutcomeUnknown, match=r"POST /product/202309/products/p1/inventory/update: timed out"):
        await client.update_inventory(CIPHER, "p1", [{"id": "s1", "inventory": [{"warehouse_id": "w",
                                                                                   "quantity": 1}]}])
    assert route.call_count == 1


async def test_tokens_and_secret_never_appear_in_errors_or_logs(
    api: respx.MockRouter, client: ShopClient, tokens: FakeTokens, caplog: pytest.LogCaptureFixture
) -> None:
    from shop_fakes import APP_SECRET

    echo = f"token {tokens.token} is not valid for app secret {APP_SECRET}"
    api.get(SHOPS).mock(return_value=fail(105001, echo))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthExpired) as caught:
        await client.authorized_shops()
    rendered = f"{caught.value} {caught.value.as_dict()} {client!r} {caplog.text}"
    assert tokens.token not in rendered
    assert APP_SECRET not in rendered
    assert "token *** is not valid" in str(caught.value)
    assert "TikTok Shop call failed" in caplog.text
