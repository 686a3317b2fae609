"""Engine behaviour beyond the table: fail-closed, malformed input, broken files, engine choice, threads."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from shopwarden.config import get_settings
from shopwarden.errors import ConfigError
from shopwarden.policy import (
    Decision,
    EmbeddedEngine,
    OpaServerEngine,
    PolicyBundle,
    PolicyEngine,
    PolicyInput,
    PolicyLoadError,
    RegorusEngine,
    default_limits,
    load_engine,
)


def budget_input(budget: str = "110.00", **state: object) -> dict:
    return {
        "tool": "update_budget",
        "action": "mutate",
        "now": "2024-05-01T18:00:00Z",
        "merchant": {"id": "m-acme", "autonomy": "guarded", "limits": {}},
        "agent": {"id": "growth-marketer", "allowed_tools": ["update_budget"]},
        "args": {"advertiser_id": "adv-1", "object_type": "campaign", "object_id": "c-1", "budget": budget},
        "state": {
            "object_name": "Summer Sale",
            "current_budget": "100.00",
            "start_of_day_budget": "100.00",
            "day": "2024-05-01",
            "account_increase_today": "0",
            "resource_merchant_id": "m-acme",
            **state,
        },
    }


# --- fail closed ----------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _BadOpa(BaseHTTPRequestHandler):
    status = 500
    body = b'{"code": "internal_error", "message": "boom"}'

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def bad_opa(request: pytest.FixtureRequest) -> Iterator[str]:
    status, body = request.param
    handler = type("Handler", (_BadOpa,), {"status": status, "body": body})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _assert_unavailable(decision: Decision) -> None:
    assert decision.decision == "deny"
    assert decision.reason_codes == ["engine.unavailable"]
    assert decision.reasons[0].startswith("policy engine unavailable")


def test_unreachable_opa_denies(policy_bundle: PolicyBundle) -> None:
    engine = OpaServerEngine(f"http://127.0.0.1:{_closed_port()}", policy_bundle, timeout=1.0)
    _assert_unavailable(engine.decide(budget_input()))


@pytest.mark.parametrize(
    "bad_opa",
    [(500, b'{"code": "internal_error", "message": "boom"}'), (200, b"<html>not json"), (200, b"{}"),
     (200, b'{"result": {"decision": "yes please"}}'), (200, b'{"result": "allow"}')],
    ids=["http-500", "garbage-json", "no-result", "malformed-decision", "not-an-object"],
    indirect=True,
)
def test_erroring_opa_denies(bad_opa: str, policy_bundle: PolicyBundle) -> None:
    decision = OpaServerEngine(bad_opa, policy_bundle, timeout=2.0).decide(budget_input())
    assert decision.decision == "deny"
    assert decision.reason_codes[0].startswith("engine.")


@pytest.mark.parametrize("bad_opa", [(500, b"{}")], indirect=True)
def test_opa_500_reason_names_the_server_without_credentials(bad_opa: str, policy_bundle: PolicyBundle) -> None:
    with_credentials = bad_opa.replace("http://", "http://admin:s3cret@")
    decision = OpaServerEngine(with_credentials, policy_bundle, token="tok-secret").decide(budget_input())
    _assert_unavailable(decision)
    assert "s3cret" not in decision.reasons[0] and "tok-secret" not in decision.reasons[0]
    assert bad_opa in decision.reasons[0]


def test_opa_url_must_be_http(policy_bundle: PolicyBundle) -> None:
    with pytest.raises(ConfigError, match="SHOPWARDEN_OPA_URL"):
        OpaServerEngine("opa.internal:8181", policy_bundle)


def test_stand_in_without_pushed_policies_denies(policy_bundle: PolicyBundle) -> None:
    from shopwarden.policy.testing.opa_standin import OpaStandin

    with OpaStandin() as empty:
        decision = OpaServerEngine(empty.url, policy_bundle).decide(budget_input())
    _assert_unavailable(decision)
    assert "shopwarden policy push" in decision.reasons[0]


# --- malformed input is a deny with a clear reason -------------------------------------------


@pytest.mark.parametrize(
    ("policy_input", "expected"),
    [
        ({}, "tool: Field required"),
        ({**budget_input(), "action": "delete"}, "action: Input should be 'read' or 'mutate'"),
        ({**budget_input(), "now": "2024-05-01T18:00:00"}, "now: Input should have timezone info"),
        (budget_input(budget="lots"), "args.budget: Input should be a valid decimal"),
        (budget_input(current_budget=None), "state.current_budget: Decimal input should be"),
        (budget_input(timezone="Mars/Olympus"), "state.timezone: unknown time zone 'Mars/Olympus'"),
        ({**budget_input(), "surprise": 1}, "surprise: Extra inputs are not permitted"),
    ],
    ids=["empty", "bad-action", "naive-time", "budget-not-number", "state-null", "bad-zone", "extra-field"],
)
def test_malformed_input_is_denied_with_the_field_named(
    policy_input: dict, expected: str, embedded_engine: EmbeddedEngine, opa_engine: OpaServerEngine
) -> None:
    for engine in (embedded_engine, opa_engine):
        decision = engine.decide(policy_input)
        assert decision.decision == "deny"
        assert decision.reason_codes == ["input.invalid"]
        assert decision.reasons[0].startswith("the policy input is malformed: ")
        assert expected in decision.reasons[0]


def test_policy_input_model_is_accepted_as_is(embedded_engine: EmbeddedEngine) -> None:
    decision = embedded_engine.decide(PolicyInput.model_validate(budget_input("150")))
    assert decision.decision == "require_approval"
    assert decision.policy_version == embedded_engine.version


def test_decimal_money_keeps_its_cents(embedded_engine: EmbeddedEngine) -> None:
    decision = embedded_engine.decide(budget_input("120.01"))
    assert decision.reasons == [
        "raises the daily budget of campaign Summer Sale from 100.00 to 120.01, above today's limit of 120.00 "
        "(start of day 100.00 + 20%)"
    ]


# --- loading ---------------------------------------------------------------------------------


def test_syntax_error_stops_start_up_with_file_and_line(policies_copy: Path) -> None:
    budget = policies_copy / "shopwarden" / "budget.rego"
    lines = budget.read_text().splitlines()
    lines.insert(9, "broken if {")
    budget.write_text("\n".join(lines) + "\n")
    with pytest.raises(PolicyLoadError) as raised:
        load_engine(get_settings(), policies_dir=policies_copy)
    assert str(raised.value).startswith("shopwarden/budget.rego:1")
    assert raised.value.path == "shopwarden/budget.rego"
    assert raised.value.line is not None and raised.value.line >= 10


def test_broken_data_json_names_the_line(policies_copy: Path) -> None:
    (policies_copy / "data.json").write_text('{\n  "shopwarden": {\n    "limits": {,}\n  }\n}\n')
    with pytest.raises(PolicyLoadError, match=r"data.json:3: is not valid JSON"):
        load_engine(get_settings(), policies_dir=policies_copy)


def test_policies_without_a_decision_rule_are_refused(policies_copy: Path) -> None:
    (policies_copy / "shopwarden" / "main.rego").unlink()
    with pytest.raises(PolicyLoadError, match=r"do not define data\.shopwarden\.main\.decision"):
        load_engine(get_settings(), policies_dir=policies_copy)


def test_version_is_the_bundle_hash_and_follows_the_limits(policies_copy: Path, policy_bundle: PolicyBundle) -> None:
    assert load_engine(get_settings(), policies_dir=policies_copy).version == policy_bundle.version
    data = json.loads((policies_copy / "data.json").read_text())
    data["shopwarden"]["limits"]["daily_budget_change_pct"] = 30
    (policies_copy / "data.json").write_text(json.dumps(data))
    changed = load_engine(get_settings(), policies_dir=policies_copy)
    assert changed.version != policy_bundle.version
    assert changed.decide(budget_input("130")).decision == "allow"


def test_test_files_do_not_change_the_version(policies_copy: Path, policy_bundle: PolicyBundle) -> None:
    (policies_copy / "shopwarden" / "more_test.rego").write_text("package shopwarden.more\n\ntest_x if true\n")
    assert PolicyBundle.load(policies_copy).version == policy_bundle.version


def test_default_limits_come_from_data_json() -> None:
    assert default_limits() == {
        "daily_budget_change_pct": 20,
        "hard_budget_change_pct": 100,
        "account_daily_increase_max": 500,
        "min_campaign_budget": 50,
        "min_adgroup_budget": 20,
        "min_gmv_max_budget": 0,
        "roi_target_change_pct": 20,
        "roi_target_changes_per_day": 1,
        "max_skus_per_call": 5,
        "inventory_change_approval_threshold": 100,
    }


def test_load_engine_is_the_regorus_vm_by_default() -> None:
    engine = load_engine(get_settings())
    assert isinstance(engine, RegorusEngine)
    assert isinstance(engine, PolicyEngine)


def test_the_regopy_engine_can_be_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPWARDEN_POLICY_ENGINE", "regopy")
    get_settings.cache_clear()
    engine = load_engine(get_settings())
    assert isinstance(engine, EmbeddedEngine)
    assert isinstance(engine, PolicyEngine)


def test_regorus_decisions_from_many_threads_do_not_mix_inputs(regorus_engine: RegorusEngine) -> None:
    inputs = [budget_input(str(100 + step)) for step in range(40)]
    expected = [regorus_engine.decide(item).decision for item in inputs]
    assert set(expected) == {"allow", "require_approval"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert [d.decision for d in pool.map(regorus_engine.decide, inputs)] == expected


def test_load_engine_uses_opa_when_the_url_is_set(monkeypatch: pytest.MonkeyPatch, opa_standin) -> None:
    monkeypatch.setenv("SHOPWARDEN_OPA_URL", opa_standin.url)
    get_settings.cache_clear()
    engine = load_engine(get_settings())
    assert isinstance(engine, OpaServerEngine)
    assert engine.address == opa_standin.url


def test_policies_dir_setting_is_honoured(monkeypatch: pytest.MonkeyPatch, policies_copy: Path) -> None:
    data = json.loads((policies_copy / "data.json").read_text())
    data["shopwarden"]["limits"]["min_campaign_budget"] = 75
    (policies_copy / "data.json").write_text(json.dumps(data))
    monkeypatch.setenv("SHOPWARDEN_POLICIES_DIR", str(policies_copy))
    get_settings.cache_clear()
    assert default_limits()["min_campaign_budget"] == 75


# --- concurrency -----------------------------------------------------------------------------


def test_concurrent_decisions_do_not_mix_inputs(embedded_engine: EmbeddedEngine) -> None:
    inputs = [budget_input(str(100 + step)) for step in range(40)]
    expected = [embedded_engine.decide(item).decision for item in inputs]
    assert set(expected) == {"allow", "require_approval"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert [d.decision for d in pool.map(embedded_engine.decide, inputs)] == expected


def test_push_order_puts_every_module_after_the_packages_it_imports(policy_bundle: PolicyBundle) -> None:
    names = [name for name, _ in policy_bundle.modules_in_dependency_order()]
    assert sorted(names) == sorted(name for name, _ in policy_bundle.modules)
    assert names.index("shopwarden/lib.rego") < names.index("shopwarden/budget.rego")
    assert names[-1] == "shopwarden/main.rego"


def test_opa_refuses_a_module_pushed_before_the_package_it_imports(policy_bundle: PolicyBundle) -> None:
    from shopwarden.policy.testing.opa_standin import OpaStandin

    with OpaStandin(evaluator="opa") as server:
        sources = policy_bundle.sources()
        with pytest.raises(PolicyLoadError, match=r"undefined function data\.shopwarden\.lib\.cents"):
            server.put_policy("shopwarden.budget", sources["shopwarden/budget.rego"])
        engine = OpaServerEngine(server.url, policy_bundle, timeout=5.0)
        engine.push()  # dependency order: accepted
        assert engine.decide(budget_input("110.00")).decision == "allow"
        engine.close()
