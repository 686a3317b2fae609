"""Pure helpers for ads numbers and days: metric parsing, ROAS, and "today" where the advertiser is."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shopwarden.errors import ConfigError

# TikTok shows an absent metric as an empty string or a dash (uncertain); both mean "no value".
_ABSENT = (None, "", "-")
ROAS_PLACES = Decimal("0.0001")


def money(value: object, name: str) -> Decimal | None:
    """A metric value (number or numeric string) as Decimal; None when absent."""
    if value in _ABSENT:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{name}: expected a number or numeric string, got {type(value).__name__}")
    try:
        parsed = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{name}: {value!r} is not a number") from None
    if not parsed.is_finite():
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return parsed


def count(value: object, name: str) -> int:
    """A count metric (`"12"`, `12`, `"12.0"`) as int; absent counts are zero."""
    parsed = money(value, name)
    if parsed is None:
        return 0
    if parsed != parsed.to_integral_value() or parsed < 0:
        raise ValueError(f"{name}: {value!r} is not a whole, non-negative count")
    return int(parsed)


def roas(spend: Decimal, *, shop_revenue: Decimal | None = None,
         conversion_value: Decimal | None = None) -> Decimal | None:
    """Attributed revenue / spend. Shop orders win over the ads conversion value; None without
    revenue or without spend (a ratio over zero spend means nothing)."""
    revenue = shop_revenue if shop_revenue is not None else conversion_value
    if revenue is None or spend <= 0:
        return None
    return (revenue / spend).quantize(ROAS_PLACES)


def advertiser_zone(tz_name: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("advertiser time zone", f"{tz_name!r} is not a known IANA time zone") from None


def advertiser_today(tz_name: str, now: datetime) -> date:
    """The calendar day it is for the advertiser at the instant `now` (which must be timezone-aware)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(advertiser_zone(tz_name)).date()
