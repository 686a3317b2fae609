"""What tools may ask of the platforms: one protocol per surface.

Tools reach adapters only through `ToolContext.shop()`, `.ads()` and `.creative()`. These
protocols name exactly the calls tools make, so a tool cannot reach past them, the type checker
holds every adapter (real, simulated or a test double) to the same signatures, and a new adapter
knows what it must offer. The concrete adapters (`MerchantShop`, `AdsClient` with its
`GmvMaxApi`, `CreativeReader`) satisfy them structurally; `tests/tools/test_ports.py` checks it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # models only: importing them at run time would load every adapter with the tools
    from shopwarden.domain.vocabulary import ControlledObjectLiteral, ObjectTypeLiteral
    from shopwarden.platforms.ads.gmv_max_models import (
        BidRecommendation,
        ExclusiveAuthorization,
        GmvMaxCampaign,
        GmvMaxProduct,
        GmvMaxReport,
        GmvMaxStore,
        LaunchGmvMax,
        RoiTargetUpdate,
    )
    from shopwarden.platforms.ads.models import (
        AdGroup,
        AdvertiserInfo,
        BudgetChange,
        BudgetUpdate,
        Campaign,
        CreateCampaign,
        OperationStatus,
        PerformanceReport,
        StatusChange,
    )
    from shopwarden.platforms.creative_center.models import AdLibraryResult, TrendKind, TrendsResult
    from shopwarden.platforms.shop.models import (
        AuthorizedShop,
        InventoryUpdateResult,
        Order,
        Product,
        SkuInventory,
    )


class ShopPort(Protocol):
    """One merchant's TikTok Shops behind one object (the shop is found from the product)."""

    async def authorized_shops(self) -> list[AuthorizedShop]: ...

    async def get_product(self, product_id: str, *, shop_id: str | None = None) -> Product: ...

    async def update_inventory(self, product_id: str, skus: Sequence[SkuInventory | Mapping[str, Any]], *,
                               shop_id: str | None = None) -> InventoryUpdateResult: ...

    def search_orders(self, *, since: datetime, until: datetime | None = None, status: str | None = None,
                      shop_id: str | None = None) -> AsyncIterator[Order]: ...


class GmvMaxPort(Protocol):
    """The GMV Max side of an ad account."""

    async def stores(self, advertiser_id: str) -> list[GmvMaxStore]: ...

    async def authorization(self, advertiser_id: str, store_id: str,
                            store_authorized_bc_id: str) -> ExclusiveAuthorization: ...

    async def products(self, advertiser_id: str, store_id: str, store_authorized_bc_id: str) -> list[GmvMaxProduct]: ...

    async def recommend(self, advertiser_id: str, store_id: str,
                        item_group_ids: Sequence[str]) -> BidRecommendation: ...

    async def campaigns(self, advertiser_id: str, *, store_ids: Sequence[str] | None = None,
                        campaign_ids: Sequence[str] | None = None) -> list[GmvMaxCampaign]: ...

    async def campaign(self, advertiser_id: str, campaign_id: str) -> GmvMaxCampaign: ...

    async def launch(self, advertiser_id: str, spec: LaunchGmvMax, *,
                     idempotency_key: str | None = None) -> GmvMaxCampaign: ...

    async def update_budget(self, advertiser_id: str, campaign_id: str, budget: Decimal) -> None: ...

    async def update_roi_target(self, advertiser_id: str, campaign_id: str, update: RoiTargetUpdate) -> None: ...

    async def report(self, advertiser_id: str, store_id: str, *, days: int,
                     per_product: bool = False) -> GmvMaxReport: ...


class AdsPort(Protocol):
    """One merchant's TikTok Ads connection (manual campaigns, ad groups and GMV Max)."""

    @property
    def gmv_max(self) -> GmvMaxPort: ...

    async def advertiser_info(self, advertiser_ids: Sequence[str]) -> list[AdvertiserInfo]: ...

    async def today(self, advertiser_id: str) -> date: ...

    async def list_campaigns(self, advertiser_id: str, *, campaign_ids: Sequence[str] | None = None,
                             name_contains: str | None = None) -> list[Campaign]: ...

    async def list_adgroups(self, advertiser_id: str, campaign_id: str | None = None, *,
                            campaign_ids: Sequence[str] | None = None, adgroup_ids: Sequence[str] | None = None,
                            name_contains: str | None = None) -> list[AdGroup]: ...

    async def report(self, advertiser_id: str, level: ObjectTypeLiteral, start_date: date | None = None,
                     end_date: date | None = None, *, days: int | None = None) -> PerformanceReport: ...

    async def create_campaign(self, advertiser_id: str, spec: CreateCampaign | None = None, *,
                              idempotency_key: str | None = None, **fields: Any) -> Campaign: ...

    async def update_budget(self, advertiser_id: str, object_type: ControlledObjectLiteral, object_id: str,
                            update: BudgetUpdate | None = None, **fields: Any) -> BudgetChange: ...

    async def set_status(self, advertiser_id: str, object_type: ControlledObjectLiteral, object_ids: Sequence[str],
                         status: OperationStatus) -> StatusChange: ...


class CreativePort(Protocol):
    """TikTok's public creative sources (no merchant auth)."""

    async def ad_library(self, search_term: str, *, country: str | None = ..., max_count: int = 10
                         ) -> AdLibraryResult: ...

    async def trends(self, kind: TrendKind, *, country: str | None = ..., limit: int = 20) -> TrendsResult: ...
