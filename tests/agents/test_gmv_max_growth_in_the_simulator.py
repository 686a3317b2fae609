"""GMV Max campaigns judged by the Growth Marketer against the simulator, through the real gate:
the winner's budget (which binds its spend) is raised within the day's limit, the loser is cut."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from stack import ADVERTISER, Stack, make_stack

from shopwarden.agents import run_cycle
from shopwarden.platforms.simulator.world import GmvMaxCampaign

MATCHA, MIST = "1729000000000000003", "1729000000000000005"
GMV_WINNER, GMV_LOSER = "1900000000000000001", "1900000000000000002"


def _gmv_max(stack: Stack, campaign_id: str, name: str, product_id: str, roas_bid: str) -> None:
    advertiser = stack.sim.world.advertisers[ADVERTISER]
    (shop,) = stack.sim.world.shops.values()
    now: datetime = stack.sim.clock.now()
    advertiser.gmv_max_campaigns[campaign_id] = GmvMaxCampaign(
        id=campaign_id, advertiser_id=ADVERTISER, store_id=shop.id, name=name, budget=Decimal(100),
        roas_bid=Decimal(roas_bid), operation_status="ENABLE", item_group_ids=[product_id],
        schedule_start_time=now.strftime("%Y-%m-%d %H:%M:%S"), create_time=now, modify_time=now)
    for sku in shop.products[product_id].skus:
        sku.stock = {warehouse: 1500 for warehouse in sku.stock}  # weeks of cover: stock never decides here


@pytest.fixture
async def stack(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Stack:
    # Mist's merchant cost leaves it a thin margin: at GMV Max's ROAS it loses money; Matcha earns well.
    stack = await make_stack(monkeypatch, tmp_path, days=0, settings={"product_costs": {MIST: "17"}})
    _gmv_max(stack, GMV_WINNER, "Matcha Starter Kit - GMV Max", MATCHA, "2.5")
    # Its ROI target is above its break-even (about 3.07): TikTok cannot reach it, so the budget is the lever.
    _gmv_max(stack, GMV_LOSER, "Lavender Sleep Mist - GMV Max", MIST, "3.2")
    stack.sim.advance(days=4)
    return stack


def _spend(stack: Stack, campaign_id: str, day: date) -> Decimal:
    stats = stack.sim.world.advertisers[ADVERTISER].gmv_max_stats
    return sum((s.cost for s in stats if s.campaign_id == campaign_id and s.day == day), Decimal(0))


async def test_the_gmv_max_winner_is_scaled_and_the_loser_cut(stack: Stack) -> None:
    summary = await run_cycle(stack.deps(), "m_glow")
    gmv_calls = {c.target: c for c in summary.actions if "gmv_max_campaign" in c.target}
    winner = gmv_calls[f"gmv_max_campaign {GMV_WINNER} -> 120.00"]
    loser = gmv_calls[f"gmv_max_campaign {GMV_LOSER} -> 80.00"]
    assert (winner.verdict, loser.verdict) == ("executed", "executed")  # within the day's 20 %: no reviewer needed
    assert "ROAS 5.80 on 361.62 spend over 4 days, margin 0.500 so break-even ROAS 2.00" in winner.rationale
    assert "below break-even" in loser.rationale and "break-even ROAS 3.07" in loser.rationale
    assert not any(c.tool == "update_roi_target" for c in summary.actions)  # the targets are not what binds here
    campaigns = stack.sim.world.advertisers[ADVERTISER].gmv_max_campaigns
    assert (campaigns[GMV_WINNER].budget, campaigns[GMV_LOSER].budget) == (Decimal(120), Decimal(80))

    # The raise is what the winner spends the next day: its budget binds (at 100 it spent at most 95).
    yesterday = max(s.day for s in stack.sim.world.advertisers[ADVERTISER].gmv_max_stats)
    stack.sim.advance(days=1)
    after = _spend(stack, GMV_WINNER, yesterday + timedelta(days=1))
    assert _spend(stack, GMV_WINNER, yesterday) <= Decimal(95) < after


async def test_a_second_cycle_the_same_day_does_not_raise_the_gmv_max_winner_again(stack: Stack) -> None:
    await run_cycle(stack.deps(), "m_glow")
    again = await run_cycle(stack.deps(), "m_glow")
    assert not [c for c in again.actions if c.tool == "update_budget" and GMV_WINNER in c.target]
    assert stack.sim.world.advertisers[ADVERTISER].gmv_max_campaigns[GMV_WINNER].budget == Decimal(120)
