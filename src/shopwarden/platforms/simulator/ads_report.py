"""`report/integrated/get/`: daily rows per campaign or ad group, metric values as strings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.platforms.simulator.ads_common import MAX_REPORT_DAYS, PARAM_ERROR, page_of
from shopwarden.platforms.simulator.context import SimContext, parse_model
from shopwarden.platforms.simulator.wire import Refusal
from shopwarden.platforms.simulator.world import Advertiser, DailyStat

_LEVEL_KEY = {"AUCTION_CAMPAIGN": "campaign_id", "AUCTION_ADGROUP": "adgroup_id", "AUCTION_ADVERTISER": "advertiser_id"}
_TWO = Decimal("0.01")


class _Totals:
    def __init__(self) -> None:
        self.spend = Decimal("0")
        self.impressions = 0
        self.clicks = 0
        self.conversions = 0
        self.value = Decimal("0")

    def add(self, stat: DailyStat) -> None:
        self.spend += stat.spend
        self.impressions += stat.impressions
        self.clicks += stat.clicks
        self.conversions += stat.conversions
        self.value += stat.conversion_value


def _ratio(numerator: Decimal | int, denominator: Decimal | int, scale: int = 1) -> str:
    if not denominator:
        return "0.00"
    return str((Decimal(numerator) * scale / Decimal(denominator)).quantize(_TWO, rounding=ROUND_HALF_UP))


METRICS: dict[str, Callable[[_Totals], str]] = {
    "spend": lambda t: str(t.spend.quantize(_TWO)),
    "impressions": lambda t: str(t.impressions),
    "clicks": lambda t: str(t.clicks),
    "conversion": lambda t: str(t.conversions),
    "ctr": lambda t: _ratio(t.clicks, t.impressions, 100),
    "cpc": lambda t: _ratio(t.spend, t.clicks),
    "cpm": lambda t: _ratio(t.spend, t.impressions, 1000),
    "cost_per_conversion": lambda t: _ratio(t.spend, t.conversions),
    "conversion_rate": lambda t: _ratio(t.conversions, t.clicks, 100),
    "total_onsite_shopping_value": lambda t: str(t.value.quantize(_TWO)),
}


class _ReportQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    service_type: str = "AUCTION"
    report_type: str = "BASIC"
    data_level: str
    dimensions: list[str] = Field(min_length=1, max_length=4)
    metrics: list[str] = Field(default_factory=lambda: ["spend", "impressions"])
    start_date: date
    end_date: date


def integrated_report(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    query = parse_model(_ReportQuery, params, PARAM_ERROR)
    if query.service_type != "AUCTION" or query.report_type != "BASIC":
        raise Refusal(PARAM_ERROR, "Only service_type AUCTION and report_type BASIC are supported")
    level_key = _LEVEL_KEY.get(query.data_level)
    if level_key is None:
        raise Refusal(PARAM_ERROR, f"data_level: {query.data_level!r} is not one of {', '.join(_LEVEL_KEY)}")
    unknown = [d for d in query.dimensions if d not in (level_key, "stat_time_day")]
    if unknown:
        raise Refusal(PARAM_ERROR, f"dimensions: {unknown[0]!r} cannot be used with data_level {query.data_level}")
    bad_metric = next((m for m in query.metrics if m not in METRICS), None)
    if bad_metric:
        raise Refusal(PARAM_ERROR, f"metrics: unknown metric {bad_metric!r}")
    if query.end_date < query.start_date:
        raise Refusal(PARAM_ERROR, "end_date must not be before start_date")
    if (query.end_date - query.start_date).days + 1 > MAX_REPORT_DAYS and "stat_time_day" in query.dimensions:
        raise Refusal(PARAM_ERROR, f"The date range of a daily report may be at most {MAX_REPORT_DAYS} days")
    groups: dict[tuple[str, ...], _Totals] = {}
    for stat in advertiser.stats:
        if not query.start_date <= stat.day <= query.end_date:
            continue
        key = tuple(
            f"{stat.day.isoformat()} 00:00:00" if d == "stat_time_day" else str(getattr(stat, level_key))
            for d in query.dimensions
        )
        groups.setdefault(key, _Totals()).add(stat)
    rows = [
        {"dimensions": dict(zip(query.dimensions, key, strict=True)),
         "metrics": {m: METRICS[m](totals) for m in query.metrics}}
        for key, totals in sorted(groups.items())
    ]
    chunk, info = page_of(rows, params)
    return {"list": chunk, "page_info": info}
