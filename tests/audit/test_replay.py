"""Policy replay: recorded policy inputs re-decided under a changed copy of policies/."""

import json
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopwarden.audit.chain import AuditEntry, record
from shopwarden.audit.replay import replay
from shopwarden.cli import app
from shopwarden.config import get_settings
from shopwarden.db.models import utcnow
from shopwarden.policy import load_engine

POLICIES = Path(__file__).resolve().parents[2] / "policies"
runner = CliRunner()


def _policy(policies_dir):
    return load_engine(get_settings(), policies_dir=policies_dir)


def _budget_input(merchant_id: str, new_budget: str) -> dict:
    return {
        "tool": "update_budget", "action": "mutate", "now": "2026-11-20T18:00:00+00:00",
        "args": {"advertiser_id": "adv", "object_type": "campaign", "object_id": "c1", "budget": new_budget},
        "merchant": {"id": merchant_id, "autonomy": "guarded", "limits": {}},
        "agent": {"id": "growth_marketer", "allowed_tools": ["update_budget"]},
        "state": {"object_type": "campaign", "object_id": "c1", "object_name": "Summer", "currency": "USD",
                  "budget_mode": "BUDGET_MODE_DAY", "current_budget": "100", "start_of_day_budget": "100",
                  "day": "2026-11-20", "account_increase_today": "0", "status": "ENABLE",
                  "resource_merchant_id": merchant_id},
        "request": {},
    }


def _record_decision(engine, merchant_id: str, budget: str) -> str:
    policy_input = _budget_input(merchant_id, budget)
    decision = _policy(POLICIES).decide(policy_input)
    record(engine, AuditEntry(merchant_id=merchant_id, tool="update_budget", mutating=True, outcome="executed",
                              decision=decision.decision, policy_version=decision.policy_version,
                              policy_input=policy_input))
    return decision.decision


def _policies_with(tmp_path: Path, **limits: int) -> Path:
    changed = tmp_path / "policies"
    shutil.copytree(POLICIES, changed)
    data = json.loads((changed / "data.json").read_text())
    data["shopwarden"]["limits"].update(limits)
    (changed / "data.json").write_text(json.dumps(data))
    return changed


@pytest.fixture
def history(engine, merchant) -> None:
    """m-acme: +10 % (allow), +18 % (allow), +30 % (approval); m-other: +18 % (allow); plus rows without a decision."""
    assert [_record_decision(engine, "m-acme", b) for b in ("110", "118", "130")] == \
        ["allow", "allow", "require_approval"]
    _record_decision(engine, "m-other", "118")
    record(engine, AuditEntry(merchant_id="m-acme", tool="list_campaigns", outcome="read"))
    record(engine, AuditEntry(merchant_id="m-acme", tool="approvals.approve", outcome="denied",
                              decision="deny"))  # a decision without a recorded input cannot be replayed


def test_a_stricter_limit_changes_only_the_decisions_it_catches(engine, history, tmp_path) -> None:
    report = replay(engine, _policy(_policies_with(tmp_path, daily_budget_change_pct=15)))
    assert report.replayed == 4
    assert [(c.merchant_id, c.before, c.after, c.direction) for c in report.changes] == [
        ("m-acme", "allow", "require_approval", "stricter"), ("m-other", "allow", "require_approval", "stricter")]
    assert report.changes[0].reasons and report.changes[0].reason_codes
    assert report.changes[0].after_version == report.policy_version != report.changes[0].before_version


def test_a_looser_limit_is_reported_as_looser(engine, history, tmp_path) -> None:
    report = replay(engine, _policy(_policies_with(tmp_path, daily_budget_change_pct=40)),
                    merchant_id="m-acme")
    assert report.replayed == 3
    assert [(c.before, c.after, c.direction) for c in report.changes] == [("require_approval", "allow", "looser")]


def test_the_same_policies_change_nothing(engine, history) -> None:
    report = replay(engine, _policy(POLICIES))
    assert (report.replayed, report.changes) == (4, [])


def test_since_limits_the_window(engine, history, tmp_path) -> None:
    policy = _policy(_policies_with(tmp_path, daily_budget_change_pct=15))
    assert replay(engine, policy, since=utcnow() + timedelta(minutes=1)).replayed == 0
    assert replay(engine, policy, since=utcnow() - timedelta(minutes=5)).replayed == 4


def test_cli_table_names_each_change_from_to_with_reasons(engine, history, tmp_path, monkeypatch) -> None:
    from shopwarden.cli._common import console

    monkeypatch.setattr(console, "width", 400)
    stricter = _policies_with(tmp_path, daily_budget_change_pct=15)
    result = runner.invoke(app, ["policy", "replay", "--policies", str(stricter), "--merchant", "m-acme"])
    assert result.exit_code == 0, result.output
    assert "allow → require_approval (stricter)" in result.output
    assert "1 of 3 decisions would change" in result.output
    expected_reason = replay(engine, _policy(stricter), merchant_id="m-acme").changes[0].reasons[0]
    assert expected_reason[:40] in " ".join(result.output.split())


def test_cli_json_lists_the_changes(engine, history, tmp_path) -> None:
    stricter = _policies_with(tmp_path, daily_budget_change_pct=15)
    result = runner.invoke(app, ["policy", "replay", "--policies", str(stricter), "--json"])
    report = json.loads(result.output)
    assert (report["replayed"], report["changed"]) == (4, 2)
    assert {c["merchant_id"] for c in report["changes"]} == {"m-acme", "m-other"}


def test_cli_broken_policies_folder_is_one_clear_line(engine, merchant, tmp_path, capsys, monkeypatch) -> None:
    from shopwarden.cli import main

    broken = _policies_with(tmp_path)
    (broken / "data.json").write_text("{not json")
    monkeypatch.setattr(sys, "argv", ["shopwarden", "policy", "replay", "--policies", str(broken)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    [line] = err.splitlines()
    assert line.startswith("error: ") and line.endswith("policies/data.json:1: is not valid JSON: Expecting property "
                                                       "name enclosed in double quotes")
