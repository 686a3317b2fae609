"""Pausing for a reviewer and resuming after a restart, on the real gate and simulator: nothing runs twice."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from stack import LOSER, WINNER_ADGROUP, make_stack

from shopwarden.agents import resume_cycle, resume_decided, run_cycle
from shopwarden.approvals import queue as approvals
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, utcnow
from shopwarden.evals.setup import REVIEWER


def _approval_for(summary, tool: str, object_id: str) -> int:
    return next(a.approval_id for a in summary.actions if a.tool == tool and object_id in a.target)


@pytest.mark.parametrize("db", ["sqlite_url", "pg_url"])
async def test_resume_after_restart_executes_the_approved_action_exactly_once(
        db: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    request.getfixturevalue(db)
    stack = await make_stack(monkeypatch, tmp_path, autonomy="suggest")
    paused = await run_cycle(stack.deps(), "m_glow")
    budget_id = _approval_for(paused, "update_budget", WINNER_ADGROUP)
    pause_id = _approval_for(paused, "pause_ads", LOSER)
    approvals.approve(stack.runtime.engine, budget_id, reviewer=REVIEWER)
    approvals.reject(stack.runtime.engine, pause_id, reviewer=REVIEWER, reason="hoodie restock ad next week")

    restarted = stack.restarted()  # new gate, policy engine, graph and checkpointer on the same database
    first = await resume_cycle(restarted.deps(), paused.run_id, {str(budget_id): "approved"})
    second = await resume_cycle(stack.restarted().deps(), paused.run_id, {str(budget_id): "approved"})
    again = await resume_decided(stack.restarted().deps())

    assert len(stack.mutations("adgroup/budget/update/", WINNER_ADGROUP)) == 1
    assert stack.mutations("campaign/status/update/", LOSER) == []
    executed = next(a for a in first.actions if a.approval_id == budget_id)
    assert (executed.verdict, executed.reasons[0]) == ("executed", f"approved by {REVIEWER}")
    rejected = next(a for a in first.actions if a.approval_id == pause_id)
    assert rejected.reasons == [f"rejected by {REVIEWER}: hoodie restock ad next week"]
    others = set(paused.waiting_approval_ids()) - {budget_id, pause_id}
    assert first.status == "waiting" and set(first.waiting_approval_ids()) == others  # undecided ones still wait
    assert second == first
    assert again == []  # nothing newly decided, so nothing to resume
    assert verify_chain(stack.runtime.engine, "m_glow").ok


async def test_resuming_an_expired_approval_runs_nothing(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path):
    stack = await make_stack(monkeypatch, tmp_path, autonomy="suggest")
    paused = await run_cycle(stack.deps(), "m_glow")
    budget_id = _approval_for(paused, "update_budget", WINNER_ADGROUP)
    with session_scope(stack.runtime.engine) as session:
        session.execute(update(Approval).values(expires_at=utcnow() - timedelta(seconds=1)))

    done = await resume_cycle(stack.restarted().deps(), paused.run_id, {str(budget_id): "approved"})
    await resume_cycle(stack.restarted().deps(), paused.run_id, {str(budget_id): "approved"})

    assert done.status == "done"
    assert {a.verdict for a in done.actions} == {"expired"}
    assert stack.mutations("adgroup/budget/update/") == []
    assert stack.mutations("campaign/update/") == [] and stack.mutations("campaign/status/update/") == []
