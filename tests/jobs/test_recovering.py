"""Recovery is wired into the long-lived commands and runs on demand: through the installed console script."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

from sqlmodel import select

from shopwarden.approvals import queue as approvals
from shopwarden.audit.chain import start_chain
from shopwarden.db.engine import engine_for, session_scope
from shopwarden.db.models import Approval, Merchant, Reviewer, ToolExecution

SHOPWARDEN = shutil.which("shopwarden") or "/work/main/.venv/bin/shopwarden"


def _settled_without_audit_row(url: str) -> int:
    """An approval the old two-transaction finish left executed with no final audit row (a crash between)."""
    engine = engine_for(url)
    with session_scope(engine) as session:
        session.add(Merchant(id="m-rec", autonomy="guarded"))
        session.add(Reviewer(merchant_id="m-rec", name="alice", role="reviewer"))
        session.flush()
        start_chain(session, "m-rec", created_by="test")
        approval = approvals.create_approval(
            session, merchant_id="m-rec", run_id="r1", agent_id="growth_marketer", tool="pause_ads",
            args={"advertiser_id": "adv1", "object_type": "campaign", "object_id": "c1"}, reasons=["needs a human"],
            reason_codes=["approval.required"], rationale="", policy_version="test", requested_by="growth_marketer")
        approval_id = approval.id
    assert approval_id is not None
    approvals.approve(engine, approval_id, reviewer="alice")
    approvals.claim_for_execution(engine, approval_id)
    approvals.finish_execution(engine, approval_id, ok=True, result={"campaign_ids": ["c1"]})
    return approval_id


def _final_rows(url: str, approval_id: int) -> list[ToolExecution]:
    with session_scope(engine_for(url)) as session:
        return list(session.exec(select(ToolExecution).where(ToolExecution.approval_id == approval_id,
                                                             ToolExecution.tool == "pause_ads")))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SHOPWARDEN, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "250"})


def test_approvals_recover_prints_what_it_settled(db_url) -> None:
    approval_id = _settled_without_audit_row(db_url)
    first = _run("approvals", "recover")
    assert first.returncode == 0, first.stdout + first.stderr
    assert (f"approval {approval_id} (pause_ads): executed — the approval was already executed but its audit row "
            "was missing") in first.stdout
    assert "settled 1 approval(s); 0 need a person to check the platform" in first.stdout
    [row] = _final_rows(db_url, approval_id)
    assert row.reason_codes == ["recovery.audit_row_missing"]
    again = _run("approvals", "recover")
    assert again.returncode == 0 and "nothing to recover" in again.stdout
    assert len(_final_rows(db_url, approval_id)) == 1


def test_schedule_once_recovers_before_it_runs_cycles(db_url) -> None:
    approval_id = _settled_without_audit_row(db_url)
    result = _run("schedule", "--once")
    assert f"recovered approval {approval_id} (pause_ads): executed" in result.stdout, result.stdout + result.stderr
    assert len(_final_rows(db_url, approval_id)) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_recovers_at_start(db_url) -> None:
    approval_id = _settled_without_audit_row(db_url)
    server = subprocess.Popen([SHOPWARDEN, "serve", "--port", str(_free_port())], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _final_rows(db_url, approval_id) and time.monotonic() < deadline:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            time.sleep(0.3)
        [row] = _final_rows(db_url, approval_id)
        assert row.outcome == "executed"
    finally:
        server.terminate()
        server.wait(timeout=30)
    with session_scope(engine_for(db_url)) as session:
        approval = session.get(Approval, approval_id)
        assert approval is not None and approval.lease_owner is None
