"""The regorus VM engine fails closed: odd answers, repeated keys and VM errors all deny."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from policy_inputs import budget_input

from shopwarden.policy import PolicyBundle, RegorusEngine
from shopwarden.policy.regorus_vm import DuplicateKey, _unique_keys


def test_json_with_a_repeated_key_is_refused() -> None:
    with pytest.raises(DuplicateKey, match="'decision' appears twice"):
        json.loads('{"decision": "deny", "decision": "allow"}', object_pairs_hook=_unique_keys)


def _with_decision(policies: Path, body: str) -> RegorusEngine:
    main = policies / "shopwarden" / "main.rego"
    text = main.read_text()
    start = text.index("decision := {")
    end = text.index("}\n", text.index('"policy_version": policy_version')) + 2
    main.write_text(text[:start] + body + text[end:])
    return RegorusEngine(PolicyBundle.load(policies))


def test_an_allow_without_reasons_denies(policies_copy: Path) -> None:
    engine = _with_decision(policies_copy, 'decision := {"decision": "allow", "reasons": [], "reason_codes": [], '
                                           '"obligations": {}, "policy_version": policy_version}\n')
    decision = engine.decide(budget_input())
    assert (decision.decision, decision.reason_codes) == ("deny", ["engine.inconsistent_decision"])


def test_a_decision_with_an_unknown_field_denies(policies_copy: Path) -> None:
    engine = _with_decision(policies_copy, 'decision := {"decision": "allow", "verdict": "allow"}\n')
    decision = engine.decide(budget_input())
    assert (decision.decision, decision.reason_codes) == ("deny", ["engine.malformed_decision"])


def test_a_runtime_error_in_the_policy_denies_without_a_stack_trace(policies_copy: Path) -> None:
    engine = _with_decision(policies_copy, 'decision := {"decision": to_number(object.get(input, "tool", "0"))}\n')
    decision = engine.decide(budget_input())
    assert decision.decision == "deny"
    assert decision.reason_codes in (["engine.error"], ["engine.no_decision"], ["engine.malformed_decision"])
    assert "Stack backtrace" not in decision.reasons[0]
