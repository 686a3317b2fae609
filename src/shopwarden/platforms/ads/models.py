"""Typed TikTok Ads objects: what the Business API answers, and what we are allowed to send.

Response models ignore fields we do not use but reject wrong types (a budget that is not a
number is an unreadable response, not a zero). Input models forbid unknown fields: a create
has no status field (always sent DISABLE) and a budget update has only `budget` and
`budget_mode`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator

from shopwarden.domain.vocabulary import BudgetModeLiteral, ControlledObjectLiteral, ObjectTypeLiteral
from shopwarden.platforms.ads.metrics import count, money, roas

OperationStatus = Literal["ENABLE", "DISABLE"]
MAX_NAME_LENGTH = 512
MARKER_LENGTH = len(" [sw:0123456789ab]")


def _id_text(value: Any) -> Any:
    """TikTok ids arrive as numbers or strings; we always hold strings."""
    if isinstance(value, bool):
        raise ValueError("an id cannot be a boolean")
    return str(value) if isinstance(value, int) else value


PlatformId = Annotated[str, BeforeValidator(_id_text), StringConstraints(min_length=1, max_length=64)]
Money = Annotated[Decimal, Field(gt=0, le=Decimal("10000000"), decimal_places=2)]
CreateName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH - MARKER_LENGTH,
                                              strip_whitespace=True)]


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class PageInfo(_Response):
    page: int = Field(ge=1)
    page_size: int = Field(ge=1)
    total_number: int = Field(ge=0)
    total_page: int = Field(ge=0)


class Page(_Response):
    items: list[dict[str, Any]] = Field(alias="list")
    page_info: PageInfo


class AdvertiserInfo(_Response):
    advertiser_id: PlatformId
    name: str = ""
    currency: str = Field(min_length=3, max_length=3)
    timezone: str = Field(min_length=1)
    display_timezone: str | None = None
    status: str | None = None


class Campaign(_Response):
    campaign_id: PlatformId
    campaign_name: str
    advertiser_id: PlatformId | None = None
    objective_type: str | None = None
    budget_mode: str | None = None
    budget: Decimal | None = None
    operation_status: str | None = None
    secondary_status: str | None = None


class AdGroup(_Response):
    adgroup_id: PlatformId
    adgroup_name: str
    campaign_id: PlatformId | None = None
    advertiser_id: PlatformId | None = None
    budget_mode: str | None = None
    budget: Decimal | None = None
    operation_status: str | None = None
    secondary_status: str | None = None
    product_ids: list[PlatformId] = Field(default_factory=list)


class ReportRow(_Response):
    """One object's metrics for one day in the advertiser's time zone."""

    object_id: PlatformId
    stat_date: date
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int
    conversion_value: Decimal | None = None

    @classmethod
    def from_api(cls, level: ObjectTypeLiteral, row: dict[str, Any]) -> ReportRow:
        dimensions, metrics = row.get("dimensions"), row.get("metrics")
        if not isinstance(dimensions, dict) or not isinstance(metrics, dict):
            raise ValueError("a report row needs `dimensions` and `metrics` objects")
        day = str(dimensions.get("stat_time_day", ""))
        raw_id: Any = dimensions.get(f"{level}_id")  # raw wire value; PlatformId's validator checks it (None fails)
        return cls(
            object_id=raw_id,
            stat_date=datetime.strptime(day[:10], "%Y-%m-%d").date(),
            spend=money(metrics.get("spend"), "spend") or Decimal(0),
            impressions=count(metrics.get("impressions"), "impressions"),
            clicks=count(metrics.get("clicks"), "clicks"),
            conversions=count(metrics.get("conversion"), "conversion"),
            conversion_value=money(metrics.get(CONVERSION_VALUE_METRIC), CONVERSION_VALUE_METRIC),
        )


# Uncertain: TikTok's name for the Shop conversion value; the simulator serves this one.
CONVERSION_VALUE_METRIC = "total_onsite_shopping_value"
REPORT_METRICS = ["spend", "impressions", "clicks", "conversion", CONVERSION_VALUE_METRIC]


class ObjectTotals(_Response):
    """One object's metrics summed over a report's days, with ROAS when it means something."""

    object_id: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int
    conversion_value: Decimal | None
    roas: Decimal | None


class PerformanceReport(_Response):
    advertiser_id: str
    level: ObjectTypeLiteral
    start_date: date
    end_date: date
    rows: list[ReportRow]

    def totals(self, shop_revenue: Mapping[str, Decimal] | None = None) -> list[ObjectTotals]:
        """Per-object sums; ROAS uses the Shop revenue attributed to an object when given, else conversion value."""
        summed: dict[str, list[ReportRow]] = {}
        for row in self.rows:
            summed.setdefault(row.object_id, []).append(row)
        totals = []
        for object_id, rows in summed.items():
            spend = sum((r.spend for r in rows), Decimal(0))
            values = [r.conversion_value for r in rows if r.conversion_value is not None]
            value = sum(values, Decimal(0)) if values else None
            revenue = (shop_revenue or {}).get(object_id)
            totals.append(ObjectTotals(
                object_id=object_id, spend=spend, impressions=sum(r.impressions for r in rows),
                clicks=sum(r.clicks for r in rows), conversions=sum(r.conversions for r in rows),
                conversion_value=value, roas=roas(spend, shop_revenue=revenue, conversion_value=value),
            ))
        return totals


class StatusChange(_Response):
    object_type: ControlledObjectLiteral
    object_ids: list[str]
    status: OperationStatus


class BudgetChange(_Response):
    object_type: ControlledObjectLiteral
    object_id: str
    budget: Decimal
    budget_mode: str | None = None


# --- what we send ------------------------------------------------------------------------------


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CreateCampaign(_Input):
    """A new campaign. No status field: it is always created DISABLE."""

    campaign_name: CreateName
    objective_type: Annotated[str, StringConstraints(pattern=r"^[A-Z_]{1,64}$")]
    budget_mode: BudgetModeLiteral
    budget: Money | None = None

    @model_validator(mode="after")
    def _not_a_shop_campaign(self) -> CreateCampaign:
        if self.objective_type == "PRODUCT_SALES":
            raise ValueError("TikTok no longer creates manual PRODUCT_SALES (Shop) campaigns; "
                             "launch the products as a GMV Max campaign instead")
        return self

    @model_validator(mode="after")
    def _budget_unless_infinite(self) -> CreateCampaign:
        if self.budget is None and self.budget_mode != "BUDGET_MODE_INFINITE":
            raise ValueError("budget is required unless budget_mode is BUDGET_MODE_INFINITE")
        return self


class BudgetUpdate(_Input):
    """The only fields a budget update may carry."""

    budget: Money
    budget_mode: BudgetModeLiteral | None = None
