"""The moving world: determinism, the response model, stock-outs, and agents' actions changing outcomes."""

from __future__ import annotations

from decimal import Decimal

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ADVERTISER, SHOP_ID, SMALL_SHOP, ads_call
from shopwarden.platforms.simulator import Draws, Simulator, deliver

WINNER, UNDERPERFORMER, LAMP_CAMPAIGN = "1800000000000000001", "1800000000000000002", "1800000000000000003"
LAMP, LAMP_WARM, MATCHA = "1729000000000000004", "1729000000000004001", "1729000000000000003"


def _roas(sim: Simulator, campaign_id: str) -> Decimal:
    stats = [s for s in sim.world.advertisers[ADVERTISER].stats if s.campaign_id == campaign_id]
    spend = sum((s.spend for s in stats), Decimal(0))
    return sum((s.conversion_value for s in stats), Decimal(0)) / spend


def _run(seed: int) -> dict:
    sim = Simulator.from_scenario(SMALL_SHOP, seed=seed)
    with httpx.Client(transport=sim.transport()) as http:
        sim.advance(days=2)
        ads_call(http, sim, "POST", "campaign/create/", body={
            "advertiser_id": ADVERTISER, "campaign_name": "det", "objective_type": "TRAFFIC",
            "budget_mode": "BUDGET_MODE_DAY", "budget": 70})
        sim.advance(days=3, hours=5)
    return sim.snapshot()


def test_same_scenario_and_seed_give_identical_state() -> None:
    first, second = _run(seed=3), _run(seed=3)
    assert first == second
    assert Simulator.diff(first, second) == {}


def test_requests_that_change_nothing_do_not_change_the_market() -> None:
    """Reads and token traffic draw ids, but the market has its own draws per day: a run differs
    from another with the same seed only by what was changed (what `shopwarden eval` relies on)."""
    quiet, busy = Simulator.from_scenario(SMALL_SHOP, seed=3), Simulator.from_scenario(SMALL_SHOP, seed=3)
    with httpx.Client(transport=busy.transport()) as http:
        for _ in range(5):
            busy.issue_auth_code()
            assert ads_call(http, busy, "GET", "campaign/get/", params={"advertiser_id": ADVERTISER})["code"] == 0
    for sim in (quiet, busy):
        sim.advance(days=4)
    sales = [sorted((o.sku_id, o.quantity, o.create_time) for o in sim.world.shops[SHOP_ID].orders.values())
             for sim in (quiet, busy)]
    stats = [[(s.day, s.campaign_id, s.spend) for s in sim.world.advertisers[ADVERTISER].stats]
             for sim in (quiet, busy)]
    assert sales[0] == sales[1] and sales[0]
    assert stats[0] == stats[1] and stats[0]


def test_a_different_seed_gives_a_different_world() -> None:
    assert Simulator.diff(_run(seed=3), _run(seed=4)) != {}


def test_winner_and_underperformer_emerge() -> None:
    sim = Simulator.from_scenario(SMALL_SHOP)
    sim.advance(days=5)
    assert _roas(sim, WINNER) > Decimal(3)
    assert _roas(sim, UNDERPERFORMER) < Decimal(1)


def test_the_warm_lamp_stocks_out_and_further_demand_is_lost() -> None:
    sim = Simulator.from_scenario(SMALL_SHOP)
    sim.advance(days=3)
    lamp = sim.world.shops[SHOP_ID].products[LAMP]
    warm = next(s for s in lamp.skus if s.id == LAMP_WARM)
    assert warm.total_stock == 0
    sim.advance(days=6)
    assert lamp.total_stock == 0
    assert sim.world.lost_sales[LAMP] > 0


def test_a_product_sells_without_ads() -> None:
    sim = Simulator.from_scenario(SMALL_SHOP)
    sim.advance(days=3)
    orders = [o for o in sim.world.shops[SHOP_ID].orders.values() if o.product_id == MATCHA]
    assert len(orders) >= 10
    assert all(o.attributed_campaign_id is None for o in orders)


def test_orders_decrement_stock() -> None:
    sim = Simulator.from_scenario(SMALL_SHOP)
    before = sum(p.total_stock for p in sim.world.shops[SHOP_ID].products.values())
    sim.advance(days=1)
    after = sum(p.total_stock for p in sim.world.shops[SHOP_ID].products.values())
    assert before - after == len(sim.world.shops[SHOP_ID].orders) > 0


def test_nothing_happens_until_a_day_ends() -> None:
    sim = Simulator.from_scenario(SMALL_SHOP)
    sim.advance(hours=23)
    assert sim.world.advertisers[ADVERTISER].stats == []
    sim.advance(hours=1)
    assert {s.day.isoformat() for s in sim.world.advertisers[ADVERTISER].stats} == {"2026-03-02"}


def test_pausing_a_campaign_stops_its_spend(sim: Simulator, client: httpx.Client) -> None:
    ads_call(client, sim, "POST", "campaign/status/update/", body={
        "advertiser_id": ADVERTISER, "campaign_ids": [UNDERPERFORMER], "operation_status": "DISABLE"})
    sim.advance(days=2)
    spenders = {s.campaign_id for s in sim.world.advertisers[ADVERTISER].stats}
    assert UNDERPERFORMER not in spenders
    assert WINNER in spenders


def test_raising_a_budget_raises_delivery(sim: Simulator, client: httpx.Client) -> None:
    baseline = Simulator.from_scenario(SMALL_SHOP)
    ads_call(client, sim, "POST", "adgroup/budget/update/", body={
        "advertiser_id": ADVERTISER, "budget": [{"adgroup_id": "1810000000000000001", "budget": 120}]})
    for world in (sim, baseline):
        world.advance(days=1)

    def winner_impressions(s: Simulator) -> int:
        return next(x.impressions for x in s.world.advertisers[ADVERTISER].stats if x.campaign_id == WINNER)

    assert winner_impressions(sim) > winner_impressions(baseline)


budgets = st.decimals(min_value=0, max_value=100_000, places=2)
efficiencies = st.floats(min_value=0.05, max_value=10)
draw_values = st.builds(Draws, spend=st.floats(0.9, 1.0), reach=st.floats(0.9, 1.1), conversion=st.floats(0, 0.999))


@settings(max_examples=300, deadline=None)
@given(low=budgets, extra=budgets, efficiency=efficiencies, draws=draw_values)
def test_more_budget_never_lowers_impressions_clicks_or_conversions(
    low: Decimal, extra: Decimal, efficiency: float, draws: Draws
) -> None:
    small, large = deliver(low, efficiency, draws), deliver(low + extra, efficiency, draws)
    assert large.impressions >= small.impressions
    assert large.clicks >= small.clicks
    assert large.conversions >= small.conversions
    assert large.spend >= small.spend


@settings(max_examples=200, deadline=None)
@given(budget=st.decimals(min_value=10, max_value=10_000, places=2), efficiency=efficiencies)
def test_returns_diminish_impressions_per_dollar_fall_as_budget_rises(budget: Decimal, efficiency: float) -> None:
    single, double = deliver(budget, efficiency), deliver(budget * 2, efficiency)
    assert double.impressions < 2 * single.impressions + 1


def test_the_snapshot_is_plain_data_and_diff_names_changed_leaves(sim: Simulator, client: httpx.Client) -> None:
    before = sim.snapshot()
    ads_call(client, sim, "POST", "campaign/update/", body={
        "advertiser_id": ADVERTISER, "campaign_id": WINNER, "budget": 150})
    changes = Simulator.diff(before, sim.snapshot())
    assert changes[f"advertisers.{ADVERTISER}.campaigns.{WINNER}.budget"] == ("120", "150")
    assert before["clock"] == "2026-03-02T08:00:00+00:00"
