"""The authorize page, clock control, inspection helpers and the no-traceback guarantee."""

from __future__ import annotations

import httpx
import pytest
import yaml

from conftest import SMALL_SHOP, exchange_code
from shopwarden.platforms.simulator import Simulator
from shopwarden.platforms.simulator.scenario import find_scenario


def test_the_authorize_page_redirects_with_code_and_state() -> None:
    data = yaml.safe_load(SMALL_SHOP.read_text())
    data["app"]["redirect_url"] = "https://app.example/shop/callback"
    sim = Simulator.from_scenario(data)
    with httpx.Client(transport=sim.transport()) as http:
        page = http.get("https://services.us.tiktokshop.com/open/authorize",
                        params={"service_id": sim.credentials.service_id, "state": "xyz"})
        assert page.status_code == 302
        location = httpx.URL(page.headers["location"])
        assert (location.host, location.path) == ("app.example", "/shop/callback")
        assert location.params["state"] == "xyz"
        assert exchange_code(sim, http, location.params["code"])["code"] == 0


def test_the_authorize_page_refuses_another_apps_service_id(sim: Simulator, client: httpx.Client) -> None:
    page = client.get("https://services.tiktokshop.com/open/authorize", params={"service_id": "someone-else"})
    assert page.status_code == 400
    assert "not for this app" in page.json()["error"]


def test_a_handler_bug_is_a_platform_500_envelope_not_a_traceback(sim: Simulator, client: httpx.Client,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("shopwarden.platforms.simulator.dispatch.handle_trends", broken)
    response = client.get("https://ads.tiktok.com/creative_radar_api/v1/top_ads/v2/list")
    assert response.status_code == 500
    assert response.json()["code"] == 50000
    assert "Traceback" not in response.text and "boom" not in response.text


def test_requests_are_recorded_with_their_outcome(sim: Simulator, client: httpx.Client) -> None:
    client.get("https://ads.tiktok.com/creative_radar_api/v1/top_ads/v2/list", params={"limit": 99})
    [record] = sim.requests
    assert (record.method, record.host, record.path) == ("GET", "ads.tiktok.com",
                                                         "/creative_radar_api/v1/top_ads/v2/list")
    assert record.query == {"limit": "99"}
    assert (record.status, record.code) == (200, 40002)


def test_credentials_repr_hides_the_secrets(sim: Simulator) -> None:
    shown = repr(sim.credentials)
    assert sim.credentials.app_secret not in shown
    assert sim.credentials.composio_api_key not in shown
    assert sim.credentials.settings_env()["SHOPWARDEN_SHOP_APP_KEY"] == sim.credentials.app_key


def test_the_clock_only_moves_forward(sim: Simulator) -> None:
    with pytest.raises(ValueError, match="only moves forward"):
        sim.advance(hours=-1)


def test_a_shipped_scenario_is_found_by_name() -> None:
    assert find_scenario("small_shop").name == "small_shop.yaml"


def test_a_simulator_can_be_built_from_a_shipped_scenario_name() -> None:
    assert Simulator.from_scenario("small_shop").scenario.name == "small_shop"
