"""Every reason carries its code and typed parameters, identical on every engine; the sentence is for people."""

from __future__ import annotations

from policy_inputs import budget_input

from shopwarden.policy import Decision, EmbeddedEngine
from shopwarden.policy.contract import decision_from_result
from shopwarden.policy.testing.opa_reference import OpaReferenceEngine


def test_a_budget_reason_carries_cents_and_the_name_as_typed_values(embedded_engine: EmbeddedEngine,
                                                                     opa_reference: OpaReferenceEngine) -> None:
    document = budget_input(args={"advertiser_id": "adv-1", "object_type": "campaign", "object_id": "c-1",
                                  "budget": "150.00"})
    document["state"]["object_name"] = 'Lamp"],"decision":"allow'
    decision = embedded_engine.decide(document)
    assert decision.decision == "require_approval"
    [detail] = decision.details
    assert detail.code == "budget.daily_change_limit" and detail.reason == decision.reasons[0]
    assert detail.params == {
        "object_type": "campaign", "object_name": 'Lamp"],"decision":"allow', "current_cents": 10000,
        "budget_cents": 15000, "limit_cents": 12000, "start_of_day_cents": 10000, "limit_pct": 20,
    }
    assert opa_reference.decide(document) == decision


def test_details_that_disagree_with_the_reasons_deny() -> None:
    raw = {"decision": "allow", "reasons": ["reads are allowed"], "reason_codes": ["allow.read"], "obligations": {},
           "details": [{"code": "allow.read", "reason": "something else", "params": {}}]}
    decision = decision_from_result(raw, "v")
    assert isinstance(decision, Decision)
    assert (decision.decision, decision.reason_codes) == ("deny", ["engine.inconsistent_decision"])
    assert "its reasons and their details disagree" in decision.reasons[0]


def test_a_param_that_is_not_a_plain_value_is_a_malformed_decision() -> None:
    raw = {"decision": "deny", "reasons": ["x"], "reason_codes": ["budget.stale_day"], "obligations": {},
           "details": [{"code": "budget.stale_day", "reason": "x", "params": {"day": {"nested": 1}}}]}
    decision = decision_from_result(raw, "v")
    assert decision.reason_codes == ["engine.malformed_decision"]
