"""Crash recovery for approved actions: an approval left `executing` (the process died between the
claim and the platform's answer) is settled by looking at the platform, never by blind replay.

    applied on the platform   -> executed (nothing is sent again)
    not applied               -> run once now, after a fresh observe + decide
    cannot tell               -> failed, with a message asking a person to check
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy import or_, update
from sqlmodel import col, select

from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval
from shopwarden.errors import ShopwardenError
from shopwarden.gate.calls import Outcome, ToolCall, ToolResult
from shopwarden.gate.internal import GateInternals
from shopwarden.gate.results import failed, summarize
from shopwarden.tools import AppliedChange, Tool

RECOVERY_MARK = "recovering:"


def _stuck(gate: GateInternals, merchant_id: str | None, older_than: timedelta) -> list[Approval]:
    cutoff = datetime.now(UTC) - older_than
    with session_scope(gate.engine) as session:
        statement = select(Approval).where(Approval.status == "executing")
        if merchant_id is not None:
            statement = statement.where(Approval.merchant_id == merchant_id)
        claimed_at = or_(col(Approval.executed_at) <= cutoff,
                         (col(Approval.executed_at).is_(None)) & (col(Approval.decided_at) <= cutoff))
        return list(session.exec(statement.where(claimed_at).order_by(col(Approval.id))))


def _take_over(gate: GateInternals, approval_id: int) -> bool:
    """Compare-and-set so that two recovering workers never both act on the same approval."""
    mark = f"{RECOVERY_MARK}{uuid.uuid4().hex}"
    with session_scope(gate.engine) as session:
        outcome = session.execute(
            update(Approval)
            .where(col(Approval.id) == approval_id, col(Approval.status) == "executing",
                   or_(col(Approval.error).is_(None), ~col(Approval.error).startswith(RECOVERY_MARK)))
            .values(error=mark)
        )
        return outcome.rowcount == 1  # type: ignore[attr-defined]


async def recover_stuck(gate: GateInternals, merchant_id: str | None, *, older_than: timedelta) -> list[ToolResult]:
    results = []
    for approval in await gate.off_loop(_stuck, gate, merchant_id, older_than):
        assert approval.id is not None
        if await gate.off_loop(_take_over, gate, approval.id):
            results.append(await _recover_one(gate, approval))
    return results


async def _recover_one(gate: GateInternals, approval: Approval) -> ToolResult:
    tool = gate.tool_named(approval.tool)
    call = ToolCall(tool=approval.tool, args=dict(approval.args), agent_id=approval.agent_id,
                    merchant_id=approval.merchant_id, run_id=approval.run_id, rationale=approval.rationale)
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
    await gate.off_loop(functools.partial(approvals.finish_execution, gate.engine, approval.id, ok=ok,
                                           result=summarize({"recovered": True}) if ok else None,
                                           error=None if ok else result.reasons[0]))
    return await gate.record_settled(call, tool, approval.id, result, effect)


def _applied_effect(tool: Tool | None, approval: Approval) -> AppliedChange | None:
    """The change to enter in the budget ledger for an execution that landed before the crash, from the
    state the second pass noted before the platform call (missing only if it crashed before that)."""
    state = (approval.result or {}).get(approvals.OBSERVED_BEFORE_EXECUTION)
    if tool is None or tool.record_effect is None or not isinstance(state, dict):
        return None
    return AppliedChange(approval.merchant_id, tool.args_model.model_validate(approval.args), state, None, approval.id)
