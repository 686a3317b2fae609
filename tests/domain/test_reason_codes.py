"""Every reason code the policies can give is classified, and a verdict is believed only when its codes agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopwarden.domain.reason_codes import ALLOW_CODES, APPROVAL_CODES, DENY_CODES, Effect, effect_of
from shopwarden.policy import Decision

POLICIES = Path(__file__).resolve().parents[2] / "policies" / "shopwarden"
_CODE = re.compile(r'"code":\s*"([a-z_]+\.[a-z_.]+)"')


def policy_codes() -> dict[str, set[str]]:
    """code -> the rule sets it is added to (deny, approval, allowances...) in the shipped policies."""
    found: dict[str, set[str]] = {}
    for path in POLICIES.glob("*.rego"):
        if path.name.endswith("_test.rego"):
            continue
        rule = ""
        for line in path.read_text().splitlines():
            head = re.match(r"^(\w+) contains", line)
            if head:
                rule = head.group(1)
            for code in _CODE.findall(line):
                found.setdefault(code, set()).add(rule)
    return found


def test_the_three_classes_do_not_overlap() -> None:
    assert not (ALLOW_CODES & APPROVAL_CODES or ALLOW_CODES & DENY_CODES or APPROVAL_CODES & DENY_CODES)


def test_every_code_in_the_policies_is_classified_as_the_rule_set_it_joins() -> None:
    expected = {"deny": Effect.DENY, "contract_violations": Effect.DENY, "approval": Effect.APPROVAL,
                "approvals": Effect.APPROVAL, "allowances": Effect.ALLOW, "allowance": Effect.ALLOW}
    codes = policy_codes()
    assert "budget.hard_change_limit" in codes
    for code, rules in codes.items():
        for rule in rules:
            assert effect_of(code) == expected[rule], f"{code} is added to {rule} but classified {effect_of(code)}"


def decision(verdict: str, codes: list[str]) -> Decision:
    return Decision(decision=verdict, reasons=[f"because {c}" for c in codes], reason_codes=codes, policy_version="v")


@pytest.mark.parametrize(("verdict", "codes"), [
    ("allow", ["allow.read"]),
    ("allow", ["allow.within_limits"]),
    ("require_approval", ["enable.needs_approval", "budget.daily_change_limit"]),
    ("require_approval", ["gmv_max.something_new"]),  # a reviewer still decides
    ("deny", ["budget.hard_change_limit", "enable.needs_approval"]),
    ("deny", ["anything.at_all"]),
])
def test_consistent_decisions_pass_unchanged(verdict: str, codes: list[str]) -> None:
    original = decision(verdict, codes)
    assert original.cross_checked() is original


@pytest.mark.parametrize(("verdict", "codes", "named"), [
    ("allow", ["budget.hard_change_limit"], "budget.hard_change_limit"),
    ("allow", ["allow.within_limits", "enable.needs_approval"], "enable.needs_approval"),
    ("allow", ["allow.within_limits", "made.up"], "made.up"),
    ("allow", [], "it gave none"),
    ("require_approval", ["budget.daily_change_limit", "tenancy.cross_tenant"], "tenancy.cross_tenant"),
    ("require_approval", [], "without any reason code"),
])
def test_a_verdict_its_codes_do_not_support_becomes_a_deny_naming_them(verdict: str, codes: list[str],
                                                                         named: str) -> None:
    checked = decision(verdict, codes).cross_checked()
    assert (checked.decision, checked.reason_codes) == ("deny", ["engine.inconsistent_decision"])
    assert checked.reasons[0].startswith(f"the policy engine answered {verdict}")
    assert named in checked.reasons[0] and checked.reasons[0].endswith("; treated as a deny")
