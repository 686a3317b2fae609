"""`shopwarden policy replay --limits FILE`: limit changes previewed honestly, through the installed command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from installed_cli import shopwarden

from shopwarden.audit.chain import AuditEntry, record
from shopwarden.config import get_settings
from shopwarden.policy import default_limits, load_engine

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _gate_like_input(budget: str) -> dict:
    """As the gate records it: the merchant's limits merged over the defaults in force at the time."""
    return {
        "tool": "update_budget", "action": "mutate", "now": "2026-11-20T18:00:00+00:00",
        "args": {"advertiser_id": "adv", "object_type": "campaign", "object_id": "c1", "budget": budget},
        "merchant": {"id": "m-acme", "autonomy": "guarded", "limits": default_limits(POLICIES)},
        "agent": {"id": "growth_marketer", "allowed_tools": ["update_budget"]},
        "state": {"object_type": "campaign", "object_id": "c1", "object_name": "Summer", "currency": "USD",
                  "budget_mode": "BUDGET_MODE_DAY", "current_budget": "100", "start_of_day_budget": "100",
                  "day": "2026-11-20", "account_increase_today": "0", "status": "ENABLE",
                  "resource_merchant_id": "m-acme"},
        "request": {},
    }


def _history(engine) -> None:
    engine_now = load_engine(get_settings(), policies_dir=POLICIES)
    for budget in ("110", "118"):
        policy_input = _gate_like_input(budget)
        decision = engine_now.decide(policy_input)
        assert decision.decision == "allow"
        record(engine, AuditEntry(merchant_id="m-acme", tool="update_budget", mutating=True, outcome="executed",
                                  decision=decision.decision, policy_version=decision.policy_version,
                                  policy_input=policy_input))


def test_a_changed_data_json_warns_that_recorded_limits_hide_it(engine, merchant, tmp_path: Path) -> None:
    _history(engine)
    stricter = tmp_path / "policies"
    shutil.copytree(POLICIES, stricter)
    data = json.loads((stricter / "data.json").read_text())
    data["shopwarden"]["limits"]["daily_budget_change_pct"] = 15
    (stricter / "data.json").write_text(json.dumps(data))
    result = shopwarden("policy", "replay", "--policies", str(stricter))
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "0 of 2 decisions would change" in out
    assert ("warning: 2 recorded input(s) carry the values of daily_budget_change_pct in force when they were "
            "decided, which win over the new data.json; to preview that change, pass the new values with "
            "--limits FILE") in out


def test_limits_file_applies_over_the_recorded_inputs(engine, merchant, tmp_path: Path) -> None:
    _history(engine)
    limits = tmp_path / "limits.json"
    limits.write_text(json.dumps({"daily_budget_change_pct": 15}))
    result = shopwarden("policy", "replay", "--limits", str(limits), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["replayed"], report["changed"], report["stale_inputs"]) == (2, 1, 0)
    assert report["limits_applied"] == {"daily_budget_change_pct": 15}
    [change] = report["changes"]
    assert (change["before"], change["after"], change["direction"]) == ("allow", "require_approval", "stricter")


def test_a_bad_limits_file_is_a_usage_error(engine, merchant, tmp_path: Path) -> None:
    bad = tmp_path / "limits.json"
    for content, message in (("[1, 2]", "must hold a JSON object of limits"),
                             ('{"daily_budget_change_pct": 150}', "must be at least 0 and at most 100"),
                             ('{"nosuch": 1}', "unknown limit"), ("{", "is not JSON")):
        bad.write_text(content)
        result = shopwarden("policy", "replay", "--limits", str(bad))
        assert result.returncode == 2, content
        assert message in result.stderr, (content, result.stderr)
    neither = shopwarden("policy", "replay")
    assert neither.returncode == 2 and "give --policies DIR, --limits FILE, or both" in neither.stderr
