"""The simulator verifies Shop signatures exactly as TikTok describes them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import yaml

from conftest import AUTH_HOST, SHOP_API, SMALL_SHOP, exchange_code, shop_call
from shopwarden.platforms.shop.signing import sign
from shopwarden.platforms.simulator import Simulator

PUBLIC_SECRET = "e59af819cc"
PUBLIC_APP_KEY = "29a39d"
PUBLIC_TIMESTAMP = 1623812664
PUBLIC_SIGN = "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8"


def _public_vector_sim() -> Simulator:
    data = yaml.safe_load(SMALL_SHOP.read_text())
    data["app"].update(app_key=PUBLIC_APP_KEY, app_secret=PUBLIC_SECRET)
    data["start"] = datetime.fromtimestamp(PUBLIC_TIMESTAMP, UTC).isoformat()
    return Simulator.from_scenario(data)


def _vector_request(http: httpx.Client, token: str, sign_value: str | None) -> dict:
    params = {"app_key": PUBLIC_APP_KEY, "timestamp": str(PUBLIC_TIMESTAMP)}
    if sign_value is not None:
        params["sign"] = sign_value
    return http.get(f"{SHOP_API}/authorization/202309/shops", params=params,
                    headers={"x-tts-access-token": token, "content-type": "application/json"}).json()


def test_the_public_signing_vector_is_accepted_and_lists_the_shops() -> None:
    sim = _public_vector_sim()
    with httpx.Client(transport=sim.transport()) as http:
        token = exchange_code(sim, http)["data"]["access_token"]
        answer = _vector_request(http, token, PUBLIC_SIGN)
    assert answer["code"] == 0, answer
    assert [s["cipher"] for s in answer["data"]["shops"]] == ["ROW_sim_cipher_glowhome_us"]


def test_a_sign_off_by_one_character_is_refused_with_106001() -> None:
    sim = _public_vector_sim()
    with httpx.Client(transport=sim.transport()) as http:
        token = exchange_code(sim, http)["data"]["access_token"]
        answer = _vector_request(http, token, PUBLIC_SIGN[:-1] + "9")
    assert answer["code"] == 106001
    assert answer["message"] == "Invalid signature: the sign does not match the request"
    assert set(answer) == {"code", "message", "request_id", "data"}


def test_a_missing_sign_is_refused_with_106001() -> None:
    sim = _public_vector_sim()
    with httpx.Client(transport=sim.transport()) as http:
        token = exchange_code(sim, http)["data"]["access_token"]
        answer = _vector_request(http, token, None)
    assert answer["code"] == 106001
    assert "missing" in answer["message"]


def test_a_signed_post_is_accepted(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    response = shop_call(sim, client, "POST", "/product/202309/products/search", token=access_token,
                         query={"page_size": "5"}, body={"status": "ACTIVATE"})
    assert response.status_code == 200
    assert response.json()["code"] == 0


def test_the_signature_covers_the_exact_body_bytes(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    path = "/product/202309/products/search"
    params = {"app_key": sim.credentials.app_key, "timestamp": str(sim.clock.timestamp()), "shop_cipher":
              "ROW_sim_cipher_glowhome_us", "page_size": "5"}
    signed_body = json.dumps({"status": "ACTIVATE"})
    params["sign"] = sign(sim.credentials.app_secret, path, params, signed_body)
    # Same JSON value, different bytes (no space after the colon): the platform refuses it.
    sent = json.dumps({"status": "ACTIVATE"}, separators=(",", ":")).encode()
    answer = client.post(f"{SHOP_API}{path}", params=params, content=sent,
                         headers={"x-tts-access-token": access_token, "content-type": "application/json"}).json()
    assert answer["code"] == 106001


def test_a_request_signed_with_another_secret_is_refused(sim: Simulator, client: httpx.Client,
                                                         access_token: str) -> None:
    answer = shop_call(sim, client, "GET", "/logistics/202309/warehouses", token=access_token,
                       secret="not-the-app-secret").json()
    assert answer["code"] == 106001


def test_the_token_host_is_not_signed(sim: Simulator, client: httpx.Client) -> None:
    answer = exchange_code(sim, client)
    assert answer["code"] == 0
    assert client.get(f"{AUTH_HOST}/api/v2/token/get").json()["code"] == 36004004
