"""The argument model of every tool: strict (extra fields forbidden), bounded, allowlisted.

These models are the first line of the field allowlists: a budget update can name the
object, the budget and the budget mode, and nothing else, so objective, targeting or
creative changes are refused before any request is built.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shopwarden.domain.vocabulary import BudgetModeLiteral, ControlledObjectLiteral, ObjectTypeLiteral

PlatformId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
Money = Annotated[Decimal, Field(gt=0, le=Decimal("10000000"), decimal_places=2)]
# PRODUCT_SALES is not an objective here: TikTok Shop products are advertised with GMV Max
# (launch_gmv_max_campaign).
ObjectiveType = Literal[
    "TRAFFIC", "CONVERSIONS", "WEB_CONVERSIONS", "REACH", "VIDEO_VIEWS", "ENGAGEMENT",
    "APP_PROMOTION", "LEAD_GENERATION",
]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
ObjectName = Annotated[str, StringConstraints(min_length=1, max_length=512, strip_whitespace=True)]


class ToolArgs(BaseModel):
    """Base of every argument model: unknown fields are an error, and arguments never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ListShopsArgs(ToolArgs):
    pass


class SyncCatalogArgs(ToolArgs):
    shop_id: PlatformId | None = None
    full: bool = False  # re-read everything and forget products the platform no longer lists


class SyncOrdersArgs(ToolArgs):
    shop_id: PlatformId | None = None
    days: int = Field(default=7, ge=1, le=30)


class GetProductArgs(ToolArgs):
    product_id: PlatformId


class SearchOrdersArgs(ToolArgs):
    since_hours: int = Field(default=24, ge=1, le=720)
    status: Annotated[str, StringConstraints(pattern=r"^[A-Z_]{1,40}$")] | None = None


class SkuQuantity(ToolArgs):
    sku_id: PlatformId
    warehouse_id: PlatformId
    quantity: int = Field(ge=0, le=10_000_000)


class UpdateSkuInventoryArgs(ToolArgs):
    product_id: PlatformId
    # A generous structural bound; the policy's max_skus_per_call refuses bulk rewrites with a reason.
    skus: list[SkuQuantity] = Field(min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_entry_per_sku_and_warehouse(self) -> UpdateSkuInventoryArgs:
        seen: set[tuple[str, str]] = set()
        for sku in self.skus:
            key = (sku.sku_id, sku.warehouse_id)
            if key in seen:
                raise ValueError(f"SKU {sku.sku_id} in warehouse {sku.warehouse_id} is listed twice")
            seen.add(key)
        return self


class AdvertiserArgs(ToolArgs):
    advertiser_id: PlatformId


class ListCampaignsArgs(AdvertiserArgs):
    pass


class ListAdgroupsArgs(AdvertiserArgs):
    campaign_id: PlatformId | None = None


class PerformanceReportArgs(AdvertiserArgs):
    level: ObjectTypeLiteral
    days: int = Field(default=7, ge=1, le=30)


class CreateCampaignArgs(AdvertiserArgs):
    """No status field: campaigns are always created DISABLE."""

    campaign_name: ObjectName
    objective_type: ObjectiveType
    budget_mode: BudgetModeLiteral
    budget: Money


class ObjectRef(AdvertiserArgs):
    object_type: ControlledObjectLiteral
    object_id: PlatformId


class UpdateBudgetArgs(ObjectRef):
    """Only the object's identity, the budget and the budget mode: nothing else can change."""

    budget: Money
    budget_mode: BudgetModeLiteral | None = None


class PauseAdsArgs(ObjectRef):
    pass


class EnableAdsArgs(ObjectRef):
    pass


# --- GMV Max (TikTok Shop products) ---------------------------------------------------------

RoasBid = Annotated[Decimal, Field(gt=0, le=Decimal("1000"), decimal_places=2)]
ItemGroupIds = Annotated[list[PlatformId], Field(min_length=1, max_length=400)]


class GmvMaxStoresArgs(AdvertiserArgs):
    pass


class GmvMaxStoreArgs(AdvertiserArgs):
    store_id: PlatformId


class GmvMaxRecommendArgs(GmvMaxStoreArgs):
    item_group_ids: ItemGroupIds


class ListGmvMaxCampaignsArgs(AdvertiserArgs):
    store_id: PlatformId | None = None


class GmvMaxReportArgs(GmvMaxStoreArgs):
    days: int = Field(default=7, ge=1, le=30)
    per_product: bool = False


class LaunchGmvMaxArgs(GmvMaxStoreArgs):
    """No status field (the platform has none); the shop's business center is looked up, not given."""

    campaign_name: ObjectName
    item_group_ids: ItemGroupIds
    budget: Money
    roas_bid: RoasBid

    @model_validator(mode="after")
    def _distinct_products(self) -> LaunchGmvMaxArgs:
        if len(set(self.item_group_ids)) != len(self.item_group_ids):
            raise ValueError("item_group_ids: each product may be listed once")
        return self


class UpdateRoiTargetArgs(AdvertiserArgs):
    """Only the campaign and its new ROI target (roas_bid = gross revenue / cost)."""

    campaign_id: PlatformId
    roas_bid: RoasBid


class ReadAdLibraryArgs(ToolArgs):
    search_term: Annotated[str, StringConstraints(min_length=1, max_length=100, strip_whitespace=True)]
    # None: every country the library covers (EU/EEA, UK, Switzerland); the US is not one of them.
    country: CountryCode | None = None
    max_count: int = Field(default=10, ge=1, le=50)


class ReadTrendsArgs(ToolArgs):
    kind: Literal["hashtags", "keywords", "top_ads"]
    country: CountryCode | None = None
    limit: int = Field(default=20, ge=1, le=50)
