"""Silent refresh: before expiry, single-flight, atomic replacement, and a clear end when it cannot work."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import respx
from pydantic import SecretStr
from shop_fakes import API, APP_KEY, APP_SECRET, AUTH, NOW, fail, grant_json, ok
from sqlalchemy.engine import Engine

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant
from shopwarden.errors import ReauthRequired
from shopwarden.platforms.shop import ShopClient, ShopTokenProvider
from shopwarden.platforms.shop.token_host import AppCredentials
from shopwarden.security.connections import get_connection, read_tokens, store_tokens

SHOPS = f"{API}/authorization/202309/shops"
REFRESH = f"{AUTH}/api/v2/token/refresh"
SHOP_LIST = {"shops": [{"id": "1", "name": "A", "region": "US", "cipher": "c1"}]}


@pytest.fixture
def platform() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def connect(engine: Engine, merchant_id: str, *, access_in: timedelta, refresh_in: timedelta = timedelta(days=30),
            access: str = "old-access-token", refresh: str = "old-refresh-token") -> None:
    with session_scope(engine) as session:
        connection = Connection(merchant_id=merchant_id, platform="shop")
        store_tokens(session, connection, access_token=access, refresh_token=refresh,
                     access_expires_at=NOW + access_in, refresh_expires_at=NOW + refresh_in)


def provider(engine: Engine, merchant_id: str) -> ShopTokenProvider:
    app = AppCredentials(APP_KEY, SecretStr(APP_SECRET), AUTH)
    return ShopTokenProvider(engine, merchant_id, app, margin_seconds=300, clock=lambda: NOW)


def new_grant(n: int = 1) -> httpx.Response:
    return ok(grant_json(f"new-access-{n:04d}", f"new-refresh-{n:04d}", access_expires=int(NOW.timestamp()) + 86400,
                         refresh_expires=int(NOW.timestamp()) + 86400 * 30))


def stored(engine: Engine, merchant_id: str) -> tuple[Connection, str, str | None]:
    with session_scope(engine) as session:
        connection = get_connection(session, merchant_id, "shop")
        tokens = read_tokens(connection)
        refresh = tokens.refresh_token.get_secret_value() if tokens.refresh_token else None
        return connection, tokens.access_token.get_secret_value(), refresh


async def test_a_fresh_token_is_used_without_refreshing(engine: Engine, merchant: Merchant,
                                                        platform: respx.MockRouter) -> None:
    connect(engine, merchant.id, access_in=timedelta(hours=2))
    refresh = platform.get(REFRESH).mock(return_value=new_grant())
    assert await provider(engine, merchant.id).get_access_token() == "old-access-token"
    assert refresh.call_count == 0


async def test_twenty_concurrent_calls_near_expiry_refresh_exactly_once(
    engine: Engine, merchant: Merchant, platform: respx.MockRouter
) -> None:
    connect(engine, merchant.id, access_in=timedelta(seconds=60))
    refresh = platform.get(REFRESH).mock(return_value=new_grant())
    api = platform.get(SHOPS).mock(return_value=ok(SHOP_LIST))
    tokens = provider(engine, merchant.id)
    async with ShopClient(APP_KEY, APP_SECRET, tokens, api_base=API, clock=lambda: NOW) as client:
        await asyncio.gather(*(client.authorized_shops() for _ in range(20)))
    assert refresh.call_count == 1
    assert dict(refresh.calls.last.request.url.params) == {
        "app_key": APP_KEY, "app_secret": APP_SECRET, "refresh_token": "old-refresh-token",
        "grant_type": "refresh_token"}
    assert {c.request.headers["x-tts-access-token"] for c in api.calls} == {"new-access-0001"}
    assert api.call_count == 20
    connection, access, refresh_token = stored(engine, merchant.id)
    assert (access, refresh_token, connection.status) == ("new-access-0001", "new-refresh-0001", "active")
    assert connection.access_expires_at == NOW + timedelta(days=1)
    await tokens.aclose()


async def test_concurrent_expired_token_answers_share_one_refresh(
    engine: Engine, merchant: Merchant, platform: respx.MockRouter
) -> None:
    connect(engine, merchant.id, access_in=timedelta(hours=2))
    refresh = platform.get(REFRESH).mock(return_value=new_grant())

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["x-tts-access-token"] == "old-access-token":
            return fail(105002, "Access token is expired")
        return ok(SHOP_LIST)

    platform.get(SHOPS).mock(side_effect=answer)
    async with ShopClient(APP_KEY, APP_SECRET, provider(engine, merchant.id), api_base=API,
                          clock=lambda: NOW) as client:
        results = await asyncio.gather(*(client.authorized_shops() for _ in range(20)))
    assert refresh.call_count == 1
    assert all(len(r) == 1 for r in results)


async def test_an_expired_refresh_token_marks_needs_reauth_and_does_not_loop(
    engine: Engine, merchant: Merchant, platform: respx.MockRouter
) -> None:
    connect(engine, merchant.id, access_in=timedelta(seconds=10))
    refresh = platform.get(REFRESH).mock(return_value=fail(36004001, "The refresh_token has expired"))
    tokens = provider(engine, merchant.id)
    expected = "reconnect with `shopwarden connect shop --merchant m-acme`"
    with pytest.raises(ReauthRequired, match=expected):
        await tokens.get_access_token()
    with pytest.raises(ReauthRequired, match="is needs_reauth"):
        await tokens.get_access_token()
    assert refresh.call_count == 1
    with session_scope(engine) as session:
        assert get_connection(session, merchant.id, "shop").status == "needs_reauth"


async def test_a_refresh_token_past_its_expiry_is_not_even_sent(
    engine: Engine, merchant: Merchant, platform: respx.MockRouter
) -> None:
    connect(engine, merchant.id, access_in=timedelta(seconds=-5), refresh_in=timedelta(seconds=-1))
    refresh = platform.get(REFRESH).mock(return_value=new_grant())
    with pytest.raises(ReauthRequired, match="the refresh token has expired"):
        await provider(engine, merchant.id).get_access_token()
    assert refresh.call_count == 0


async def test_when_another_process_refreshed_first_its_tokens_win(
    engine: Engine, merchant: Merchant, platform: respx.MockRouter
) -> None:
    connect(engine, merchant.id, access_in=timedelta(seconds=30))

    def other_process_wins(request: httpx.Request) -> httpx.Response:
        with session_scope(engine) as session:  # the other process stores its refresh first
            store_tokens(session, get_connection(session, merchant.id, "shop"), access_token="winner-access",
                         refresh_token="winner-refresh", access_expires_at=NOW + timedelta(hours=4),
                         refresh_expires_at=NOW + timedelta(days=30))
        return new_grant()

    platform.get(REFRESH).mock(side_effect=other_process_wins)
    assert await provider(engine, merchant.id).get_access_token() == "winner-access"
    _, access, refresh_token = stored(engine, merchant.id)
    assert (access, refresh_token) == ("winner-access", "winner-refresh")


async def test_no_connection_says_how_to_connect(engine: Engine, merchant: Merchant) -> None:
    with pytest.raises(ReauthRequired, match="has no TikTok Shop connection: connect with "
                                             "`shopwarden connect shop --merchant m-acme`"):
        await provider(engine, merchant.id).get_access_token()


async def test_refresh_never_logs_or_shows_a_token_or_the_app_secret(
    engine: Engine, merchant: Merchant, platform: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    connect(engine, merchant.id, access_in=timedelta(seconds=30))
    platform.get(REFRESH).mock(return_value=new_grant())
    caplog.set_level(logging.DEBUG)
    tokens = provider(engine, merchant.id)
    await tokens.get_access_token()
    shown = f"{caplog.text} {tokens!r} {tokens._current!r}"
    assert "refreshed the TikTok Shop token of merchant m-acme" in caplog.text
    for secret in ("old-refresh-token", "new-access-0001", "new-refresh-0001", APP_SECRET):
        assert secret not in shown
    await tokens.aclose()
