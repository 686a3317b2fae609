"""Test harnesses for the policies: an OPA-compatible stand-in server (`opa_standin`), the shared
decision table (`decision_table`) and the Rego unit-test runner (`rego_tests`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.policy.testing.opa_standin`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.policy.testing.decision_table import (
        TABLE_FILE,
        CaseResult,
        DecisionCase,
        check_case,
        deep_merge,
        load_cases,
        run_table,
    )
    from shopwarden.policy.testing.opa_standin import OpaStandin
    from shopwarden.policy.testing.rego_tests import RegoTest, RegoTestResult, discover, run_in_process, run_isolated

_EXPORTS = {
    "OpaStandin": "opa_standin",
    "TABLE_FILE": "decision_table",
    "CaseResult": "decision_table",
    "DecisionCase": "decision_table",
    "check_case": "decision_table",
    "deep_merge": "decision_table",
    "load_cases": "decision_table",
    "run_table": "decision_table",
    "RegoTest": "rego_tests",
    "RegoTestResult": "rego_tests",
    "discover": "rego_tests",
    "run_in_process": "rego_tests",
    "run_isolated": "rego_tests",
}

__all__ = [
    "TABLE_FILE",
    "CaseResult",
    "DecisionCase",
    "OpaStandin",
    "RegoTest",
    "RegoTestResult",
    "check_case",
    "deep_merge",
    "discover",
    "load_cases",
    "run_in_process",
    "run_isolated",
    "run_table",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
