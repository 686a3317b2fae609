"""Connecting, verifying and disconnecting TikTok Ads through Composio, stored in our database
(SQLite and PostgreSQL), plus the factory's needs_reauth marking and report caching."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx
import pytest
import respx
from ads_fakes import ACCOUNT, ADVERTISER, API_KEY, COMPOSIO_BASE, FakeComposio, account_json, fail, ok, page
from sqlalchemy.engine import Engine
from sqlmodel import select
from typer.testing import CliRunner

from shopwarden.cli import app
from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import CachedPerformance, Connection, Merchant
from shopwarden.errors import AuthExpired, InvalidRequest, PermissionDenied, PlatformUnavailable, ReauthRequired
from shopwarden.platforms.ads import (
    ads_client_for,
    complete_ads_connection,
    disconnect_ads,
    start_ads_connection,
)

ACCOUNTS_URL = f"{COMPOSIO_BASE}/api/v3.1/connected_accounts"
LINK_URL = f"{ACCOUNTS_URL}/link"
CONSENT = "https://connect.composio.dev/link/lk_123"
ADVERTISER_ROW = {"advertiser_id": ADVERTISER, "name": "Acme Ads", "currency": "EUR", "timezone": "Europe/Berlin"}
NO_ACCOUNTS = {"items": [], "current_page": 1, "total_items": 0, "total_pages": 1, "next_cursor": None}


def _link_routes(router: respx.Router) -> respx.Route:
    router.get(ACCOUNTS_URL).respond(200, json=NO_ACCOUNTS)
    return router.post(LINK_URL).respond(201, json={"connected_account_id": ACCOUNT, "expires_at": "2026-03-02T12:10Z",
                                                    "link_token": "lt_1", "redirect_url": CONSENT})


def _connection(engine: Engine, merchant_id: str = "m-acme") -> Connection:
    with session_scope(engine) as session:
        row = session.exec(select(Connection).where(Connection.merchant_id == merchant_id)).one()
        session.expunge(row)
        return row


def _active_connection(engine: Engine, status: str = "active", user_id: str | None = "m-acme") -> None:
    details: dict[str, object] = {"advertiser_ids": [ADVERTISER]}
    if user_id is not None:
        details["composio_user_id"] = user_id
    with session_scope(engine) as session:
        session.add(Connection(merchant_id="m-acme", platform="ads", status=status, external_account_id=ACCOUNT,
                               details=details))


async def test_connect_stores_the_pending_account_id_and_complete_verifies_it(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router, composio: FakeComposio) -> None:
    link = _link_routes(router)
    started = start_ads_connection(engine, "m-acme", settings, http_client=httpx.Client(),
                                   callback_url="https://app.example/ads/callback")
    assert (started.connected_account_id, started.redirect_url) == (ACCOUNT, CONSENT)
    assert json.loads(link.calls.last.request.content) == {
        "auth_config_id": "ac_tiktok", "user_id": "m-acme", "callback_url": "https://app.example/ads/callback"}
    assert link.calls.last.request.headers["x-api-key"] == API_KEY
    pending = _connection(engine)
    assert (pending.status, pending.external_account_id, pending.access_token_enc) == ("pending", ACCOUNT, None)

    router.get(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json=account_json("act.****"))
    composio.reply("advertiser/info/", ok({"list": [ADVERTISER_ROW]}))
    details = await complete_ads_connection(engine, "m-acme", None, ADVERTISER, settings=settings,
                                            http_client=httpx.Client())
    stored = _connection(engine)
    assert stored.status == "active" and stored.external_account_id == ACCOUNT
    assert stored.access_token_enc is None and stored.refresh_token_enc is None
    assert stored.details == details == {
        "advertiser_ids": [ADVERTISER], "currency": "EUR", "timezone": "Europe/Berlin", "composio_user_id": "m-acme",
        "advertisers": {ADVERTISER: {"name": "Acme Ads", "currency": "EUR", "timezone": "Europe/Berlin"}}}


async def test_complete_refuses_an_account_still_waiting_for_consent(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router) -> None:
    waiting = account_json(None) | {"status": "INITIATED", "state": {"authScheme": "OAUTH2",
                                                                     "val": {"status": "INITIATED"}}}
    router.get(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json=waiting)
    with pytest.raises(InvalidRequest, match="is INITIATED, not ACTIVE: the merchant has not finished"):
        await complete_ads_connection(engine, "m-acme", ACCOUNT, ADVERTISER, settings=settings,
                                      http_client=httpx.Client())


async def test_complete_refuses_an_account_of_another_user(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router) -> None:
    router.get(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json=account_json(None) | {"user_id": "m-other"})
    with pytest.raises(InvalidRequest, match="belongs to another Composio user, not m-acme"):
        await complete_ads_connection(engine, "m-acme", ACCOUNT, ADVERTISER, settings=settings,
                                      http_client=httpx.Client())


async def test_an_account_made_for_another_composio_user_id_is_used_with_that_user_id(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router, composio: FakeComposio) -> None:
    router.get(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json=account_json(None) | {"user_id": "demo-user"})
    composio.reply("advertiser/info/", ok({"list": [ADVERTISER_ROW]}))
    await complete_ads_connection(engine, "m-acme", ACCOUNT, [ADVERTISER], settings=settings,
                                  http_client=httpx.Client(), composio_user_id="demo-user")
    assert composio.calls[0]["user_id"] == "demo-user"
    composio.reply("campaign/get/", page([], 1, 0))
    await ads_client_for(engine, "m-acme", settings, http_client=httpx.Client()).list_campaigns(ADVERTISER)
    assert composio.calls[1]["user_id"] == "demo-user"
    assert _connection(engine).details["composio_user_id"] == "demo-user"


async def test_without_a_recorded_composio_user_the_account_id_alone_is_sent(
        engine: Engine, merchant: Merchant, settings: Settings, composio: FakeComposio) -> None:
    _active_connection(engine, user_id=None)
    composio.reply("campaign/get/", page([], 1, 0))
    await ads_client_for(engine, "m-acme", settings, http_client=httpx.Client()).list_campaigns(ADVERTISER)
    assert "user_id" not in composio.calls[0]
    assert composio.calls[0]["connected_account_id"] == ACCOUNT


def test_the_factory_refuses_a_merchant_without_an_active_connection(
        engine: Engine, merchant: Merchant, settings: Settings) -> None:
    with pytest.raises(ReauthRequired, match="connect with `shopwarden connect ads --merchant m-acme`"):
        ads_client_for(engine, "m-acme", settings)
    _active_connection(engine, status="needs_reauth")
    hint = "is needs_reauth; reconnect: `shopwarden disconnect ads --merchant m-acme`, then "
    with pytest.raises(ReauthRequired, match=hint):
        ads_client_for(engine, "m-acme", settings)


async def test_an_auth_failure_marks_the_connection_needs_reauth(
        engine: Engine, merchant: Merchant, settings: Settings, composio: FakeComposio) -> None:
    _active_connection(engine)
    ads = ads_client_for(engine, "m-acme", settings, http_client=httpx.Client(), backoff=())
    composio.reply("campaign/get/", fail(40105, "Access token has been revoked"))
    with pytest.raises(ReauthRequired):
        await ads.list_campaigns(ADVERTISER)
    stored = _connection(engine)
    assert stored.status == "needs_reauth"
    assert "Access token has been revoked" in (stored.status_reason or "")
    assert composio.calls[0]["connected_account_id"] == ACCOUNT and composio.calls[0]["user_id"] == "m-acme"


@pytest.mark.parametrize("code", [40001, 40118, 40119, 40125, 40130])
async def test_a_permission_error_never_changes_the_connection(
        engine: Engine, merchant: Merchant, settings: Settings, composio: FakeComposio, code: int) -> None:
    _active_connection(engine)
    before = _connection(engine)
    ads = ads_client_for(engine, "m-acme", settings, http_client=httpx.Client(), backoff=())
    composio.reply("campaign/get/", fail(code, "No permission to operate advertiser 7999"))
    with pytest.raises(PermissionDenied) as caught:
        await ads.list_campaigns("7999")
    assert not isinstance(caught.value, AuthExpired)
    assert "reconnect" not in str(caught.value)
    after = _connection(engine)
    assert (after.status, after.status_reason, after.updated_at) == (
        before.status, before.status_reason, before.updated_at)


def _report_page(object_id: str, page_no: int, total: int) -> dict[str, object]:
    row = {"dimensions": {"campaign_id": object_id, "stat_time_day": "2026-03-01 00:00:00"},
           "metrics": {"spend": "10.50", "impressions": "100", "clicks": "7", "conversion": "2",
                       "total_onsite_shopping_value": "40"}}
    return page([row], page_no, total)


async def test_a_complete_report_is_cached_and_a_broken_one_caches_nothing(
        engine: Engine, merchant: Merchant, settings: Settings, composio: FakeComposio) -> None:
    _active_connection(engine)
    ads = ads_client_for(engine, "m-acme", settings, http_client=httpx.Client(), backoff=())
    composio.reply("report/integrated/get/", _report_page("1", 1, 2), {"code": 0, "data": {"list": 7}})
    with pytest.raises(PlatformUnavailable, match="report/integrated/get/"):
        await ads.report(ADVERTISER, "campaign", date(2026, 3, 1), date(2026, 3, 1))
    with session_scope(engine) as session:
        assert session.exec(select(CachedPerformance)).all() == []

    composio.reply("report/integrated/get/", _report_page("1", 1, 2), _report_page("2", 2, 2))
    await ads.report(ADVERTISER, "campaign", date(2026, 3, 1), date(2026, 3, 1))
    with session_scope(engine) as session:
        rows = session.exec(select(CachedPerformance).order_by(CachedPerformance.object_id)).all()
        assert [(r.object_id, r.stat_date, r.spend, r.clicks, r.conversion_value) for r in rows] == [
            ("1", date(2026, 3, 1), Decimal("10.50"), 7, Decimal("40")),
            ("2", date(2026, 3, 1), Decimal("10.50"), 7, Decimal("40"))]


def _cache_row(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(CachedPerformance(merchant_id="m-acme", advertiser_id=ADVERTISER, level="campaign",
                                      object_id="1", stat_date=date(2026, 3, 1), spend=Decimal("1")))


def test_disconnect_deletes_the_account_at_composio_and_purges_cached_metrics_on_request(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router) -> None:
    _active_connection(engine)
    _cache_row(engine)
    deleted = router.delete(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json={})
    result = disconnect_ads(engine, "m-acme", settings, http_client=httpx.Client(), purge_cache=True)
    assert deleted.calls.last.request.url.params["revoke_on_delete"] == "true"
    assert (result.remote_deleted, result.cached_rows_deleted) == (True, 1)
    stored = _connection(engine)
    assert (stored.status, stored.external_account_id) == ("disconnected", None)
    with session_scope(engine) as session:
        assert session.exec(select(CachedPerformance)).all() == []


def test_disconnect_keeps_the_account_id_when_composio_cannot_be_reached(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router) -> None:
    _active_connection(engine)
    _cache_row(engine)
    router.delete(f"{ACCOUNTS_URL}/{ACCOUNT}").mock(side_effect=httpx.ConnectError("refused"))
    result = disconnect_ads(engine, "m-acme", settings, http_client=httpx.Client())
    assert (result.remote_deleted, result.cached_rows_deleted) == (False, None)
    assert "Composio is unreachable" in (result.remote_error or "")
    stored = _connection(engine)
    assert (stored.status, stored.external_account_id) == ("disconnected", ACCOUNT)
    with session_scope(engine) as session:
        assert len(session.exec(select(CachedPerformance)).all()) == 1


def test_cli_connect_prints_the_consent_link_and_disconnect_purges(
        engine: Engine, merchant: Merchant, router: respx.Router, monkeypatch: pytest.MonkeyPatch) -> None:
    from shopwarden.config import get_settings

    for name, value in {"COMPOSIO_API_KEY": API_KEY, "COMPOSIO_BASE_URL": COMPOSIO_BASE,
                        "COMPOSIO_AUTH_CONFIG_ID": "ac_tiktok"}.items():
        monkeypatch.setenv(f"SHOPWARDEN_{name}", value)
    get_settings.cache_clear()
    _link_routes(router)
    result = CliRunner().invoke(app, ["connect", "ads", "--merchant", "m-acme"])
    assert result.exit_code == 0, result.output
    assert CONSENT in result.output
    assert "--complete --advertiser" in result.output

    _cache_row(engine)
    router.delete(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json={})
    result = CliRunner().invoke(app, ["disconnect", "ads", "--merchant", "m-acme", "--purge-cache"])
    assert result.exit_code == 0, result.output
    assert "TikTok Ads disconnected for merchant m-acme" in result.output
    assert "deleted 1 cached performance row(s)" in result.output
    assert API_KEY not in result.output


async def test_complete_refuses_an_advertiser_another_merchant_owns(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router) -> None:
    with session_scope(engine) as session:
        session.add(Merchant(id="m-first", autonomy="suggest"))
        session.flush()
        session.add(Connection(merchant_id="m-first", platform="ads", status="active", external_account_id="ca_1",
                               details={"advertiser_ids": [ADVERTISER]}))
    status = router.get(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json=account_json("act.****"))
    with pytest.raises(InvalidRequest, match=f"advertiser {ADVERTISER} is already connected to another merchant") as e:
        await complete_ads_connection(engine, "m-acme", ACCOUNT, ADVERTISER, settings=settings,
                                      http_client=httpx.Client())
    assert "m-first" not in str(e.value)  # the other tenant is not named
    assert not status.called  # refused before asking Composio
    with session_scope(engine) as session:
        assert session.exec(select(Connection).where(Connection.merchant_id == "m-acme")).all() == []


async def test_a_mistyped_advertiser_id_is_not_called_a_token_problem(
        engine: Engine, merchant: Merchant, settings: Settings, router: respx.Router, composio: FakeComposio) -> None:
    router.get(f"{ACCOUNTS_URL}/{ACCOUNT}").respond(200, json=account_json("act.****"))
    composio.reply("advertiser/info/", fail(40001, "No permission to operate advertiser 7999"))
    with pytest.raises(InvalidRequest) as refused:
        await complete_ads_connection(engine, "m-acme", ACCOUNT, "7999", settings=settings,
                                      http_client=httpx.Client())
    message = str(refused.value)
    assert "TikTok refused advertiser 7999 for this connection: check the id" in message
    assert "reconnect" not in message and "token" not in message
