"""The `test_*` rules in policies/**/*_test.rego, run through regopy: a failing Rego test fails pytest."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopwarden.policy import PolicyBundle
from shopwarden.policy.testing.opa_reference import run_rego_tests
from shopwarden.policy.testing.rego_tests import RegoTest, RegoTestResult, discover, run_isolated

POLICIES_DIR = Path(__file__).resolve().parents[3] / "policies"

DISCOVERED = discover(PolicyBundle.load(POLICIES_DIR))


@pytest.fixture(scope="module")
def rego_results() -> dict[RegoTest, RegoTestResult]:
    return {result.test: result for result in run_isolated(POLICIES_DIR)}


def test_every_policy_file_has_tests_beside_it() -> None:
    rego_files = (POLICIES_DIR / "shopwarden").glob("*.rego")
    policy_files = {path.stem for path in rego_files if not path.stem.endswith("_test")}
    tested_files = {Path(test.file).stem.removesuffix("_test") for test in DISCOVERED}
    assert policy_files == tested_files


@pytest.mark.parametrize("rego_test", DISCOVERED, ids=lambda test: f"{test.package}.{test.name}")
def test_rego(rego_test: RegoTest, rego_results: dict[RegoTest, RegoTestResult]) -> None:
    result = rego_results[rego_test]
    assert result.passed, f"{rego_test.file}: {rego_test.name}: {result.detail}"


@pytest.fixture(scope="module")
def opa_results() -> dict[RegoTest, RegoTestResult]:
    return {result.test: result for result in run_rego_tests(PolicyBundle.load(POLICIES_DIR))}


@pytest.mark.parametrize("rego_test", DISCOVERED, ids=lambda test: f"{test.package}.{test.name}")
def test_rego_on_opa_itself(rego_test: RegoTest, opa_results: dict[RegoTest, RegoTestResult]) -> None:
    result = opa_results[rego_test]
    assert result.passed, f"{rego_test.file}: {rego_test.name}: {result.detail}"


def test_opa_reports_a_false_rego_test_as_failed(policies_copy: Path) -> None:
    (policies_copy / "shopwarden" / "extra_test.rego").write_text(
        "package shopwarden.extra\n\ntest_money_is_wrong if {\n\tdata.shopwarden.lib.money(100) == \"2.00\"\n}\n"
    )
    results = {result.test.name: result for result in run_rego_tests(PolicyBundle.load(policies_copy))}
    assert not results["test_money_is_wrong"].passed
    assert "undefined" in results["test_money_is_wrong"].detail
    assert results["test_money_has_two_decimals"].passed


def test_a_false_rego_test_is_reported_as_failed(policies_copy: Path) -> None:
    (policies_copy / "shopwarden" / "extra_test.rego").write_text(
        "package shopwarden.extra\n\ntest_money_is_wrong if {\n\tdata.shopwarden.lib.money(100) == \"2.00\"\n}\n"
    )
    results = {result.test.name: result for result in run_isolated(policies_copy)}
    assert not results["test_money_is_wrong"].passed
    assert "undefined" in results["test_money_is_wrong"].detail
    assert results["test_money_has_two_decimals"].passed


def test_a_crashing_rego_test_fails_with_a_hint_instead_of_killing_the_run(policies_copy: Path) -> None:
    (policies_copy / "shopwarden" / "crash_test.rego").write_text(
        "package shopwarden.crash\n\nd := input.v * 2\n\ntest_whole_input if {\n\td == 4 with input as {\"v\": 2}\n}\n"
    )
    results = {result.test.name: result for result in run_isolated(policies_copy)}
    crashed = results["test_whole_input"]
    assert not crashed.passed
    assert "with input as" in crashed.detail
