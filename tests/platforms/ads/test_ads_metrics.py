"""ROAS, metric parsing and the advertiser's "today" (pure functions)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from shopwarden.errors import ConfigError
from shopwarden.platforms.ads.metrics import advertiser_today, count, money, roas


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
