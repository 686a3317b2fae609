"""GMV Max on the simulated Business API: stores, exclusive authorization, SPUs, campaigns, reports.

Follows `platforms.ads.gmv_max_facts` for what the references leave open (a create has no
operation_status and starts delivering; budget required), and refuses what TikTok refuses:
missing required create fields, a shop this account is not authorized for, occupied or
unavailable SPUs, fields update cannot change, over-long ranges and bad dimensions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.platforms.ads import gmv_max_facts as facts
from shopwarden.platforms.simulator.ads_common import NO_PERMISSION, NOT_FOUND, PARAM_ERROR, page_of, stamp
from shopwarden.platforms.simulator.context import SimContext, parse_model
from shopwarden.platforms.simulator.wire import Refusal
from shopwarden.platforms.simulator.world import Advertiser, GmvMaxCampaign, Shop

AdvertiserOf = Callable[[SimContext, Any], Advertiser]
_SCHEDULE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
LIST_PROMOTION_TYPES = {"PRODUCT_GMV_MAX", "LIVE_GMV_MAX"}
REPORT_METRICS = {"cost", "net_cost", "orders", "cost_per_order", "gross_revenue", "roi", "roas_bid",
                  "product_impressions", "product_clicks"}
REPORT_DIMENSIONS = {"campaign_id", "stat_time_day", "item_group_id"}
RECOMMENDED_ROAS = Decimal("3.00")
RECOMMENDED_BUDGET = {"JPY": Decimal("5000")}
DEFAULT_RECOMMENDED_BUDGET = Decimal("50.00")
UNCHANGEABLE = ("store_id", "shopping_ads_type", "schedule_start_time", "store_authorized_bc_id")


def bc_id_of(shop: Shop) -> str:
    """The business center the simulated shop authorized for ads."""
    return f"bc-{shop.id}"


def _store(ctx: SimContext, advertiser: Advertiser, store_id: Any) -> Shop:
    merchant = ctx.world.merchants.get(advertiser.merchant_id)
    if merchant is None or str(store_id) not in merchant.shop_ids:
        raise Refusal(NO_PERMISSION, f"No permission to operate store {store_id}")
    return ctx.world.shops[str(store_id)]


def _authorized(ctx: SimContext, advertiser: Advertiser, shop: Shop) -> None:
    holder = ctx.world.gmv_max_holder(shop.id)
    if holder != advertiser.id:
        raise Refusal(PARAM_ERROR, f"Ad account {advertiser.id} does not hold the exclusive GMV Max "
                                   f"authorization of store {shop.id}")


def _occupied(advertiser_list: list[Advertiser], item_group_id: str) -> bool:
    return any(item_group_id in c.item_group_ids and c.operation_status != "DELETE"
               for a in advertiser_list for c in a.gmv_max_campaigns.values())


def campaign_json(c: GmvMaxCampaign) -> dict[str, Any]:
    return {
        "advertiser_id": c.advertiser_id, "campaign_id": c.id, "campaign_name": c.name, "store_id": c.store_id,
        "objective_type": "PRODUCT_SALES", "shopping_ads_type": "PRODUCT", "budget": float(c.budget),
        "roas_bid": float(c.roas_bid), "operation_status": c.operation_status,
        "item_group_ids": list(c.item_group_ids), "schedule_type": "SCHEDULE_FROM_NOW",
        "schedule_start_time": c.schedule_start_time, "create_time": stamp(c.create_time),
        "modify_time": stamp(c.modify_time),
    }


def _stores(ctx: SimContext, advertiser: Advertiser, _params: dict[str, Any]) -> dict[str, Any]:
    merchant = ctx.world.merchants[advertiser.merchant_id]
    rows = []
    for shop_id in merchant.shop_ids:
        shop = ctx.world.shops[shop_id]
        rows.append({"store_id": shop.id, "store_name": shop.name, "is_gmv_max_available": True,
                     "store_authorized_bc_id": bc_id_of(shop),
                     "exclusive_authorized_advertiser_id": ctx.world.gmv_max_holder(shop.id)})
    return {"store_list": rows}


def _authorization_get(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    shop = _store(ctx, advertiser, params.get("store_id"))
    holder = ctx.world.gmv_max_holder(shop.id)
    status = "EFFECTIVE" if holder == advertiser.id else "UNAUTHORIZED"
    return {"authorization_status": status, "advertiser_id": holder}


def _authorization_create(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    shop = _store(ctx, advertiser, params.get("store_id"))
    holder = ctx.world.gmv_max_holder(shop.id)
    if holder not in (None, advertiser.id):
        raise Refusal(PARAM_ERROR, f"Store {shop.id} is already exclusively authorized to ad account {holder}")
    ctx.world.gmv_max_authorization[shop.id] = advertiser.id
    return {"authorization_status": "EFFECTIVE", "advertiser_id": advertiser.id}


def _products(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    shop = _store(ctx, advertiser, params.get("store_id"))
    everyone = list(ctx.world.advertisers.values())
    rows = [{"item_group_id": p.id, "title": p.title,
             "status": "AVAILABLE" if p.status == "ACTIVATE" else "NOT_AVAILABLE",
             "gmv_max_ads_status": "OCCUPIED" if _occupied(everyone, p.id) else "UNOCCUPIED",
             "ad_creation_eligible": "GMV_MAX"}
            for p in (shop.products[pid] for pid in shop.product_order)]
    _check_page_size(params)
    chunk, info = page_of(rows, params)
    return {"store_products": chunk, "page_info": info}


def _recommend(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    _store(ctx, advertiser, params.get("store_id"))
    budget = RECOMMENDED_BUDGET.get(advertiser.currency, DEFAULT_RECOMMENDED_BUDGET)
    return {"roas_bid": str(RECOMMENDED_ROAS), "budget": str(budget)}


class _Create(BaseModel):
    model_config = ConfigDict(extra="ignore")
    campaign_name: str = Field(min_length=1, max_length=512)
    store_id: str
    store_authorized_bc_id: str
    request_id: str = Field(pattern=r"^\d{1,19}$")
    shopping_ads_type: Literal["PRODUCT", "LIVE"]
    optimization_goal: Literal["VALUE"]
    deep_bid_type: Literal["VO_MIN_ROAS"]
    schedule_type: Literal["SCHEDULE_FROM_NOW", "SCHEDULE_START_END"]
    schedule_start_time: str
    schedule_end_time: str | None = None
    roas_bid: Decimal | None = Field(default=None, gt=0)
    budget: Decimal | None = Field(default=None, gt=0)
    product_specific_type: Literal["ALL", "CUSTOMIZED_PRODUCTS"] = "ALL"
    item_group_ids: list[str] = Field(default_factory=list, max_length=facts.MAX_ITEM_GROUP_IDS)
    identity_list: list[dict[str, Any]] = Field(default_factory=list)


def _create(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    spec = parse_model(_Create, params, PARAM_ERROR)
    key = f"gmv_max:{spec.request_id}"
    if existing := advertiser.created_by_request_id.get(key):
        return campaign_json(advertiser.gmv_max_campaigns[existing])
    shop = _store(ctx, advertiser, spec.store_id)
    if spec.store_authorized_bc_id != bc_id_of(shop):
        raise Refusal(PARAM_ERROR, f"store_authorized_bc_id {spec.store_authorized_bc_id} is not the business "
                                   f"center store {shop.id} authorized")
    _authorized(ctx, advertiser, shop)
    if spec.shopping_ads_type == "LIVE" and len(spec.identity_list) != 1:
        raise Refusal(PARAM_ERROR, "identity_list: LIVE GMV Max needs exactly one identity")
    if not _SCHEDULE.match(spec.schedule_start_time):
        raise Refusal(PARAM_ERROR, "schedule_start_time: expected YYYY-MM-DD HH:MM:SS (UTC)")
    if spec.schedule_type == "SCHEDULE_START_END" and spec.schedule_end_time is None:
        raise Refusal(PARAM_ERROR, "schedule_end_time: required with SCHEDULE_START_END")
    if facts.BUDGET_REQUIRED_ON_CREATE and spec.budget is None:
        raise Refusal(PARAM_ERROR, "budget: field required")
    items = _items(ctx, shop, spec.product_specific_type, spec.item_group_ids)
    now = ctx.clock.now()
    campaign = GmvMaxCampaign(
        id=ctx.ids.numeric(), advertiser_id=advertiser.id, store_id=shop.id, name=spec.campaign_name,
        budget=spec.budget or Decimal(0), roas_bid=spec.roas_bid or RECOMMENDED_ROAS,
        operation_status="ENABLE" if facts.STARTS_DELIVERING_ON_CREATE else "DISABLE",
        item_group_ids=items, schedule_start_time=spec.schedule_start_time, create_time=now, modify_time=now,
        schedule_end_time=spec.schedule_end_time,
    )
    advertiser.gmv_max_campaigns[campaign.id] = campaign
    advertiser.created_by_request_id[key] = campaign.id
    return {"campaign_id": campaign.id, "campaign_name": campaign.name}


def _items(ctx: SimContext, shop: Shop, kind: str, wanted: list[str]) -> list[str]:
    if kind == "ALL":
        wanted = list(shop.product_order)
    elif not wanted:
        raise Refusal(PARAM_ERROR, "item_group_ids: required with CUSTOMIZED_PRODUCTS")
    everyone = list(ctx.world.advertisers.values())
    for item in wanted:
        product = shop.products.get(item)
        if product is None:
            raise Refusal(PARAM_ERROR, f"item_group_ids: SPU {item} is not in store {shop.id}")
        if product.status != "ACTIVATE":
            raise Refusal(PARAM_ERROR, f"item_group_ids: SPU {item} is not available")
        if _occupied(everyone, item):
            raise Refusal(PARAM_ERROR, f"item_group_ids: SPU {item} is already promoted by a GMV Max campaign")
    return list(dict.fromkeys(wanted))


def _live(advertiser: Advertiser, campaign_id: Any) -> GmvMaxCampaign:
    campaign = advertiser.gmv_max_campaigns.get(str(campaign_id))
    if campaign is None or campaign.operation_status == "DELETE":
        raise Refusal(NOT_FOUND, f"GMV Max campaign {campaign_id} does not exist")
    return campaign


class _Update(BaseModel):
    model_config = ConfigDict(extra="ignore")
    campaign_name: str | None = Field(default=None, min_length=1, max_length=512)
    budget: Decimal | None = Field(default=None, gt=0)
    roas_bid: Decimal | None = Field(default=None, gt=0)
    item_group_ids: list[str] | None = Field(default=None, max_length=facts.MAX_ITEM_GROUP_IDS)
    schedule_end_time: str | None = None


def _update(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    campaign = _live(advertiser, params.get("campaign_id"))
    fixed = next((f for f in UNCHANGEABLE if f in params), None)
    if fixed is not None:
        raise Refusal(PARAM_ERROR, f"{fixed} cannot be changed after a GMV Max campaign is created")
    spec = parse_model(_Update, params, PARAM_ERROR)
    if spec.budget is not None:
        campaign.budget = spec.budget
    if spec.roas_bid is not None:
        campaign.roas_bid = spec.roas_bid
    if spec.campaign_name is not None:
        campaign.name = spec.campaign_name
    if spec.item_group_ids is not None:
        campaign.item_group_ids = spec.item_group_ids
    if spec.schedule_end_time is not None:
        campaign.schedule_end_time = spec.schedule_end_time
    campaign.modify_time = ctx.clock.now()
    return {"campaign_id": campaign.id}


def _info(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    return campaign_json(_live(advertiser, params.get("campaign_id")))


class _ListFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")
    gmv_max_promotion_types: list[str] = Field(min_length=1)
    store_ids: list[str] | None = Field(default=None, max_length=facts.MAX_STORE_IDS_PER_LIST)
    campaign_ids: list[str] | None = Field(default=None, max_length=facts.MAX_CAMPAIGN_IDS_PER_LIST)


def _check_page_size(params: dict[str, Any]) -> None:
    size = params.get("page_size", 10)
    if not str(size).isdigit() or not 1 <= int(size) <= facts.MAX_LIST_PAGE_SIZE:
        raise Refusal(PARAM_ERROR, f"page_size: must be between 1 and {facts.MAX_LIST_PAGE_SIZE}")


def _list(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    f = parse_model(_ListFilter, params.get("filtering"), PARAM_ERROR, prefix="filtering: ")
    bad = next((t for t in f.gmv_max_promotion_types if t not in LIST_PROMOTION_TYPES), None)
    if bad is not None:
        raise Refusal(PARAM_ERROR, f"filtering.gmv_max_promotion_types: {bad!r} is not one of "
                                   f"{', '.join(sorted(LIST_PROMOTION_TYPES))}")
    _check_page_size(params)
    items = [c for c in advertiser.gmv_max_campaigns.values()
             if c.operation_status != "DELETE" and "PRODUCT_GMV_MAX" in f.gmv_max_promotion_types
             and (f.store_ids is None or c.store_id in f.store_ids)
             and (f.campaign_ids is None or c.id in f.campaign_ids)]
    chunk, info = page_of(items, params)
    return {"list": [campaign_json(c) for c in chunk], "page_info": info}


class _ReportQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    store_ids: list[str] = Field(min_length=1, max_length=1)
    start_date: date
    end_date: date
    metrics: list[str] = Field(min_length=1, max_length=100)
    dimensions: list[str] = Field(min_length=1, max_length=3)


def _report(ctx: SimContext, advertiser: Advertiser, params: dict[str, Any]) -> dict[str, Any]:
    query = parse_model(_ReportQuery, params, PARAM_ERROR)
    _store(ctx, advertiser, query.store_ids[0])
    if bad := next((m for m in query.metrics if m not in REPORT_METRICS), None):
        raise Refusal(PARAM_ERROR, f"metrics: unknown metric {bad!r}")
    if bad := next((d for d in query.dimensions if d not in REPORT_DIMENSIONS), None):
        raise Refusal(PARAM_ERROR, f"dimensions: unknown dimension {bad!r}")
    if all(d == "stat_time_day" for d in query.dimensions):
        raise Refusal(PARAM_ERROR, "dimensions: at least one non-time dimension is required")
    days = (query.end_date - query.start_date).days + 1
    limit = facts.MAX_REPORT_DAYS_DAILY if "stat_time_day" in query.dimensions else facts.MAX_REPORT_DAYS_TOTAL
    if days < 1 or days > limit:
        raise Refusal(PARAM_ERROR, f"The date range may be 1 to {limit} days with these dimensions")
    groups: dict[tuple[str, ...], list[Any]] = {}
    for stat in advertiser.gmv_max_stats:
        if stat.store_id == query.store_ids[0] and query.start_date <= stat.day <= query.end_date:
            key = tuple(f"{stat.day.isoformat()} 00:00:00" if d == "stat_time_day" else str(getattr(stat, d))
                        for d in query.dimensions)
            groups.setdefault(key, []).append(stat)
    rows = [{"dimensions": dict(zip(query.dimensions, key, strict=True)),
             "metrics": {m: _metric(m, stats, advertiser) for m in query.metrics}}
            for key, stats in sorted(groups.items())]
    chunk, info = page_of(rows, params)
    return {"list": chunk, "page_info": info}


def _metric(name: str, stats: list[Any], advertiser: Advertiser) -> str:
    cost = sum((s.cost for s in stats), Decimal(0))
    revenue = sum((s.gross_revenue for s in stats), Decimal(0))
    orders = sum(s.orders for s in stats)
    two = Decimal("0.01")
    values = {
        "cost": cost, "net_cost": cost, "gross_revenue": revenue, "orders": Decimal(orders),
        "cost_per_order": cost / orders if orders else Decimal(0),
        "roi": revenue / cost if cost else Decimal(0),
        "roas_bid": advertiser.gmv_max_campaigns[stats[0].campaign_id].roas_bid,
        "product_impressions": Decimal(sum(s.impressions for s in stats)),
        "product_clicks": Decimal(sum(s.clicks for s in stats)),
    }
    value = values[name]
    return str(int(value)) if name in ("orders", "product_impressions", "product_clicks") else str(value.quantize(two))


GMV_MAX_ROUTES: dict[tuple[str, str], Callable[[SimContext, Advertiser, dict[str, Any]], Any]] = {
    ("GET", "gmv_max/store/list/"): _stores,
    ("GET", "gmv_max/exclusive_authorization/get/"): _authorization_get,
    ("POST", "gmv_max/exclusive_authorization/create/"): _authorization_create,
    ("GET", "store/product/get/"): _products,
    ("GET", "gmv_max/bid/recommend/"): _recommend,
    ("POST", "campaign/gmv_max/create/"): _create,
    ("POST", "campaign/gmv_max/update/"): _update,
    ("GET", "campaign/gmv_max/info/"): _info,
    ("GET", "gmv_max/campaign/get/"): _list,
    ("GET", "gmv_max/report/get/"): _report,
}
