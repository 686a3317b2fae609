"""Composio's `tiktok_ads` toolkit read at connect time: each refusal, and OriginMismatch / MissingAuthContext."""

from __future__ import annotations

import httpx
import pytest
import respx
from ads_fakes import ACCOUNT, ADVERTISER, COMPOSIO_BASE, PROXY_URL, FakeComposio, account_json, fail, ok, toolkit_json
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant
from shopwarden.errors import ConfigError
from shopwarden.platforms.ads import complete_ads_connection
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.composio_toolkit import registrable_domain, same_origin_domain

ACCOUNT_URL = f"{COMPOSIO_BASE}/api/v3.1/connected_accounts/{ACCOUNT}"
ROW = {"advertiser_id": ADVERTISER, "name": "Acme Ads", "currency": "EUR", "timezone": "Europe/Berlin"}


async def _complete(engine: Engine, settings: Settings) -> object:
    return await complete_ads_connection(engine, "m-acme", ACCOUNT, ADVERTISER, settings=settings,
                                         http_client=httpx.Client())


def _stored(engine: Engine) -> list[Connection]:
    with session_scope(engine) as session:
        rows = list(session.exec(select(Connection).where(Connection.merchant_id == "m-acme")))
        for row in rows:
            session.expunge(row)
        return rows


@pytest.mark.parametrize(("headers", "named"), [(None, "no header it documents"),
                                                ({"Authorization": "Bearer {{access_token}}"}, "Authorization")])
async def test_a_toolkit_that_does_not_inject_access_token_is_refused_before_any_call(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router, composio: FakeComposio,
        headers: dict[str, str] | None, named: str) -> None:
    router.get(ACCOUNT_URL).respond(200, json=account_json("act.****"))
    composio.toolkit = toolkit_json(headers)
    with pytest.raises(ConfigError) as caught:
        await _complete(engine, settings)
    message = str(caught.value)
    assert f"Composio's tiktok_ads toolkit injects {named}, not TikTok's Access-Token header" in message
    assert "configure the auth config's proxy to send Access-Token" in message
    assert composio.calls == [] and _stored(engine) == []


async def test_a_toolkit_on_another_domain_is_refused_naming_the_domain(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router, composio: FakeComposio) -> None:
    router.get(ACCOUNT_URL).respond(200, json=account_json("act.****"))
    composio.toolkit = toolkit_json({"Access-Token": "{{access_token}}"}, base_url="https://open.tiktokapis.com/v2")
    with pytest.raises(ConfigError, match=r"not on the tiktok_ads connection's domain https://tiktokapis\.com"):
        await _complete(engine, settings)
    assert composio.calls == []


async def test_a_40104_during_verification_refuses_the_connection(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router, composio: FakeComposio) -> None:
    router.get(ACCOUNT_URL).respond(200, json=account_json("act.****"))
    composio.reply("advertiser/info/", fail(40104, "Access-Token is empty"))
    with pytest.raises(ConfigError, match=r"TikTok answered 40104 \(no Access-Token header\) through Composio's "
                                          r"tiktok_ads connection ca_test_1"):
        await _complete(engine, settings)
    assert [c.status for c in _stored(engine)] != ["active"]


async def test_a_toolkit_that_injects_access_token_connects(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router, composio: FakeComposio) -> None:
    router.get(ACCOUNT_URL).respond(200, json=account_json("act.****"))
    composio.reply("advertiser/info/", ok({"list": [ROW]}))
    details = await _complete(engine, settings)
    assert isinstance(details, dict) and details["currency"] == "EUR"
    (call,) = composio.calls
    assert [p for p in call["parameters"] if p["type"] == "header"] == []  # the toolkit adds the header


@pytest.mark.parametrize(("slug", "text"), [
    ("OriginMismatch", "Composio refused https://business-api.tiktok.com/open_api/v1.3: an absolute endpoint must "
                       "share scheme and registrable domain"),
    ("MissingAuthContext", "Composio got neither a connected account nor connection data for "
                           "https://business-api.tiktok.com/open_api/v1.3"),
])
async def test_composio_configuration_refusals_are_configuration_errors_naming_the_domain(
        ads: AdsClient, router: respx.Router, slug: str, text: str) -> None:
    router.routes.clear()
    router.post(PROXY_URL).respond(400, json={"error": {"message": "refused", "code": 400, "slug": slug,
                                                        "status": 400, "request_id": "rq"}})
    with pytest.raises(ConfigError) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert text in str(caught.value)


def test_registrable_domains_compare_scheme_and_the_last_two_labels() -> None:
    assert registrable_domain("https://sandbox-ads.tiktok.com/open_api") == ("https", "tiktok.com")
    assert same_origin_domain("https://business-api.tiktok.com/x", "https://ads.tiktok.com")
    assert not same_origin_domain("http://business-api.tiktok.com/x", "https://business-api.tiktok.com")
    assert not same_origin_domain("https://business-api.tiktok.com.evil.io/x", "https://business-api.tiktok.com")
