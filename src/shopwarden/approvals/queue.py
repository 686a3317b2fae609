"""The approval queue: a state machine moved only by compare-and-set in the database.

    pending ──approve──▶ approved ──claim──▶ executing ──▶ executed | failed
       │  └──reject──▶ rejected   │
       └──(expiry)──▶ expired ◀───┘ (expiry before it was claimed: an expired approval never runs)
    executing ──(nothing was sent: the fresh read or a setting failed)──▶ pending (approve again to retry)

Reviewers are named people with a role for the merchant; an agent or the merchant's
automation can never approve. Every refused attempt is written to the audit log.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from shopwarden.audit import chain as audit
from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, Merchant, Reviewer, utcnow
from shopwarden.db.tables import rowcount
from shopwarden.domain.notes import NoteRejected, check_note
from shopwarden.domain.vocabulary import ApprovalStatus as Status
from shopwarden.errors import ApprovalConflict, ApprovalError, NotFound

REVIEWER_ROLES = ("reviewer", "owner", "viewer")
APPROVAL_STATUSES = ("pending", "approved", "executing", "executed", "failed", "rejected", "expired")
APPROVING_ROLES = frozenset({"reviewer", "owner"})
AUTOMATION_PREFIXES = ("agent:", "automation:", "system:", "mcp:")  # mcp: MCP clients (outside agents)
UNSCOPED_MERCHANT = ""  # audit chain for refused attempts that name no existing merchant

AfterApprove = Callable[[Session, Approval], None]
# The settings' defaults, for callers that were handed no settings (the gate and the deciders are told them).
DEFAULT_TTL = timedelta(hours=Settings.model_fields["approval_ttl_hours"].default)
DISTINCT_APPROVER = bool(Settings.model_fields["require_distinct_approver"].default)


def ttl_of(settings: Settings) -> timedelta:
    """How long a new approval waits for a reviewer (SHOPWARDEN_APPROVAL_TTL_HOURS)."""
    return timedelta(hours=settings.approval_ttl_hours)


class ReviewerNotAllowed(ApprovalError):
    """The named reviewer may not decide this approval."""


class InvalidNote(ApprovalError):
    """The note or reason is too long or holds control characters (shopwarden.domain.notes)."""


def create_approval(
    session: Session, *, merchant_id: str, run_id: str, agent_id: str, tool: str, args: dict[str, Any],
    reasons: list[str], reason_codes: list[str], rationale: str, policy_version: str | None, requested_by: str,
    ttl: timedelta = DEFAULT_TTL,
) -> Approval:
    """A pending approval inside the caller's transaction."""
    now = utcnow()
    approval = Approval(
        merchant_id=merchant_id, run_id=run_id, agent_id=agent_id, tool=tool, args=dict(args),
        reasons=list(reasons), reason_codes=list(reason_codes), rationale=rationale,
        policy_version=policy_version or "", requested_by=requested_by, status=Status.PENDING,
        idempotency_key=secrets.token_hex(16), created_at=now,
        expires_at=now + ttl,
    )
    session.add(approval)
    session.flush()
    return approval


def add_reviewer(engine: Engine, merchant_id: str, name: str, role: str = "reviewer") -> Reviewer:
    if role not in REVIEWER_ROLES:
        raise ApprovalError(f"role must be one of {', '.join(REVIEWER_ROLES)}, not {role!r}")
    _refuse_automation_name(name)
    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        existing = session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id,
                                                        Reviewer.name == name)).first()
        reviewer = existing or Reviewer(merchant_id=merchant_id, name=name)
        reviewer.role = role
        session.add(reviewer)
        session.flush()
        return reviewer


def get_approval(engine: Engine, approval_id: int, merchant_id: str | None = None) -> Approval:
    """The approval; another merchant's approval is reported as not found (no leaking)."""
    with session_scope(engine) as session:
        return _load(session, approval_id, merchant_id)


def list_approvals(engine: Engine, *, merchant_id: str | None = None, status: str | None = None,
                   limit: int = 200) -> list[Approval]:
    if status is not None and status not in APPROVAL_STATUSES:
        raise NotFound(f"no approval status {status!r}; use one of {', '.join(APPROVAL_STATUSES)}")
    query = select(Approval).order_by(col(Approval.id).desc()).limit(limit)
    if merchant_id is not None:
        query = query.where(Approval.merchant_id == merchant_id)
    if status is not None:
        query = query.where(Approval.status == status)
    with session_scope(engine) as session:
        return list(session.exec(query).all())


def approve(engine: Engine, approval_id: int, *, reviewer: str, merchant_id: str | None = None,
            note: str | None = None, after_approve: AfterApprove | None = None,
            distinct_approver: bool = DISTINCT_APPROVER) -> Approval:
    """pending -> approved. `after_approve` runs in the same transaction (e.g. to enqueue its execution);
    `distinct_approver` is the caller's settings.require_distinct_approver."""
    return _decide(engine, approval_id, Status.APPROVED, reviewer=reviewer, merchant_id=merchant_id, note=note,
                   after=after_approve, distinct_approver=distinct_approver)


def reject(engine: Engine, approval_id: int, *, reviewer: str, reason: str, merchant_id: str | None = None,
           distinct_approver: bool = DISTINCT_APPROVER) -> Approval:
    """pending -> rejected, with the reviewer's reason."""
    if not reason.strip() or _note_refusal(reason, "reason") is not None:
        refused = _note_refusal(reason, "reason") or ApprovalError(
            "a rejection needs a reason the agent and the merchant can read")
        _audit_refusal(engine, approval_id, "approvals.reject", reviewer, merchant_id, refused)
        raise refused
    return _decide(engine, approval_id, Status.REJECTED, reviewer=reviewer, merchant_id=merchant_id, note=reason,
                   after=None, distinct_approver=distinct_approver)


def _decide(engine: Engine, approval_id: int, to: str, *, reviewer: str, merchant_id: str | None,
            note: str | None, after: AfterApprove | None, distinct_approver: bool) -> Approval:
    action = "approvals.approve" if to == Status.APPROVED else "approvals.reject"
    try:
        if note is not None and (refused := _note_refusal(note, "note" if to == "approved" else "reason")):
            raise refused
        with session_scope(engine) as session:
            approval = _load(session, approval_id, merchant_id)
            _check_reviewer(session, approval, reviewer, distinct_approver)
            now = utcnow()
            moved = rowcount(session.execute(
                update(Approval)
                .where(col(Approval.id) == approval_id, col(Approval.status) == Status.PENDING,
                       col(Approval.expires_at) > now)
                .values(status=to, reviewer=reviewer, review_note=note, decided_at=now)
            ))
            session.expire_all()
            if moved != 1:
                raise _conflict(session, approval_id, now)
            decided = _load(session, approval_id, None)
            _audit(session, decided, action, reviewer, outcome=to, reasons=[note] if note else [])
            if after is not None:
                after(session, decided)
            return decided
    except (ApprovalError, NotFound) as exc:
        _audit_refusal(engine, approval_id, action, reviewer, merchant_id, exc)
        raise


def expire_due(engine: Engine, now: datetime | None = None) -> int:
    """Move every pending (or approved but never claimed) approval past its expiry to `expired`."""
    now = now or utcnow()
    overdue = col(Approval.expires_at) <= now
    with session_scope(engine) as session:
        undecided = rowcount(session.execute(update(Approval).where(col(Approval.status) == Status.PENDING, overdue)
                                    .values(status=Status.EXPIRED, decided_at=now))) or 0
        unclaimed = rowcount(session.execute(update(Approval).where(col(Approval.status) == Status.APPROVED, overdue)
                                    .values(status=Status.EXPIRED))) or 0  # keeps the reviewer's decided_at
        return undecided + unclaimed


def claim_for_execution(engine: Engine, approval_id: int) -> Approval | None:
    """approved -> executing; None when another worker won, or it is not approved, or it has expired."""
    now = utcnow()
    with session_scope(engine) as session:
        moved = rowcount(session.execute(
            update(Approval)
            .where(col(Approval.id) == approval_id, col(Approval.status) == Status.APPROVED,
                   col(Approval.expires_at) > now)
            .values(status=Status.EXECUTING, executed_at=now)
        ))
        if moved != 1:
            session.execute(update(Approval).where(col(Approval.id) == approval_id,
                                                   col(Approval.status) == Status.APPROVED,
                                                   col(Approval.expires_at) <= now).values(status=Status.EXPIRED))
            return None
        return _load(session, approval_id, None)


OBSERVED_BEFORE_EXECUTION = "observed_before_execution"


def note_observed_state(engine: Engine, approval_id: int, state: dict[str, Any]) -> None:
    """Keep the state the second pass observed on the executing row, before the platform call, so a
    crash recovery that finds the change applied can still enter it in the budget ledger."""
    with session_scope(engine) as session:
        session.execute(update(Approval).where(col(Approval.id) == approval_id,
                                               col(Approval.status) == Status.EXECUTING)
                        .values(result={OBSERVED_BEFORE_EXECUTION: state}))


def finish_execution(engine: Engine, approval_id: int, *, ok: bool, result: dict[str, Any] | None = None,
                     error: str | None = None) -> Approval:
    """executing -> executed | failed, in a transaction of its own."""
    with session_scope(engine) as session:
        return finish_execution_in(session, approval_id, ok=ok, result=result, error=error)


def finish_execution_in(session: Session, approval_id: int, *, ok: bool, result: dict[str, Any] | None = None,
                        error: str | None = None) -> Approval:
    """executing -> executed | failed inside the caller's transaction (the gate writes the audit row and the
    ledger entry in the same one); ApprovalConflict when someone else settled it first."""
    moved = rowcount(session.execute(
        update(Approval).where(col(Approval.id) == approval_id, col(Approval.status) == Status.EXECUTING)
        .values(status=Status.EXECUTED if ok else Status.FAILED, result=result or {}, error=error, executed_at=utcnow(),
                lease_owner=None, lease_expires_at=None)
    ))
    if moved != 1:
        current = session.get(Approval, approval_id)
        raise ApprovalConflict(f"approval {approval_id} is {current.status if current else 'missing'}, "
                               "not executing; its result was not recorded twice")
    session.expire_all()
    return _load(session, approval_id, None)


def release_unsent(engine: Engine, approval_id: int, reason: str) -> Approval:
    """executing -> pending, when the execution failed before anything was sent to the platform.

    The reviewer's earlier decision is cleared (it is in the audit log) so that approving again,
    by anyone entitled to, retries it; the original expiry still applies.
    """
    with session_scope(engine) as session:
        moved = rowcount(session.execute(
            update(Approval).where(col(Approval.id) == approval_id, col(Approval.status) == "executing")
            .values(status="pending", error=f"not executed: {reason}", reviewer=None, review_note=None,
                    decided_at=None, executed_at=None, result={})
        ))
        if moved != 1:
            current = session.get(Approval, approval_id)
            raise ApprovalConflict(f"approval {approval_id} is {current.status if current else 'missing'}, "
                                   "not executing; it was not released")
        return _load(session, approval_id, None)


# --- helpers ---------------------------------------------------------------------------------

def _note_refusal(text: str, what: str) -> InvalidNote | None:
    try:
        check_note(text, what)
    except NoteRejected as exc:
        return InvalidNote(str(exc))
    return None


def _load(session: Session, approval_id: int, merchant_id: str | None) -> Approval:
    approval = session.get(Approval, approval_id)
    if approval is None or (merchant_id is not None and approval.merchant_id != merchant_id):
        raise NotFound(f"approval {approval_id} not found")
    return approval


def _agent_ids() -> set[str]:
    try:
        from shopwarden.agents.specs import load_agent_specs

        return set(load_agent_specs())
    except Exception:  # no agents folder configured: only the prefixes guard
        return set()


def _refuse_automation_name(name: str) -> None:
    lowered = name.strip().lower()
    if not lowered:
        raise ReviewerNotAllowed("a reviewer name is required")
    if lowered.startswith(AUTOMATION_PREFIXES) or lowered in _agent_ids():
        raise ReviewerNotAllowed(f"{name} is an agent or automation; only a human reviewer can decide approvals")


def _check_reviewer(session: Session, approval: Approval, name: str, distinct_approver: bool) -> None:
    _refuse_automation_name(name)
    if name == approval.agent_id:
        raise ReviewerNotAllowed(f"{name} proposed this action and cannot decide it")
    reviewer = session.exec(select(Reviewer).where(Reviewer.merchant_id == approval.merchant_id,
                                                   Reviewer.name == name)).first()
    if reviewer is None:
        raise ReviewerNotAllowed(f"{name} is not a reviewer of merchant {approval.merchant_id}")
    if reviewer.role not in APPROVING_ROLES:
        raise ReviewerNotAllowed(f"{name} has the role {reviewer.role}, which may not decide approvals")
    if distinct_approver and approval.requested_by.lower() == name.lower():
        raise ReviewerNotAllowed(f"{name} requested this action; a different person must decide it")


def _conflict(session: Session, approval_id: int, now: datetime) -> ApprovalConflict:
    current = session.get(Approval, approval_id)
    if current is None:
        return ApprovalConflict(f"approval {approval_id} disappeared")
    if current.status == Status.PENDING and current.expires_at <= now:
        return ApprovalConflict(f"approval {approval_id} expired at {current.expires_at:%Y-%m-%d %H:%M} UTC "
                                "and can no longer be decided")
    return ApprovalConflict(f"approval {approval_id} is already {current.status}")


def _audit(session: Session, approval: Approval, action: str, reviewer: str, *, outcome: str,
           reasons: list[str]) -> None:
    audit.record_execution(session, audit.AuditEntry(
        merchant_id=approval.merchant_id, agent_id=f"reviewer:{reviewer}", run_id=approval.run_id, tool=action,
        surface="approvals", args={"approval_id": approval.id, "tool": approval.tool}, outcome=outcome,
        approval_id=approval.id, reasons=reasons,
    ))


def _audit_refusal(engine: Engine, approval_id: int, action: str, reviewer: str, merchant_id: str | None,
                   exc: Exception) -> None:
    """Record a refused decision under the approval's merchant (or the caller's, if it is not theirs).

    An attempt that names no existing merchant (an unknown id asked without --merchant) is still
    recorded, in the chain of merchant id "" (UNSCOPED_MERCHANT).
    """
    with session_scope(engine) as session:
        approval = session.get(Approval, approval_id)
        owner = merchant_id or (approval.merchant_id if approval else None)
        args: dict[str, Any] = {"approval_id": approval_id}
        if owner is None or session.get(Merchant, owner) is None:
            if owner is not None:
                args["merchant_id"] = owner
            owner = UNSCOPED_MERCHANT
        theirs = approval is not None and approval.merchant_id == owner
        if theirs and isinstance(exc, ApprovalConflict):
            now = utcnow()
            session.execute(update(Approval).where(col(Approval.id) == approval_id,
                                                   col(Approval.status) == Status.PENDING,
                                                   col(Approval.expires_at) <= now)
                            .values(status=Status.EXPIRED, decided_at=now))
        audit.record_execution(session, audit.AuditEntry(
            merchant_id=owner, agent_id=f"reviewer:{reviewer}", tool=action, surface="approvals", args=args,
            outcome="invalid" if isinstance(exc, NotFound) else "denied", approval_id=approval_id if theirs else None,
            reasons=[str(exc)], reason_codes=[f"approvals.{type(exc).__name__}"],
        ))
