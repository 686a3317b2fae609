"""Native TikTok Business OAuth: the authorize URL, the code exchange (respx contract), the simulator
serving the whole flow, the same adapter over the direct transport, revocation on disconnect."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import engine_for, session_scope
from shopwarden.db.models import Connection, Merchant
from shopwarden.errors import InvalidRequest, ReauthRequired
from shopwarden.platforms.ads import ads_client_for, disconnect_ads
from shopwarden.platforms.ads.native_oauth import (
    NativeStateInvalid,
    begin_native_connection,
    complete_native_connection,
)
from shopwarden.platforms.simulator import Simulator

API = "https://business-api.tiktok.com/open_api/v1.3"
MERCHANT = "demo-merchant"


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    engine = engine_for(sqlite_url)
    with session_scope(engine) as session:
        session.add(Merchant(id=MERCHANT, name="Glow & Home", autonomy="guarded", limits={}))
    return engine


@pytest.fixture
def sim() -> Simulator:
    return Simulator.from_scenario("small_shop", seed=0)


@pytest.fixture
def settings(sim: Simulator) -> Settings:
    creds = sim.credentials
    return Settings(ads_app_id=creds.ads_app_id, ads_app_secret=creds.ads_app_secret,
                    ads_redirect_uri="https://app.example/oauth/tiktok-ads/callback",
                    composio_api_key="unused", composio_auth_config_id="unused")


@pytest.fixture
def http(sim: Simulator) -> Iterator[httpx.AsyncClient]:
    yield httpx.AsyncClient(transport=sim.transport())


def _connection(engine: Engine) -> Connection:
    with session_scope(engine) as session:
        row = session.exec(select(Connection).where(Connection.merchant_id == MERCHANT)).one()
        session.expunge(row)
        return row


async def _consent(http: httpx.AsyncClient, url: str) -> tuple[str, str]:
    answer = await http.get(url)
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return query["auth_code"][0], query["state"][0]


def test_the_authorize_url_carries_app_id_state_and_redirect(engine: Engine, settings: Settings) -> None:
    url = begin_native_connection(engine, MERCHANT, settings)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://business-api.tiktok.com/portal/auth"
    query = parse_qs(parts.query)
    assert query["app_id"] == [settings.ads_app_id]
    assert query["redirect_uri"] == ["https://app.example/oauth/tiktok-ads/callback"]
    assert len(query["state"][0]) >= 32
    assert begin_native_connection(engine, MERCHANT, settings) != url  # a fresh state each time


async def test_the_simulator_serves_the_flow_and_the_same_adapter_works_directly(
        engine: Engine, settings: Settings, sim: Simulator, http: httpx.AsyncClient) -> None:
    code, state = await _consent(http, begin_native_connection(engine, MERCHANT, settings))
    details = await complete_native_connection(engine, code, state, settings=settings, http=http)
    advertiser = sim.scenario.merchants[0].advertisers[0].id
    assert details["mode"] == "native" and details["advertiser_ids"] == [advertiser]
    stored = _connection(engine)
    assert (stored.status, stored.external_account_id, stored.access_expires_at) == ("active", None, None)
    assert stored.access_token_enc is not None and stored.refresh_token_enc is None
    (token,) = sim.world.native_ads_tokens
    assert token not in str(stored.access_token_enc) and token not in json.dumps(stored.details)

    ads = ads_client_for(engine, MERCHANT, settings, transport=sim.transport(), backoff=())
    campaigns = await ads.list_campaigns(advertiser)
    assert len(campaigns) == 5
    (store,) = await ads.gmv_max.stores(advertiser)
    assert store.is_gmv_max_available
    inner = [r for r in sim.requests if r.path.endswith("/campaign/get/")][-1]
    assert inner.via != "composio"

    with pytest.raises(NativeStateInvalid, match="already used"):
        await complete_native_connection(engine, code, state, settings=settings, http=http)

    result = disconnect_ads(engine, MERCHANT, settings, http_client=httpx.Client(transport=sim.transport()))
    assert result.remote_deleted and sim.world.native_ads_tokens == {}
    gone = _connection(engine)
    assert (gone.status, gone.access_token_enc) == ("disconnected", None)


async def test_a_code_is_single_use_at_tiktok_too(engine: Engine, settings: Settings, http: httpx.AsyncClient) -> None:
    code, state = await _consent(http, begin_native_connection(engine, MERCHANT, settings))
    await complete_native_connection(engine, code, state, settings=settings, http=http)
    _, second_state = await _consent(http, begin_native_connection(engine, MERCHANT, settings))
    with pytest.raises(ReauthRequired, match="authorization code was refused"):
        await complete_native_connection(engine, code, second_state, settings=settings, http=http)


async def test_an_unknown_state_is_refused_before_any_call(engine: Engine, settings: Settings) -> None:
    with respx.mock(assert_all_called=False) as router:
        exchange = router.post(f"{API}/oauth2/access_token/")
        with pytest.raises(NativeStateInvalid, match="state is unknown"):
            await complete_native_connection(engine, "code", "forged", settings=settings, http=httpx.AsyncClient())
        assert not exchange.called


async def test_exchange_contract_exact_json_sent_and_parsed(engine: Engine, settings: Settings) -> None:
    state = parse_qs(urlsplit(begin_native_connection(engine, MERCHANT, settings)).query)["state"][0]
    with respx.mock(assert_all_mocked=True) as router:
        exchange = router.post(f"{API}/oauth2/access_token/").respond(json={
            "code": 0, "message": "OK", "request_id": "r1",
            "data": {"access_token": "nat.SECRET-TOKEN", "advertiser_ids": ["7001"], "scope": [4]}})
        listed = router.get(f"{API}/oauth2/advertiser/get/").respond(json={
            "code": 0, "message": "OK", "request_id": "r2",
            "data": {"list": [{"advertiser_id": "7001", "advertiser_name": "Acme"}]}})
        router.get(f"{API}/advertiser/info/").respond(json={
            "code": 0, "message": "OK", "request_id": "r3",
            "data": {"list": [{"advertiser_id": "7001", "name": "Acme", "currency": "USD", "timezone": "UTC"}]}})
        details = await complete_native_connection(engine, "auth-1", state, settings=settings,
                                                   http=httpx.AsyncClient())
    assert json.loads(exchange.calls.last.request.content) == {
        "app_id": settings.ads_app_id, "secret": settings.require("ads_app_secret"), "auth_code": "auth-1"}
    request = listed.calls.last.request
    assert request.headers["access-token"] == "nat.SECRET-TOKEN"
    assert dict(request.url.params) == {"app_id": settings.ads_app_id, "secret": settings.require("ads_app_secret")}
    assert details["scope"] == [4] and details["advertiser_ids"] == ["7001"]


async def test_an_exchange_error_never_echoes_the_app_secret(engine: Engine, settings: Settings) -> None:
    state = parse_qs(urlsplit(begin_native_connection(engine, MERCHANT, settings)).query)["state"][0]
    secret = settings.require("ads_app_secret")
    with respx.mock() as router:
        router.post(f"{API}/oauth2/access_token/").respond(json={
            "code": 40002, "message": f"secret {secret} is wrong", "request_id": "r", "data": {}})
        with pytest.raises(InvalidRequest) as caught:
            await complete_native_connection(engine, "a", state, settings=settings, http=httpx.AsyncClient())
    assert secret not in str(caught.value) and "[redacted]" in str(caught.value)
