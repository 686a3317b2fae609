import multiprocessing
import threading
from datetime import timedelta

import pytest
from sqlmodel import col, select

from shopwarden import approvals
from shopwarden.approvals import ReviewerNotAllowed
from shopwarden.db.engine import make_engine, session_scope
from shopwarden.db.models import Approval, Merchant, ToolExecution, utcnow
from shopwarden.errors import ApprovalConflict, ApprovalError, NotFound


def _pending(engine, merchant_id: str = "m-acme", ttl: timedelta | None = None) -> int:
    with session_scope(engine) as session:
        approval = approvals.create_approval(
            session, merchant_id=merchant_id, run_id="run-1", agent_id="growth_marketer", tool="enable_ads",
            args={"advertiser_id": "adv-1", "object_type": "campaign", "object_id": "c1"},
            reasons=["enabling a campaign always needs a human"], reason_codes=["enable.requires_approval"],
            rationale="winner", policy_version="v1", requested_by="growth_marketer", ttl=ttl)
        return approval.id


@pytest.fixture
def reviewers(engine, merchant) -> None:
    approvals.add_reviewer(engine, merchant.id, "alice", "reviewer")
    approvals.add_reviewer(engine, merchant.id, "vic", "viewer")
    with session_scope(engine) as session:
        session.add(Merchant(id="m-other"))
    approvals.add_reviewer(engine, "m-other", "mallory", "owner")


def _audit(engine) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).order_by(col(ToolExecution.id))).all())


def test_pending_to_approved_to_executing_to_executed(engine, reviewers) -> None:
    approval_id = _pending(engine)
    approved = approvals.approve(engine, approval_id, reviewer="alice", note="looks right")
    assert (approved.status, approved.reviewer, approved.review_note) == ("approved", "alice", "looks right")
    claimed = approvals.claim_for_execution(engine, approval_id)
    assert claimed is not None and claimed.status == "executing"
    assert approvals.claim_for_execution(engine, approval_id) is None
    done = approvals.finish_execution(engine, approval_id, ok=True, result={"campaign_id": "c1"})
    assert (done.status, done.result) == ("executed", {"campaign_id": "c1"})
    with pytest.raises(ApprovalConflict, match="is executed, not executing"):
        approvals.finish_execution(engine, approval_id, ok=False, error="late")
    assert [r.outcome for r in _audit(engine)] == ["approved"]


def test_reject_needs_a_reason_and_is_final(engine, reviewers) -> None:
    approval_id = _pending(engine)
    with pytest.raises(ApprovalError, match="needs a reason"):
        approvals.reject(engine, approval_id, reviewer="alice", reason="  ")
    rejected = approvals.reject(engine, approval_id, reviewer="alice", reason="not this week")
    assert (rejected.status, rejected.review_note) == ("rejected", "not this week")
    with pytest.raises(ApprovalConflict, match="already rejected"):
        approvals.approve(engine, approval_id, reviewer="alice")
    assert approvals.claim_for_execution(engine, approval_id) is None


def test_expired_approval_cannot_be_approved_and_is_marked_expired(engine, reviewers) -> None:
    approval_id = _pending(engine, ttl=timedelta(seconds=-1))
    with pytest.raises(ApprovalConflict, match="expired at"):
        approvals.approve(engine, approval_id, reviewer="alice")
    assert approvals.get_approval(engine, approval_id).status == "expired"
    assert _audit(engine)[-1].outcome == "denied"


def test_expire_due_moves_only_overdue_pending(engine, reviewers) -> None:
    overdue, fresh = _pending(engine, ttl=timedelta(seconds=-5)), _pending(engine)
    assert approvals.expire_due(engine) == 1
    assert approvals.get_approval(engine, overdue).status == "expired"
    assert approvals.get_approval(engine, fresh).status == "pending"


def test_approved_but_expired_is_never_claimed(engine, reviewers) -> None:
    approval_id = _pending(engine)
    approvals.approve(engine, approval_id, reviewer="alice")
    with session_scope(engine) as session:
        row = session.get(Approval, approval_id)
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    assert approvals.claim_for_execution(engine, approval_id) is None


@pytest.mark.parametrize(
    ("reviewer", "message"),
    [("growth_marketer", "agent or automation"), ("agent:creative", "agent or automation"),
     ("automation:nightly", "agent or automation"), ("vic", "role viewer"), ("bob", "not a reviewer"),
     ("mallory", "not a reviewer of merchant m-acme")],
)
def test_who_may_not_approve(engine, reviewers, reviewer: str, message: str) -> None:
    approval_id = _pending(engine)
    with pytest.raises(ReviewerNotAllowed, match=message):
        approvals.approve(engine, approval_id, reviewer=reviewer)
    assert approvals.get_approval(engine, approval_id).status == "pending"
    row = _audit(engine)[-1]
    assert (row.tool, row.outcome, row.merchant_id) == ("approvals.approve", "denied", "m-acme")


def test_another_merchants_approval_is_not_found(engine, reviewers) -> None:
    approval_id = _pending(engine)
    with pytest.raises(NotFound, match=f"approval {approval_id} not found"):
        approvals.approve(engine, approval_id, reviewer="mallory", merchant_id="m-other")
    assert approvals.get_approval(engine, approval_id).status == "pending"
    assert _audit(engine)[-1].merchant_id == "m-other"


def test_after_approve_runs_in_the_same_transaction(engine, reviewers) -> None:
    approval_id = _pending(engine)

    def fail(_session: object, _approval: object) -> None:
        raise RuntimeError("enqueue failed")

    with pytest.raises(RuntimeError):
        approvals.approve(engine, approval_id, reviewer="alice", after_approve=fail)
    assert approvals.get_approval(engine, approval_id).status == "pending"


def test_fifty_concurrent_approvals_one_wins_threads(engine, reviewers) -> None:
    approval_id = _pending(engine)
    wins, conflicts = [], []

    def attempt() -> None:
        try:
            approvals.approve(engine, approval_id, reviewer="alice")
            wins.append(1)
        except ApprovalConflict:
            conflicts.append(1)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(wins), len(conflicts)) == (1, 49)


def _approve_in_process(url: str, approval_id: int, results: "multiprocessing.Queue[str]") -> None:
    engine = make_engine(url)
    try:
        approvals.approve(engine, approval_id, reviewer="alice")
        results.put("won")
    except ApprovalConflict:
        results.put("conflict")
    finally:
        engine.dispose()


def test_fifty_concurrent_approvals_one_wins_processes(engine, db_url, reviewers) -> None:
    approval_id = _pending(engine)
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=_approve_in_process, args=(db_url, approval_id, results)) for _ in range(50)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    outcomes = sorted(results.get(timeout=5) for _ in procs)
    assert outcomes.count("won") == 1 and outcomes.count("conflict") == 49
