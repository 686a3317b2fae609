"""Every fault mode, on the Shop API, the Business API (direct and through Composio) and async clients."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from composio import Composio
from composio_client import APITimeoutError

from conftest import ADVERTISER, SMALL_SHOP, ads_call, shop_call
from shopwarden.platforms.simulator import Simulator

WAREHOUSES = "/logistics/202309/warehouses"


def test_shop_rate_limit_is_http_429_with_retry_after(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    sim.faults.add(WAREHOUSES, "rate_limit", times=1, retry_after=7)
    limited = shop_call(sim, client, "GET", WAREHOUSES, token=access_token)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert limited.json()["code"] == 36009002
    assert shop_call(sim, client, "GET", WAREHOUSES, token=access_token).json()["code"] == 0


def test_business_rate_limit_is_40100_inside_a_200_envelope(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.add("*/campaign/get/", "rate_limit", times=1)
    answer = ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": ADVERTISER})
    assert answer["code"] == 40100
    assert ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": ADVERTISER})["code"] == 0


def test_server_error_is_a_503_envelope(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    sim.faults.add("/product/*", "server_error", times=2)
    first = shop_call(sim, client, "POST", "/product/202309/products/search", token=access_token,
                      query={"page_size": "1"}, body={})
    assert first.status_code == 503
    assert first.json()["code"] == 36009003
    assert sim.requests[-1].fault == "server_error"


def test_malformed_body_is_not_json(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    sim.faults.add(WAREHOUSES, "malformed", times=1)
    response = shop_call(sim, client, "GET", WAREHOUSES, token=access_token)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_timeout_before_commit_applies_nothing(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.add("*/campaign/create/", "timeout", times=1)
    before = len(sim.world.advertisers[ADVERTISER].campaigns)
    with pytest.raises(httpx.ReadTimeout):
        ads_call(client, sim, "POST", "campaign/create/", body={
            "advertiser_id": ADVERTISER, "campaign_name": "lost", "objective_type": "TRAFFIC",
            "budget_mode": "BUDGET_MODE_DAY", "budget": 60, "operation_status": "DISABLE"})
    assert len(sim.world.advertisers[ADVERTISER].campaigns) == before


def test_timeout_after_commit_applies_the_write_and_loses_the_answer(sim: Simulator, client: httpx.Client) -> None:
    sim.faults.add("*/campaign/create/", "timeout_after_commit", times=1)
    with pytest.raises(httpx.ReadTimeout):
        ads_call(client, sim, "POST", "campaign/create/", body={
            "advertiser_id": ADVERTISER, "campaign_name": "SW-7f3a Serum scale", "objective_type": "TRAFFIC",
            "budget_mode": "BUDGET_MODE_DAY", "budget": 60, "operation_status": "DISABLE"})
    found = ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": ADVERTISER,
                                                          "filtering": {"campaign_name": "SW-7f3a"}})
    assert [c["campaign_name"] for c in found["data"]["list"]] == ["SW-7f3a Serum scale"]


def test_timeout_after_commit_through_the_composio_sdk(sim: Simulator) -> None:
    sim.faults.add("/open_api/v1.3/campaign/create/", "timeout_after_commit", times=1)
    composio = Composio(api_key=sim.credentials.composio_api_key, base_url="https://backend.composio.dev",
                        http_client=httpx.Client(transport=sim.transport()))
    with pytest.raises(APITimeoutError, match="Request timed out"):
        composio.tools.proxy(endpoint="/campaign/create/", method="POST", connected_account_id="ca_demo_ads",
                             body={"advertiser_id": ADVERTISER, "campaign_name": "SW-b00c", "budget": 60,
                                   "objective_type": "TRAFFIC", "budget_mode": "BUDGET_MODE_DAY",
                                   "operation_status": "DISABLE"})
    names = [c.name for c in sim.world.advertisers[ADVERTISER].campaigns.values()]
    assert "SW-b00c" in names


def test_proxy_passes_upstream_5xx_status_inside_data(sim: Simulator) -> None:
    sim.faults.add("/open_api/v1.3/campaign/get/", "server_error", times=1)
    composio = Composio(api_key=sim.credentials.composio_api_key, base_url="https://backend.composio.dev",
                        http_client=httpx.Client(transport=sim.transport()))
    response = composio.tools.proxy(endpoint="/campaign/get/", method="GET", connected_account_id="ca_demo_ads",
                                    parameters=[{"name": "advertiser_id", "type": "query", "value": ADVERTISER}])
    assert response.status == 503
    assert response.data["code"] == 50002


def test_latency_delays_sync_clients_then_answers(sim: Simulator, client: httpx.Client, access_token: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("shopwarden.platforms.simulator.transport.time.sleep", slept.append)
    sim.faults.add(WAREHOUSES, "latency", times=1, seconds=0.2)
    response = shop_call(sim, client, "GET", WAREHOUSES, token=access_token)
    assert response.json()["code"] == 0
    assert slept == [0.2]


async def test_latency_does_not_block_the_event_loop_for_async_clients(sim: Simulator) -> None:
    sim.faults.add("/creative_radar_api/v1/popular_trend/hashtag/list", "latency", times=1, seconds=0.3)
    finished: list[str] = []
    async with httpx.AsyncClient(transport=sim.transport(), base_url="https://ads.tiktok.com") as http:

        async def fetch(path: str) -> None:
            await http.get(path)
            finished.append(path)

        await asyncio.gather(fetch("/creative_radar_api/v1/popular_trend/hashtag/list"),
                             fetch("/creative_radar_api/v1/popular_trend/keyword/list"))
    assert finished == ["/creative_radar_api/v1/popular_trend/keyword/list",
                        "/creative_radar_api/v1/popular_trend/hashtag/list"]


def test_faults_fire_only_the_given_number_of_times(sim: Simulator, client: httpx.Client, access_token: str) -> None:
    rule = sim.faults.add(WAREHOUSES, "server_error", times=2)
    codes = [shop_call(sim, client, "GET", WAREHOUSES, token=access_token).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert rule.fired == 2


def test_faults_declared_in_the_scenario_apply() -> None:
    import yaml

    data = yaml.safe_load(SMALL_SHOP.read_text())
    data["faults"] = [{"path": "/creative_radar_api/*", "kind": "rate_limit", "times": 1, "retry_after": 3}]
    sim = Simulator.from_scenario(data)
    with httpx.Client(transport=sim.transport()) as http:
        limited = http.get("https://ads.tiktok.com/creative_radar_api/v1/top_ads/v2/list")
    assert limited.status_code == 429
    assert limited.json()["msg"] == "Too many requests, please retry later"


def test_an_unknown_fault_kind_is_refused(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind 'explode'"):
        sim.faults.add("/x", "explode")  # type: ignore[arg-type]


async def test_async_clients_see_timeout_after_commit_as_read_timeout(sim: Simulator) -> None:
    sim.faults.add("/open_api/v1.3/adgroup/budget/update/", "timeout_after_commit", times=1)
    token = sim.world.advertisers[ADVERTISER].access_token
    async with httpx.AsyncClient(transport=sim.transport()) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post("https://business-api.tiktok.com/open_api/v1.3/adgroup/budget/update/",
                            headers={"Access-Token": token},
                            json={"advertiser_id": ADVERTISER,
                                  "budget": [{"adgroup_id": "1810000000000000001", "budget": 110}]})
    assert sim.world.advertisers[ADVERTISER].adgroups["1810000000000000001"].budget == 110
