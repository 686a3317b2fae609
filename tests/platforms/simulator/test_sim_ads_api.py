"""Business API rules: budget minima, names, default status, idempotency, DELETE, paging, reports."""

from __future__ import annotations

import httpx
import pytest

from conftest import ADVERTISER, ads_call
from shopwarden.platforms.simulator import Simulator

WINNER = "1800000000000000001"
UNDERPERFORMER = "1800000000000000002"
WINNER_GROUP = "1810000000000000001"


def _create(http: httpx.Client, sim: Simulator, **overrides: object) -> dict:
    body = {"advertiser_id": ADVERTISER, "campaign_name": "New test", "objective_type": "TRAFFIC",
            "budget_mode": "BUDGET_MODE_DAY", "budget": 60, "operation_status": "DISABLE", **overrides}
    return ads_call(http, sim, "POST", "campaign/create/", body={k: v for k, v in body.items() if v is not None})


def test_campaign_list_hides_nothing_but_deleted_and_pages(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": ADVERTISER, "page_size": 2})
    assert answer["code"] == 0
    assert answer["data"]["page_info"] == {"page": 1, "page_size": 2, "total_number": 5, "total_page": 3}
    assert [c["campaign_id"] for c in answer["data"]["list"]] == [WINNER, UNDERPERFORMER]


def test_page_size_above_1000_is_refused(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": ADVERTISER, "page_size": 1001})
    assert answer["code"] == 40002
    assert answer["message"] == "page_size: must be between 1 and 1000"


def test_a_wrong_access_token_is_an_invalid_token(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": ADVERTISER}, token="act.forged")
    assert (answer["code"], answer["message"]) == (40105, "Access token is invalid")


def test_another_advertisers_id_is_refused(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": "7000000000000000999"})
    assert answer["code"] == 40001
    assert answer["message"] == "No permission to operate advertiser 7000000000000000999"


def test_a_missing_access_token_is_40104(sim: Simulator, client: httpx.Client) -> None:
    response = client.get("https://business-api.tiktok.com/open_api/v1.3/campaign/get/",
                          params={"advertiser_id": ADVERTISER})
    assert (response.json()["code"], response.json()["message"]) == (40104, "Access-Token header is missing")


def test_campaign_budget_below_50_usd_is_refused(sim: Simulator, client: httpx.Client) -> None:
    answer = _create(client, sim, budget=49.99)
    assert answer["code"] == 40002
    assert answer["message"] == "Campaign budget must be at least 50 USD (got 49.99)"


def test_campaign_name_longer_than_512_is_refused(sim: Simulator, client: httpx.Client) -> None:
    answer = _create(client, sim, campaign_name="x" * 513)
    assert answer["code"] == 40002
    assert "campaign_name" in answer["message"]
    assert _create(client, sim, campaign_name="x" * 512)["code"] == 0


def test_operation_status_defaults_to_enable_when_omitted(sim: Simulator, client: httpx.Client) -> None:
    answer = _create(client, sim, operation_status=None)
    assert answer["data"]["operation_status"] == "ENABLE"
    assert _create(client, sim, campaign_name="explicit")["data"]["operation_status"] == "DISABLE"


def test_the_same_request_id_returns_the_same_campaign_without_a_duplicate(sim: Simulator,
                                                                          client: httpx.Client) -> None:
    first = _create(client, sim, request_id="123456789")
    second = _create(client, sim, request_id="123456789")
    assert first["data"]["campaign_id"] == second["data"]["campaign_id"]
    assert len(sim.world.advertisers[ADVERTISER].campaigns) == 6


def test_delete_is_final(sim: Simulator, client: httpx.Client) -> None:
    deleted = ads_call(client, sim, "POST", "campaign/status/update/", body={
        "advertiser_id": ADVERTISER, "campaign_ids": [UNDERPERFORMER], "operation_status": "DELETE"})
    assert deleted["code"] == 0
    enable = ads_call(client, sim, "POST", "campaign/status/update/", body={
        "advertiser_id": ADVERTISER, "campaign_ids": [UNDERPERFORMER], "operation_status": "ENABLE"})
    assert enable["code"] == 40002
    assert enable["message"] == f"Campaign {UNDERPERFORMER} has been deleted; its status cannot change"
    budget = ads_call(client, sim, "POST", "campaign/update/", body={
        "advertiser_id": ADVERTISER, "campaign_id": UNDERPERFORMER, "budget": 200})
    assert budget["code"] == 40002
    assert sim.world.advertisers[ADVERTISER].campaigns[UNDERPERFORMER].operation_status == "DELETE"
    listed = ads_call(client, sim, "GET", "campaign/get/", {"advertiser_id": ADVERTISER})["data"]["list"]
    assert UNDERPERFORMER not in [c["campaign_id"] for c in listed]


def test_status_update_reports_partial_success_only_when_allowed(sim: Simulator, client: httpx.Client) -> None:
    body = {"advertiser_id": ADVERTISER, "adgroup_ids": [WINNER_GROUP, "404"], "operation_status": "DISABLE"}
    refused = ads_call(client, sim, "POST", "adgroup/status/update/", body=body)
    assert (refused["code"], refused["message"]) == (40007, "Ad group 404 does not exist")
    assert sim.world.advertisers[ADVERTISER].adgroups[WINNER_GROUP].operation_status == "ENABLE"
    answer = ads_call(client, sim, "POST", "adgroup/status/update/", body={**body, "allow_partial_success": True})
    assert answer["code"] == 0
    assert answer["data"]["adgroup_ids"] == [WINNER_GROUP]
    assert answer["data"]["error_list"] == [{"adgroup_id": "404", "error_message": "Ad group 404 does not exist"}]


def test_campaign_status_update_answers_with_campaign_list(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "POST", "campaign/status/update/", body={
        "advertiser_id": ADVERTISER, "campaign_ids": [WINNER], "operation_status": "DISABLE"})
    assert answer["data"] == {"campaign_list": [{"campaign_id": WINNER, "status": "DISABLE"}]}


def test_budget_mode_cannot_be_switched(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "POST", "campaign/update/", body={
        "advertiser_id": ADVERTISER, "campaign_id": WINNER, "budget_mode": "BUDGET_MODE_TOTAL", "budget": 900})
    assert answer["code"] == 40002
    assert "budget_mode cannot be changed" in answer["message"]


@pytest.mark.parametrize(("budget", "code"), [(19, 40002), (20, 0)])
def test_adgroup_budget_minimum_is_20_usd(sim: Simulator, client: httpx.Client, budget: int, code: int) -> None:
    answer = ads_call(client, sim, "POST", "adgroup/budget/update/", body={
        "advertiser_id": ADVERTISER, "budget": [{"adgroup_id": WINNER_GROUP, "budget": budget}]})
    assert answer["code"] == code
    if code == 0:
        assert sim.world.advertisers[ADVERTISER].adgroups[WINNER_GROUP].budget == budget


def test_manual_shop_campaigns_are_refused_like_tiktok_does_since_2025(sim: Simulator, client: httpx.Client) -> None:
    before = dict(sim.world.advertisers[ADVERTISER].campaigns)
    answer = ads_call(client, sim, "POST", "campaign/create/", body={
        "advertiser_id": ADVERTISER, "campaign_name": "Shop push", "objective_type": "PRODUCT_SALES",
        "budget_mode": "BUDGET_MODE_DAY", "budget": 60, "operation_status": "DISABLE"})
    assert (answer["code"], answer["message"]) == (
        40002, "Product Shopping Ads can no longer be created; use GMV Max for TikTok Shop products")
    assert sim.world.advertisers[ADVERTISER].campaigns == before


def test_report_gives_daily_rows_with_string_metrics(sim: Simulator, client: httpx.Client) -> None:
    sim.advance(days=2)
    answer = ads_call(client, sim, "GET", "report/integrated/get/", {
        "advertiser_id": ADVERTISER, "service_type": "AUCTION", "report_type": "BASIC",
        "data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id", "stat_time_day"],
        "metrics": ["spend", "impressions", "clicks", "conversion", "total_onsite_shopping_value"],
        "start_date": "2026-03-02", "end_date": "2026-03-03", "page_size": 100})
    assert answer["code"] == 0
    rows = answer["data"]["list"]
    winner_rows = [r for r in rows if r["dimensions"]["campaign_id"] == WINNER]
    assert [r["dimensions"]["stat_time_day"] for r in winner_rows] == ["2026-03-02 00:00:00", "2026-03-03 00:00:00"]
    assert all(isinstance(v, str) for r in rows for v in r["metrics"].values())
    stats = [s for s in sim.world.advertisers[ADVERTISER].stats if s.campaign_id == WINNER]
    assert winner_rows[0]["metrics"]["spend"] == str(stats[0].spend)


def test_report_range_over_30_days_is_refused(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "GET", "report/integrated/get/", {
        "advertiser_id": ADVERTISER, "data_level": "AUCTION_CAMPAIGN", "dimensions": ["campaign_id", "stat_time_day"],
        "metrics": ["spend"], "start_date": "2026-01-01", "end_date": "2026-02-15"})
    assert answer["code"] == 40002
    assert "at most 30 days" in answer["message"]


def test_advertiser_info_gives_currency_and_time_zone(sim: Simulator, client: httpx.Client) -> None:
    answer = ads_call(client, sim, "GET", "advertiser/info/", {"advertiser_ids": [ADVERTISER]})
    assert answer["data"]["list"][0]["currency"] == "USD"
    assert answer["data"]["list"][0]["timezone"] == "America/Los_Angeles"
