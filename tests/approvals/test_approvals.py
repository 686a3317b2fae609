import multiprocessing
import threading
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from shopwarden.approvals import queue as approvals
from shopwarden.approvals.queue import ReviewerNotAllowed
from shopwarden.audit.chain import start_chain
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import make_engine, session_scope
from shopwarden.db.models import Approval, Merchant, ToolExecution, utcnow
from shopwarden.errors import ApprovalConflict, ApprovalError, NotFound


def _pending(engine, merchant_id: str = "m-acme", ttl: timedelta = approvals.DEFAULT_TTL,
             requested_by: str = "growth_marketer") -> int:
    with session_scope(engine) as session:
        approval = approvals.create_approval(
            session, merchant_id=merchant_id, run_id="run-1", agent_id="growth_marketer", tool="enable_ads",
            args={"advertiser_id": "adv-1", "object_type": "campaign", "object_id": "c1"},
            reasons=["enabling a campaign always needs a human"], reason_codes=["enable.requires_approval"],
            rationale="winner", policy_version="v1", requested_by=requested_by, ttl=ttl)
        return approval.id


@pytest.fixture
def reviewers(engine, merchant) -> None:
    approvals.add_reviewer(engine, merchant.id, "alice", "reviewer")
    approvals.add_reviewer(engine, merchant.id, "vic", "viewer")
    with session_scope(engine) as session:
        session.add(Merchant(id="m-other"))
        session.flush()
        start_chain(session, "m-other", created_by="test")  # every merchant has a chain to verify
    approvals.add_reviewer(engine, "m-other", "mallory", "owner")


def _audit(engine) -> list[ToolExecution]:
    """The approval queue's audit rows (not the first row every merchant's chain starts with)."""
    with session_scope(engine) as session:
        query = select(ToolExecution).where(ToolExecution.tool != "merchant.create").order_by(col(ToolExecution.id))
        return list(session.exec(query).all())


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
    refused = _audit(engine)[-1]
    assert (refused.tool, refused.outcome, refused.approval_id) == ("approvals.reject", "denied", approval_id)
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
    expired = approvals.get_approval(engine, approval_id)
    assert (expired.status, expired.reviewer) == ("expired", "alice")  # settled, and who approved it is kept


def test_expire_due_also_settles_approved_actions_nobody_claimed_in_time(engine, reviewers) -> None:
    approved, running = _pending(engine), _pending(engine)
    for approval_id in (approved, running):
        approvals.approve(engine, approval_id, reviewer="alice")
    approvals.claim_for_execution(engine, running)
    with session_scope(engine) as session:
        session.execute(update(Approval).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert approvals.expire_due(engine) == 1
    assert approvals.get_approval(engine, approved).status == "expired"
    assert approvals.get_approval(engine, running).status == "executing"  # a claimed action finishes


@pytest.mark.parametrize(
    ("reviewer", "message"),
    [("growth_marketer", "agent or automation"), ("creative", "agent or automation"),
     ("agent:creative", "agent or automation"), ("Automation:Nightly", "agent or automation"),
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
    _assert_one_approval_audited(engine, approval_id)


def _assert_one_approval_audited(engine, approval_id: int) -> None:
    rows = [r for r in _audit(engine) if r.approval_id == approval_id]
    assert sorted(r.outcome for r in rows) == ["approved"] + ["denied"] * 49
    assert approvals.get_approval(engine, approval_id).status == "approved"
    assert verify_chain(engine).ok


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
    _assert_one_approval_audited(engine, approval_id)


def test_new_approval_defaults_expiry_to_the_setting_and_has_a_unique_key(engine, merchant, monkeypatch) -> None:
    from shopwarden.config import get_settings

    monkeypatch.setenv("SHOPWARDEN_APPROVAL_TTL_HOURS", "2")
    get_settings.cache_clear()
    ttl = approvals.ttl_of(get_settings())  # what the runtime hands its gate
    first = approvals.get_approval(engine, _pending(engine, ttl=ttl))
    second = approvals.get_approval(engine, _pending(engine, ttl=ttl))
    assert first.status == "pending"
    assert timedelta(hours=2) - timedelta(seconds=5) < first.expires_at - first.created_at <= timedelta(hours=2)
    assert first.idempotency_key != second.idempotency_key and len(first.idempotency_key) == 32


def test_executing_to_failed_keeps_the_error(engine, reviewers) -> None:
    approval_id = _pending(engine)
    approvals.approve(engine, approval_id, reviewer="alice")
    approvals.claim_for_execution(engine, approval_id)
    failed = approvals.finish_execution(engine, approval_id, ok=False, error="platform refused: budget too low")
    assert (failed.status, failed.error) == ("failed", "platform refused: budget too low")
    assert approvals.claim_for_execution(engine, approval_id) is None


def test_only_approved_approvals_are_claimed(engine, reviewers) -> None:
    approval_id = _pending(engine)
    assert approvals.claim_for_execution(engine, approval_id) is None
    assert approvals.get_approval(engine, approval_id).status == "pending"
    with pytest.raises(ApprovalConflict, match="is pending, not executing"):
        approvals.finish_execution(engine, approval_id, ok=True)


def _move_to(engine, approval_id: int, status: str) -> None:
    approvals.approve(engine, approval_id, reviewer="alice")
    if status in ("executing", "executed", "failed"):
        approvals.claim_for_execution(engine, approval_id)
    if status in ("executed", "failed"):
        approvals.finish_execution(engine, approval_id, ok=status == "executed")


@pytest.mark.parametrize("status", ["approved", "executing", "executed", "failed"])
def test_deciding_a_decided_approval_names_its_state(engine, reviewers, status: str) -> None:
    approval_id = _pending(engine)
    _move_to(engine, approval_id, status)
    with pytest.raises(ApprovalConflict, match=f"approval {approval_id} is already {status}"):
        approvals.approve(engine, approval_id, reviewer="alice")
    with pytest.raises(ApprovalConflict, match=f"is already {status}"):
        approvals.reject(engine, approval_id, reviewer="alice", reason="changed my mind")
    assert approvals.get_approval(engine, approval_id).status == status
    refusals = [r for r in _audit(engine) if r.outcome == "denied"]
    assert [r.tool for r in refusals] == ["approvals.approve", "approvals.reject"]
    assert all(r.approval_id == approval_id and "ApprovalConflict" in r.reason_codes[0] for r in refusals)


def test_expired_approval_cannot_be_rejected_either(engine, reviewers) -> None:
    approval_id = _pending(engine, ttl=timedelta(seconds=-1))
    with pytest.raises(ApprovalConflict, match="expired at"):
        approvals.reject(engine, approval_id, reviewer="alice", reason="too late")
    assert approvals.get_approval(engine, approval_id).status == "expired"


def test_viewer_cannot_reject(engine, reviewers) -> None:
    approval_id = _pending(engine)
    with pytest.raises(ReviewerNotAllowed, match="vic has the role viewer, which may not decide approvals"):
        approvals.reject(engine, approval_id, reviewer="vic", reason="no")
    assert approvals.get_approval(engine, approval_id).status == "pending"


def test_requester_cannot_approve_own_request_unless_the_rule_is_off(engine, reviewers, monkeypatch) -> None:
    from shopwarden.config import get_settings

    approvals.add_reviewer(engine, "m-acme", "bob", "owner")
    approval_id = _pending(engine, requested_by="bob")
    with pytest.raises(ReviewerNotAllowed, match="bob requested this action; a different person must decide it"):
        approvals.approve(engine, approval_id, reviewer="bob")
    monkeypatch.setenv("SHOPWARDEN_REQUIRE_DISTINCT_APPROVER", "false")
    get_settings.cache_clear()
    distinct = get_settings().require_distinct_approver  # what every caller of approve hands it
    assert approvals.approve(engine, approval_id, reviewer="bob", distinct_approver=distinct).status == "approved"


def test_unknown_approval_is_not_found_and_still_audited(engine, reviewers) -> None:
    with pytest.raises(NotFound, match="approval 999 not found"):
        approvals.approve(engine, 999, reviewer="alice")
    with pytest.raises(NotFound, match="approval 998 not found"):
        approvals.approve(engine, 998, reviewer="alice", merchant_id="m-nobody")
    unscoped, claimed = _audit(engine)[-2:]
    assert (unscoped.merchant_id, unscoped.outcome, unscoped.args_redacted) == ("", "invalid", {"approval_id": 999})
    assert claimed.args_redacted == {"approval_id": 998, "merchant_id": "m-nobody"}
    assert claimed.reasons == ["approval 998 not found"]


def test_add_reviewer_validates_and_updates_the_role(engine, reviewers) -> None:
    with pytest.raises(ApprovalError, match="role must be one of reviewer, owner, viewer, not 'admin'"):
        approvals.add_reviewer(engine, "m-acme", "carol", "admin")
    with pytest.raises(ReviewerNotAllowed, match="only a human reviewer"):
        approvals.add_reviewer(engine, "m-acme", "agent:growth", "owner")
    with pytest.raises(NotFound, match="merchant m-nobody does not exist"):
        approvals.add_reviewer(engine, "m-nobody", "carol", "owner")
    assert approvals.add_reviewer(engine, "m-acme", "vic", "owner").role == "owner"
    assert approvals.approve(engine, _pending(engine), reviewer="vic").reviewer == "vic"


def test_list_approvals_filters_by_merchant_and_status(engine, reviewers) -> None:
    mine, other = _pending(engine), _pending(engine, merchant_id="m-other")
    approvals.approve(engine, mine, reviewer="alice")
    assert [a.id for a in approvals.list_approvals(engine, merchant_id="m-acme")] == [mine]
    assert [a.id for a in approvals.list_approvals(engine, status="pending")] == [other]
    assert [a.id for a in approvals.list_approvals(engine)] == [other, mine]
