"""An approval's final state, its audit row and its ledger entry are one transaction; recovery takes a
lease, settles approvals whose state and audit log disagree, and finds creates by their exact marker."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

from gate_fakes import ADVERTISER, FakeAds
from sqlmodel import select
from test_exactly_once import approved_action
from test_recovery import status

from conftest import make_gate
from shopwarden.approvals import queue as approvals
from shopwarden.audit import chain as audit
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import make_engine, session_scope
from shopwarden.db.models import BudgetLedgerEntry, ToolExecution
from shopwarden.gate.calls import Outcome
from shopwarden.gate.pipeline import Gate
from shopwarden.gate.recovery import take_lease
from shopwarden.platforms.ads._markers import CreateIdentity
from shopwarden.tools import ToolContext, registry
from shopwarden.tools.inputs import CreateCampaignArgs


def _final_rows(engine, approval_id: int) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).where(ToolExecution.approval_id == approval_id,
                                                             ToolExecution.tool == "update_budget",
                                                             ToolExecution.outcome != "pending_approval")))


def _ledger(engine) -> list[BudgetLedgerEntry]:
    with session_scope(engine) as session:
        return list(session.exec(select(BudgetLedgerEntry)))


def _die_while_recording(url: str, policy: Any, ads: FakeAds, approval_id: int) -> None:
    """Apply the change, then die inside the final transaction: after the approval was marked executed and
    before its audit row was written."""
    real = audit.append_execution

    def dying(session: Any, entry: audit.AuditEntry, **options: Any) -> int:
        if entry.approval_id == approval_id and entry.outcome == "executed":
            os._exit(9)
        return real(session, entry, **options)

    audit.append_execution = dying  # type: ignore[assignment]
    asyncio.run(make_gate(make_engine(url), policy, ads).execute_approved(approval_id))


def test_a_crash_inside_the_final_write_leaves_nothing_half_written(gate: Gate, engine, db_url: str, policy,
                                                                    fake_ads: FakeAds) -> None:
    approval_id = asyncio.run(approved_action(gate, engine))
    engine.dispose()
    process = multiprocessing.get_context("fork").Process(target=_die_while_recording,
                                                          args=(db_url, policy, fake_ads, approval_id))
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 9
    assert fake_ads.mutations() == ["update_budget c1 150"]
    # The final state rolled back with the audit row and the ledger entry it was written with.
    assert status(engine, approval_id) == "executing"
    assert (_final_rows(engine, approval_id), _ledger(engine)) == ([], [])

    [result] = asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    assert (result.outcome, result.reason_codes) == (Outcome.EXECUTED, ["recovery.already_applied"])
    assert status(engine, approval_id) == "executed"
    [row] = _final_rows(engine, approval_id)
    [entry] = _ledger(engine)
    assert (entry.budget_before, entry.budget_after, entry.execution_id) == (Decimal("100"), Decimal("150"), row.id)
    assert fake_ads.mutations() == ["update_budget c1 150"]
    assert verify_chain(engine).ok


def test_an_approval_settled_without_its_audit_row_is_recorded_by_recovery(gate: Gate, engine, fake_ads) -> None:
    """What the old two-transaction finish left after a crash between them."""
    approval_id = asyncio.run(approved_action(gate, engine))
    assert approvals.claim_for_execution(engine, approval_id) is not None
    approvals.finish_execution(engine, approval_id, ok=True, result={"campaign_id": "c1"})
    assert _final_rows(engine, approval_id) == []

    [result] = asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    assert (result.outcome, result.reason_codes) == (Outcome.EXECUTED, ["recovery.audit_row_missing"])
    assert result.reasons == ["the approval was already executed but its audit row was missing (a crash between "
                              "the two); recorded by recovery"]
    [row] = _final_rows(engine, approval_id)
    assert row.outcome == "executed" and row.id == result.execution_id
    assert asyncio.run(gate.recover_stuck(older_than=timedelta(0))) == []  # settled once
    assert fake_ads.mutations() == []  # nothing was sent to the platform
    assert verify_chain(engine).ok


def test_a_failed_approval_without_its_audit_row_is_recorded_as_failed(gate: Gate, engine, fake_ads) -> None:
    approval_id = asyncio.run(approved_action(gate, engine))
    approvals.claim_for_execution(engine, approval_id)
    approvals.finish_execution(engine, approval_id, ok=False, error="the platform refused it")
    [result] = asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    assert result.outcome == Outcome.FAILED and result.reason_codes == ["recovery.audit_row_missing"]
    assert [r.outcome for r in _final_rows(engine, approval_id)] == ["failed"]


def test_a_lease_lets_one_process_settle_an_approval_and_expires(gate: Gate, engine, fake_ads) -> None:
    approval_id = asyncio.run(approved_action(gate, engine))
    approvals.claim_for_execution(engine, approval_id)
    first = take_lease(gate, approval_id, ("executing",))
    assert first is not None
    assert take_lease(gate, approval_id, ("executing",)) is None
    assert asyncio.run(gate.recover_stuck(older_than=timedelta(0))) == []  # held by the first
    assert fake_ads.mutations() == []


def test_an_expired_lease_is_taken_over(gate: Gate, engine, fake_ads) -> None:
    approval_id = asyncio.run(approved_action(gate, engine))
    approvals.claim_for_execution(engine, approval_id)
    assert take_lease(gate, approval_id, ("executing",), lease=timedelta(0)) is not None  # its holder died
    [result] = asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    assert result.outcome == Outcome.EXECUTED
    assert fake_ads.mutations() == ["update_budget c1 150"]


def test_concurrent_recoverers_settle_a_crashed_execution_once(gate: Gate, engine, db_url: str, policy,
                                                               fake_ads: FakeAds) -> None:
    from test_recovery import crash_during_execution

    approval_id = crash_during_execution(gate, engine, db_url, policy, fake_ads, applied=False)
    barrier = threading.Barrier(8)
    settled: list[Any] = []

    def recoverer() -> None:
        other = make_gate(engine, policy, fake_ads)
        barrier.wait()
        settled.extend(asyncio.run(other.recover_stuck(older_than=timedelta(0))))

    threads = [threading.Thread(target=recoverer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.outcome for r in settled] == [Outcome.EXECUTED]
    assert fake_ads.mutations() == ["update_budget c1 150"]
    assert status(engine, approval_id) == "executed"
    assert len(_final_rows(engine, approval_id)) == 1


class _CampaignsOnly:
    def __init__(self, names: list[str]) -> None:
        self.names = names

    async def list_campaigns(self, advertiser_id: str, **_: Any) -> list[dict[str, Any]]:
        return [{"campaign_id": str(i), "campaign_name": n} for i, n in enumerate(self.names)]


def _exists(engine, names: list[str], key: str) -> bool | None:
    tool = registry()["create_campaign"]
    ctx = ToolContext("m-acme", engine, ads_factory=lambda: _CampaignsOnly(names))
    args = CreateCampaignArgs(advertiser_id=ADVERTISER, campaign_name="Promo Weekend 2025",
                              objective_type="TRAFFIC", budget_mode="BUDGET_MODE_DAY", budget=Decimal("60"))
    assert tool.verify is not None
    return asyncio.run(tool.verify(ctx, args, key))


def test_create_recovery_matches_the_exact_marker_only(engine, merchant) -> None:
    key = "approval-key-1"
    mine = CreateIdentity.new(key).name("Promo Weekend 2025")
    other = CreateIdentity.new("another-key").name("Promo Weekend 2025")
    assert _exists(engine, ["Promo Weekend 2025 (old)", "Promo Weekend 2025", other], key) is False
    assert _exists(engine, ["Promo Weekend 2025 (old)", mine], key) is True
    assert _exists(engine, [f"{mine} copy"], key) is False
