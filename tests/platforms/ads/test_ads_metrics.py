"""ROAS, metric parsing and the advertiser's "today" (pure functions)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shopwarden.errors import ConfigError
from shopwarden.platforms.ads.metrics import advertiser_today, count, money, roas
from shopwarden.platforms.ads.models import PerformanceReport, ReportRow


def test_roas_prefers_shop_revenue_over_the_conversion_value() -> None:
    assert roas(Decimal("50"), shop_revenue=Decimal("200"), conversion_value=Decimal("75")) == Decimal("4.0000")


def test_roas_falls_back_to_the_conversion_value_metric() -> None:
    assert roas(Decimal("30"), conversion_value=Decimal("100")) == Decimal("3.3333")


@pytest.mark.parametrize(("spend", "revenue"), [(Decimal("0"), Decimal("10")), (Decimal("10"), None)])
def test_roas_is_none_without_spend_or_revenue(spend: Decimal, revenue: Decimal | None) -> None:
    assert roas(spend, conversion_value=revenue) is None


def test_roas_of_spend_without_sales_is_zero_not_none() -> None:
    assert roas(Decimal("10"), shop_revenue=Decimal("0")) == Decimal("0")


@pytest.mark.parametrize(("value", "expected"), [("12.30", Decimal("12.30")), (7, Decimal(7)), (0.5, Decimal("0.5")),
                                                 ("", None), ("-", None), (None, None)])
def test_money_parses_numbers_and_numeric_strings(value: object, expected: Decimal | None) -> None:
    assert money(value, "spend") == expected


@pytest.mark.parametrize(("value", "message"), [("abc", "spend: 'abc' is not a number"),
                                                (True, "expected a number or numeric string, got bool"),
                                                ("NaN", "is not a finite number")])
def test_money_names_the_metric_when_it_is_not_a_number(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        money(value, "spend")


def test_counts_accept_whole_numbers_only() -> None:
    assert (count("12", "clicks"), count("12.0", "clicks"), count(None, "clicks")) == (12, 12, 0)
    with pytest.raises(ValueError, match=re.escape("clicks: '1.5' is not a whole, non-negative count")):
        count("1.5", "clicks")


@pytest.mark.parametrize(("instant", "tz", "day"), [
    (datetime(2026, 3, 2, 7, 59, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 1)),
    (datetime(2026, 3, 2, 8, 0, tzinfo=UTC), "America/Los_Angeles", date(2026, 3, 2)),
    (datetime(2026, 3, 1, 14, 59, tzinfo=UTC), "Asia/Tokyo", date(2026, 3, 1)),
    (datetime(2026, 3, 1, 15, 0, tzinfo=UTC), "Asia/Tokyo", date(2026, 3, 2)),
])
def test_advertiser_today_crosses_the_day_boundary_in_the_advertisers_zone(instant: datetime, tz: str,
                                                                           day: date) -> None:
    assert advertiser_today(tz, instant) == day


def test_advertiser_today_refuses_naive_times_and_unknown_zones() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        advertiser_today("UTC", datetime(2026, 3, 2, 12, 0))
    with pytest.raises(ConfigError, match="'Mars/Olympus' is not a known IANA time zone"):
        advertiser_today("Mars/Olympus", datetime(2026, 3, 2, tzinfo=UTC))


def _row(object_id: str, day: int, spend: str, value: str | None) -> ReportRow:
    return ReportRow(object_id=object_id, stat_date=date(2026, 3, day), spend=Decimal(spend), impressions=100,
                     clicks=5, conversions=1, conversion_value=None if value is None else Decimal(value))


def test_report_totals_sum_days_per_object_and_compute_roas() -> None:
    report = PerformanceReport(advertiser_id="7001", level="campaign", start_date=date(2026, 3, 1),
                               end_date=date(2026, 3, 2), rows=[_row("1", 1, "10", "30"), _row("1", 2, "10", None),
                                                                _row("2", 1, "0", "50")])
    by_id = {t.object_id: t for t in report.totals()}
    assert (by_id["1"].spend, by_id["1"].clicks, by_id["1"].conversion_value, by_id["1"].roas) == (
        Decimal("20"), 10, Decimal("30"), Decimal("1.5000"))
    assert by_id["2"].roas is None  # zero spend
    with_shop = {t.object_id: t for t in report.totals({"1": Decimal("100")})}
    assert with_shop["1"].roas == Decimal("5.0000")
