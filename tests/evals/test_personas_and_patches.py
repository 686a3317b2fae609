"""Reviewer personas decide as their names say; world patches append and remove by id."""

from __future__ import annotations

import pytest

from shopwarden.evals.case import ReviewerSpec
from shopwarden.evals.reviewer import decision_for
from shopwarden.evals.world_patch import PatchError, WorldPatch, apply_patches

BUDGET = {"object_type": "campaign", "object_id": "1", "budget": "140"}


@pytest.mark.parametrize(("persona", "tool", "expected"), [
    ("approve_all", "enable_ads", "approve"), ("reject_all", "update_budget", "reject"),
    ("let_expire", "update_budget", "expire"), ("reject_enables", "enable_ads", "reject"),
    ("reject_enables", "update_budget", "approve"),
])
def test_fixed_personas(persona: str, tool: str, expected: str):
    assert decision_for(ReviewerSpec(persona=persona), tool, BUDGET) == expected


def test_a_rule_based_reviewer_takes_the_first_matching_rule_then_the_default():
    spec = ReviewerSpec.model_validate({"persona": "rules", "default": "expire", "rules": [
        {"tool": "update_budget", "budget_max": 150, "decide": "approve"},
        {"tool": "update_budget", "decide": "reject"}]})
    assert decision_for(spec, "update_budget", BUDGET) == "approve"
    assert decision_for(spec, "update_budget", {**BUDGET, "budget": "151"}) == "reject"
    assert decision_for(spec, "update_budget", {**BUDGET, "budget": "not a number"}) == "reject"
    assert decision_for(spec, "pause_ads", BUDGET) == "expire"


WORLD = {"merchant": {"id": "m", "advertisers": [{"id": "a", "campaigns": [
    {"id": "c1", "name": "one", "adgroups": [{"id": "g1"}]}, {"id": "c2", "name": "two"}]}]}}


def test_append_and_remove_by_id_leave_the_input_untouched():
    patched = apply_patches(WORLD, [
        WorldPatch(at="advertiser:a", append={"campaigns": [{"id": "c3", "name": "three"}]}),
        WorldPatch(at="campaign:c2", remove=True),
        WorldPatch(at="adgroup:g1", set={"budget": "25"})])
    campaigns = patched["merchants"][0]["advertisers"][0]["campaigns"]
    assert [c["id"] for c in campaigns] == ["c1", "c3"] and campaigns[0]["adgroups"][0]["budget"] == "25"
    assert len(WORLD["merchant"]["advertisers"][0]["campaigns"]) == 2


@pytest.mark.parametrize(("patch", "message"), [
    (WorldPatch(at="campaign"), "`at` must be KIND:ID"),
    (WorldPatch(at="order:1"), "`at` must be KIND:ID with KIND one of merchant, shop"),
    (WorldPatch(at="campaign:c1", append={"name": ["x"]}), "name is not a list"),
    (WorldPatch(remove=True), "the scenario itself cannot be removed"),
])
def test_bad_patches_say_why(patch: WorldPatch, message: str):
    with pytest.raises(PatchError, match=message):
        apply_patches(WORLD, [patch])
