"""policies/decisions.yaml passes on every engine: embedded regopy, OPA itself, and the OPA server path over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopwarden.policy import EmbeddedEngine, OpaServerEngine
from shopwarden.policy.regorus_vm import RegorusEngine
from shopwarden.policy.testing.decision_table import DecisionCase, check_case, deep_merge, load_cases
from shopwarden.policy.testing.opa_reference import OpaReferenceEngine

POLICIES_DIR = Path(__file__).resolve().parents[3] / "policies"

CASES = load_cases(POLICIES_DIR / "decisions.yaml")


def _ids(case: DecisionCase) -> str:
    return case.name.replace(" ", "_")


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_embedded_engine(case: DecisionCase, embedded_engine: EmbeddedEngine) -> None:
    result = check_case(embedded_engine, case)
    assert result.passed, f"{case.name}: {result.mismatches}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_opa_server_engine_over_http(case: DecisionCase, opa_engine: OpaServerEngine) -> None:
    result = check_case(opa_engine, case)
    assert result.passed, f"{case.name}: {result.mismatches}"


def test_both_engines_give_identical_decisions(embedded_engine: EmbeddedEngine, opa_engine: OpaServerEngine) -> None:
    for case in CASES:
        assert embedded_engine.decide(case.input) == opa_engine.decide(case.input), case.name


def test_table_covers_every_reason_code_the_policies_can_give() -> None:
    policy_text = "".join(path.read_text() for path in (POLICIES_DIR / "shopwarden").glob("*.rego"))
    expected = {code for case in CASES for code in case.expect["reason_codes"]}
    for code in ("budget.daily_change_limit", "budget.hard_change_limit", "budget.below_minimum",
                 "budget.account_daily_cap", "budget.stale_day", "creation.not_disabled", "enable.needs_approval",
                 "inventory.bulk_update", "inventory.negative_quantity", "inventory.large_change",
                 "allowlist.tool_not_allowed", "tenancy.cross_tenant", "autonomy.observe", "autonomy.suggest",
                 "allow.read", "allow.within_limits"):
        assert f'"{code}"' in policy_text
        assert code in expected, f"no decision-table case expects {code}"


def test_deep_merge_replaces_lists_and_null_removes_keys() -> None:
    merged = deep_merge({"a": {"b": 1, "c": [1, 2]}, "d": 1}, {"a": {"c": [3]}, "d": None})
    assert merged == {"a": {"b": 1, "c": [3]}}


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_regorus_vm_engine(case: DecisionCase, regorus_engine: RegorusEngine) -> None:
    result = check_case(regorus_engine, case)
    assert result.passed, f"{case.name}: {result.mismatches}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_opa_itself(case: DecisionCase, opa_reference: OpaReferenceEngine) -> None:
    result = check_case(opa_reference, case)
    assert result.passed, f"{case.name}: {result.mismatches}"


def test_decision_table_through_the_server_path_on_opas_own_evaluator(opa_server_on_opa: OpaServerEngine) -> None:
    failures = [(case.name, result.mismatches) for case in CASES
                if not (result := check_case(opa_server_on_opa, case)).passed]
    assert failures == []


def test_every_engine_gives_opas_decisions_and_reasons(embedded_engine: EmbeddedEngine, opa_engine: OpaServerEngine,
                                                      opa_reference: OpaReferenceEngine,
                                                      opa_server_on_opa: OpaServerEngine,
                                                      regorus_engine: RegorusEngine) -> None:
    for case in CASES:
        reference = opa_reference.decide(case.input)
        assert regorus_engine.decide(case.input) == reference, case.name
        assert embedded_engine.decide(case.input) == reference, case.name
        assert opa_engine.decide(case.input) == reference, case.name
        assert opa_server_on_opa.decide(case.input) == reference, case.name
