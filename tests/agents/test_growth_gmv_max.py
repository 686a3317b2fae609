"""The Growth Marketer on GMV Max campaigns, from hand-made facts: budget or ROI target, stock, learning, memory."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from shopwarden.agents.facts import CampaignFacts, ProductFacts, SkuFacts, WorldView, merge_campaigns, parse_gmv_max
from shopwarden.agents.memory import AgentMemory, Rejection, action_key
from shopwarden.agents.specs import load_agent_specs
from shopwarden.agents.strategies.base import AgentTurn
from shopwarden.agents.strategies.growth_budget import BudgetPlanner, Proposal
from shopwarden.agents.strategies.growth_rules import GrowthRules
from shopwarden.agents.strategies.recall import held_back

LIMITS = {"daily_budget_change_pct": 20, "account_daily_increase_max": 500, "roi_target_change_pct": 20,
          "roi_target_changes_per_day": 1}
PROTECTION = "voids TikTok's ROI protection"


def _facts(stock: int = 500, spend: str = "600", revenue: str = "3000", budget: str = "100", roas_bid: str = "2.5",
           yesterday: str = "95", **campaign: Any) -> WorldView:
    product = ProductFacts(product_id="p1", title="Matcha Kit", skus=[
        SkuFacts(sku_id="s1", price=Decimal("40"), stock={"w": stock})])
    fields: dict[str, Any] = {
        "advertiser_id": "a1", "campaign_id": "g1", "name": "Matcha Kit - GMV Max", "kind": "gmv_max",
        "store_id": "st1", "budget": Decimal(budget), "budget_mode": "BUDGET_MODE_DAY", "status": "ENABLE",
        "roas_bid": Decimal(roas_bid), "spend": Decimal(spend), "revenue": Decimal(revenue), "days_with_spend": 7,
        "first_spend_day": "2026-03-01", "product_ids": ["p1"], "last_closed_day_spend": Decimal(yesterday)}
    gmv = CampaignFacts(**{**fields, **campaign})
    return WorldView(merchant_id="m", advertisers=["a1"], products={"p1": product}, units_sold_by_product={"p1": 70},
                     sales_days=7, campaigns=[gmv], report_first_day="2026-03-01")


def _plan(facts: WorldView, memory: AgentMemory | None = None, **limits: Any) -> list[Proposal]:
    merged = {**LIMITS, **limits}
    proposals, _ = BudgetPlanner(facts, memory or AgentMemory(cycle=1), lambda n, d: merged.get(n, d)).plan()
    return proposals


def _shape(proposals: list[Proposal]) -> list[tuple[str, str, str]]:
    return [(p.tool, p.args.get("object_type", ""), p.args.get("budget") or p.args.get("roas_bid")) for p in proposals]


def test_a_winner_that_spends_its_budget_gets_its_budget_raised_within_the_day_limit() -> None:
    proposals = _plan(_facts())  # ROAS 5, break-even 2; it spent 95 of 100 yesterday: the budget binds
    assert _shape(proposals) == [("update_budget", "gmv_max_campaign", "120.00")]
    assert proposals[0].args["object_id"] == "g1"
    assert "ROAS 5.00 on 600 spend over 7 days, margin 0.500 so break-even ROAS 2.00" in proposals[0].rationale
    assert "stock covers 50.0 days" in proposals[0].rationale


def test_the_account_cap_and_the_start_of_day_budget_bound_a_gmv_max_raise() -> None:
    facts = _facts()
    facts.account_increase_today = {"a1": Decimal("490")}
    assert _shape(_plan(facts)) == [("update_budget", "gmv_max_campaign", "110.00")]
    facts = _facts(budget="120", start_of_day_budget=Decimal("100"))  # raised earlier today: no compounding
    assert _plan(facts) == []


def test_a_winner_held_back_by_its_roi_target_gets_the_target_lowered_not_the_budget() -> None:
    proposals = _plan(_facts(roas_bid="6", yesterday="40"))  # spent 40 of 100: the target binds
    assert _shape(proposals) == [("update_roi_target", "", "4.80")]  # 20 % below today's starting target
    assert proposals[0].args == {"advertiser_id": "a1", "campaign_id": "g1", "roas_bid": "4.80"}
    assert "spent 40 of its 100 budget" in proposals[0].rationale and PROTECTION in proposals[0].rationale


def test_a_lowered_roi_target_stays_well_above_break_even() -> None:
    proposals = _plan(_facts(roas_bid="3.2", yesterday="40"))  # 20 % lower would be 2.56; floor 1.5 x 2.00
    assert _shape(proposals) == [("update_roi_target", "", "3.00")]


def test_the_roi_target_is_changed_at_most_its_daily_limit() -> None:
    facts = _facts(roas_bid="6", yesterday="40", roi_changes_today=1, start_of_day_roas_bid=Decimal("7"))
    proposals = _plan(facts)
    assert [p.tool for p in proposals] == ["update_budget"]  # the budget is still there to raise
    facts = _facts(roas_bid="6", yesterday="40", roi_changes_today=1)
    assert [p.tool for p in _plan(facts, roi_target_changes_per_day=2)] == ["update_roi_target"]


def test_a_loser_with_a_target_below_break_even_gets_the_target_raised() -> None:
    proposals = _plan(_facts(revenue="1080", roas_bid="1.5"))  # ROAS 1.8 < break-even 2.00; target 1.5
    assert _shape(proposals) == [("update_roi_target", "", "1.80")]  # +20 % of the start, below break-even
    assert "below break-even 2.00" in proposals[0].rationale and PROTECTION in proposals[0].rationale
    assert _shape(_plan(_facts(revenue="1080", roas_bid="1.9"))) == [("update_roi_target", "", "2.00")]


def test_a_loser_whose_target_is_already_above_break_even_gets_its_budget_cut() -> None:
    proposals = _plan(_facts(revenue="1080", roas_bid="3"))
    assert _shape(proposals) == [("update_budget", "gmv_max_campaign", "80.00")]
    assert "below break-even" in proposals[0].rationale
    # With no change left today, the budget is the lever even for a target below break-even.
    assert [p.tool for p in _plan(_facts(revenue="1080", roas_bid="1.5", roi_changes_today=1))] == ["update_budget"]


def test_a_heavy_loser_is_paused_and_the_reason_says_protection_is_void() -> None:
    proposals = _plan(_facts(revenue="480"))  # ROAS 0.8
    assert [(p.tool, p.args["object_type"], p.args["object_id"]) for p in proposals] == [
        ("pause_ads", "gmv_max_campaign", "g1")]
    assert "loses money on every dollar" in proposals[0].rationale and PROTECTION in proposals[0].rationale


def test_no_added_spend_below_seven_days_of_cover_by_budget_or_by_roi_target() -> None:
    assert _plan(_facts(stock=60)) == []  # 6 days of cover
    assert _plan(_facts(stock=60, roas_bid="6", yesterday="40")) == []
    proposals = _plan(_facts(stock=0))
    assert [(p.tool, p.reason) for p in proposals] == [("pause_ads", "stock")]


def test_a_gmv_max_campaign_paused_for_stock_is_resumed_through_its_own_object_type() -> None:
    facts = _facts(status="DISABLE")
    proposals = _plan(facts, AgentMemory(cycle=3, stock_paused={"g1": ["p1"]}))
    assert [(p.tool, p.args["object_type"]) for p in proposals] == [("enable_ads", "gmv_max_campaign")]


def test_a_new_gmv_max_campaign_is_left_alone_while_it_learns() -> None:
    facts = _facts(revenue="60", days_with_spend=2)  # ROAS 0.1 would be paused at once
    assert _plan(facts, AgentMemory(cycle=2, launched={"g1": 1})) == []


def test_a_rejected_roi_target_change_is_held_back_per_campaign() -> None:
    (proposal,) = _plan(_facts(roas_bid="6", yesterday="40"))
    key = action_key(proposal.tool, proposal.args)
    assert key == "update_roi_target:campaign_id:g1"
    memory = AgentMemory(cycle=3, rejections=[Rejection(key=key, tool=proposal.tool, reason="keep ROI protection",
                                                        reviewer="dana", cycles_ago=1, snapshot=proposal.snapshot)])
    why = held_back(memory, key, proposal.snapshot)
    assert why is not None and "'keep ROI protection'" in why
    assert held_back(memory, "update_roi_target:campaign_id:other", proposal.snapshot) is None


def test_gmv_max_reports_become_delivery_per_campaign() -> None:
    listed = [{"campaign_id": "g1", "campaign_name": "Kit - GMV Max", "store_id": "st1", "budget": 100.0,
               "roas_bid": 2.5, "operation_status": "ENABLE", "item_group_ids": ["p1"]},
              {"campaign_id": "g2", "campaign_name": "Other", "store_id": "st1", "budget": 50,
               "roas_bid": "3", "operation_status": "DISABLE", "item_group_ids": ["p2"]},
              "not a campaign", {"campaign_name": "no id"}]
    report = {"start_date": "2026-03-01", "end_date": "2026-03-04", "totals": [], "days": [
        {"campaign_id": "g1", "stat_date": "2026-03-02", "cost": "90", "orders": 8, "gross_revenue": "400"},
        {"campaign_id": "g1", "stat_date": "2026-03-03", "cost": "94.5", "orders": 9, "gross_revenue": "450.5"},
        {"campaign_id": "g1", "stat_date": "2026-03-04", "cost": "3", "orders": 0, "gross_revenue": "0"},
        {"campaign_id": "g2", "stat_date": "bad", "cost": {"$gt": 1}, "orders": 1, "gross_revenue": "x"}]}
    g1, g2 = parse_gmv_max("a1", listed, [report, None, "junk"])
    assert (g1.kind, g1.object_type, g1.store_id, g1.budget, g1.roas_bid) == (
        "gmv_max", "gmv_max_campaign", "st1", Decimal("100.0"), Decimal("2.5"))
    assert (g1.spend, g1.revenue, g1.conversions, g1.days_with_spend, g1.first_spend_day) == (
        Decimal("187.5"), Decimal("850.5"), 17, 3, "2026-03-02")
    assert g1.last_closed_day_spend == Decimal("94.5")  # the 4th is today: not over yet
    assert (g2.spend, g2.status, g2.product_ids) == (Decimal(0), "DISABLE", ["p2"])
    manual = CampaignFacts(advertiser_id="a1", campaign_id="g1", name="same id, general list")
    assert [c.kind for c in merge_campaigns([manual], [g1, g2])] == ["gmv_max", "gmv_max"]


def test_a_launch_turn_later_in_the_cycle_keeps_the_stock_pause_the_planning_turn_remembered() -> None:
    """Found by the eval case restock_resumes: the launch turn still sees the start-of-cycle status (ENABLE)
    and used to forget the pause, so nothing proposed the campaign again after the restock."""
    facts = _facts(stock=0)  # out of stock: turn 0 pauses it and remembers why
    spec = load_agent_specs()["growth_marketer"]
    planned = asyncio.run(GrowthRules().step(AgentTurn(spec=spec, merchant_id="m", run_id="r", turn=0, facts=facts)))
    assert any(c.tool == "pause_ads" for c in planned.calls)
    assert AgentMemory.model_validate(planned.memory).stock_paused == {"g1": ["p1"]}
    launch = asyncio.run(GrowthRules().step(AgentTurn(spec=spec, merchant_id="m", run_id="r", turn=2, facts=facts,
                                                      memory=planned.memory or {})))
    assert AgentMemory.model_validate(launch.memory).stock_paused == {"g1": ["p1"]}
