"""GMV Max tools on the real gate, embedded policies and simulator: held launches, budgets, ROI targets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from stack import ADVERTISER, MERCHANT, Stack, make_stack

from shopwarden.approvals.reviewing import approve_and_execute
from shopwarden.evals.setup import REVIEWER
from shopwarden.gate.calls import Outcome, ToolCall

AGENT = "growth_marketer"


async def call(stack: Stack, tool: str, **args: Any) -> Any:
    return await stack.runtime.gate.call(ToolCall(tool=tool, args=args, agent_id=AGENT, merchant_id=MERCHANT))


def creates(stack: Stack) -> list[Any]:
    return stack.mutations("campaign/gmv_max/create/")


async def free_product(stack: Stack) -> tuple[str, str]:
    (store,) = (await call(stack, "list_gmv_max_stores", advertiser_id=ADVERTISER)).data
    products = (await call(stack, "list_gmv_max_products", advertiser_id=ADVERTISER, store_id=store["store_id"])).data
    return store["store_id"], next(p["item_group_id"] for p in products if p["launchable"])


async def launched(stack: Stack) -> tuple[str, str, str]:
    """Launch one product through a reviewer; (store id, product id, campaign id)."""
    store_id, product_id = await free_product(stack)
    queued = await call(stack, "launch_gmv_max_campaign", advertiser_id=ADVERTISER, store_id=store_id,
                        campaign_name="Best seller - GMV Max", item_group_ids=[product_id], budget="100",
                        roas_bid="3")
    reviewed = await approve_and_execute(stack.runtime.engine, queued.approval_id, reviewer=REVIEWER,
                                         runtime_factory=lambda: stack.runtime,
                                         settings=stack.runtime.settings)
    assert reviewed.result is not None and reviewed.result.outcome == Outcome.EXECUTED
    return store_id, product_id, str(reviewed.result.data["campaign_id"])


@pytest.fixture
async def stack(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stack:
    return await make_stack(monkeypatch, tmp_path, autonomy="guarded")


async def test_stores_show_the_exclusive_authorization(stack: Stack) -> None:
    result = await call(stack, "list_gmv_max_stores", advertiser_id=ADVERTISER)
    assert result.outcome == Outcome.READ
    assert [(s["is_gmv_max_available"], s["authorization_status"]) for s in result.data] == [(True, "EFFECTIVE")]


async def test_a_launch_is_held_for_a_reviewer_in_guarded_and_nothing_is_sent_until_approved(stack: Stack) -> None:
    store_id, product_id = await free_product(stack)
    queued = await call(stack, "launch_gmv_max_campaign", advertiser_id=ADVERTISER, store_id=store_id,
                        campaign_name="Best seller - GMV Max", item_group_ids=[product_id], budget="80",
                        roas_bid="3.2")
    assert queued.outcome == Outcome.PENDING_APPROVAL
    assert queued.reason_codes == ["gmv_max.launch_needs_approval"]
    assert "TikTok cannot create it paused" in queued.reasons[0]
    assert creates(stack) == []

    reviewed = await approve_and_execute(stack.runtime.engine, queued.approval_id, reviewer=REVIEWER,
                                         runtime_factory=lambda: stack.runtime,
                                         settings=stack.runtime.settings)
    assert reviewed.result is not None and reviewed.result.outcome == Outcome.EXECUTED
    (create,) = creates(stack)
    assert "operation_status" not in create.body
    assert (create.body["budget"], create.body["roas_bid"], create.body["item_group_ids"]) == (80, 3.2, [product_id])
    advertiser = stack.sim.world.advertisers[ADVERTISER]
    (campaign,) = advertiser.gmv_max_campaigns.values()
    assert (campaign.operation_status, campaign.budget, campaign.roas_bid) == ("ENABLE", Decimal(80), Decimal("3.2"))


async def test_the_same_product_cannot_be_launched_twice(stack: Stack) -> None:
    store_id, product_id, _ = await launched(stack)
    again = await call(stack, "launch_gmv_max_campaign", advertiser_id=ADVERTISER, store_id=store_id,
                       campaign_name="Again - GMV Max", item_group_ids=[product_id], budget="60", roas_bid="3")
    assert again.outcome == Outcome.DENIED
    assert again.reason_codes == ["gmv_max.products_not_launchable"]
    assert len(creates(stack)) == 1


async def test_a_launched_campaign_delivers_and_reports_roas_per_product(stack: Stack) -> None:
    store_id, product_id, campaign_id = await launched(stack)
    stack.sim.advance(days=2)
    report = await call(stack, "get_gmv_max_report", advertiser_id=ADVERTISER, store_id=store_id, days=3,
                        per_product=True)
    (total,) = report.data["totals"]
    assert (total["campaign_id"], total["item_group_id"]) == (campaign_id, product_id)
    assert Decimal(0) < total["cost"] <= Decimal(200)  # the daily budget binds spend
    assert total["orders"] > 0 and total["roas"] == (total["gross_revenue"] / total["cost"]).quantize(Decimal("0.0001"))


async def test_gmv_max_budgets_follow_the_daily_limit_and_the_ledger(stack: Stack) -> None:
    _, _, campaign_id = await launched(stack)
    ok = await call(stack, "update_budget", advertiser_id=ADVERTISER, object_type="gmv_max_campaign",
                    object_id=campaign_id, budget="120")
    assert ok.outcome == Outcome.EXECUTED
    over = await call(stack, "update_budget", advertiser_id=ADVERTISER, object_type="gmv_max_campaign",
                      object_id=campaign_id, budget="120.01")
    assert (over.outcome, over.reason_codes) == (Outcome.PENDING_APPROVAL, ["budget.daily_change_limit"])
    assert "GMV Max campaign Best seller - GMV Max" in over.reasons[0]
    (update,) = stack.mutations("campaign/gmv_max/update/")
    assert update.body == {"advertiser_id": ADVERTISER, "campaign_id": campaign_id, "budget": 120}


async def test_a_second_roi_target_change_in_a_day_needs_a_reviewer(stack: Stack) -> None:
    _, _, campaign_id = await launched(stack)
    first = await call(stack, "update_roi_target", advertiser_id=ADVERTISER, campaign_id=campaign_id, roas_bid="3.3")
    assert first.outcome == Outcome.EXECUTED
    assert first.reason_codes == ["allow.within_limits", "gmv_max.voids_roi_protection"]
    second = await call(stack, "update_roi_target", advertiser_id=ADVERTISER, campaign_id=campaign_id,
                        roas_bid="3.1")
    assert (second.outcome, second.reason_codes) == (Outcome.PENDING_APPROVAL, ["gmv_max.roi_target_changes_per_day"])
    assert "voids TikTok's ROI protection" in second.reasons[0]
    assert stack.sim.world.advertisers[ADVERTISER].gmv_max_campaigns[campaign_id].roas_bid == Decimal("3.3")


async def test_pause_and_enable_of_a_gmv_max_campaign(stack: Stack) -> None:
    _, _, campaign_id = await launched(stack)
    paused = await call(stack, "pause_ads", advertiser_id=ADVERTISER, object_type="gmv_max_campaign",
                        object_id=campaign_id)
    assert paused.outcome == Outcome.EXECUTED
    campaign = stack.sim.world.advertisers[ADVERTISER].gmv_max_campaigns[campaign_id]
    assert campaign.operation_status == "DISABLE"
    enable = await call(stack, "enable_ads", advertiser_id=ADVERTISER, object_type="gmv_max_campaign",
                        object_id=campaign_id)
    assert (enable.outcome, enable.reason_codes) == (Outcome.PENDING_APPROVAL, ["enable.needs_approval"])
    assert campaign.operation_status == "DISABLE"
