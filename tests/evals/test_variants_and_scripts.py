"""World variants (`extends:`), seeded GMV Max campaigns, case scripts and the GMV Max checks they enable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml
from evals_helpers import SERUM, WINNER, write_case

from shopwarden.errors import ConfigError
from shopwarden.evals.case import CaseError, ReviewerSpec, TraceFilter, load_case
from shopwarden.evals.reviewer import decision_for
from shopwarden.evals.runner import run_case
from shopwarden.evals.strategies import parse_strategy, with_case_script
from shopwarden.evals.suite import load_suite
from shopwarden.evals.trace import TraceAction, matches
from shopwarden.platforms.simulator import Simulator
from shopwarden.resources import resource_dir

SHIPPED = resource_dir("evals")
GMV_MAX = "1800000000000000091"
MATCHA = "1729000000000000003"
SERUM_30 = "1729000000000001001"


def _variant(folder: Path, name: str, extends: str, patch: list[dict[str, object]]) -> str:
    (folder / f"{name}.yaml").write_text(yaml.safe_dump({"extends": extends, "patch": patch}), encoding="utf-8")
    return f"{name}.yaml"


def _sku_stock(world: dict, sku_id: str) -> dict:
    products = world["merchants"][0]["shops"][0]["products"]
    return next(s for p in products for s in p["skus"] if s["id"] == sku_id)["stock"]


def test_a_variant_chain_applies_every_patch_in_order_and_the_case_patch_last(tmp_path: Path):
    stock = {"stock": {"7300000000000000101": 500}}
    first = _variant(tmp_path, "first", "small_shop", [{"at": f"sku:{SERUM_30}", "set": stock}])
    second = _variant(tmp_path, "second", first, [{"at": f"campaign:{WINNER}", "set": {"budget": "200"}}])
    path = write_case(tmp_path, "uses_variant", [{"audit": "chain_ok"}],
                      world={"scenario": second, "patch": [{"at": f"campaign:{WINNER}", "set": {"budget": "210"}}]})
    world = load_case(path).world_data
    assert _sku_stock(world, SERUM_30) == {"7300000000000000101": 500}
    campaigns = world["merchants"][0]["advertisers"][0]["campaigns"]
    assert next(c for c in campaigns if c["id"] == WINNER)["budget"] == "210"


def test_a_variant_loop_and_a_bad_variant_field_are_clear_errors(tmp_path: Path):
    _variant(tmp_path, "loop", "loop.yaml", [])
    looped = write_case(tmp_path, "looped", [{"audit": "chain_ok"}], world={"scenario": "loop.yaml"})
    with pytest.raises(CaseError, match=r"looped.yaml: .*loop.yaml: extends: more than 8 variants deep"):
        load_case(looped)
    (tmp_path / "typo.yaml").write_text("extends: small_shop\npatches: []\n", encoding="utf-8")
    typo = write_case(tmp_path, "typo_case", [{"audit": "chain_ok"}], world={"scenario": "typo.yaml"})
    with pytest.raises(CaseError, match=r"typo.yaml: patches: Extra inputs are not permitted"):
        load_case(typo)


def test_the_stocked_variant_gives_glow_serum_weeks_of_stock():
    world = load_case(SHIPPED / "cases" / "scale_winner_campaign.yaml").world_data
    serum = next(p for p in world["merchants"][0]["shops"][0]["products"] if p["id"] == SERUM)
    assert sum(sum(s["stock"].values()) for s in serum["skus"]) == 820


def test_a_seeded_gmv_max_campaign_is_in_the_world_with_its_budget_and_roi_target():
    case = load_case(SHIPPED / "cases" / "scale_winner_gmv_max.yaml")
    sim = Simulator.from_scenario(case.world_data, seed=0)
    campaign = sim.world.advertisers["7000000000000000001"].gmv_max_campaigns[GMV_MAX]
    assert (str(campaign.budget), str(campaign.roas_bid), campaign.item_group_ids) == ("50", "3.0", [MATCHA])
    sim.advance(days=1)
    spent = [s for s in sim.world.advertisers["7000000000000000001"].gmv_max_stats if s.campaign_id == GMV_MAX]
    assert spent and sum(s.cost for s in spent) > 0


@pytest.mark.parametrize(("gmv", "message"), [
    ({"store_id": "999"}, "gmv_max_campaigns.0.store_id: '999' is not one of the merchant's shops"),
    ({"item_group_ids": ["1"]}, "gmv_max_campaigns.0 promotes '1', which is not a product of shop"),
])
def test_a_gmv_max_campaign_outside_the_merchant_is_refused(tmp_path: Path, gmv: dict, message: str):
    spec = {"id": "1800000000000000099", "name": "x", "store_id": "7494000000000000001", "budget": "50",
            "item_group_ids": [MATCHA], **gmv}
    path = write_case(tmp_path, "bad_gmv", [{"audit": "chain_ok"}], world={"scenario": "small_shop", "patch": [
        {"at": "advertiser:7000000000000000001", "append": {"gmv_max_campaigns": [spec]}}]})
    with pytest.raises(CaseError, match=message):
        load_case(path)


def test_a_script_for_an_unknown_agent_is_refused_and_a_known_one_wraps_only_that_agent(tmp_path: Path):
    call = {"tool": "update_budget", "args": {"object_id": WINNER, "budget": "130"}}
    bad = load_case(write_case(tmp_path, "bad_script", [{"audit": "chain_ok"}], script={"nobody": {1: [call]}}))
    strategies = parse_strategy("rules").build()
    with pytest.raises(ConfigError, match="no agent 'nobody'"):
        with_case_script(strategies, bad)
    good = load_case(write_case(tmp_path, "good_script", [{"audit": "chain_ok"}],
                                script={"growth_marketer": {1: [call]}}))
    wrapped = with_case_script(strategies, good)
    assert wrapped["creative"] is strategies["creative"]
    assert wrapped["growth_marketer"] is not strategies["growth_marketer"]


def test_reject_enables_also_rejects_a_gmv_max_launch_which_goes_live_on_create():
    assert decision_for(ReviewerSpec(persona="reject_enables"), "launch_gmv_max_campaign", {}) == "reject"


def test_a_product_filter_matches_a_gmv_max_launch_by_its_item_group_ids():
    launch = TraceAction(day=1, merchant_id="m", agent_id="a", tool="launch_gmv_max_campaign",
                         args={"item_group_ids": [MATCHA]}, verdict="rejected", first_outcome="pending_approval")
    assert matches(launch, TraceFilter(product_id=MATCHA))
    assert not matches(launch, TraceFilter(product_id=SERUM))


def test_the_roi_target_case_fails_when_the_reviewer_lets_the_big_change_through(tmp_path: Path):
    """The ROI-target case can fail: approve what it queues and its 'still 3.3' checks break."""
    text = (SHIPPED / "cases" / "caps_gmv_max_roi_target.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    data["world"]["scenario"] = str(SHIPPED / "worlds" / "small_shop_gmv_max.yaml")
    strict = tmp_path / "strict.yaml"
    strict.write_text(yaml.safe_dump(data), encoding="utf-8")
    lax = tmp_path / "lax.yaml"
    lax.write_text(yaml.safe_dump({**data, "name": "lax", "reviewer": "approve_all"}), encoding="utf-8")
    rules = parse_strategy("rules")
    held = asyncio.run(run_case(load_case(strict), 0, rules, tmp_path / "out"))
    let_through = asyncio.run(run_case(load_case(lax), 0, rules, tmp_path / "out"))
    assert held.passed, [r for r in held.results if not r.passed]
    failed = {r.expectation for r in let_through.results if not r.passed}
    assert "and, rejected, never ran: still 3.3 at the end" in failed
    assert "no ROI change over a limit ran" in failed


def test_no_shipped_case_is_known_failing():
    """Every shipped case counts in the CI gate: a known gap is fixed, not parked."""
    known = {c.name: c.known_failing for c in load_suite(SHIPPED / "cases").cases if c.known_failing}
    assert known == {}
