"""Shop token lifecycle: exchange, single-use codes, expiry, rotation on refresh, revocation."""

from __future__ import annotations

import httpx

from conftest import AUTH_HOST, exchange_code, shop_call
from shopwarden.platforms.simulator import Simulator


def _refresh(sim: Simulator, http: httpx.Client, refresh_token: str) -> dict:
    creds = sim.credentials
    return http.get(f"{AUTH_HOST}/api/v2/token/refresh", params={
        "app_key": creds.app_key, "app_secret": creds.app_secret, "refresh_token": refresh_token,
        "grant_type": "refresh_token",
    }).json()


def test_exchange_returns_absolute_expiry_timestamps_and_seller_details(sim: Simulator, client: httpx.Client) -> None:
    data = exchange_code(sim, client)["data"]
    now = sim.clock.timestamp()
    assert data["access_token_expire_in"] == now + 168 * 3600
    assert data["refresh_token_expire_in"] == now + 30 * 86400
    assert data["seller_name"] == "Glow & Home"
    assert data["seller_base_region"] == "US"
    assert data["access_token"] != data["refresh_token"]


def test_an_auth_code_works_only_once(sim: Simulator, client: httpx.Client) -> None:
    code = sim.issue_auth_code()
    assert exchange_code(sim, client, code)["code"] == 0
    again = exchange_code(sim, client, code)
    assert again["code"] == 36004005
    assert "already been used" in again["message"]


def test_an_auth_code_expires_after_thirty_minutes(sim: Simulator, client: httpx.Client) -> None:
    code = sim.issue_auth_code()
    sim.advance(minutes=31)
    answer = exchange_code(sim, client, code)
    assert answer["code"] == 36004005
    assert "expired" in answer["message"]


def test_wrong_app_secret_is_refused_at_the_token_host(sim: Simulator, client: httpx.Client) -> None:
    answer = client.get(f"{AUTH_HOST}/api/v2/token/get", params={
        "app_key": sim.credentials.app_key, "app_secret": "wrong", "auth_code": sim.issue_auth_code(),
        "grant_type": "authorized_code"}).json()
    assert answer["code"] == 36004004


def test_an_expired_access_token_gets_105002(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    sim.advance(days=8)
    answer = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token).json()
    assert answer["code"] == 105002
    assert answer["message"] == "Access token is expired, please refresh it"


def test_refresh_rotates_the_refresh_token_and_the_old_one_stops_working(sim: Simulator, client: httpx.Client) -> None:
    first = exchange_code(sim, client)["data"]
    sim.advance(days=8)
    renewed = _refresh(sim, client, first["refresh_token"])
    assert renewed["code"] == 0
    assert renewed["data"]["refresh_token"] != first["refresh_token"]
    assert shop_call(sim, client, "GET", "/logistics/202309/warehouses",
                     token=renewed["data"]["access_token"]).json()["code"] == 0
    reused = _refresh(sim, client, first["refresh_token"])
    assert reused["code"] == 36004005
    assert "refresh_token is invalid" in reused["message"]


def test_an_expired_refresh_token_means_the_seller_must_reconnect(sim: Simulator, client: httpx.Client) -> None:
    first = exchange_code(sim, client)["data"]
    sim.advance(days=31)
    answer = _refresh(sim, client, first["refresh_token"])
    assert answer["code"] == 36004001


def test_revoked_tokens_are_refused(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    sim.revoke_shop_tokens()
    answer = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token).json()
    assert answer["code"] == 105001
    assert "revoked" in answer["message"]


def test_a_missing_access_token_header_is_refused(sim: Simulator, client: httpx.Client) -> None:
    answer = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=None).json()
    assert answer["code"] == 36009004
    assert "x-tts-access-token" in answer["message"]
