"""policies/decisions.yaml passes on both engines: embedded regopy and an OPA server over real HTTP."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopwarden.policy import EmbeddedEngine, OpaServerEngine, PolicyBundle
from shopwarden.policy.testing.decision_table import DecisionCase, check_case, deep_merge, load_cases

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def real_opa() -> Iterator[str]:
    binary = shutil.which("opa")
    if binary is None:
        pytest.skip("no `opa` binary on PATH (it cannot be installed in this environment); runs only where OPA is")
    port = _free_port()
    process = subprocess.Popen([binary, "run", "--server", f"--addr=127.0.0.1:{port}"], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_decision_table_on_a_real_opa(real_opa: str, policy_bundle: PolicyBundle) -> None:
    engine = OpaServerEngine(real_opa, policy_bundle, timeout=5.0)
    engine.push()
    failures = [(case.name, result.mismatches) for case in CASES if not (result := check_case(engine, case)).passed]
    assert failures == []
