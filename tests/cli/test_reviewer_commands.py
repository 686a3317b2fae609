import json
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopwarden.api.auth import issue_token
from shopwarden.approvals import queue as approvals
from shopwarden.audit.chain import AuditEntry, record
from shopwarden.cli import app
from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.gate.calls import Outcome, ToolResult
from shopwarden.policy import load_engine

runner = CliRunner()
POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _pending(engine, ttl: timedelta = approvals.DEFAULT_TTL) -> int:
    with session_scope(engine) as session:
        return approvals.create_approval(
            session, merchant_id="m-acme", run_id="r", agent_id="growth_marketer", tool="enable_ads",
            args={"advertiser_id": "a", "object_type": "campaign", "object_id": "c1"}, reasons=["needs a human"],
            reason_codes=["enable.requires_approval"], rationale="", policy_version="v", requested_by="growth_marketer",
            ttl=ttl).id


@pytest.fixture
def queue(engine, merchant, monkeypatch) -> int:
    approvals.add_reviewer(engine, "m-acme", "alice", "reviewer")
    approvals.add_reviewer(engine, "m-acme", "vic", "viewer")
    _act_as(monkeypatch, issue_token(engine, "m-acme", "alice"))
    return _pending(engine)


def _act_as(monkeypatch, token: str | None) -> None:
    """The CLI's reviewer identity is the token in SHOPWARDEN_REVIEWER_TOKEN (or a prompt on a terminal)."""
    if token is None:
        monkeypatch.delenv("SHOPWARDEN_REVIEWER_TOKEN", raising=False)
    else:
        monkeypatch.setenv("SHOPWARDEN_REVIEWER_TOKEN", token)
    get_settings.cache_clear()


def test_list_and_show(queue: int) -> None:
    listed = runner.invoke(app, ["approvals", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    [row] = json.loads(listed.output)
    assert (row["id"], row["status"], row["tool"]) == (queue, "pending", "enable_ads")
    shown = runner.invoke(app, ["approvals", "show", str(queue)])
    assert json.loads(shown.output)["reasons"] == ["needs a human"]


def test_approve_executes_once_through_the_gate(queue: int, monkeypatch) -> None:
    calls: list[int] = []

    class FakeGate:
        async def execute_approved(self, approval_id: int) -> ToolResult:
            calls.append(approval_id)
            return ToolResult(tool="enable_ads", outcome=Outcome.EXECUTED, reasons=["approved by alice"])

    class FakeRuntime:
        gate = FakeGate()

    monkeypatch.setattr("shopwarden.runtime.build_runtime", lambda: FakeRuntime())
    result = runner.invoke(app, ["approvals", "approve", str(queue)])
    assert result.exit_code == 0, result.output
    assert calls == [queue]
    assert "enable_ads: executed" in result.output


@pytest.mark.parametrize(
    ("args", "who", "message", "code"),
    [
        (["approvals", "approve", "999"], "alice", "approval 999 not found", 2),
        (["approvals", "approve", "{id}"], "vic", "role viewer", 1),
        (["approvals", "approve", "{id}"], "swr_not-a-real-token", "the reviewer token is not valid", 1),
        (["approvals", "approve", "{id}"], None, "SHOPWARDEN_REVIEWER_TOKEN: is not set", 2),
        (["approvals", "reject", "{id}", "--reason", " "], "alice", "needs a reason", 1),
        (["approvals", "show", "{id}", "--merchant", "m-other"], "alice", "not found", 2),
        (["approvals", "show", "abc"], "alice", "Invalid value", 2),
        (["approvals", "list", "--status", "bogus"], "alice", "'bogus' is not one of", 2),
        (["approvals", "list", "--merchant", "nosuch"], "alice", "merchant nosuch does not exist", 2),
        (["approvals", "reject", "{id}"], "alice", "Missing option '--reason'", 2),
    ],
)
def test_bad_requests_are_one_clear_line(engine, queue: int, args: list[str], who: str | None, message: str,
                                         code: int, capsys, monkeypatch) -> None:
    from shopwarden.cli import main

    tokens = {"alice": None, "vic": issue_token(engine, "m-acme", "vic")}
    if who is None:
        _act_as(monkeypatch, None)
    elif who in tokens:
        if tokens[who] is not None:
            _act_as(monkeypatch, tokens[who])
    else:
        _act_as(monkeypatch, who)
    monkeypatch.setattr(sys, "argv", ["shopwarden", *[a.replace("{id}", str(queue)) for a in args]])
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    if err.startswith("error: "):  # our errors are one line; usage errors come with click's usage hint
        assert len(err.strip().splitlines()) == 1


def test_approving_twice_and_expired(engine, queue: int, capsys, monkeypatch) -> None:
    from shopwarden.cli import main

    approvals.reject(engine, queue, reviewer="alice", reason="no")
    expired = _pending(engine, ttl=timedelta(seconds=-1))
    for approval_id, message in ((queue, "already rejected"), (expired, "expired at")):
        argv = ["shopwarden", "approvals", "approve", str(approval_id)]
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit):
            main()
        assert message in capsys.readouterr().err


def test_merchant_set_changes_limits_as_data(engine, merchant) -> None:
    result = runner.invoke(app, ["merchant", "set", "m-acme", "--autonomy", "suggest",
                                 "--daily-budget-change-pct", "10", "--inventory-threshold", "40"])
    assert result.exit_code == 0, result.output
    shown = json.loads(runner.invoke(app, ["merchant", "show", "m-acme", "--json"]).output)
    assert shown["autonomy"] == "suggest"
    assert shown["limits"]["daily_budget_change_pct"] == 10
    assert shown["limits"]["inventory_change_approval_threshold"] == 40
    assert shown["limits"]["min_campaign_budget"] == 50  # default kept
    bad = runner.invoke(app, ["merchant", "set", "m-acme", "--autonomy", "reckless"])
    assert bad.exit_code != 0


def test_listing_copy_drafts_are_an_opt_in_the_merchant_can_take_back(engine, merchant) -> None:
    def shown() -> dict:
        return json.loads(runner.invoke(app, ["merchant", "show", "m-acme", "--json"]).output)

    assert shown()["listing_copy_drafts"] is False
    on = runner.invoke(app, ["merchant", "set", "m-acme", "--listing-copy-drafts"])
    assert on.exit_code == 0 and "listing copy drafts on" in on.output
    assert shown()["listing_copy_drafts"] is True and shown()["autonomy"] == "guarded"  # nothing else changed
    off = runner.invoke(app, ["merchant", "set", "m-acme", "--no-listing-copy-drafts"])
    assert off.exit_code == 0 and shown()["listing_copy_drafts"] is False


def test_audit_verify_passes_then_fails_after_tampering(engine, merchant) -> None:
    from sqlalchemy import text

    for _ in range(3):
        record(engine, AuditEntry(merchant_id="m-acme", tool="list_shops", outcome="read"))
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "intact: 3 rows" in ok.output
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET outcome = 'executed' WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1 and "was edited" in broken.output
    listed = json.loads(runner.invoke(app, ["audit", "list", "--json", "--merchant", "m-acme"]).output)
    assert [r["seq"] for r in listed] == [3, 2, 1]


def _budget_input(new_budget: str) -> dict:
    return {
        "tool": "update_budget", "action": "mutate", "now": "2026-11-20T18:00:00+00:00",
        "args": {"advertiser_id": "adv", "object_type": "campaign", "object_id": "c1", "budget": new_budget},
        "merchant": {"id": "m-acme", "autonomy": "guarded", "limits": {}},
        "agent": {"id": "growth_marketer", "allowed_tools": ["update_budget"]},
        "state": {"object_type": "campaign", "object_id": "c1", "object_name": "Summer", "currency": "USD",
                  "budget_mode": "BUDGET_MODE_DAY", "current_budget": "100", "start_of_day_budget": "100",
                  "day": "2026-11-20", "account_increase_today": "0", "status": "ENABLE",
                  "resource_merchant_id": "m-acme"},
        "request": {},
    }


def test_policy_replay_reports_decisions_a_stricter_limit_changes(engine, merchant, tmp_path) -> None:
    current = load_engine(get_settings(), policies_dir=POLICIES)
    for budget in ("110", "118"):
        policy_input = _budget_input(budget)
        decision = current.decide(policy_input)
        assert decision.decision == "allow"
        record(engine, AuditEntry(merchant_id="m-acme", tool="update_budget", mutating=True, outcome="executed",
                                  decision=decision.decision, policy_version=decision.policy_version,
                                  policy_input=policy_input))
    stricter = tmp_path / "policies"
    shutil.copytree(POLICIES, stricter)
    data = json.loads((stricter / "data.json").read_text())
    data["shopwarden"]["limits"]["daily_budget_change_pct"] = 15
    (stricter / "data.json").write_text(json.dumps(data))
    result = runner.invoke(app, ["policy", "replay", "--policies", str(stricter), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["replayed"], report["changed"]) == (2, 1)
    [change] = report["changes"]
    assert (change["before"], change["after"], change["direction"]) == ("allow", "require_approval", "stricter")
    assert report["policy_version"] != current.version


class _Gate:
    def __init__(self, result: ToolResult) -> None:
        self.result, self.calls = result, []

    async def execute_approved(self, approval_id: int) -> ToolResult:
        self.calls.append(approval_id)
        return self.result


def _use_gate(monkeypatch, result: ToolResult) -> _Gate:
    gate = _Gate(result)
    monkeypatch.setattr("shopwarden.runtime.build_runtime", lambda: type("Runtime", (), {"gate": gate})())
    return gate


def _run_main(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    from shopwarden.cli import main

    monkeypatch.setattr(sys, "argv", ["shopwarden", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_approving_the_same_action_twice_is_refused_and_runs_once(queue: int, monkeypatch, capsys) -> None:
    gate = _use_gate(monkeypatch, ToolResult(tool="enable_ads", outcome=Outcome.EXECUTED))
    assert _run_main(monkeypatch, capsys, "approvals", "approve", str(queue))[0] == 0
    code, _, err = _run_main(monkeypatch, capsys, "approvals", "approve", str(queue))
    assert code == 1  # a refused action, not a usage error
    assert err.strip() == f"error: approval {queue} is already approved"
    assert gate.calls == [queue]


def test_a_fresh_deny_at_execution_exits_1_with_the_reason(queue: int, monkeypatch) -> None:
    reason = "not executed: a fresh policy check before execution refused it: campaign is archived"
    _use_gate(monkeypatch, ToolResult(tool="enable_ads", outcome=Outcome.DENIED, reasons=[reason]))
    result = runner.invoke(app, ["approvals", "approve", str(queue)])
    assert result.exit_code == 1
    assert "enable_ads: denied" in result.output and "campaign is archived" in " ".join(result.output.split())


def test_reject_records_the_reason_and_never_executes(engine, queue: int, monkeypatch) -> None:
    gate = _use_gate(monkeypatch, ToolResult(tool="enable_ads", outcome=Outcome.EXECUTED))
    result = runner.invoke(app, ["approvals", "reject", str(queue), "--reason", "not now"])
    assert result.exit_code == 0 and f"approval {queue} rejected by alice" in result.output
    shown = approvals.get_approval(engine, queue)
    assert (shown.status, shown.review_note, gate.calls) == ("rejected", "not now", [])


def test_list_table_and_status_filter(queue: int, monkeypatch) -> None:
    from shopwarden.cli._common import console

    monkeypatch.setattr(console, "width", 300)
    table = runner.invoke(app, ["approvals", "list", "--merchant", "m-acme"])
    assert table.exit_code == 0 and "enable_ads" in table.output and "needs a human" in table.output
    none = json.loads(runner.invoke(app, ["approvals", "list", "--status", "executed", "--json"]).output)
    assert none == []


def test_merchant_add_validates_and_refuses_duplicates(engine, merchant, monkeypatch, capsys) -> None:
    created = runner.invoke(app, ["merchant", "add", "m-new", "--name", "New Shop"])
    assert created.exit_code == 0 and "merchant m-new created with autonomy suggest" in created.output
    code, _, err = _run_main(monkeypatch, capsys, "merchant", "add", "m-new")
    assert code == 2 and "merchant m-new already exists" in err and "Traceback" not in err
    code, _, err = _run_main(monkeypatch, capsys, "merchant", "add", "bad id!")
    assert code == 2 and "letters, digits" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["merchant", "set", "m-ghost", "--autonomy", "guarded"], "merchant m-ghost does not exist"),
        (["merchant", "set", "m-acme", "--daily-budget-change-pct", "-5"],
         "--daily-budget-change-pct: must be at least 0 and at most 100, not -5"),
        (["merchant", "set", "m-acme", "--autonomy", "reckless"], "reckless"),
        (["merchant", "show", "m-ghost"], "merchant m-ghost does not exist"),
        (["merchant", "reviewer", "add", "m-acme", "zoe", "--role", "admin"], "admin"),
        (["merchant", "reviewer", "add", "m-ghost", "zoe"], "merchant m-ghost does not exist"),
    ],
)
def test_merchant_bad_input_is_one_clear_error(engine, merchant, monkeypatch, capsys, args, message) -> None:
    code, _, err = _run_main(monkeypatch, capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_an_agent_as_reviewer_is_refused_with_exit_1(engine, merchant, monkeypatch, capsys) -> None:
    code, _, err = _run_main(monkeypatch, capsys, "merchant", "reviewer", "add", "m-acme", "agent:growth")
    assert code == 1
    message = "only a human reviewer"
    assert message in err and "Traceback" not in err


def test_reviewers_are_listed_with_their_roles(engine, merchant) -> None:
    added = runner.invoke(app, ["merchant", "reviewer", "add", "m-acme", "olga", "--role", "owner"])
    assert added.exit_code == 0 and "olga is now an owner of merchant m-acme" in added.output
    runner.invoke(app, ["merchant", "reviewer", "add", "m-acme", "vera", "--role", "viewer"])
    shown = json.loads(runner.invoke(app, ["merchant", "show", "m-acme", "--json"]).output)
    assert shown["reviewers"] == [{"name": "olga", "role": "owner", "has_token": False},
                                  {"name": "vera", "role": "viewer", "has_token": False}]


def test_audit_list_table_and_since(engine, merchant, monkeypatch) -> None:
    from shopwarden.cli._common import console

    monkeypatch.setattr(console, "width", 300)
    record(engine, AuditEntry(merchant_id="m-acme", tool="update_budget", outcome="denied", decision="deny",
                              reasons=["above the daily limit"]))
    table = runner.invoke(app, ["audit", "list", "--merchant", "m-acme"])
    assert table.exit_code == 0
    assert "update_budget" in table.output and "above the daily limit" in table.output
    future = json.loads(runner.invoke(app, ["audit", "list", "--json", "--since", "2999-01-01T00:00:00"]).output)
    assert future == []
