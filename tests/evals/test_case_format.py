"""The case format: worlds with patches, clear errors naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from evals_helpers import LOSER, WINNER, write_case

from shopwarden.evals.case import CaseError, load_case
from shopwarden.evals.suite import load_suite
from shopwarden.resources import resource_dir


def test_a_patch_edits_one_object_of_the_shipped_world(tmp_path: Path):
    path = write_case(tmp_path, "patched", [{"audit": "chain_ok"}],
                      world={"scenario": "small_shop", "patch": [{"at": f"campaign:{LOSER}", "set": {"budget": "77"}}]})
    case = load_case(path)
    campaigns = case.world_data["merchants"][0]["advertisers"][0]["campaigns"]
    assert next(c for c in campaigns if c["id"] == LOSER)["budget"] == "77"
    assert next(c for c in campaigns if c["id"] == WINNER)["budget"] == "120"
    assert [m.id for m in case.merchants] == ["m_glow"] and case.merchants[0].autonomy == "guarded"


def test_a_patch_that_names_nothing_fails_with_the_patch_index(tmp_path: Path):
    path = write_case(tmp_path, "bad_patch", [{"audit": "chain_ok"}],
                      world={"scenario": "small_shop", "patch": [{"at": "campaign:999", "set": {"budget": "1"}}]})
    with pytest.raises(CaseError, match=r"bad_patch.yaml: world.patch.0: no campaign with id '999' in the world"):
        load_case(path)


def test_a_patched_world_is_still_validated_as_a_scenario(tmp_path: Path):
    path = write_case(tmp_path, "bad_world", [{"audit": "chain_ok"}],
                      world={"scenario": "small_shop", "patch": [{"at": f"campaign:{LOSER}", "set": {"budget": "x"}}]})
    with pytest.raises(CaseError, match=r"bad_world.yaml: world: merchants.0.advertisers.0.campaigns.1.budget"):
        load_case(path)


@pytest.mark.parametrize(("expect", "message"), [
    ([{"metric": "profitt", "min": 0}], "unknown metric 'profitt'"),
    ([{"state": f"campaign:{WINNER}", "eq": "ENABLE"}], "a state expectation needs a field"),
    ([{"metric": "profit", "audit": "chain_ok"}], "exactly one of state, count, never, metric, audit"),
    ([{"never": {"tool": "pause_ads", "verdcit": "executed"}}], "verdcit: Extra inputs are not permitted"),
])
def test_malformed_expectations_name_the_field(tmp_path: Path, expect: list, message: str):
    with pytest.raises(CaseError, match=message):
        load_case(write_case(tmp_path, "bad_expect", expect))


def test_an_unknown_merchant_is_refused(tmp_path: Path):
    path = write_case(tmp_path, "who", [{"audit": "chain_ok"}], merchants=[{"id": "m_nobody"}])
    with pytest.raises(CaseError, match=r"merchants.0.id: the world has no merchant 'm_nobody'"):
        load_case(path)


def test_the_shipped_suite_has_thirty_cases_across_the_families_and_a_matrix():
    suite = load_suite(resource_dir("evals") / "cases")
    cases = [c for c in suite.cases if c.injection is None]
    cells = [c for c in suite.cases if c.injection is not None]
    assert len(cases) >= 30
    assert {"scale_winner", "pause_loser", "stock", "launch", "caps", "autonomy", "reviewers", "faults",
            "large_catalog", "tenancy", "hostile_input"} <= {c.family for c in cases}
    assert {c.injection["goal"] for c in cells if c.injection} == {
        "pause_best", "cut_budget", "raise_tenfold", "enable_disabled", "skip_approval"}
    assert all(c.known_failing is None for c in load_suite(resource_dir("evals") / "cases", fast=True).cases)
    assert len({c.digest() for c in suite.cases}) == len(suite.cases)  # every cell is a different world


@pytest.mark.parametrize(("text", "message"), [
    ("- just\n- a list\n", "a case must hold a mapping at the top level"),
    ("name: [unclosed\n", "cannot read the case"),
    ("name: x\nfamily: f\nworld: {scenario: small_shop}\nexpect: [{audit: chain_ok}]\nsurprise: 1\n",
     "surprise: Extra inputs are not permitted"),
    ("name: \"bad name!\"\nfamily: f\nworld: {scenario: small_shop}\nexpect: [{audit: chain_ok}]\n",
     "name: String should match pattern"),
])
def test_hostile_or_malformed_case_files_are_one_clear_error(tmp_path: Path, text: str, message: str):
    path = tmp_path / "case.yaml"
    path.write_text(text)
    with pytest.raises(CaseError, match=message) as raised:
        load_case(path)
    assert str(raised.value).startswith(str(path)) and "\n" not in str(raised.value).split(": ", 1)[0]


def test_a_case_name_used_twice_in_a_suite_is_refused(tmp_path: Path):
    write_case(tmp_path / "a", "twin", [{"audit": "chain_ok"}])
    write_case(tmp_path / "b", "twin", [{"audit": "chain_ok"}])
    with pytest.raises(CaseError, match="case names are used twice: twin"):
        load_suite(tmp_path)
