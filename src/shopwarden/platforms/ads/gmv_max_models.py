"""Typed GMV Max objects: stores, authorization, eligible products, campaigns, reports, launches.

Response models ignore unknown fields but reject wrong types; the launch model forbids unknown
fields (no status, no shopping_ads_type other than PRODUCT, no store change after creation).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shopwarden.platforms.ads import gmv_max_facts as facts
from shopwarden.platforms.ads.metrics import count, money
from shopwarden.platforms.ads.models import CreateName, Money, PlatformId

AuthorizationStatus = Literal["EFFECTIVE", "INEFFECTIVE", "UNAUTHORIZED"]
RoasBid = Annotated[Decimal, Field(gt=0, le=Decimal("1000"), decimal_places=2)]
REPORT_METRICS = ["cost", "orders", "gross_revenue", "roi"]


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GmvMaxStore(_Response):
    """A TikTok Shop the ad account may promote with GMV Max."""

    store_id: PlatformId
    store_name: str = ""
    is_gmv_max_available: bool
    store_authorized_bc_id: PlatformId | None = None
    exclusive_authorized_advertiser_id: PlatformId | None = None


class ExclusiveAuthorization(_Response):
    """Which ad account holds a shop's GMV Max authorization (one per shop)."""

    store_id: PlatformId
    authorization_status: AuthorizationStatus
    advertiser_id: PlatformId | None = None


class GmvMaxProduct(_Response):
    """One SPU of the shop as GMV Max sees it."""

    item_group_id: PlatformId
    title: str = ""
    status: str
    gmv_max_ads_status: str

    @property
    def launchable(self) -> bool:
        return self.status == "AVAILABLE" and self.gmv_max_ads_status == "UNOCCUPIED"


class BidRecommendation(_Response):
    roas_bid: Decimal = Field(gt=0)
    budget: Decimal = Field(gt=0)

    @field_validator("roas_bid", "budget", mode="before")
    @classmethod
    def _numeric_text(cls, value: Any) -> Any:
        return money(value, "recommendation") if isinstance(value, str) else value


class GmvMaxCampaign(_Response):
    campaign_id: PlatformId
    campaign_name: str
    advertiser_id: PlatformId | None = None
    store_id: PlatformId | None = None
    shopping_ads_type: str | None = None
    budget: Decimal | None = None
    roas_bid: Decimal | None = None
    operation_status: str | None = None
    item_group_ids: list[PlatformId] = Field(default_factory=list)


class GmvMaxReportRow(_Response):
    """One campaign's (and, when asked per product, one SPU's) metrics for one day."""

    campaign_id: PlatformId
    item_group_id: PlatformId | None = None
    stat_date: date
    cost: Decimal
    orders: int
    gross_revenue: Decimal
    roi: Decimal | None

    @classmethod
    def from_api(cls, row: dict[str, Any]) -> GmvMaxReportRow:
        dimensions, metrics = row.get("dimensions"), row.get("metrics")
        if not isinstance(dimensions, dict) or not isinstance(metrics, dict):
            raise ValueError("a report row needs `dimensions` and `metrics` objects")
        day = str(dimensions.get("stat_time_day", ""))
        raw_id: Any = dimensions.get("campaign_id")  # raw wire value; PlatformId's validator checks it (None fails)
        return cls(
            campaign_id=raw_id, item_group_id=dimensions.get("item_group_id"),
            stat_date=datetime.strptime(day[:10], "%Y-%m-%d").date(),
            cost=money(metrics.get("cost"), "cost") or Decimal(0),
            orders=count(metrics.get("orders"), "orders"),
            gross_revenue=money(metrics.get("gross_revenue"), "gross_revenue") or Decimal(0),
            roi=money(metrics.get("roi"), "roi"),
        )


class GmvMaxTotals(_Response):
    campaign_id: str
    item_group_id: str | None
    cost: Decimal
    orders: int
    gross_revenue: Decimal
    roas: Decimal | None  # gross revenue / cost over the whole range (TikTok calls it ROI)


class GmvMaxReport(_Response):
    advertiser_id: str
    store_id: str
    start_date: date
    end_date: date
    rows: list[GmvMaxReportRow]

    def totals(self) -> list[GmvMaxTotals]:
        """Sums per campaign (and per product when the rows carry one), ROAS over the whole range."""
        summed: dict[tuple[str, str | None], list[GmvMaxReportRow]] = {}
        for row in self.rows:
            summed.setdefault((row.campaign_id, row.item_group_id), []).append(row)
        totals = []
        for (campaign_id, item_group_id), rows in summed.items():
            cost = sum((r.cost for r in rows), Decimal(0))
            revenue = sum((r.gross_revenue for r in rows), Decimal(0))
            totals.append(GmvMaxTotals(
                campaign_id=campaign_id, item_group_id=item_group_id, cost=cost,
                orders=sum(r.orders for r in rows), gross_revenue=revenue,
                roas=(revenue / cost).quantize(Decimal("0.0001")) if cost > 0 else None,
            ))
        return totals


# --- what we send ------------------------------------------------------------------------------


class LaunchGmvMax(BaseModel):
    """A Product GMV Max campaign for some SPUs of one shop. No status field exists to send."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store_id: PlatformId
    store_authorized_bc_id: PlatformId
    campaign_name: CreateName
    item_group_ids: list[PlatformId] = Field(min_length=1, max_length=facts.MAX_ITEM_GROUP_IDS)
    budget: Money
    roas_bid: RoasBid

    @field_validator("item_group_ids")
    @classmethod
    def _distinct(cls, ids: list[str]) -> list[str]:
        if len(set(ids)) != len(ids):
            raise ValueError("each item_group_id may be listed once")
        return ids


class RoiTargetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    roas_bid: RoasBid

