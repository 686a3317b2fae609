"""The Composio proxy and connected accounts, driven through the real composio 0.29 SDK."""

from __future__ import annotations

import httpx
import pytest
from composio import Composio
from composio_client import APIStatusError

from conftest import ADVERTISER
from shopwarden.platforms.simulator import Simulator

CAMPAIGN_CREATE = "https://business-api.tiktok.com/open_api/v1.3/campaign/create/"


def _composio(sim: Simulator, api_key: str | None = None) -> Composio:
    return Composio(api_key=api_key or sim.credentials.composio_api_key, base_url="https://backend.composio.dev",
                    http_client=httpx.Client(transport=sim.transport()))


def test_proxy_round_trip_lists_campaigns_with_the_injected_token(sim: Simulator) -> None:
    composio = _composio(sim)
    response = composio.tools.proxy(
        endpoint="/campaign/get/", method="GET", connected_account_id="ca_demo_ads",
        parameters=[{"name": "advertiser_id", "type": "query", "value": ADVERTISER},
                    {"name": "page_size", "type": "query", "value": "100"}],
    )
    assert response.status == 200
    assert response.data["code"] == 0
    assert len(response.data["data"]["list"]) == 5
    inner = sim.requests[-1]
    assert (inner.via, inner.host, inner.path) == ("composio", "business-api.tiktok.com",
                                                   "/open_api/v1.3/campaign/get/")


def test_proxy_post_with_a_full_url_creates_a_campaign(sim: Simulator) -> None:
    composio = _composio(sim)
    response = composio.tools.proxy(
        endpoint=CAMPAIGN_CREATE, method="POST", connected_account_id="ca_demo_ads", user_id="demo-merchant",
        body={"advertiser_id": ADVERTISER, "campaign_name": "SW-1 Serum scale", "objective_type": "TRAFFIC",
              "budget_mode": "BUDGET_MODE_DAY", "budget": 80, "operation_status": "DISABLE", "request_id": "42"},
    )
    assert response.data["code"] == 0
    created = sim.world.advertisers[ADVERTISER].campaigns[response.data["data"]["campaign_id"]]
    assert (created.name, created.operation_status) == ("SW-1 Serum scale", "DISABLE")
    assert sim.requests[-1].body["operation_status"] == "DISABLE"


def test_a_tiktok_error_arrives_inside_data_and_does_not_raise(sim: Simulator) -> None:
    response = _composio(sim).tools.proxy(
        endpoint="/campaign/create/", method="POST", connected_account_id="ca_demo_ads",
        body={"advertiser_id": ADVERTISER, "campaign_name": "tiny", "objective_type": "TRAFFIC",
              "budget_mode": "BUDGET_MODE_DAY", "budget": 10},
    )
    assert response.status == 200
    assert response.data["code"] == 40002
    assert response.data["message"] == "Campaign budget must be at least 50 USD (got 10)"


def test_a_wrong_composio_api_key_raises_the_sdk_status_error(sim: Simulator) -> None:
    with pytest.raises(APIStatusError) as caught:
        _composio(sim, api_key="wrong").tools.proxy(endpoint="/campaign/get/", method="GET",
                                                    connected_account_id="ca_demo_ads")
    assert caught.value.status_code == 401
    assert "Invalid API key" in str(caught.value)


def test_an_unknown_connected_account_raises_404(sim: Simulator) -> None:
    with pytest.raises(APIStatusError) as caught:
        _composio(sim).tools.proxy(endpoint="/campaign/get/", method="GET", connected_account_id="ca_nope")
    assert caught.value.status_code == 404
    assert "Connected account ca_nope not found" in str(caught.value)


def test_link_consent_get_proxy_delete_through_the_sdk(sim: Simulator) -> None:
    composio = _composio(sim)
    request = composio.connected_accounts.link("merchant-42", sim.credentials.composio_auth_config_id,
                                               callback_url="https://app.example/cb")
    assert request.status == "INITIATED"
    assert composio.connected_accounts.get(request.id).status == "INITIATED"
    with httpx.Client(transport=sim.transport()) as browser:
        consent = browser.get(request.redirect_url)
    assert consent.status_code == 302
    assert consent.headers["location"].startswith("https://app.example/cb?status=success")
    account = request.wait_for_connection(timeout=5)
    assert account.status == "ACTIVE"
    response = composio.tools.proxy(endpoint="/advertiser/info/", method="GET", connected_account_id=request.id,
                                    parameters=[{"name": "advertiser_ids", "type": "query",
                                                 "value": f'["{ADVERTISER}"]'}])
    assert response.data["data"]["list"][0]["advertiser_id"] == ADVERTISER
    assert composio.connected_accounts.delete(request.id).success is True
    with pytest.raises(APIStatusError):
        composio.connected_accounts.get(request.id)


def test_initiate_returns_a_connection_request_the_merchant_can_complete(sim: Simulator) -> None:
    composio = _composio(sim)
    request = composio.connected_accounts.initiate("merchant-43", sim.credentials.composio_auth_config_id)
    assert request.redirect_url.endswith(request.id)
    sim.complete_connection(request.id)
    assert composio.connected_accounts.get(request.id).status == "ACTIVE"


def test_a_revoked_connection_is_refused_by_composio(sim: Simulator) -> None:
    sim.revoke_connection("ca_demo_ads")
    with pytest.raises(APIStatusError) as caught:
        _composio(sim).tools.proxy(endpoint="/campaign/get/", method="GET", connected_account_id="ca_demo_ads")
    assert caught.value.status_code == 400
    assert "is not active (status REVOKED)" in str(caught.value)


def test_the_retrieved_account_never_carries_the_raw_token(sim: Simulator) -> None:
    account = _composio(sim).connected_accounts.get("ca_demo_ads")
    raw = sim.world.connected_accounts["ca_demo_ads"].access_token
    assert raw is not None
    assert raw not in account.model_dump_json()


def _refusal(sim: Simulator, **proxy: object) -> tuple[int, str]:
    with pytest.raises(APIStatusError) as caught:
        _composio(sim).tools.proxy(method="GET", **proxy)  # type: ignore[arg-type]
    details = caught.value.details or {}
    return caught.value.status_code, str(details.get("slug"))


def test_an_absolute_endpoint_off_the_connections_domain_is_an_origin_mismatch(sim: Simulator) -> None:
    assert _refusal(sim, endpoint="https://open.tiktokapis.com/v2/research/adlib/ad/query/",
                    connected_account_id="ca_demo_ads") == (400, "OriginMismatch")
    assert _refusal(sim, endpoint="http://business-api.tiktok.com/open_api/v1.3/campaign/get/",
                    connected_account_id="ca_demo_ads") == (400, "OriginMismatch")
    assert not [r for r in sim.requests if r.via == "composio"]


def test_a_proxy_call_without_an_auth_context_is_refused(sim: Simulator) -> None:
    assert _refusal(sim, endpoint="/advertiser/info/", user_id="demo-merchant") == (400, "MissingAuthContext")


def test_the_toolkit_reports_its_injection_rule_and_the_proxy_follows_it(sim: Simulator) -> None:
    toolkit = _composio(sim).toolkits.get("tiktok_ads")
    (detail,) = toolkit.auth_config_details or []
    assert detail.proxy is not None and detail.proxy.model_extra == {"headers": {"Access-Token": "{{access_token}}"}}
    sim.scenario.composio.injected_header = "Authorization"
    response = _composio(sim).tools.proxy(
        endpoint="/advertiser/info/", method="GET", connected_account_id="ca_demo_ads",
        parameters=[{"name": "advertiser_ids", "type": "query", "value": f'["{ADVERTISER}"]'}])
    assert (response.data["code"], response.data["message"]) == (40104, "Access-Token header is missing")
