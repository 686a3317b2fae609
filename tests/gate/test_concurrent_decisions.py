"""Approve and reject racing on one approval, on SQLite and PostgreSQL: one decision wins, every loser gets a
clear answer, the action runs at most once, and every attempt is audited."""

from __future__ import annotations

import asyncio
import threading

from gate_fakes import FakeAds
from sqlmodel import select
from test_pipeline import budget_call

from shopwarden.approvals import queue as approvals
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Reviewer, ToolExecution
from shopwarden.errors import ApprovalConflict
from shopwarden.gate.calls import Outcome
from shopwarden.gate.pipeline import Gate

EACH = 8


def test_approve_and_reject_race_one_wins_nothing_runs_twice(gate: Gate, engine, fake_ads: FakeAds) -> None:
    with session_scope(engine) as session:
        session.add(Reviewer(merchant_id="m-acme", name="bob", role="reviewer"))
    pending = asyncio.run(gate.call(budget_call("150")))
    approval_id = pending.approval_id
    assert approval_id is not None
    barrier = threading.Barrier(2 * EACH)
    answers: list[str] = []

    def approve_and_execute() -> None:
        barrier.wait()
        try:
            approvals.approve(engine, approval_id, reviewer="alice")
            answers.append(asyncio.run(gate.execute_approved(approval_id)).outcome.value)
        except ApprovalConflict as exc:
            answers.append(f"conflict: {exc}")

    def reject() -> None:
        barrier.wait()
        try:
            approvals.reject(engine, approval_id, reviewer="bob", reason="not this week")
            answers.append("rejected")
        except ApprovalConflict as exc:
            answers.append(f"conflict: {exc}")

    threads = [threading.Thread(target=approve_and_execute) for _ in range(EACH)]
    threads += [threading.Thread(target=reject) for _ in range(EACH)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [a for a in answers if not a.startswith("conflict")]
    assert len(winners) == 1 and winners[0] in (Outcome.EXECUTED.value, "rejected")
    final = approvals.get_approval(engine, approval_id).status
    assert final == ("executed" if winners[0] == Outcome.EXECUTED.value else "rejected")
    losers = [a for a in answers if a.startswith("conflict")]
    assert len(losers) == 2 * EACH - 1
    assert all(a.startswith(f"conflict: approval {approval_id} is already ") for a in losers), losers
    assert fake_ads.mutations() == (["update_budget c1 150"] if final == "executed" else [])
    with session_scope(engine) as session:
        rows = session.exec(select(ToolExecution).where(ToolExecution.approval_id == approval_id)).all()
    decided = [r for r in rows if r.tool in ("approvals.approve", "approvals.reject")]
    assert len(decided) == 2 * EACH  # the winning decision and every refused one
    assert verify_chain(engine).ok
