"""GMV Max tools: which shops and products can be promoted, launch (through a reviewer), ROI target, reports.

Budget, pause and enable of a GMV Max campaign are the ads tools with object_type
"gmv_max_campaign", so the budget ledger, the daily limits and the enable rule cover them as they
cover every campaign.
"""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import Session

from shopwarden.db.engine import session_scope
from shopwarden.errors import NotFound
from shopwarden.platforms.ads import gmv_max_facts
from shopwarden.platforms.ads.gmv_max_models import LaunchGmvMax, RoiTargetUpdate
from shopwarden.tools import budget_ledger
from shopwarden.tools.base import AppliedChange, State, Tool, ToolContext
from shopwarden.tools.inputs import (
    AdvertiserArgs,
    GmvMaxRecommendArgs,
    GmvMaxReportArgs,
    GmvMaxStoreArgs,
    GmvMaxStoresArgs,
    LaunchGmvMaxArgs,
    ListGmvMaxCampaignsArgs,
    UpdateRoiTargetArgs,
)
from shopwarden.tools.observe import advertiser_owner, advertiser_profile, plain


def _owner(connection: Connection, args: AdvertiserArgs) -> str | None:
    return advertiser_owner(connection, args.advertiser_id)


async def _store(ctx: ToolContext, advertiser_id: str, store_id: str) -> dict[str, Any]:
    stores = plain(await ctx.ads().gmv_max.stores(advertiser_id))
    store = next((s for s in stores if str(s["store_id"]) == store_id), None)
    if store is None:
        raise NotFound(f"shop {store_id} is not one ad account {advertiser_id} may promote with GMV Max")
    return store


# --- reads -------------------------------------------------------------------------------------


async def _stores(ctx: ToolContext, args: GmvMaxStoresArgs, _key: str) -> Any:
    gmv = ctx.ads().gmv_max
    stores = await gmv.stores(args.advertiser_id)
    authorizations = await asyncio.gather(*(
        gmv.authorization(args.advertiser_id, s.store_id, s.store_authorized_bc_id)
        for s in stores if s.store_authorized_bc_id))
    status = {a.store_id: a.authorization_status for a in authorizations}
    return [{**plain(s), "authorization_status": status.get(s.store_id, "UNAUTHORIZED")} for s in stores]


async def _products(ctx: ToolContext, args: GmvMaxStoreArgs, _key: str) -> Any:
    store = await _store(ctx, args.advertiser_id, args.store_id)
    products = await ctx.ads().gmv_max.products(args.advertiser_id, args.store_id, store["store_authorized_bc_id"])
    return [{**plain(p), "launchable": p.launchable} for p in products]


async def _recommend(ctx: ToolContext, args: GmvMaxRecommendArgs, _key: str) -> Any:
    return plain(await ctx.ads().gmv_max.recommend(args.advertiser_id, args.store_id, args.item_group_ids))


async def _campaigns(ctx: ToolContext, args: ListGmvMaxCampaignsArgs, _key: str) -> Any:
    stores = [args.store_id] if args.store_id else None
    return plain(await ctx.ads().gmv_max.campaigns(args.advertiser_id, store_ids=stores))


async def _report(ctx: ToolContext, args: GmvMaxReportArgs, _key: str) -> Any:
    report = await ctx.ads().gmv_max.report(args.advertiser_id, args.store_id, days=args.days,
                                            per_product=args.per_product)
    # The daily rows let an agent tell a campaign still learning (few days of spend) and whether
    # yesterday's spend reached the budget (the budget binds) or stopped short (the ROI target does).
    return {"start_date": report.start_date.isoformat(), "end_date": report.end_date.isoformat(),
            "totals": plain(report.totals()),
            "days": [{"campaign_id": r.campaign_id, "item_group_id": r.item_group_id,
                      "stat_date": r.stat_date.isoformat(), "cost": r.cost, "orders": r.orders,
                      "gross_revenue": r.gross_revenue} for r in report.rows]}


# --- launch ------------------------------------------------------------------------------------


async def _launch_state(ctx: ToolContext, args: LaunchGmvMaxArgs) -> State:
    gmv = ctx.ads().gmv_max
    profile, store = await asyncio.gather(advertiser_profile(ctx, args.advertiser_id),
                                          _store(ctx, args.advertiser_id, args.store_id))
    bc_id = store.get("store_authorized_bc_id") or ""
    authorization, products = await asyncio.gather(
        gmv.authorization(args.advertiser_id, args.store_id, bc_id),
        gmv.products(args.advertiser_id, args.store_id, bc_id))
    launchable = {p.item_group_id for p in products if p.launchable}
    return {
        "currency": profile["currency"],
        "store_available": bool(store.get("is_gmv_max_available")),
        "authorization_status": authorization.authorization_status,
        "unlaunchable_item_group_ids": [i for i in args.item_group_ids if i not in launchable],
        "starts_delivering_on_create": gmv_max_facts.STARTS_DELIVERING_ON_CREATE,
    }


def _launch_request(args: LaunchGmvMaxArgs) -> dict[str, Any]:
    """What the create will carry (request_id, name marker and start time are added when it is sent)."""
    return {
        "advertiser_id": args.advertiser_id, "store_id": args.store_id, "campaign_name": args.campaign_name,
        "shopping_ads_type": "PRODUCT", "optimization_goal": "VALUE", "deep_bid_type": "VO_MIN_ROAS",
        "budget": str(args.budget), "roas_bid": str(args.roas_bid), "schedule_type": "SCHEDULE_FROM_NOW",
        "product_specific_type": "CUSTOMIZED_PRODUCTS", "item_group_ids": list(args.item_group_ids),
    }


async def _launch(ctx: ToolContext, args: LaunchGmvMaxArgs, key: str) -> Any:
    store = await _store(ctx, args.advertiser_id, args.store_id)
    spec = LaunchGmvMax(store_id=args.store_id, store_authorized_bc_id=store["store_authorized_bc_id"],
                        campaign_name=args.campaign_name, item_group_ids=list(args.item_group_ids),
                        budget=args.budget, roas_bid=args.roas_bid)
    return plain(await ctx.ads().gmv_max.launch(args.advertiser_id, spec, idempotency_key=key))


async def _launched(ctx: ToolContext, args: LaunchGmvMaxArgs, _key: str) -> bool | None:
    rows = await ctx.ads().gmv_max.campaigns(args.advertiser_id, store_ids=[args.store_id])
    return any(c.campaign_name.startswith(args.campaign_name) for c in rows)


# --- ROI target --------------------------------------------------------------------------------


def _roi_ref(merchant_id: str, args: UpdateRoiTargetArgs) -> budget_ledger.ObjectRef:
    return budget_ledger.ObjectRef(merchant_id, args.advertiser_id, budget_ledger.ROI_TARGET, args.campaign_id)


async def _roi_state(ctx: ToolContext, args: UpdateRoiTargetArgs) -> State:
    profile = await advertiser_profile(ctx, args.advertiser_id)
    day = budget_ledger.advertiser_day(ctx.now(), profile["timezone"])
    ref = _roi_ref(ctx.merchant_id, args)

    def from_the_ledger() -> tuple[Decimal | None, int]:
        with session_scope(ctx.engine) as session:
            return budget_ledger.first_start_of_day(session, ref, day), budget_ledger.changes_on(session, ref, day)

    campaign, (first, changes) = await asyncio.gather(
        ctx.ads().gmv_max.campaign(args.advertiser_id, args.campaign_id), ctx.in_db(from_the_ledger))
    current = campaign.roas_bid if campaign.roas_bid is not None else Decimal(0)
    return {
        "object_name": campaign.campaign_name, "status": campaign.operation_status,
        "current_roas_bid": current, "start_of_day_roas_bid": first if first is not None else current,
        "roi_changes_today": changes, "day": day.isoformat(), "timezone": profile["timezone"],
    }


async def _update_roi(ctx: ToolContext, args: UpdateRoiTargetArgs, _key: str) -> Any:
    await ctx.ads().gmv_max.update_roi_target(args.advertiser_id, args.campaign_id,
                                              RoiTargetUpdate(roas_bid=args.roas_bid))
    return {"campaign_id": args.campaign_id, "roas_bid": args.roas_bid}


async def _roi_applied(ctx: ToolContext, args: UpdateRoiTargetArgs, _key: str) -> bool | None:
    campaign = await ctx.ads().gmv_max.campaign(args.advertiser_id, args.campaign_id)
    return campaign.roas_bid == args.roas_bid


def _record_roi_change(session: Session, change: AppliedChange) -> None:
    args: UpdateRoiTargetArgs = change.args
    budget_ledger.record_change(
        session, _roi_ref(change.merchant_id, args), date.fromisoformat(change.state["day"]),
        budget_before=Decimal(change.state["current_roas_bid"]), budget_after=args.roas_bid,
        approval_id=change.approval_id, execution_id=change.execution_id,
    )


TOOLS = [
    Tool("list_gmv_max_stores", "ads", mutating=False, idempotent=True, risk="low", args_model=GmvMaxStoresArgs,
         execute=_stores, owner=_owner),
    Tool("list_gmv_max_products", "ads", mutating=False, idempotent=True, risk="low", args_model=GmvMaxStoreArgs,
         execute=_products, owner=_owner),
    Tool("recommend_gmv_max_bid", "ads", mutating=False, idempotent=True, risk="low",
         args_model=GmvMaxRecommendArgs, execute=_recommend, owner=_owner),
    Tool("list_gmv_max_campaigns", "ads", mutating=False, idempotent=True, risk="low",
         args_model=ListGmvMaxCampaignsArgs, execute=_campaigns, owner=_owner),
    Tool("get_gmv_max_report", "ads", mutating=False, idempotent=True, risk="low", args_model=GmvMaxReportArgs,
         execute=_report, owner=_owner),
    Tool("launch_gmv_max_campaign", "ads", mutating=True, idempotent=False, risk="high",
         args_model=LaunchGmvMaxArgs, execute=_launch, observe=_launch_state, owner=_owner,
         build_request=_launch_request, verify=_launched),
    Tool("update_roi_target", "ads", mutating=True, idempotent=True, risk="high", args_model=UpdateRoiTargetArgs,
         execute=_update_roi, observe=_roi_state, owner=_owner, verify=_roi_applied,
         record_effect=_record_roi_change),
]
