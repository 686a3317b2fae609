"""Writes: DISABLE-only creates with a marker, no blind replay, allowlisted budget updates, status."""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest
from ads_fakes import ACCOUNT, ADVERTISER, API, MERCHANT, FakeComposio, campaign_row, fail, ok, page

from shopwarden.errors import InvalidRequest, PartialFailure, PlatformUnavailable
from shopwarden.platforms.ads._markers import CreateIdentity
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.models import BudgetUpdate, CreateCampaign

SPEC = CreateCampaign(campaign_name="Serum scale", objective_type="TRAFFIC", budget_mode="BUDGET_MODE_DAY",
                      budget=Decimal("80.50"))
IDENTITY = CreateIdentity.new("key-1")
MARKED = f"Serum scale {IDENTITY.marker}"


def created(campaign_id: str = "1800", name: str = MARKED) -> dict[str, object]:
    return ok({"campaign_id": campaign_id, "campaign_name": name, "budget": 80.5, "operation_status": "DISABLE"})


async def test_create_campaign_sends_disable_a_request_id_and_a_marked_name(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/create/", created())
    campaign = await ads.create_campaign(ADVERTISER, SPEC, idempotency_key="key-1")
    assert composio.calls == [{
        "endpoint": API + "campaign/create/", "method": "POST", "connected_account_id": ACCOUNT, "user_id": MERCHANT,
        "parameters": [],
        "body": {"advertiser_id": ADVERTISER, "campaign_name": MARKED, "objective_type": "TRAFFIC",
                 "budget_mode": "BUDGET_MODE_DAY", "operation_status": "DISABLE",
                 "request_id": IDENTITY.request_id, "budget": 80.5},
    }]
    assert re.fullmatch(r"\d{1,19}", IDENTITY.request_id) and int(IDENTITY.request_id) < 2**63
    assert re.fullmatch(r"\[sw:[0-9a-f]{12}\]", IDENTITY.marker)
    assert (campaign.campaign_id, campaign.operation_status, campaign.budget) == ("1800", "DISABLE", Decimal("80.5"))


async def test_creates_without_a_key_get_distinct_request_ids_and_markers(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/create/", created("1"), created("2"))
    await ads.create_campaign(ADVERTISER, SPEC)
    await ads.create_campaign(ADVERTISER, SPEC)
    first, second = (c["body"] for c in composio.calls)
    assert first["request_id"] != second["request_id"]
    assert first["campaign_name"] != second["campaign_name"]


@pytest.mark.parametrize("field", ["operation_status", "status", "targeting"])
async def test_create_campaign_has_no_status_field_and_names_the_offending_one(
        ads: AdsClient, composio: FakeComposio, field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ads.create_campaign(ADVERTISER, campaign_name="x", objective_type="TRAFFIC",
                                  budget_mode="BUDGET_MODE_DAY", budget=Decimal(60), **{field: "ENABLE"})
    assert f"{field} is not allowed in create_campaign" in str(caught.value)
    assert composio.calls == []


async def test_a_manual_shop_campaign_is_refused_before_anything_is_sent(
        ads: AdsClient, composio: FakeComposio) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ads.create_campaign(ADVERTISER, campaign_name="Serum", objective_type="PRODUCT_SALES",
                                  budget_mode="BUDGET_MODE_DAY", budget=Decimal(60))
    assert "TikTok no longer creates manual PRODUCT_SALES (Shop) campaigns" in str(caught.value)
    assert "GMV Max" in str(caught.value)
    assert composio.calls == []


def test_the_ads_client_has_no_ad_group_create() -> None:
    assert not hasattr(AdsClient, "create_adgroup")


@pytest.mark.parametrize("object_type", ["campaign", "adgroup", "gmv_max_campaign"])
async def test_budget_mode_is_never_sent_on_a_budget_update(
        ads: AdsClient, composio: FakeComposio, object_type: str) -> None:
    with pytest.raises(InvalidRequest, match="budget_mode cannot be changed on an existing campaign or ad group"):
        await ads.update_budget(ADVERTISER, object_type, "1800", budget=Decimal(90), budget_mode="BUDGET_MODE_DAY")
    assert composio.calls == []


async def test_a_timeout_after_create_finds_the_campaign_by_marker_and_never_sends_it_again(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/create/", httpx.ReadTimeout("read timed out"))
    composio.reply("campaign/get/", page([campaign_row("1800", MARKED, status="DISABLE"),
                                          campaign_row("1801", "Serum scale [sw:000000000000]")], 1, 1))
    campaign = await ads.create_campaign(ADVERTISER, SPEC, idempotency_key="key-1")
    assert campaign.campaign_id == "1800"
    assert [c["endpoint"].removeprefix(API) for c in composio.calls] == ["campaign/create/", "campaign/get/"]
    assert '"campaign_name":"' + IDENTITY.marker + '"' in composio.query(composio.calls[1])["filtering"]


async def test_a_server_error_after_create_with_nothing_found_resends_the_same_request(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/create/", fail(50002, "internal error"), created())
    composio.reply("campaign/get/", page([], 1, 0))
    campaign = await ads.create_campaign(ADVERTISER, SPEC, idempotency_key="key-1")
    assert campaign.campaign_id == "1800"
    order = [c["endpoint"].removeprefix(API) for c in composio.calls]
    assert order == ["campaign/create/", "campaign/get/", "campaign/create/"]
    first, again = composio.calls_to("campaign/create/")
    assert first["body"] == again["body"]  # same request_id and marker: TikTok can deduplicate too


async def test_when_the_state_check_fails_too_the_create_is_not_sent_again(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/create/", httpx.ReadTimeout("read timed out"))
    composio.reply("campaign/get/", fail(50000, "busy"), fail(50000, "busy"), fail(50000, "busy"))
    with pytest.raises(PlatformUnavailable) as caught:
        await ads.create_campaign(ADVERTISER, SPEC, idempotency_key="key-1")
    assert "it was not sent again" in str(caught.value)
    assert len(composio.calls_to("campaign/create/")) == 1


async def test_create_gives_up_after_bounded_attempts_with_nothing_found(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/create/", *[fail(50000, "busy")] * 3)
    composio.reply("campaign/get/", *[page([], 1, 0)] * 3)
    with pytest.raises(PlatformUnavailable):
        await ads.create_campaign(ADVERTISER, SPEC)
    assert len(composio.calls_to("campaign/create/")) == 3


async def test_update_campaign_budget_sends_campaign_update(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/update/", ok({"campaign_id": "1800"}))
    change = await ads.update_budget(ADVERTISER, "campaign", "1800", BudgetUpdate(budget=Decimal("120.25")))
    assert composio.calls[0]["body"] == {"advertiser_id": ADVERTISER, "campaign_id": "1800", "budget": 120.25}
    assert change.budget == Decimal("120.25")


async def test_update_adgroup_budget_uses_the_adgroup_budget_endpoint(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("adgroup/budget/update/", ok({}))
    await ads.update_budget(ADVERTISER, "adgroup", "1900", budget=Decimal("30"))
    assert composio.calls[0]["endpoint"] == API + "adgroup/budget/update/"
    assert composio.calls[0]["body"] == {"advertiser_id": ADVERTISER, "budget": [{"adgroup_id": "1900", "budget": 30}]}


@pytest.mark.parametrize("field", ["objective_type", "operation_status", "targeting", "campaign_name"])
async def test_budget_update_rejects_any_other_field_by_name_before_a_request(
        ads: AdsClient, composio: FakeComposio, field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        await ads.update_budget(ADVERTISER, "campaign", "1800", budget=Decimal("60"), **{field: "X"})
    assert f"{field} is not allowed in update_budget (allowed: budget, budget_mode)" in str(caught.value)
    assert composio.calls == []


def test_budget_update_model_forbids_extra_fields() -> None:
    with pytest.raises(ValueError, match="objective_type"):
        BudgetUpdate.model_validate({"budget": "60", "objective_type": "REACH"})


async def test_budget_updates_are_retried_a_bounded_number_of_times(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/update/", fail(50000, "busy"), fail(50000, "busy"), fail(50000, "busy"))
    with pytest.raises(PlatformUnavailable):
        await ads.update_budget(ADVERTISER, "campaign", "1800", budget=Decimal("60"))
    assert len(composio.calls) == 3


async def test_a_budget_update_succeeds_on_retry(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/update/", httpx.ConnectTimeout("connect timeout"), ok({"campaign_id": "1800"}))
    change = await ads.update_budget(ADVERTISER, "campaign", "1800", budget=Decimal("60"))
    assert change.object_id == "1800" and len(composio.calls) == 2


async def test_set_status_pauses_campaigns(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/status/update/", ok({"campaign_ids": ["1800"], "status": "DISABLE"}))
    change = await ads.set_status(ADVERTISER, "campaign", ["1800"], "DISABLE")
    assert composio.calls[0]["body"] == {"advertiser_id": ADVERTISER, "campaign_ids": ["1800"],
                                         "operation_status": "DISABLE"}
    assert (change.object_ids, change.status) == (["1800"], "DISABLE")


async def test_set_status_reports_partial_failure_of_ad_groups(ads: AdsClient, composio: FakeComposio) -> None:
    errors = [{"adgroup_id": "2", "error_msg": "Ad group 2 does not exist"}]
    composio.reply("adgroup/status/update/", ok({"adgroup_ids": ["1"], "status": "ENABLE", "error_list": errors}))
    with pytest.raises(PartialFailure) as caught:
        await ads.set_status(ADVERTISER, "adgroup", ["1", "2"], "ENABLE")
    assert caught.value.failures == errors
    assert "1 of 2 objects kept their status" in str(caught.value)


@pytest.mark.parametrize(("ids", "status", "message"), [
    ([], "DISABLE", "give 1 to 20 ids, not 0"),
    ([str(n) for n in range(21)], "DISABLE", "give 1 to 20 ids, not 21"),
    (["1"], "DELETE", "status must be ENABLE or DISABLE"),
])
async def test_set_status_refuses_bad_input_without_a_request(
        ads: AdsClient, composio: FakeComposio, ids: list[str], status: str, message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        await ads.set_status(ADVERTISER, "campaign", ids, status)  # type: ignore[arg-type]
    assert composio.calls == []
