"""GMV Max wire contract (respx behind Composio's proxy): the exact JSON sent and what is parsed back."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import httpx
import pytest
from ads_fakes import ACCOUNT, ADVERTISER, MERCHANT, FakeComposio, fail, ok

from shopwarden.errors import InvalidRequest, PlatformError, PlatformUnavailable
from shopwarden.platforms.ads import gmv_max_facts
from shopwarden.platforms.ads._markers import CreateIdentity
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.gmv_max_models import LaunchGmvMax, RoiTargetUpdate

STORE, BC = "7495", "bc-7495"
PROFILE = ok({"list": [{"advertiser_id": ADVERTISER, "currency": "USD", "timezone": "America/New_York"}]})
SPEC = LaunchGmvMax(store_id=STORE, store_authorized_bc_id=BC, campaign_name="Glow Serum - GMV Max",
                    item_group_ids=["1729", "1730"], budget=Decimal("60"), roas_bid=Decimal("3.25"))
IDENTITY = CreateIdentity.new("launch-key")


def gmv_page(items: list[dict[str, object]], page_no: int, total_page: int, key: str = "list") -> dict[str, object]:
    return ok({key: items, "page_info": {"page": page_no, "page_size": 100, "total_number": len(items),
                                         "total_page": total_page}})


def campaign(campaign_id: str = "1900", name: str = "Glow Serum - GMV Max", **extra: object) -> dict[str, object]:
    return {"campaign_id": campaign_id, "campaign_name": name, "store_id": STORE, "budget": 60,
            "roas_bid": 3.25, "operation_status": "ENABLE", "item_group_ids": ["1729"], **extra}


def sent(composio: FakeComposio, endpoint: str) -> dict[str, object]:
    (call,) = composio.calls_to(endpoint)
    return call


def query(composio: FakeComposio, call: dict[str, object]) -> dict[str, object]:
    """Query parameters, JSON-decoding the ones TikTok wants as JSON strings."""
    decoded: dict[str, object] = {}
    for name, value in composio.query(call).items():
        try:
            decoded[name] = json.loads(value) if value[:1] in "[{" else value
        except ValueError:
            decoded[name] = value
    return decoded


async def test_stores_are_read_with_availability_and_authorization_holder(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("gmv_max/store/list/", ok({"store_list": [
        {"store_id": STORE, "store_name": "Glow & Home", "is_gmv_max_available": True,
         "store_authorized_bc_id": BC, "exclusive_authorized_advertiser_id": ADVERTISER, "extra": "ignored"}]}))
    (store,) = await ads.gmv_max.stores(ADVERTISER)
    assert query(composio, sent(composio, "gmv_max/store/list/")) == {"advertiser_id": ADVERTISER}
    assert (store.store_id, store.is_gmv_max_available, store.store_authorized_bc_id,
            store.exclusive_authorized_advertiser_id) == (STORE, True, BC, ADVERTISER)


async def test_exclusive_authorization_is_read_per_shop(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("gmv_max/exclusive_authorization/get/",
                   ok({"authorization_status": "UNAUTHORIZED", "advertiser_id": "7999"}))
    answer = await ads.gmv_max.authorization(ADVERTISER, STORE, BC)
    assert query(composio, sent(composio, "gmv_max/exclusive_authorization/get/")) == {
        "advertiser_id": ADVERTISER, "store_id": STORE, "store_authorized_bc_id": BC}
    assert (answer.authorization_status, answer.advertiser_id) == ("UNAUTHORIZED", "7999")


async def test_an_unknown_authorization_status_is_an_unreadable_response(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("gmv_max/exclusive_authorization/get/", ok({"authorization_status": "MAYBE"}))
    with pytest.raises(PlatformUnavailable, match="unreadable response from TikTok: authorization_status"):
        await ads.gmv_max.authorization(ADVERTISER, STORE, BC)


async def test_eligible_products_are_paged_at_100_and_only_available_unoccupied_ones_are_launchable(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("store/product/get/",
                   gmv_page([{"item_group_id": "1729", "title": "Serum", "status": "AVAILABLE",
                              "gmv_max_ads_status": "UNOCCUPIED"}], 1, 2, key="store_products"),
                   gmv_page([{"item_group_id": "1730", "title": "Mask", "status": "AVAILABLE",
                              "gmv_max_ads_status": "OCCUPIED"}], 2, 2, key="store_products"))
    products = await ads.gmv_max.products(ADVERTISER, STORE, BC)
    first, second = composio.calls_to("store/product/get/")
    assert query(composio, first) == {
        "advertiser_id": ADVERTISER, "store_id": STORE, "store_authorized_bc_id": BC,
        "filtering": {"ad_creation_eligible": "GMV_MAX"}, "page": "1", "page_size": "100"}
    assert query(composio, second)["page"] == "2"
    assert [(p.item_group_id, p.launchable) for p in products] == [("1729", True), ("1730", False)]


async def test_bid_recommendation_parses_string_figures_as_decimals(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("gmv_max/bid/recommend/", ok({"roas_bid": "2.85", "budget": "75.00"}))
    rec = await ads.gmv_max.recommend(ADVERTISER, STORE, ["1729"])
    assert query(composio, sent(composio, "gmv_max/bid/recommend/")) == {
        "advertiser_id": ADVERTISER, "store_id": STORE, "shopping_ads_type": "PRODUCT",
        "optimization_goal": "VALUE", "item_group_ids": ["1729"]}
    assert (rec.roas_bid, rec.budget) == (Decimal("2.85"), Decimal("75.00"))


async def test_launch_sends_every_required_field_and_no_operation_status(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("advertiser/info/", PROFILE)
    composio.reply("campaign/gmv_max/create/", ok({"campaign_id": "1900"}))
    created = await ads.gmv_max.launch(ADVERTISER, SPEC, idempotency_key="launch-key")
    call = sent(composio, "campaign/gmv_max/create/")
    assert (call["method"], call["connected_account_id"], call["user_id"]) == ("POST", ACCOUNT, MERCHANT)
    assert call["body"] == {
        "advertiser_id": ADVERTISER, "request_id": IDENTITY.request_id,
        "campaign_name": f"Glow Serum - GMV Max {IDENTITY.marker}", "store_id": STORE,
        "store_authorized_bc_id": BC, "shopping_ads_type": "PRODUCT", "optimization_goal": "VALUE",
        "deep_bid_type": "VO_MIN_ROAS", "roas_bid": 3.25, "budget": 60, "schedule_type": "SCHEDULE_FROM_NOW",
        "schedule_start_time": "2026-03-02 12:00:00", "product_specific_type": "CUSTOMIZED_PRODUCTS",
        "item_group_ids": ["1729", "1730"],
    }
    assert (created.campaign_id, created.budget, created.roas_bid) == ("1900", Decimal(60), Decimal("3.25"))


async def test_a_launch_with_an_unknown_outcome_is_looked_up_by_its_marker_before_any_resend(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("advertiser/info/", PROFILE)
    composio.reply("campaign/gmv_max/create/", fail(50002, "internal timeout"))
    composio.reply("gmv_max/campaign/get/",
                   gmv_page([campaign("1901", f"Glow Serum - GMV Max {IDENTITY.marker}")], 1, 1))
    found = await ads.gmv_max.launch(ADVERTISER, SPEC, idempotency_key="launch-key")
    assert found.campaign_id == "1901"
    assert len(composio.calls_to("campaign/gmv_max/create/")) == 1
    assert query(composio, sent(composio, "gmv_max/campaign/get/"))["filtering"] == {
        "gmv_max_promotion_types": ["PRODUCT_GMV_MAX"], "store_ids": [STORE]}


@pytest.mark.parametrize("field", ["operation_status", "shopping_ads_type", "identity_list"])
def test_a_launch_cannot_carry_a_status_or_other_unlisted_fields(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        LaunchGmvMax.model_validate({**SPEC.model_dump(), field: "ENABLE"})


def test_a_launch_lists_each_product_once_and_at_most_400() -> None:
    with pytest.raises(ValueError, match="each item_group_id may be listed once"):
        LaunchGmvMax.model_validate({**SPEC.model_dump(), "item_group_ids": ["1", "1"]})
    with pytest.raises(ValueError, match="at most 400"):
        LaunchGmvMax.model_validate({**SPEC.model_dump(), "item_group_ids": [str(i) for i in range(401)]})


async def test_campaign_list_filters_product_gmv_max_and_refuses_more_than_ten_stores(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("gmv_max/campaign/get/", gmv_page([campaign()], 1, 1))
    (row,) = await ads.gmv_max.campaigns(ADVERTISER, campaign_ids=["1900"])
    assert query(composio, sent(composio, "gmv_max/campaign/get/")) == {
        "advertiser_id": ADVERTISER, "page": "1", "page_size": "100",
        "filtering": {"gmv_max_promotion_types": ["PRODUCT_GMV_MAX"], "campaign_ids": ["1900"]}}
    assert (row.campaign_id, row.roas_bid, row.operation_status) == ("1900", Decimal("3.25"), "ENABLE")
    with pytest.raises(InvalidRequest, match="at most 10 store ids"):
        await ads.gmv_max.campaigns(ADVERTISER, store_ids=[str(i) for i in range(11)])


async def test_campaign_info_reads_budget_and_roi_target(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/gmv_max/info/", ok(campaign(budget="80.00", roas_bid="2.5")))
    info = await ads.gmv_max.campaign(ADVERTISER, "1900")
    assert query(composio, sent(composio, "campaign/gmv_max/info/")) == {
        "advertiser_id": ADVERTISER, "campaign_id": "1900"}
    assert (info.budget, info.roas_bid) == (Decimal("80.00"), Decimal("2.5"))


async def test_budget_update_of_a_gmv_max_campaign_sends_only_the_budget(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("advertiser/info/", PROFILE)
    composio.reply("campaign/gmv_max/update/", ok({"campaign_id": "1900"}))
    change = await ads.update_budget(ADVERTISER, "gmv_max_campaign", "1900", budget=Decimal("72.50"))
    assert sent(composio, "campaign/gmv_max/update/")["body"] == {
        "advertiser_id": ADVERTISER, "campaign_id": "1900", "budget": 72.5}
    assert change.object_type == "gmv_max_campaign"


async def test_roi_target_update_sends_only_roas_bid(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/gmv_max/update/", ok({"campaign_id": "1900"}))
    await ads.gmv_max.update_roi_target(ADVERTISER, "1900", RoiTargetUpdate(roas_bid=Decimal("4")))
    assert sent(composio, "campaign/gmv_max/update/")["body"] == {
        "advertiser_id": ADVERTISER, "campaign_id": "1900", "roas_bid": 4}


async def test_pause_of_a_gmv_max_campaign_goes_through_the_route_in_the_facts_file(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply(gmv_max_facts.STATUS_ROUTE, ok({"campaign_list": [{"campaign_id": "1900", "status": "DISABLE"}]}))
    await ads.set_status(ADVERTISER, "gmv_max_campaign", ["1900"], "DISABLE")
    assert sent(composio, gmv_max_facts.STATUS_ROUTE)["body"] == {
        "advertiser_id": ADVERTISER, "campaign_ids": ["1900"], "operation_status": "DISABLE"}


async def test_report_asks_one_store_daily_rows_and_parses_string_metrics(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("advertiser/info/", PROFILE)
    rows = [{"dimensions": {"campaign_id": "1900", "item_group_id": "1729", "stat_time_day": "2026-03-01 00:00:00"},
             "metrics": {"cost": "40.00", "orders": "6", "gross_revenue": "150.00", "roi": "3.75"}},
            {"dimensions": {"campaign_id": "1900", "item_group_id": "1729", "stat_time_day": "2026-03-02 00:00:00"},
             "metrics": {"cost": "10.00", "orders": "1", "gross_revenue": "25.00", "roi": "2.50"}}]
    composio.reply("gmv_max/report/get/", gmv_page(rows, 1, 1))
    report = await ads.gmv_max.report(ADVERTISER, STORE, days=2, per_product=True)
    assert query(composio, sent(composio, "gmv_max/report/get/")) == {
        "advertiser_id": ADVERTISER, "store_ids": [STORE], "start_date": "2026-03-01", "end_date": "2026-03-02",
        "metrics": ["cost", "orders", "gross_revenue", "roi"],
        "dimensions": ["campaign_id", "item_group_id", "stat_time_day"], "page": "1", "page_size": "100"}
    assert report.rows[0].stat_date == date(2026, 3, 1)
    (total,) = report.totals()
    assert (total.cost, total.orders, total.gross_revenue, total.roas) == (
        Decimal("50.00"), 7, Decimal("175.00"), Decimal("3.5000"))


async def test_a_longer_report_is_read_in_30_day_windows(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("advertiser/info/", PROFILE)
    composio.reply("gmv_max/report/get/", gmv_page([], 1, 1), gmv_page([], 1, 1))
    await ads.gmv_max.report(ADVERTISER, STORE, days=45)
    windows = [(query(composio, c)["start_date"], query(composio, c)["end_date"])
               for c in composio.calls_to("gmv_max/report/get/")]
    assert windows == [("2026-01-17", "2026-02-15"), ("2026-02-16", "2026-03-02")]


async def test_a_gmv_max_refusal_is_a_typed_error_naming_the_endpoint(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("gmv_max/store/list/", fail(40002, "store_id invalid"))
    with pytest.raises(PlatformError) as caught:
        await ads.gmv_max.stores(ADVERTISER)
    assert (caught.value.endpoint, caught.value.code) == ("gmv_max/store/list/", 40002)


async def test_a_body_without_the_store_list_is_unreadable(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("gmv_max/store/list/", httpx.Response(200, json={"data": ok({"stores": []}), "status": 200}))
    with pytest.raises(PlatformUnavailable, match=r"`data\.store_list` is missing"):
        await ads.gmv_max.stores(ADVERTISER)
