"""Crash recovery for approved actions: an approval left `executing` (the process died between the
claim and the platform's answer) is settled by looking at the platform, never by blind replay.

    applied on the platform   -> executed (nothing is sent again)
    not applied               -> run once now, after a fresh observe + decide
    cannot tell               -> failed, with a message asking a person to check

A recovering process first takes a lease on the approval (owner + expiry, compare-and-set), so
two processes never settle the same approval; a lease whose holder died expires and can be
taken over. Recovery also settles approvals whose state and audit log disagree: settled
(`executed` / `failed`) with no final audit row, which a crash could leave before the final
state and the audit row shared one transaction.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, exists, or_, update
from sqlmodel import col, select

from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, ToolExecution
from shopwarden.db.tables import rowcount
from shopwarden.errors import ShopwardenError
from shopwarden.gate.calls import Outcome, ToolCall, ToolResult
from shopwarden.gate.internal import GateInternals
from shopwarden.gate.results import failed, summarize
from shopwarden.tools import AppliedChange, Tool

LEASE = timedelta(minutes=10)  # far longer than one recovery's platform calls
SETTLED = ("executed", "failed")


def _now() -> datetime:
    return datetime.now(UTC)


def _lease_free(now: datetime) -> Any:
    return or_(col(Approval.lease_expires_at).is_(None), col(Approval.lease_expires_at) <= now)


def _stuck(gate: GateInternals, merchant_id: str | None, older_than: timedelta) -> list[Approval]:
    now = _now()
    cutoff = now - older_than
    with session_scope(gate.engine) as session:
        statement = select(Approval).where(Approval.status == "executing", _lease_free(now))
        if merchant_id is not None:
            statement = statement.where(Approval.merchant_id == merchant_id)
        claimed_at = or_(col(Approval.executed_at) <= cutoff,
                         (col(Approval.executed_at).is_(None)) & (col(Approval.decided_at) <= cutoff))
        return list(session.exec(statement.where(claimed_at).order_by(col(Approval.id))))


def _unaudited(gate: GateInternals, merchant_id: str | None, settled_since: datetime | None) -> list[Approval]:
    """Settled approvals without the gate's final audit row (any row of the approved tool but the pending one)."""
    final_row = exists().where(and_(col(ToolExecution.approval_id) == col(Approval.id),
                                    col(ToolExecution.tool) == col(Approval.tool),
                                    col(ToolExecution.outcome) != Outcome.PENDING_APPROVAL.value))
    with session_scope(gate.engine) as session:
        statement = select(Approval).where(col(Approval.status).in_(SETTLED), ~final_row, _lease_free(_now()))
        if settled_since is not None:
            statement = statement.where(col(Approval.executed_at) >= settled_since)
        if merchant_id is not None:
            statement = statement.where(Approval.merchant_id == merchant_id)
        return list(session.exec(statement.order_by(col(Approval.id))))


def take_lease(gate: GateInternals, approval_id: int, status: tuple[str, ...], lease: timedelta = LEASE) -> str | None:
    """Compare-and-set: the lease's owner token when this process now holds the approval, else None."""
    now, owner = _now(), uuid.uuid4().hex
    with session_scope(gate.engine) as session:
        outcome = session.execute(
            update(Approval)
            .where(col(Approval.id) == approval_id, col(Approval.status).in_(status), _lease_free(now))
            .values(lease_owner=owner, lease_expires_at=now + lease)
        )
        return owner if rowcount(outcome) == 1 else None


async def recover_stuck(gate: GateInternals, merchant_id: str | None, *, older_than: timedelta,
                        settled_since: datetime | None = None) -> list[ToolResult]:
    """`settled_since` bounds the search for settled approvals without an audit row (periodic rounds look
    back a little; on demand, everything)."""
    results = []
    for approval in await gate.off_loop(_stuck, gate, merchant_id, older_than):
        assert approval.id is not None
        if await gate.off_loop(take_lease, gate, approval.id, ("executing",)) is not None:
            results.append(await _recover_one(gate, approval))
    for approval in await gate.off_loop(_unaudited, gate, merchant_id, settled_since):
        assert approval.id is not None
        if await gate.off_loop(take_lease, gate, approval.id, SETTLED) is not None:
            results.append(await _audit_settled(gate, approval))
    return results


async def _recover_one(gate: GateInternals, approval: Approval) -> ToolResult:
    tool = gate.tool_named(approval.tool)
    applied: bool | None = None
    problem = ""
    if tool is None or tool.verify is None:
        problem = f"the tool {approval.tool} has no way to check the platform"
    else:
        try:
            args = tool.args_model.model_validate(approval.args)
            applied = await tool.verify(gate.tool_context(approval.merchant_id), args, approval.idempotency_key)
        except (ValidationError, ShopwardenError) as exc:
            problem = f"checking the platform failed: {exc}"
    if applied is False:
        return await gate.run_claimed(approval)
    effect = None
    if applied:
        effect = _applied_effect(tool, approval)
        result = ToolResult(tool=approval.tool, outcome=Outcome.EXECUTED, decision="allow",
                            reasons=["an interrupted execution had already taken effect on the platform; "
                                     "it was not sent again"], reason_codes=["recovery.already_applied"])
    else:
        reason = (f"execution was interrupted and it is unknown whether it took effect ({problem or 'no answer'}); "
                  "check the platform before approving it again")
        result = failed(approval.tool, {"error": "RecoveryUnknown", "message": reason}, reason)
    ok = result.outcome == Outcome.EXECUTED
    finish = {"ok": ok, "result": summarize({"recovered": True}) if ok else None,
                  "error": None if ok else result.reasons[0]}
    return await gate.record_settled(_call_of(approval), tool, approval.id, result, effect, finish=finish)


async def _audit_settled(gate: GateInternals, approval: Approval) -> ToolResult:
    """The audit row (and ledger entry) a settled approval lacks, recorded now and said to be late."""
    tool = gate.tool_named(approval.tool)
    effect = None
    late = (f"the approval was already {approval.status} but its audit row was missing (a crash between the two); "
            "recorded by recovery")
    if approval.status == "executed":
        effect = _applied_effect(tool, approval)
        result = ToolResult(tool=approval.tool, outcome=Outcome.EXECUTED, decision="allow", reasons=[late],
                            reason_codes=["recovery.audit_row_missing"])
    else:
        result = failed(approval.tool, {"error": "RecoveryAudit", "message": approval.error or ""}, late)
        result = result.model_copy(update={"reason_codes": ["recovery.audit_row_missing"]})
    recorded = await gate.record_settled(_call_of(approval), tool, approval.id, result, effect)
    await gate.off_loop(_release, gate, approval.id)
    return recorded


def _release(gate: GateInternals, approval_id: int | None) -> None:
    with session_scope(gate.engine) as session:
        session.execute(update(Approval).where(col(Approval.id) == approval_id)
                        .values(lease_owner=None, lease_expires_at=None))


def _call_of(approval: Approval) -> ToolCall:
    return ToolCall(tool=approval.tool, args=dict(approval.args), agent_id=approval.agent_id,
                    merchant_id=approval.merchant_id, run_id=approval.run_id, rationale=approval.rationale)


def _applied_effect(tool: Tool | None, approval: Approval) -> AppliedChange | None:
    """The change to enter in the budget ledger for an execution that landed before the crash, from the
    state the second pass noted before the platform call (missing only if it crashed before that)."""
    state = (approval.result or {}).get(approvals.OBSERVED_BEFORE_EXECUTION)
    if tool is None or tool.record_effect is None or not isinstance(state, dict):
        return None
    return AppliedChange(approval.merchant_id, tool.args_model.model_validate(approval.args), state, None, approval.id)

