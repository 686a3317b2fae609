"""The Growth Marketer's budget plan on hand-made facts: what binds, stock, learning, margins, memory."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shopwarden.agents.facts import AdGroupFacts, CampaignFacts, ProductFacts, SkuFacts, WorldView
from shopwarden.agents.memory import AgentMemory, Rejection, action_key
from shopwarden.agents.strategies.growth_budget import BudgetPlanner
from shopwarden.agents.strategies.margins import from_settings, margin_for
from shopwarden.agents.strategies.recall import held_back

LIMITS = {"daily_budget_change_pct": 20, "account_daily_increase_max": 500, "min_campaign_budget": 50,
          "min_adgroup_budget": 20}


def _facts(stock: int = 500, units: int = 70, campaign_budget: str = "120", group_budget: str = "100",
           spend: str = "600", revenue: str = "6000", **extra: Any) -> WorldView:
    product = ProductFacts(product_id="p1", title="Glow Serum", skus=[
        SkuFacts(sku_id="s1", seller_sku="S", price=Decimal("30"), stock={"w": stock})])
    group = AdGroupFacts(adgroup_id="g1", budget=Decimal(group_budget), budget_mode="BUDGET_MODE_DAY", status="ENABLE",
                         product_ids=["p1"])
    campaign = CampaignFacts(advertiser_id="a1", campaign_id="c1", name="Serum", budget=Decimal(campaign_budget),
                             budget_mode="BUDGET_MODE_DAY", status="ENABLE", spend=Decimal(spend),
                             revenue=Decimal(revenue), days_with_spend=7, first_spend_day="2026-03-01",
                             product_ids=["p1"], adgroups=[group])
    return WorldView(merchant_id="m", advertisers=["a1"], products={"p1": product}, units_sold_by_product={"p1": units},
                     sales_days=7, campaigns=[campaign], report_first_day="2026-03-01", **extra)


def _plan(facts: WorldView, memory: AgentMemory | None = None):
    planner = BudgetPlanner(facts, memory or AgentMemory(cycle=1), lambda name, default: LIMITS.get(name, default))
    return planner.plan()


def test_the_ad_group_budget_that_binds_is_raised_not_the_campaign():
    proposals, _ = _plan(_facts())
    assert [(p.tool, p.args["object_type"], p.args["object_id"], p.args["budget"]) for p in proposals] == [
        ("update_budget", "adgroup", "g1", "120.00")]
    assert "ROAS 10.00 on 600 spend over 7 days, margin 0.5" in proposals[0].rationale
    assert "stock covers 50.0 days" in proposals[0].rationale


def test_the_campaign_is_raised_too_when_its_ad_groups_want_more_than_it_gives():
    proposals, _ = _plan(_facts(campaign_budget="100", group_budget="100"))
    targets = {(p.args["object_type"], p.args["budget"]) for p in proposals}
    assert targets == {("campaign", "120.00"), ("adgroup", "120.00")}


def test_a_second_cycle_the_same_day_does_not_compound_on_the_first_raise():
    facts = _facts(group_budget="120")
    facts.campaigns[0].adgroups[0].start_of_day_budget = Decimal("100")  # raised from 100 earlier today
    proposals, _ = _plan(facts)
    assert proposals == []


def test_the_account_cap_left_today_bounds_every_raise():
    facts = _facts(account_increase_today={"a1": Decimal("495")})
    proposals, _ = _plan(facts)
    assert [p.args["budget"] for p in proposals] == ["105.00"]


def test_no_more_spend_for_a_product_short_of_stock_and_a_pause_when_it_runs_out():
    _, judged = _plan(_facts(stock=50))  # 5 days of cover
    assert judged[0].verdict == "no_stock_raise"
    proposals, judged = _plan(_facts(stock=0))
    assert judged[0].verdict == "stock_pause"
    assert [(p.tool, p.reason) for p in proposals] == [("pause_ads", "stock")]


def test_a_campaign_paused_for_stock_is_resumed_once_restocked():
    facts = _facts(stock=400)
    facts.campaigns[0].status = "DISABLE"
    proposals, _ = _plan(facts, AgentMemory(cycle=3, stock_paused={"c1": ["p1"]}))
    assert [(p.tool, p.args["object_id"]) for p in proposals] == [("enable_ads", "c1")]
    assert "restocked (p1: 400 units, 40.0 days" in proposals[0].rationale


def test_a_new_campaign_is_not_judged_inside_its_learning_period():
    facts = _facts(revenue="60")  # ROAS 0.1 would be paused at once
    facts.campaigns[0].days_with_spend, facts.campaigns[0].first_spend_day = 1, "2026-03-06"
    proposals, judged = _plan(facts, AgentMemory(cycle=2, launched={"c1": 1}))
    assert proposals == [] and judged[0].verdict == "learning"


def test_margin_decides_between_pause_cut_and_hold():
    # ROAS 1.8: with a 50 % margin (break-even 2.0) it is cut; with a 70 % margin it pays its way.
    _, judged = _plan(_facts(revenue="1080"))
    assert judged[0].verdict == "cut"
    _, judged = _plan(_facts(revenue="1080", default_margin=Decimal("0.7")))
    assert judged[0].verdict == "hold"
    _, judged = _plan(_facts(revenue="480"))  # ROAS 0.8: loses money on every dollar
    assert judged[0].verdict == "pause"


def test_a_per_sku_cost_wins_over_the_default_margin():
    facts = _facts(product_costs={"s1": Decimal("27")})
    assert margin_for(facts, ["p1"]) == Decimal("0.100")


def test_hostile_margin_settings_are_gaps_not_crashes():
    margin, costs, gaps = from_settings({"default_margin": "NaN", "product_costs": {"s1": "-3", "s2": {"$gt": 1},
                                                                                  "s3": "4.50", "x" * 5000: "1"}})
    assert margin is None and costs == {"s3": Decimal("4.50"), "x" * 64: Decimal("1")}
    assert gaps[0].startswith("default_margin in the merchant settings")
    assert len(gaps) == 3


def test_a_rejected_change_waits_out_the_cooldown_unless_its_numbers_moved():
    key = action_key("update_budget", {"object_type": "adgroup", "object_id": "g1"})
    memory = AgentMemory(cycle=3, rejections=[Rejection(key=key, tool="update_budget", reason="too fast \"for\" me",
                                                        reviewer="dana", cycles_ago=1, snapshot={"roas": "10.00"})])
    why = held_back(memory, key, {"roas": "10.50"})
    assert why is not None and "dana rejected it 1 cycle(s) ago: 'too fast \"for\" me'" in why
    assert held_back(memory, key, {"roas": "4.00"}) is None  # ROAS fell by more than 40 %: ask again
    memory.rejections[0].cycles_ago = 4
    assert held_back(memory, key, {"roas": "10.00"}) is None  # cooldown over
