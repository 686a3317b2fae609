"""Every command family exits 0 ok, 1 check failed / action refused, 2 usage or configuration error.

Run through the installed console script: click *returns* typer.Exit's code in non-standalone
mode, so only a real subprocess proves the code reaches the shell.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from installed_cli import shopwarden
from sqlalchemy import text

from shopwarden.approvals import queue as approvals
from shopwarden.audit.chain import AuditEntry, record
from shopwarden.db.engine import session_scope

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def test_help_and_a_good_command_exit_0(engine, merchant) -> None:
    assert shopwarden("--help").returncode == 0
    shown = shopwarden("merchant", "show", "m-acme")
    assert shown.returncode == 0, shown.stderr
    assert "merchant m-acme (Acme Outdoor): autonomy guarded" in shown.stdout


def test_audit_verify_on_a_broken_chain_exits_1(engine, merchant) -> None:
    for _ in range(3):
        record(engine, AuditEntry(merchant_id="m-acme", tool="list_shops", outcome="read"))
    assert shopwarden("audit", "verify").returncode == 0
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET outcome = 'executed' WHERE seq = 2"))
    broken = shopwarden("audit", "verify")
    assert broken.returncode == 1
    assert "was edited" in broken.stdout


def test_policy_test_with_a_failing_test_exits_1(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    table = policies / "decisions.yaml"
    table.write_text(table.read_text().replace(
        "expect: {decision: allow, reason_codes: [allow.within_limits]}",
        "expect: {decision: deny, reason_codes: [allow.within_limits]}", 1))
    result = shopwarden("policy", "test", "--policies", str(policies))
    assert result.returncode == 1
    assert "1 failed" in result.stdout


def test_a_refused_approve_exits_1(engine, merchant) -> None:
    approvals.add_reviewer(engine, "m-acme", "alice", "reviewer")
    with session_scope(engine) as session:
        approval_id = approvals.create_approval(
            session, merchant_id="m-acme", run_id="r", agent_id="growth_marketer", tool="enable_ads",
            args={"advertiser_id": "a", "object_type": "campaign", "object_id": "c1"}, reasons=["needs a human"],
            reason_codes=["enable.requires_approval"], rationale="", policy_version="v",
            requested_by="growth_marketer").id
    approvals.reject(engine, approval_id, reviewer="alice", reason="no")
    token = _token(engine, "alice")
    result = shopwarden("approvals", "approve", str(approval_id), env={"SHOPWARDEN_REVIEWER_TOKEN": token})
    assert result.returncode == 1
    assert "already rejected" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_merchant_exits_2_naming_it(engine, merchant) -> None:
    result = shopwarden("merchant", "show", "nosuch")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: merchant nosuch does not exist"


def test_a_bad_option_exits_2(engine, merchant) -> None:
    result = shopwarden("approvals", "list", "--bogus")
    assert result.returncode == 2
    assert "No such option: --bogus" in result.stderr


def test_a_missing_setting_exits_2_naming_the_variable(engine, merchant) -> None:
    result = shopwarden("connect", "shop", "--merchant", "m-acme")
    assert result.returncode == 2
    assert "SHOPWARDEN_SHOP_SERVICE_ID: is not set" in result.stderr


def test_before_init_commands_exit_2_and_leave_no_database_behind(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    for args in (("approvals", "list"), ("merchant", "list"), ("audit", "verify")):
        result = shopwarden(*args, env={"SHOPWARDEN_DATA_DIR": str(data_dir)})
        assert result.returncode == 2, (args, result.stderr)
        assert f"no database at {data_dir / 'shopwarden.db'} yet: run `shopwarden init` first" in result.stderr
    assert not (data_dir / "shopwarden.db").exists()


def _token(engine, name: str) -> str:
    from shopwarden.api.auth import issue_token

    return issue_token(engine, "m-acme", name)
