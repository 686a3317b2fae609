"""Reads through the Composio proxy: exact wire format, typed results, every page, Decimal metrics."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from ads_fakes import (
    ACCOUNT,
    ADVERTISER,
    API,
    API_KEY,
    MERCHANT,
    FakeComposio,
    build_client,
    campaign_row,
    ok,
    page,
)

from shopwarden.config import Settings
from shopwarden.errors import InvalidRequest, PlatformUnavailable
from shopwarden.platforms.ads import client as client_module
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.models import AdvertiserInfo, Campaign

ADVERTISER_ROW = {"advertiser_id": 7001, "name": "Glow Ads", "currency": "USD", "timezone": "America/Los_Angeles",
                  "display_timezone": "America/Los_Angeles", "status": "STATUS_ENABLE"}


async def test_advertiser_info_sends_the_exact_proxy_request_with_the_api_key(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("advertiser/info/", ok({"list": [ADVERTISER_ROW]}))
    infos = await ads.advertiser_info([ADVERTISER])
    assert composio.calls == [{
        "endpoint": API + "advertiser/info/", "method": "GET", "connected_account_id": ACCOUNT, "user_id": MERCHANT,
        "parameters": [{"name": "advertiser_ids", "type": "query", "value": '["7001"]'}],
    }]
    assert composio.headers[0]["x-api-key"] == API_KEY
    assert infos == [AdvertiserInfo(advertiser_id="7001", name="Glow Ads", currency="USD",
                                    timezone="America/Los_Angeles", display_timezone="America/Los_Angeles",
                                    status="STATUS_ENABLE")]


async def test_list_campaigns_reads_every_page_and_stops_at_total_page(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/",
                   page([campaign_row("1", "A"), campaign_row("2", "B")], 1, 3),
                   page([campaign_row("3", "C")], 2, 3),
                   page([campaign_row("4", "D", budget="75.50")], 3, 3))
    campaigns = await ads.list_campaigns(ADVERTISER)
    assert [c.campaign_id for c in campaigns] == ["1", "2", "3", "4"]
    assert campaigns[3].budget == Decimal("75.50")
    assert [composio.query(c) for c in composio.calls] == [
        {"advertiser_id": ADVERTISER, "page": str(n), "page_size": "1000"} for n in (1, 2, 3)
    ]


async def test_list_campaigns_stops_on_an_empty_page_even_if_page_info_promises_more(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", page([campaign_row("1", "A")], 1, 5), page([], 2, 5))
    assert [c.campaign_id for c in await ads.list_campaigns(ADVERTISER)] == ["1"]
    assert len(composio.calls) == 2


async def test_a_page_info_that_never_ends_is_an_unreadable_response(
        ads: AdsClient, composio: FakeComposio, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "MAX_PAGES", 3)
    composio.reply("campaign/get/", *(page([campaign_row(str(n), "X")], n, 99) for n in (1, 2, 3)))
    with pytest.raises(PlatformUnavailable) as caught:
        await ads.list_campaigns(ADVERTISER)
    assert "campaign/get/" in str(caught.value)
    assert "after 3 pages" in str(caught.value)


async def test_list_campaigns_filters_by_ids_and_name_as_json_strings(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("campaign/get/", page([campaign_row("9", "Serum [sw:aaaaaaaaaaaa]"), campaign_row("8", "Other")],
                                         1, 1))
    found = await ads.list_campaigns(ADVERTISER, campaign_ids=["9", "8"], name_contains="[sw:aaaaaaaaaaaa]")
    assert found == [Campaign(**campaign_row("9", "Serum [sw:aaaaaaaaaaaa]"))]
    sent = composio.query(composio.calls[0])
    assert json.loads(sent["filtering"]) == {"campaign_name": "[sw:aaaaaaaaaaaa]", "campaign_ids": ["9", "8"]}


async def test_list_adgroups_of_one_campaign(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("adgroup/get/", page([{"adgroup_id": 55, "adgroup_name": "G", "campaign_id": "9",
                                          "budget": "20", "operation_status": "DISABLE"}], 1, 1))
    groups = await ads.list_adgroups(ADVERTISER, "9")
    assert groups[0].adgroup_id == "55" and groups[0].budget == Decimal("20")
    assert json.loads(composio.query(composio.calls[0])["filtering"]) == {"campaign_ids": ["9"]}


def _report_row(object_id: str, day: str, spend: str, value: str | None = "300.25") -> dict[str, object]:
    metrics = {"spend": spend, "impressions": "12000", "clicks": "340", "conversion": "12"}
    if value is not None:
        metrics["total_onsite_shopping_value"] = value
    return {"dimensions": {"campaign_id": object_id, "stat_time_day": f"{day} 00:00:00"}, "metrics": metrics}


async def test_report_parses_string_metrics_as_decimal_and_sends_the_integrated_report_query(
        ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("report/integrated/get/", page([_report_row("1", "2026-03-01", "100.10"),
                                                   _report_row("1", "2026-03-02", "0.20", value=None)], 1, 1))
    report = await ads.report(ADVERTISER, "campaign", date(2026, 3, 1), date(2026, 3, 2))
    first, second = report.rows
    assert (first.spend, first.impressions, first.clicks, first.conversions, first.conversion_value) == (
        Decimal("100.10"), 12000, 340, 12, Decimal("300.25"))
    assert (second.stat_date, second.spend, second.conversion_value) == (date(2026, 3, 2), Decimal("0.20"), None)
    assert composio.query(composio.calls[0]) == {
        "advertiser_id": ADVERTISER, "service_type": "AUCTION", "report_type": "BASIC",
        "data_level": "AUCTION_CAMPAIGN", "dimensions": '["campaign_id","stat_time_day"]',
        "metrics": '["spend","impressions","clicks","conversion","total_onsite_shopping_value"]',
        "start_date": "2026-03-01", "end_date": "2026-03-02", "page": "1", "page_size": "1000",
    }


async def test_report_by_days_ends_today_in_the_advertisers_time_zone(
        settings: Settings, composio: FakeComposio) -> None:
    # 07:30 UTC on 2 March is still 1 March in Los Angeles (UTC-8).
    ads = build_client(settings, clock=lambda: datetime(2026, 3, 2, 7, 30, tzinfo=UTC))
    composio.reply("advertiser/info/", ok({"list": [ADVERTISER_ROW]}))
    composio.reply("report/integrated/get/", page([], 1, 0))
    report = await ads.report(ADVERTISER, "adgroup", days=7)
    assert (report.start_date, report.end_date) == (date(2026, 2, 23), date(2026, 3, 1))
    sent = composio.query(composio.calls_to("report/integrated/get/")[0])
    assert (sent["start_date"], sent["end_date"], sent["data_level"]) == ("2026-02-23", "2026-03-01", "AUCTION_ADGROUP")


async def test_a_report_longer_than_30_days_is_read_in_30_day_windows(ads: AdsClient, composio: FakeComposio) -> None:
    composio.reply("report/integrated/get/", page([], 1, 0), page([], 1, 0), page([], 1, 0))
    await ads.report(ADVERTISER, "campaign", date(2026, 1, 1), date(2026, 3, 2))
    windows = [(composio.query(c)["start_date"], composio.query(c)["end_date"]) for c in composio.calls]
    assert windows == [("2026-01-01", "2026-01-30"), ("2026-01-31", "2026-03-01"), ("2026-03-02", "2026-03-02")]


async def test_report_refuses_an_end_before_its_start_without_a_request(ads: AdsClient, composio: FakeComposio) -> None:
    with pytest.raises(InvalidRequest, match="start_date <= end_date"):
        await ads.report(ADVERTISER, "campaign", date(2026, 3, 2), date(2026, 3, 1))
    assert composio.calls == []


async def test_the_complete_report_reaches_the_sink_once(settings: Settings, composio: FakeComposio) -> None:
    received = []

    async def sink(report: object) -> None:
        received.append(report)

    ads = build_client(settings, report_sink=sink)
    composio.reply("report/integrated/get/", page([_report_row("1", "2026-03-01", "5")], 1, 2),
                   page([_report_row("2", "2026-03-01", "6")], 2, 2))
    report = await ads.report(ADVERTISER, "campaign", date(2026, 3, 1), date(2026, 3, 1))
    assert received == [report]
    assert [r.object_id for r in report.rows] == ["1", "2"]
