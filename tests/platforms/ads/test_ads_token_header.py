"""The Access-Token header policy: rely on Composio by default, or send the connection's token."""

from __future__ import annotations

import httpx
import pytest
import respx
from ads_fakes import ACCOUNT, ADVERTISER, COMPOSIO_BASE, MERCHANT, FakeComposio, account_json, page

from shopwarden.config import Settings
from shopwarden.errors import InvalidRequest, ReauthRequired
from shopwarden.platforms.ads._proxy import BusinessApiProxy
from shopwarden.platforms.ads._token_header import AccessTokenHeader, TokenHeaderMode
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.factory import composio_for, token_header_for

ACCOUNT_URL = f"{COMPOSIO_BASE}/api/v3.1/connected_accounts/{ACCOUNT}"
TOKEN = "act.REAL_tiktok_token_abcdef"


def client_with(settings: Settings) -> AdsClient:
    sdk = composio_for(settings, http_client=httpx.Client())
    proxy = BusinessApiProxy(sdk, connected_account_id=ACCOUNT, merchant_id=MERCHANT, user_id=MERCHANT,
                             api_base=settings.ads_api_base,
                             token_header=token_header_for(settings, sdk, ACCOUNT))
    return AdsClient(proxy, backoff=())


async def test_by_default_no_access_token_parameter_is_sent(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", page([], 1, 0))
    await ads.list_campaigns(ADVERTISER)
    assert [p for p in composio.calls[0]["parameters"] if p["type"] == "header"] == []


async def test_from_connection_sends_the_token_as_an_access_token_header(
        settings: Settings, composio: FakeComposio, router: respx.Router) -> None:
    router.get(ACCOUNT_URL).respond(200, json=account_json(TOKEN))
    ads = client_with(settings.model_copy(update={"ads_access_token_header": "from_connection"}))
    composio.reply("campaign/get/", page([], 1, 0))
    await ads.list_campaigns(ADVERTISER)
    headers = [p for p in composio.calls[0]["parameters"] if p["type"] == "header"]
    assert headers == [{"name": "Access-Token", "type": "header", "value": TOKEN}]


@pytest.mark.parametrize("token", ["act.****", None])
async def test_a_masked_or_missing_token_requires_reauth_and_sends_nothing(
        settings: Settings, composio: FakeComposio, router: respx.Router, token: str | None) -> None:
    router.get(ACCOUNT_URL).respond(200, json=account_json(token))
    ads = client_with(settings.model_copy(update={"ads_access_token_header": "from_connection"}))
    with pytest.raises(ReauthRequired, match="missing or masked"):
        await ads.list_campaigns(ADVERTISER)
    assert composio.calls == []


async def test_the_token_never_appears_in_an_error(settings: Settings, composio: FakeComposio,
                                                   router: respx.Router) -> None:
    router.get(ACCOUNT_URL).respond(200, json=account_json(TOKEN))
    ads = client_with(settings.model_copy(update={"ads_access_token_header": "from_connection"}))
    composio.reply("campaign/get/", {"code": 40002, "message": f"bad token {TOKEN}", "data": {}})
    with pytest.raises(InvalidRequest) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert TOKEN not in str(caught.value)
    assert "bad token [redacted]" in str(caught.value)


def test_from_connection_needs_a_token_reader_and_repr_hides_nothing_secret() -> None:
    with pytest.raises(ValueError, match="needs a way to read"):
        AccessTokenHeader(TokenHeaderMode.FROM_CONNECTION)
    assert repr(AccessTokenHeader(TokenHeaderMode.FROM_CONNECTION, lambda: TOKEN)) == (
        "AccessTokenHeader(mode=from_connection)")
