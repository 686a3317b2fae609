"""GMV Max for TikTok Shop products: stores, authorization, eligible SPUs, launch, update, reports.

    gmv = client.gmv_max                      # an AdsClient's GMV Max side, same transport
    stores = await gmv.stores(advertiser_id)
    rec = await gmv.recommend(advertiser_id, store_id, item_group_ids)
    campaign = await gmv.launch(advertiser_id, LaunchGmvMax(...), idempotency_key=key)

A launch cannot be created paused (`gmv_max_facts.CAN_CREATE_PAUSED`), so the tool layer only
calls `launch` after a reviewer approved it. Budget and pause/enable go through `AdsClient`
with object_type "gmv_max_campaign", so the budget ledger and limits treat them like campaigns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from shopwarden.errors import InvalidRequest, NotFound
from shopwarden.platforms.ads import gmv_max_facts as facts
from shopwarden.platforms.ads._errors import PLATFORM, malformed
from shopwarden.platforms.ads._errors import parsed as _parsed
from shopwarden.platforms.ads._markers import CreateIdentity
from shopwarden.platforms.ads._proxy import Query
from shopwarden.platforms.ads._retry import with_retry
from shopwarden.platforms.ads.gmv_max_models import (
    REPORT_METRICS,
    BidRecommendation,
    ExclusiveAuthorization,
    GmvMaxCampaign,
    GmvMaxProduct,
    GmvMaxReport,
    GmvMaxReportRow,
    GmvMaxStore,
    LaunchGmvMax,
    RoiTargetUpdate,
)
from shopwarden.platforms.ads.models import Money

if TYPE_CHECKING:
    from shopwarden.platforms.ads.client import AdsClient  # the client builds this API on itself

PROMOTION_TYPE = "PRODUCT_GMV_MAX"  # the list endpoint's spelling; create and report say PRODUCT
SHOPPING_ADS_TYPE = "PRODUCT"
OPTIMIZATION_GOAL = "VALUE"
DEEP_BID_TYPE = "VO_MIN_ROAS"


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def _refuse(endpoint: str, message: str) -> InvalidRequest:
    return InvalidRequest(message, platform=PLATFORM, endpoint=endpoint)


def _list_of(endpoint: str, data: Any, key: str) -> list[dict[str, Any]]:
    rows = data.get(key) if isinstance(data, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise malformed(endpoint, f"`data.{key}` is missing or not a list of objects")
    return rows


def launch_body(advertiser_id: str, spec: LaunchGmvMax, identity: CreateIdentity, start: datetime) -> dict[str, Any]:
    """The exact `campaign/gmv_max/create/` body (no operation_status: the endpoint has none)."""
    return {
        "advertiser_id": advertiser_id, "request_id": identity.request_id,
        "campaign_name": identity.name(spec.campaign_name),
        "store_id": spec.store_id, "store_authorized_bc_id": spec.store_authorized_bc_id,
        "shopping_ads_type": SHOPPING_ADS_TYPE, "optimization_goal": OPTIMIZATION_GOAL,
        "deep_bid_type": DEEP_BID_TYPE, "roas_bid": _number(spec.roas_bid), "budget": _number(spec.budget),
        "schedule_type": "SCHEDULE_FROM_NOW",
        "schedule_start_time": start.astimezone(UTC).strftime(facts.SCHEDULE_TIME_FORMAT),
        "product_specific_type": "CUSTOMIZED_PRODUCTS", "item_group_ids": list(spec.item_group_ids),
    }


class GmvMaxApi:
    """The GMV Max endpoints of one `AdsClient` (its transport, retry, auth hook and clock)."""

    def __init__(self, client: AdsClient) -> None:
        self._client = client

    async def _pages(self, endpoint: str, query: Query, key: str = "list") -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for page in range(1, 201):
            data = await self._client._read(endpoint, {**query, "page": page, "page_size": facts.MAX_LIST_PAGE_SIZE})
            chunk = _list_of(endpoint, data, key)
            rows.extend(chunk)
            info = data.get("page_info") if isinstance(data, dict) else None
            total = info.get("total_page") if isinstance(info, dict) else None
            if not isinstance(total, int):
                raise malformed(endpoint, "`data.page_info.total_page` is missing")
            if not chunk or page >= total:
                return rows
        raise malformed(endpoint, "page_info still reports more pages after 200 pages")

    # --- discovery -------------------------------------------------------------------------

    async def stores(self, advertiser_id: str) -> list[GmvMaxStore]:
        """The shops this ad account may promote with GMV Max."""
        endpoint = "gmv_max/store/list/"
        data = await self._client._read(endpoint, {"advertiser_id": advertiser_id})
        rows = _list_of(endpoint, data, "store_list")
        return _parsed(endpoint, lambda: [GmvMaxStore.model_validate(r) for r in rows])

    async def authorization(self, advertiser_id: str, store_id: str,
                            store_authorized_bc_id: str) -> ExclusiveAuthorization:
        """Whether this ad account holds the shop's exclusive GMV Max authorization."""
        endpoint = "gmv_max/exclusive_authorization/get/"
        data = await self._client._read(endpoint, {"advertiser_id": advertiser_id, "store_id": store_id,
                                                    "store_authorized_bc_id": store_authorized_bc_id})
        return _parsed(endpoint, lambda: ExclusiveAuthorization.model_validate({"store_id": store_id, **data}))

    async def products(self, advertiser_id: str, store_id: str, store_authorized_bc_id: str) -> list[GmvMaxProduct]:
        """The shop's SPUs eligible for GMV Max (all pages); `launchable` ones are free to promote."""
        endpoint = "store/product/get/"
        rows = await self._pages(endpoint, {
            "advertiser_id": advertiser_id, "store_id": store_id, "store_authorized_bc_id": store_authorized_bc_id,
            "filtering": {"ad_creation_eligible": "GMV_MAX"},
        }, key="store_products")
        return _parsed(endpoint, lambda: [GmvMaxProduct.model_validate(r) for r in rows])

    async def recommend(self, advertiser_id: str, store_id: str, item_group_ids: Sequence[str]) -> BidRecommendation:
        """TikTok's recommended ROI target (roas_bid) and daily budget for these SPUs."""
        endpoint = "gmv_max/bid/recommend/"
        data = await self._client._read(endpoint, {
            "advertiser_id": advertiser_id, "store_id": store_id, "shopping_ads_type": SHOPPING_ADS_TYPE,
            "optimization_goal": OPTIMIZATION_GOAL, "item_group_ids": [str(i) for i in item_group_ids],
        })
        return _parsed(endpoint, lambda: BidRecommendation.model_validate(data))

    # --- campaigns ---------------------------------------------------------------------------

    async def campaigns(self, advertiser_id: str, *, store_ids: Sequence[str] | None = None,
                        campaign_ids: Sequence[str] | None = None) -> list[GmvMaxCampaign]:
        """Product GMV Max campaigns of the ad account (all pages)."""
        endpoint = "gmv_max/campaign/get/"
        if store_ids and len(store_ids) > facts.MAX_STORE_IDS_PER_LIST:
            raise _refuse(endpoint, f"give at most {facts.MAX_STORE_IDS_PER_LIST} store ids")
        if campaign_ids and len(campaign_ids) > facts.MAX_CAMPAIGN_IDS_PER_LIST:
            raise _refuse(endpoint, f"give at most {facts.MAX_CAMPAIGN_IDS_PER_LIST} campaign ids")
        filtering: dict[str, Any] = {"gmv_max_promotion_types": [PROMOTION_TYPE]}
        if store_ids:
            filtering["store_ids"] = [str(s) for s in store_ids]
        if campaign_ids:
            filtering["campaign_ids"] = [str(c) for c in campaign_ids]
        rows = await self._pages(endpoint, {"advertiser_id": advertiser_id, "filtering": filtering})
        return _parsed(endpoint, lambda: [GmvMaxCampaign.model_validate(r) for r in rows])

    async def campaign(self, advertiser_id: str, campaign_id: str) -> GmvMaxCampaign:
        """One campaign's settings: budget, ROI target, status, products."""
        endpoint = "campaign/gmv_max/info/"
        data = await self._client._read(endpoint, {"advertiser_id": advertiser_id, "campaign_id": campaign_id})
        if not isinstance(data, dict) or not data:
            raise NotFound(f"GMV Max campaign {campaign_id} does not exist in ad account {advertiser_id}")
        return _parsed(endpoint, lambda: GmvMaxCampaign.model_validate(data))

    async def launch(self, advertiser_id: str, spec: LaunchGmvMax, *, idempotency_key: str | None = None
                     ) -> GmvMaxCampaign:
        """Create the campaign (it may deliver at once); never replayed blindly after an unknown outcome."""
        endpoint = "campaign/gmv_max/create/"
        profile = await self._client.profile(advertiser_id)
        _check_minima(endpoint, profile.currency, budget=spec.budget, roas_bid=spec.roas_bid)
        identity = CreateIdentity.new(idempotency_key)
        body = launch_body(advertiser_id, spec, identity, self._client._clock())

        async def find() -> GmvMaxCampaign | None:
            found = await self.campaigns(advertiser_id, store_ids=[spec.store_id])
            return next((c for c in found if identity.marks(c.campaign_name)), None)

        data = await self._client._create(endpoint, body, find)
        if isinstance(data, GmvMaxCampaign):
            return data
        fields = {k: body[k] for k in ("advertiser_id", "campaign_name", "store_id", "shopping_ads_type",
                                       "budget", "roas_bid", "item_group_ids")}
        return _parsed(endpoint, lambda: GmvMaxCampaign.model_validate({**fields, **data}))

    async def update_budget(self, advertiser_id: str, campaign_id: str, budget: Decimal) -> None:
        """Set the daily budget (absolute, safe to repeat); only the budget is sent."""
        endpoint = "campaign/gmv_max/update/"
        profile = await self._client.profile(advertiser_id)
        _check_minima(endpoint, profile.currency, budget=budget)
        body = {"advertiser_id": advertiser_id, "campaign_id": campaign_id, "budget": _number(budget)}
        await with_retry(lambda: self._client._call("POST", endpoint, body=body), self._client._backoff)

    async def update_roi_target(self, advertiser_id: str, campaign_id: str, update: RoiTargetUpdate) -> None:
        """Set the ROI target (roas_bid); voids TikTok's ROI protection for the day."""
        endpoint = "campaign/gmv_max/update/"
        _check_minima(endpoint, "", roas_bid=update.roas_bid)
        body = {"advertiser_id": advertiser_id, "campaign_id": campaign_id, "roas_bid": _number(update.roas_bid)}
        await with_retry(lambda: self._client._call("POST", endpoint, body=body), self._client._backoff)

    # --- reports -----------------------------------------------------------------------------

    async def report(self, advertiser_id: str, store_id: str, *, days: int, per_product: bool = False) -> GmvMaxReport:
        """Daily cost, orders, gross revenue and ROI per campaign (and per SPU), the `days` ending today."""
        end = await self._client.today(advertiser_id)
        start = end - timedelta(days=days - 1)
        rows: list[GmvMaxReportRow] = []
        window = start
        while window <= end:
            window_end = min(end, window + timedelta(days=facts.MAX_REPORT_DAYS_DAILY - 1))
            rows.extend(await self._report_window(advertiser_id, store_id, window, window_end, per_product))
            window = window_end + timedelta(days=1)
        return GmvMaxReport(advertiser_id=advertiser_id, store_id=store_id, start_date=start, end_date=end, rows=rows)

    async def _report_window(self, advertiser_id: str, store_id: str, start: date, end: date,
                             per_product: bool) -> list[GmvMaxReportRow]:
        endpoint = "gmv_max/report/get/"
        dimensions = ["campaign_id", *(["item_group_id"] if per_product else []), "stat_time_day"]
        raw = await self._pages(endpoint, {
            "advertiser_id": advertiser_id, "store_ids": [store_id], "start_date": start.isoformat(),
            "end_date": end.isoformat(), "metrics": REPORT_METRICS, "dimensions": dimensions,
        })
        return _parsed(endpoint, lambda: [GmvMaxReportRow.from_api(r) for r in raw])


def _check_minima(endpoint: str, currency: str, *, budget: Money | None = None, roas_bid: Decimal | None = None
                  ) -> None:
    """Refuse before sending when a known platform minimum would refuse (none is documented today)."""
    minimum = facts.min_daily_budget(currency) if budget is not None and currency else None
    if minimum is not None and budget is not None and budget < minimum:
        raise _refuse(endpoint, f"a GMV Max daily budget must be at least {minimum} {currency}, not {budget}")
    if facts.MIN_ROAS_BID is not None and roas_bid is not None and roas_bid < facts.MIN_ROAS_BID:
        raise _refuse(endpoint, f"a GMV Max ROI target must be at least {facts.MIN_ROAS_BID}, not {roas_bid}")
