"""Helpers for simulator tests: a fresh small_shop simulator and signed Shop requests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shopwarden.platforms.shop.signing import sign
from shopwarden.platforms.simulator import Simulator

REPO = Path(__file__).resolve().parents[3]
SMALL_SHOP = REPO / "evals" / "scenarios" / "small_shop.yaml"
LARGE_CATALOG = REPO / "evals" / "scenarios" / "large_catalog.yaml"
SHOP_API = "https://open-api.tiktokglobalshop.com"
AUTH_HOST = "https://auth.tiktok-shops.com"
BUSINESS_API = "https://business-api.tiktok.com/open_api/v1.3"
SHOP_ID = "7494000000000000001"
CIPHER = "ROW_sim_cipher_glowhome_us"
ADVERTISER = "7000000000000000001"


@pytest.fixture
def sim() -> Simulator:
    return Simulator.from_scenario(SMALL_SHOP, seed=0)


@pytest.fixture
def client(sim: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=sim.transport()) as http:
        yield http


def exchange_code(sim: Simulator, http: httpx.Client, code: str | None = None) -> dict[str, Any]:
    creds = sim.credentials
    response = http.get(f"{AUTH_HOST}/api/v2/token/get", params={
        "app_key": creds.app_key, "app_secret": creds.app_secret,
        "auth_code": code or sim.issue_auth_code(), "grant_type": "authorized_code",
    })
    return response.json()


@pytest.fixture
def access_token(sim: Simulator, client: httpx.Client) -> str:
    return exchange_code(sim, client)["data"]["access_token"]


def shop_call(
    sim: Simulator,
    http: httpx.Client,
    method: str,
    path: str,
    *,
    token: str | None,
    cipher: str | None = CIPHER,
    query: dict[str, str] | None = None,
    body: Any = None,
    timestamp: int | None = None,
    secret: str | None = None,
    base: str = SHOP_API,
) -> httpx.Response:
    """A correctly signed Shop API request (JSON serialized once; those exact bytes are signed and sent)."""
    params = {"app_key": sim.credentials.app_key, "timestamp": str(timestamp or sim.clock.timestamp())}
    if cipher is not None:
        params["shop_cipher"] = cipher
    params.update(query or {})
    content = b"" if body is None else json.dumps(body).encode()
    params["sign"] = sign(secret or sim.credentials.app_secret, path, params, content)
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["x-tts-access-token"] = token
    return http.request(method, f"{base}{path}", params=params, content=content, headers=headers)


def ads_call(http: httpx.Client, sim: Simulator, method: str, endpoint: str, params: dict[str, Any] | None = None,
             body: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
    """A direct Business API call with the advertiser's own Access-Token."""
    token = token or sim.world.advertisers[ADVERTISER].access_token
    query = {k: json.dumps(v) if isinstance(v, (list, dict)) else str(v) for k, v in (params or {}).items()}
    response = http.request(method, f"{BUSINESS_API}/{endpoint}", params=query, json=body,
                            headers={"Access-Token": token})
    return response.json()
