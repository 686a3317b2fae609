"""Served over real HTTP (uvicorn on 127.0.0.1): a plain httpx script gets a token and makes signed calls."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from conftest import SMALL_SHOP
from shopwarden.platforms.shop.signing import sign
from shopwarden.platforms.simulator import Simulator


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served() -> Iterator[tuple[Simulator, str]]:
    sim = Simulator.from_scenario(SMALL_SHOP, skew_reference="wall")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(sim.asgi_app(), host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the simulator did not start within 10 seconds")
        time.sleep(0.02)
    yield sim, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_a_plain_httpx_script_makes_a_signed_request(served: tuple[Simulator, str]) -> None:
    sim, base = served
    creds = sim.credentials
    with httpx.Client(base_url=base, timeout=5) as http:
        code = http.get("/open/authorize", params={"service_id": creds.service_id, "state": "s1"}).json()["code"]
        token = http.get("/api/v2/token/get", params={
            "app_key": creds.app_key, "app_secret": creds.app_secret, "auth_code": code,
            "grant_type": "authorized_code"}).json()["data"]["access_token"]
        path = "/product/202309/products/search"
        query = {"app_key": creds.app_key, "timestamp": str(int(time.time())), "page_size": "3",
                 "shop_cipher": "ROW_sim_cipher_glowhome_us"}
        body = json.dumps({"status": "ACTIVATE"}).encode()
        query["sign"] = sign(creds.app_secret, path, query, body)
        answer = http.post(path, params=query, content=body,
                           headers={"x-tts-access-token": token, "content-type": "application/json"}).json()
        query["sign"] = "0" * 64
        refused = http.post(path, params=query, content=body,
                            headers={"x-tts-access-token": token, "content-type": "application/json"}).json()
    assert answer["code"] == 0, answer
    assert answer["data"]["total_count"] == 12
    assert len(answer["data"]["products"]) == 3
    assert refused["code"] == 106001


def test_every_surface_answers_on_one_port_by_path_prefix(served: tuple[Simulator, str]) -> None:
    sim, base = served
    with httpx.Client(base_url=base, timeout=5) as http:
        trends = http.get("/creative_radar_api/v1/popular_trend/hashtag/list", params={"limit": 2}).json()
        campaigns = http.get("/open_api/v1.3/campaign/get/", params={"advertiser_id": "7000000000000000001"},
                             headers={"Access-Token": sim.world.advertisers["7000000000000000001"].access_token})
        proxied = http.post("/api/v3.1/tools/execute/proxy", headers={"x-api-key": sim.credentials.composio_api_key},
                            json={"connected_account_id": "ca_demo_ads", "endpoint": "/advertiser/info/",
                                  "method": "GET", "parameters": [{"name": "advertiser_ids", "type": "query",
                                                                   "value": '["7000000000000000001"]'}]})
        creds = sim.credentials
        client_token = http.post("/v2/oauth/token/", data={"client_key": creds.client_key,
                                                          "client_secret": creds.client_secret,
                                                          "grant_type": "client_credentials"}).json()
        consent = http.get("/portal/auth", params={"app_id": creds.ads_app_id, "state": "s",
                                                   "redirect_uri": "http://127.0.0.1/cb"})
        advanced = http.post("/sim/advance", params={"days": 1}).json()
    assert [h["hashtag_name"] for h in trends["data"]["list"]] == ["glassskin", "matchatok"]
    assert campaigns.json()["data"]["page_info"]["total_number"] == 5
    assert proxied.json()["data"]["data"]["list"][0]["currency"] == "USD"
    assert advanced["clock"] == "2026-03-03T08:00:00+00:00"
    assert client_token["expires_in"] == 7200 and client_token["access_token"].startswith("clt.")
    assert consent.status_code == 302 and "auth_code=" in consent.headers["location"]


def test_the_cli_names_a_missing_scenario_file() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "shopwarden", "sim", "serve", "--scenario", "nowhere/missing.yaml", "--port", "1"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "nowhere/missing.yaml: cannot read the file" in result.stderr
