"""Partner Center OAuth: the link, the callback, and every way a callback can be wrong."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from shop_fakes import API, APP_KEY, APP_SECRET, AUTH, fail, grant_json, ok
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant, OAuthState, Shop, utcnow
from shopwarden.errors import ConfigError, InvalidRequest, NotFound
from shopwarden.platforms.shop import AuthorizationStateInvalid, begin_authorization, complete_authorization
from shopwarden.security.connections import get_connection, read_tokens

TOKEN_GET = f"{AUTH}/api/v2/token/get"
SHOPS = f"{API}/authorization/202309/shops"
SHOP_LIST = {"shops": [{"id": "7494", "name": "Acme US", "region": "US", "cipher": "ROW_acme_us", "code": "USA1",
                        "seller_type": "LOCAL"},
                       {"id": "7495", "name": "Acme UK", "region": "GB", "cipher": "ROW_acme_gb"}]}


@pytest.fixture
def settings() -> Settings:
    return Settings(shop_app_key=APP_KEY, shop_app_secret=APP_SECRET, shop_service_id="svc-7300",
                    shop_api_base=API, shop_auth_base=AUTH)


@pytest.fixture
def platform() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def begin(engine: Engine, merchant_id: str, settings: Settings, ttl: timedelta = timedelta(minutes=10)) -> str:
    with session_scope(engine) as session:
        url = begin_authorization(session, merchant_id, settings, ttl=ttl)
    return parse_qs(urlsplit(url).query)["state"][0]


def grant() -> httpx.Response:
    now = int(utcnow().timestamp())
    return ok(grant_json("acc-token-abcdef", "ref-token-abcdef", access_expires=now + 7 * 86400,
                         refresh_expires=now + 365 * 86400))


def nothing_stored(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return not session.exec(select(Connection)).all() and not session.exec(select(Shop)).all()


def test_authorization_url_carries_service_id_and_a_single_use_state(engine: Engine, merchant: Merchant,
                                                                     settings: Settings) -> None:
    with session_scope(engine) as session:
        url = begin_authorization(session, merchant.id, settings)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://services.tiktokshop.com/open/authorize"
    assert query["service_id"] == ["svc-7300"]
    state = query["state"][0]
    assert len(state) >= 15 and all(c.isalnum() or c in "-_" for c in state)
    with session_scope(engine) as session:
        row = session.get(OAuthState, state)
        assert row is not None and row.merchant_id == merchant.id and row.used_at is None
        assert timedelta(minutes=9) < row.expires_at - utcnow() <= timedelta(minutes=10)
    assert begin(engine, merchant.id, settings) != state


def test_missing_service_id_names_the_variable(engine: Engine, merchant: Merchant) -> None:
    with session_scope(engine) as session, pytest.raises(ConfigError, match="SHOPWARDEN_SHOP_SERVICE_ID"):
        begin_authorization(session, merchant.id, Settings(shop_app_key=APP_KEY))


def test_unknown_merchant_is_refused(engine: Engine, settings: Settings) -> None:
    with session_scope(engine) as session, pytest.raises(NotFound, match="no merchant m-ghost"):
        begin_authorization(session, "m-ghost", settings)


async def test_callback_stores_tokens_with_absolute_expiry_and_the_shops(
    engine: Engine, merchant: Merchant, settings: Settings, platform: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    state = begin(engine, merchant.id, settings)
    exchange = platform.get(TOKEN_GET).mock(return_value=grant())
    shops_route = platform.get(SHOPS).mock(return_value=ok(SHOP_LIST))
    shops = await complete_authorization(engine, "code-1", state, settings=settings)
    assert [(s.shop_id, s.name, s.region, s.cipher) for s in shops] == [
        ("7494", "Acme US", "US", "ROW_acme_us"), ("7495", "Acme UK", "GB", "ROW_acme_gb")]
    assert dict(exchange.calls.last.request.url.params) == {
        "app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": "code-1", "grant_type": "authorized_code"}
    assert "sign" not in exchange.calls.last.request.url.params
    assert shops_route.calls.last.request.headers["x-tts-access-token"] == "acc-token-abcdef"
    with session_scope(engine) as session:
        connection = get_connection(session, merchant.id, "shop")
        tokens = read_tokens(connection)
        assert (tokens.access_token.get_secret_value(), tokens.refresh_token.get_secret_value()) == (
            "acc-token-abcdef", "ref-token-abcdef")
        assert "acc-token-abcdef" not in (connection.access_token_enc or "")
        assert connection.status == "active" and connection.external_account_id == "open-1"
        assert connection.access_expires_at is not None and connection.access_expires_at.tzinfo is not None
        assert timedelta(days=6) < connection.access_expires_at - utcnow() <= timedelta(days=7)
        assert session.get(OAuthState, state).used_at is not None  # type: ignore[union-attr]
    assert "/api/v2/token/get" in caplog.text
    for secret in (APP_SECRET, "code-1", "acc-token-abcdef", "ref-token-abcdef"):
        assert secret not in caplog.text


@pytest.mark.parametrize("case", ["unknown", "expired", "used"])
async def test_a_bad_state_is_refused_before_anything_is_sent_or_written(
    engine: Engine, merchant: Merchant, settings: Settings, platform: respx.MockRouter, case: str
) -> None:
    exchange = platform.get(TOKEN_GET).mock(return_value=grant())
    platform.get(SHOPS).mock(return_value=ok(SHOP_LIST))
    if case == "unknown":
        state = "never-issued-state-123"
    elif case == "expired":
        state = begin(engine, merchant.id, settings, ttl=timedelta(seconds=-1))
    else:
        state = begin(engine, merchant.id, settings)
        await complete_authorization(engine, "code-1", state, settings=settings)
        exchange.reset()
        with session_scope(engine) as session:
            session.delete(get_connection(session, merchant.id, "shop"))
    message = {"unknown": "unknown", "expired": "expired", "used": "already used"}[case]
    with pytest.raises(AuthorizationStateInvalid, match=f"authorization state is {message}: start again with "
                                                         "`shopwarden connect shop --merchant <id>`"):
        await complete_authorization(engine, "code-2", state, settings=settings)
    assert exchange.call_count == 0
    with session_scope(engine) as session:
        assert not session.exec(select(Connection)).all()


async def test_a_reused_auth_code_is_refused_and_nothing_is_written(
    engine: Engine, merchant: Merchant, settings: Settings, platform: respx.MockRouter
) -> None:
    state = begin(engine, merchant.id, settings)
    platform.get(TOKEN_GET).mock(return_value=fail(36004005, "Authorization record not found: the auth_code has "
                                                             "already been used", request_id="r-code"))
    with pytest.raises(InvalidRequest, match=r"auth_code has already been used .*\(code 36004005, request id r-code\)"):
        await complete_authorization(engine, "code-used", state, settings=settings)
    assert nothing_stored(engine)
    with session_scope(engine) as session:
        assert session.get(OAuthState, state).used_at is None  # type: ignore[union-attr]


async def test_an_empty_shop_list_connects_nothing(engine: Engine, merchant: Merchant, settings: Settings,
                                                   platform: respx.MockRouter) -> None:
    state = begin(engine, merchant.id, settings)
    platform.get(TOKEN_GET).mock(return_value=grant())
    platform.get(SHOPS).mock(return_value=ok({"shops": []}))
    with pytest.raises(InvalidRequest, match="the seller authorized no shops: nothing was connected"):
        await complete_authorization(engine, "code-1", state, settings=settings)
    assert nothing_stored(engine)


async def test_a_malformed_token_answer_writes_nothing_and_leaks_nothing(
    engine: Engine, merchant: Merchant, settings: Settings, platform: respx.MockRouter
) -> None:
    state = begin(engine, merchant.id, settings)
    platform.get(TOKEN_GET).mock(return_value=ok({"access_token": "leaky-token-123", "refresh_token": "x" * 10}))
    with pytest.raises(Exception) as caught:
        await complete_authorization(engine, "code-1", state, settings=settings)
    assert "field data.access_token_expire_in: Field required" in str(caught.value)
    assert "leaky-token-123" not in str(caught.value)
    assert nothing_stored(engine)


