"""The shared decision table (policies/decisions.yaml): input -> expected decision and reason codes."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shopwarden.errors import PolicyLoadError
from shopwarden.policy.contract import Decision
from shopwarden.policy.engine import PolicyEngine

TABLE_FILE = "decisions.yaml"


@dataclass(frozen=True)
class DecisionCase:
    name: str
    input: dict[str, Any]
    expect: dict[str, Any]


@dataclass
class CaseResult:
    case: DecisionCase
    decision: Decision
    mismatches: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.mismatches


def load_cases(path: Path) -> list[DecisionCase]:
    """Read the table; each case is its base deep-merged with its own input (null removes a key)."""
    try:
        table = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyLoadError(f"cannot be read: {exc}", path=str(path)) from None
    bases = table.get("bases", {}) if isinstance(table, dict) else {}
    cases = []
    for number, raw in enumerate(table.get("cases", []) if isinstance(table, dict) else [], start=1):
        name = raw.get("name") or f"case {number}"
        base_name = raw.get("base")
        if base_name is not None and base_name not in bases:
            raise PolicyLoadError(f"case {name!r} names an unknown base {base_name!r}", path=str(path))
        base = copy.deepcopy(bases.get(base_name, {}))
        expect = raw.get("expect") or {}
        if "decision" not in expect or "reason_codes" not in expect:
            raise PolicyLoadError(f"case {name!r} must expect a decision and reason_codes", path=str(path))
        cases.append(DecisionCase(name, deep_merge(base, raw.get("input") or {}), expect))
    if not cases:
        raise PolicyLoadError("has no cases", path=str(path))
    return cases


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def check_case(engine: PolicyEngine, case: DecisionCase) -> CaseResult:
    decision = engine.decide(case.input)
    mismatches = []
    expected_codes = sorted(case.expect["reason_codes"])
    if decision.decision != case.expect["decision"]:
        mismatches.append(f"decision {decision.decision!r}, expected {case.expect['decision']!r}")
    if sorted(decision.reason_codes) != expected_codes:
        mismatches.append(f"reason codes {sorted(decision.reason_codes)}, expected {expected_codes}")
    if "reasons" in case.expect and decision.reasons != case.expect["reasons"]:
        mismatches.append(f"reasons {decision.reasons}, expected {case.expect['reasons']}")
    if "obligations" in case.expect and decision.obligations != case.expect["obligations"]:
        mismatches.append(f"obligations {decision.obligations}, expected {case.expect['obligations']}")
    return CaseResult(case, decision, mismatches)


def run_table(engine: PolicyEngine, path: Path) -> list[CaseResult]:
    return [check_case(engine, case) for case in load_cases(path)]
