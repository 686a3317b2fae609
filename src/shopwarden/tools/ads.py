"""TikTok Ads tools: campaigns, ad groups, reports, and the guarded mutations (create, budget, status).

Manual campaigns and ad groups stay readable and controllable; Shop products are launched as GMV
Max (tools/gmv_max.py). There is no ad group create: a manual shopping ad group needs a dozen
fields and an ad, and TikTok no longer creates manual Shop campaigns at all.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection
from sqlmodel import Session

from shopwarden.db.engine import read_only
from shopwarden.platforms.ads import CreateIdentity
from shopwarden.tools import budget_ledger
from shopwarden.tools.base import AppliedChange, ReadAhead, State, Tool, ToolContext
from shopwarden.tools.inputs import (
    AdvertiserArgs,
    CreateCampaignArgs,
    EnableAdsArgs,
    ListAdgroupsArgs,
    ListCampaignsArgs,
    ObjectRef,
    PauseAdsArgs,
    PerformanceReportArgs,
    UpdateBudgetArgs,
)
from shopwarden.tools.observe import ads_object, advertiser_owner, advertiser_profile, plain

if TYPE_CHECKING:
    from shopwarden.platforms.ads.models import OperationStatus

CREATED_STATUS = "DISABLE"  # TikTok's default is ENABLE; we never send anything else on create


def _advertiser_owner(connection: Connection, args: AdvertiserArgs) -> str | None:
    return advertiser_owner(connection, args.advertiser_id)


async def _list_campaigns(ctx: ToolContext, args: ListCampaignsArgs, _key: str) -> Any:
    return plain(await ctx.ads().list_campaigns(args.advertiser_id))


async def _list_adgroups(ctx: ToolContext, args: ListAdgroupsArgs, _key: str) -> Any:
    campaign_ids = [args.campaign_id] if args.campaign_id else None
    return plain(await ctx.ads().list_adgroups(args.advertiser_id, campaign_ids=campaign_ids))


async def _report(ctx: ToolContext, args: PerformanceReportArgs, _key: str) -> Any:
    return plain(await ctx.ads().report(args.advertiser_id, level=args.level, days=args.days))


# --- creates -------------------------------------------------------------------------------


async def _create_state(ctx: ToolContext, args: CreateCampaignArgs) -> State:
    profile = await advertiser_profile(ctx, args.advertiser_id)
    return {"currency": profile["currency"]}


def _campaign_request(args: CreateCampaignArgs) -> dict[str, Any]:
    return {**args.model_dump(mode="json"), "operation_status": CREATED_STATUS}


async def _create_campaign(ctx: ToolContext, args: CreateCampaignArgs, key: str) -> Any:
    return plain(await ctx.ads().create_campaign(
        args.advertiser_id, campaign_name=args.campaign_name, objective_type=args.objective_type,
        budget_mode=args.budget_mode, budget=args.budget, idempotency_key=key,
    ))


async def _campaign_exists(ctx: ToolContext, args: CreateCampaignArgs, key: str) -> bool | None:
    """Only the object this create would have made: its exact name with the marker the key derives."""
    expected = CreateIdentity.new(key).name(args.campaign_name)
    rows = plain(await ctx.ads().list_campaigns(args.advertiser_id))
    return any(str(row.get("campaign_name", "")) == expected for row in rows)


# --- budget ----------------------------------------------------------------------------------


def _ledger_ref(merchant_id: str, args: ObjectRef) -> budget_ledger.ObjectRef:
    return budget_ledger.ObjectRef(merchant_id, args.advertiser_id, args.object_type, args.object_id)


@dataclass(frozen=True)
class LedgerToday:
    """What the budget ledger says about the object's day before the change."""

    day: date
    first_start_of_day: Decimal | None  # None: not changed yet today
    account_increase: Decimal


def _read_ledger(connection: Connection, ctx: ToolContext, args: UpdateBudgetArgs, day: date) -> LedgerToday:
    # One statement: the object's first entry of the day is among its ad account's (a budget is never an ROI target).
    today = budget_ledger.account_day(connection, ctx.merchant_id, args.advertiser_id, day)
    return LedgerToday(day, today.start_of_day(args.object_type, args.object_id), today.increase)


def _ledger_ahead(connection: Connection, ctx: ToolContext, args: UpdateBudgetArgs) -> LedgerToday | None:
    """The gate's read pass reads the ledger too, once the ad account's time zone is known (after its first call)."""
    profile = ctx.advertiser_profiles.get(args.advertiser_id)
    if profile is None:
        return None
    return _read_ledger(connection, ctx, args, budget_ledger.advertiser_day(ctx.now(), profile["timezone"]))


async def _budget_state(ctx: ToolContext, args: UpdateBudgetArgs) -> State:
    return await _budget_state_given(ctx, args, None)


async def _budget_state_given(ctx: ToolContext, args: UpdateBudgetArgs, ledger: LedgerToday | None) -> State:
    profile = await advertiser_profile(ctx, args.advertiser_id)
    if ledger is None:
        day = budget_ledger.advertiser_day(ctx.now(), profile["timezone"])

        def from_the_ledger() -> LedgerToday:
            with read_only(ctx.engine) as connection:
                return _read_ledger(connection, ctx, args, day)

        # The live read and the ledger do not depend on each other: the database answers while the
        # platform request is in flight.
        live, ledger = await asyncio.gather(
            ads_object(ctx, args.advertiser_id, args.object_type, args.object_id), ctx.in_db(from_the_ledger))
    else:
        live = await ads_object(ctx, args.advertiser_id, args.object_type, args.object_id)
    first = ledger.first_start_of_day
    return {
        "object_type": args.object_type,
        "object_id": args.object_id,
        "currency": profile["currency"],
        "timezone": profile["timezone"],
        "day": ledger.day.isoformat(),
        "start_of_day_budget": first if first is not None else live["current_budget"],
        "account_increase_today": ledger.account_increase,
        **live,
    }


async def _update_budget(ctx: ToolContext, args: UpdateBudgetArgs, _key: str) -> Any:
    # Absolute-set write: safe to repeat, the platform ends at the same budget.
    return plain(await ctx.ads().update_budget(
        args.advertiser_id, args.object_type, args.object_id, budget=args.budget, budget_mode=args.budget_mode,
    ))


async def _budget_applied(ctx: ToolContext, args: UpdateBudgetArgs, _key: str) -> bool | None:
    live = await ads_object(ctx, args.advertiser_id, args.object_type, args.object_id)
    return Decimal(live["current_budget"]) == args.budget


def _record_budget_change(session: Session, change: AppliedChange) -> None:
    args: UpdateBudgetArgs = change.args
    day = date.fromisoformat(change.state["day"])
    ahead = change.read_ahead
    known = ahead.first_start_of_day if isinstance(ahead, LedgerToday) and ahead.day == day else None
    budget_ledger.record_change(
        session, _ledger_ref(change.merchant_id, args), day,
        budget_before=Decimal(change.state["current_budget"]), budget_after=args.budget,
        approval_id=change.approval_id, execution_id=change.execution_id, start_of_day=known,
    )


# --- status ----------------------------------------------------------------------------------


async def _object_state(ctx: ToolContext, args: ObjectRef) -> State:
    live = await ads_object(ctx, args.advertiser_id, args.object_type, args.object_id)
    return {
        "object_type": args.object_type, "object_id": args.object_id,
        "object_name": live["object_name"], "status": live["status"],
    }


def _set_status(status: OperationStatus) -> Any:
    async def run(ctx: ToolContext, args: ObjectRef, _key: str) -> Any:
        return plain(await ctx.ads().set_status(args.advertiser_id, args.object_type, [args.object_id], status))

    async def applied(ctx: ToolContext, args: ObjectRef, _key: str) -> bool | None:
        live = await ads_object(ctx, args.advertiser_id, args.object_type, args.object_id)
        return live["status"] == status

    return run, applied


_pause, _paused = _set_status("DISABLE")
_enable, _enabled = _set_status("ENABLE")

TOOLS = [
    Tool("list_campaigns", "ads", mutating=False, idempotent=True, risk="low", args_model=ListCampaignsArgs,
         execute=_list_campaigns, owner=_advertiser_owner),
    Tool("list_adgroups", "ads", mutating=False, idempotent=True, risk="low", args_model=ListAdgroupsArgs,
         execute=_list_adgroups, owner=_advertiser_owner),
    Tool("get_performance_report", "ads", mutating=False, idempotent=True, risk="low",
         args_model=PerformanceReportArgs, execute=_report, owner=_advertiser_owner),
    Tool("create_campaign", "ads", mutating=True, idempotent=False, risk="medium", args_model=CreateCampaignArgs,
         execute=_create_campaign, observe=_create_state, owner=_advertiser_owner,
         build_request=_campaign_request, verify=_campaign_exists),
    Tool("update_budget", "ads", mutating=True, idempotent=True, risk="high", args_model=UpdateBudgetArgs,
         execute=_update_budget, observe=_budget_state, owner=_advertiser_owner,
         verify=_budget_applied, record_effect=_record_budget_change,
         read_ahead=ReadAhead(_ledger_ahead, _budget_state_given)),
    Tool("pause_ads", "ads", mutating=True, idempotent=True, risk="low", args_model=PauseAdsArgs,
         execute=_pause, observe=_object_state, owner=_advertiser_owner, verify=_paused),
    Tool("enable_ads", "ads", mutating=True, idempotent=True, risk="high", args_model=EnableAdsArgs,
         execute=_enable, observe=_object_state, owner=_advertiser_owner, verify=_enabled),
]
