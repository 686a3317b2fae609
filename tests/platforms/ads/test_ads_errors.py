"""The error table: TikTok codes inside `data.code`, upstream HTTP statuses, Composio's own failures,
malformed bodies — each to one typed error, retried only where it is safe, never with a secret."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from ads_fakes import ADVERTISER, API_KEY, FakeComposio, campaign_row, fail, ok, page

from shopwarden.errors import (
    AuthExpired,
    ConfigError,
    InvalidRequest,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    ReauthRequired,
)
from shopwarden.platforms.ads.client import AdsClient

RECONNECT = ("reconnect: `shopwarden disconnect ads --merchant m-acme`, "
             "then `shopwarden connect ads --merchant m-acme`")


AUTH_CODES = [40101, 40102, 40103, 40104, 40105, 40106, 40107, 40108, 40110, 40113]
PERMISSION_CODES = [40001, 40118, 40119, 40125, 40130]
RATE_LIMIT_CODES = [40100, 40132, 40133, 61000]
SERVER_CODES = [50000, 50002, 51000, 51010, 51099, 52001, 60001, 40201, 40202]
PARAMETER_CODES = [40000, 40002, 40003, 40006, 40007, 40011, 40050, 40300, 40301]


@pytest.mark.parametrize("code", AUTH_CODES)
async def test_authentication_codes_tell_the_user_to_reconnect_and_are_not_retried(
        ads: AdsClient, composio: FakeComposio, code: int) -> None:
    composio.reply("campaign/get/", fail(code, "Access token is invalid", request_id="rq-77"))
    with pytest.raises(ReauthRequired) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert RECONNECT in str(caught.value)
    assert (caught.value.code, caught.value.request_id, caught.value.endpoint) == (code, "rq-77", "campaign/get/")
    assert len(composio.calls) == 1


async def test_an_empty_token_says_the_access_token_header_was_not_sent(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", fail(40104, "Access-Token is empty"))
    with pytest.raises(ReauthRequired, match="TikTok received no Access-Token header"):
        await ads.list_campaigns(ADVERTISER)


@pytest.mark.parametrize("code", PERMISSION_CODES)
async def test_permission_codes_are_not_token_problems(ads: AdsClient, composio: FakeComposio, code: int) -> None:
    composio.reply("campaign/get/", fail(code, "No permission to operate advertiser 7999"))
    with pytest.raises(PermissionDenied) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert not isinstance(caught.value, AuthExpired)
    assert "No permission to operate advertiser 7999" in str(caught.value) and "reconnect" not in str(caught.value)
    assert len(composio.calls) == 1


@pytest.mark.parametrize("code", RATE_LIMIT_CODES)
async def test_rate_limit_codes_are_not_retried_in_a_loop(ads: AdsClient, composio: FakeComposio, code: int) -> None:
    composio.reply("campaign/get/", fail(code, "Too many requests"))
    with pytest.raises(RateLimited, match="next cycle tries again"):
        await ads.list_campaigns(ADVERTISER)
    assert len(composio.calls) == 1


@pytest.mark.parametrize("code", SERVER_CODES)
async def test_server_side_codes_are_retried_for_reads(ads: AdsClient, composio: FakeComposio, code: int) -> None:
    composio.reply("campaign/get/", fail(code, "busy"), page([campaign_row("1", "A")], 1, 1))
    assert [c.campaign_id for c in await ads.list_campaigns(ADVERTISER)] == ["1"]
    assert len(composio.calls) == 2


@pytest.mark.parametrize("code", PARAMETER_CODES)
async def test_parameter_and_object_codes_are_invalid_requests(
        ads: AdsClient, composio: FakeComposio, code: int) -> None:
    composio.reply("campaign/get/", fail(code, "bad field"))
    with pytest.raises(InvalidRequest):
        await ads.list_campaigns(ADVERTISER)
    assert len(composio.calls) == 1


@pytest.mark.parametrize(("code", "text"), [(40002, "the request was refused as invalid: budget too low"),
                                            (40007, "the object does not exist: budget too low"),
                                            (41999, "TikTok refused the request: budget too low")])
async def test_parameter_errors_are_invalid_requests_and_not_retried(
        ads: AdsClient, composio: FakeComposio, code: int, text: str) -> None:
    composio.reply("campaign/update/", fail(code, "budget too low"))
    with pytest.raises(InvalidRequest) as caught:
        await ads.update_budget(ADVERTISER, "campaign", "1", budget=Decimal("60"))
    assert text in str(caught.value)
    assert len(composio.calls) == 1


async def test_rate_limit_is_not_retried_in_a_loop(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", fail(40100, "Too many requests"))
    with pytest.raises(RateLimited, match="next cycle tries again"):
        await ads.list_campaigns(ADVERTISER)
    assert len(composio.calls) == 1


async def test_server_side_codes_are_retried_for_reads_then_raised(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", *[fail(51004, "system busy")] * 3)
    with pytest.raises(PlatformUnavailable, match="server-side failure: system busy"):
        await ads.list_campaigns(ADVERTISER)
    assert len(composio.calls) == 3


async def test_a_read_recovers_when_a_retry_succeeds(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", fail(50000, "busy"), page([campaign_row("1", "A")], 1, 1))
    assert [c.campaign_id for c in await ads.list_campaigns(ADVERTISER)] == ["1"]


@pytest.mark.parametrize(("status", "kind"), [(503, PlatformUnavailable), (429, RateLimited), (401, AuthExpired),
                                              (404, InvalidRequest)])
async def test_an_upstream_http_status_without_an_envelope_maps_by_status(
        ads: AdsClient, composio: FakeComposio, status: int, kind: type[PlatformError]) -> None:
    composio.reply("advertiser/info/", *[httpx.Response(200, json={"data": "<html>error</html>", "status": status,
                                                                   "headers": {}})] * 3)
    with pytest.raises(kind) as caught:
        await ads.advertiser_info([ADVERTISER])
    assert caught.value.code == f"HTTP {status}"


@pytest.mark.parametrize(("envelope", "what"), [
    ({"message": "OK", "data": {}}, "missing `code`"),
    ({"code": [0], "data": {}}, "`code` is not an integer (list)"),
    ({"code": 0, "data": {"list": "nope", "page_info": {}}}, "list: Input should be a valid list"),
    ({"code": 0, "data": {"list": [campaign_row("1", "A", budget="lots")],
                          "page_info": {"page": 1, "page_size": 1000, "total_number": 1, "total_page": 1}}},
     "budget"),
    ("not json at all", "missing `code`"),
])
async def test_malformed_bodies_are_unavailable_and_name_the_endpoint(
        ads: AdsClient, composio: FakeComposio, envelope: object, what: str) -> None:
    composio.reply("campaign/get/", *[envelope] * 3)
    with pytest.raises(PlatformUnavailable) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert str(caught.value).startswith("tiktok_ads campaign/get/: unreadable response from TikTok")
    assert what in str(caught.value)


def _composio_error(status: int, message: str, slug: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, headers=headers or {}, json={"error": {
        "message": message, "code": status, "slug": slug, "status": status, "request_id": "cmp-1"}})


async def test_a_refused_composio_key_is_a_config_error_without_the_key(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", _composio_error(401, f"Invalid API key {API_KEY}", "Auth_InvalidApiKey"))
    with pytest.raises(ConfigError) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert caught.value.variable == "SHOPWARDEN_COMPOSIO_API_KEY"
    assert API_KEY not in str(caught.value)
    assert "Invalid API key [redacted]" in str(caught.value)


@pytest.mark.parametrize(("status", "slug"), [(404, "ConnectedAccount_NotFound"), (400, "ConnectedAccount_NotActive")])
async def test_a_lost_connected_account_requires_reauth(
        ads: AdsClient, composio: FakeComposio, status: int, slug: str) -> None:
    composio.reply("campaign/get/", _composio_error(status, "Connected account ca_test_1 not usable", slug))
    with pytest.raises(ReauthRequired) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert RECONNECT in str(caught.value)
    assert (caught.value.platform, caught.value.code, caught.value.request_id) == ("composio", slug, "cmp-1")


async def test_composio_rate_limit_carries_retry_after(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", _composio_error(429, "slow down", "RateLimit", {"retry-after": "12"}))
    with pytest.raises(RateLimited) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert caught.value.retry_after == 12.0
    assert len(composio.calls) == 1


async def test_composio_bad_request_is_invalid(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", _composio_error(400, "endpoint and method are required", "Request_Invalid"))
    with pytest.raises(InvalidRequest, match="Composio refused the request: endpoint and method are required"):
        await ads.list_campaigns(ADVERTISER)


async def test_composio_server_errors_and_timeouts_are_unavailable(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", _composio_error(502, "bad gateway", "Upstream"),
                   httpx.ConnectError("connection refused"), httpx.ReadTimeout("timed out"))
    with pytest.raises(PlatformUnavailable, match="Composio timed out; the outcome of the call is unknown"):
        await ads.list_campaigns(ADVERTISER)
    assert len(composio.calls) == 3


async def test_upstream_messages_never_carry_the_api_key(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/create/", fail(40002, f"bad header x-api-key={API_KEY}"))
    with pytest.raises(InvalidRequest) as caught:
        await ads.create_campaign(ADVERTISER, campaign_name="A", objective_type="TRAFFIC",
                                  budget_mode="BUDGET_MODE_DAY", budget=Decimal(60))
    assert API_KEY not in str(caught.value) and API_KEY not in repr(caught.value.as_dict())
    assert "[redacted]" in str(caught.value)


async def test_the_sdk_debug_logs_do_not_carry_the_api_key(
        ads: AdsClient, composio: FakeComposio, caplog: pytest.LogCaptureFixture) -> None:
    composio.reply("campaign/get/", page([], 1, 0))
    with caplog.at_level("DEBUG"):
        await ads.list_campaigns(ADVERTISER)
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(ads)


async def test_success_with_an_error_status_and_code_zero_is_still_an_error(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("advertiser/info/", *[httpx.Response(200, json={"data": ok({"list": []}), "status": 500,
                                                                   "headers": {}})] * 3)
    with pytest.raises(PlatformUnavailable, match="HTTP 500"):
        await ads.advertiser_info([ADVERTISER])
