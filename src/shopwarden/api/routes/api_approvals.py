"""JSON API: the approval queue of the token's merchant (bearer tokens only, never cookies)."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Query

from shopwarden.api.auth import ReviewerIdentity
from shopwarden.api.deps import ApiCaller, ApprovalId, Services, Svc
from shopwarden.api.schemas import ERRORS, ApprovalOut, ApproveBody, DecisionOut, EditBody, RejectBody
from shopwarden.approvals import queue as approvals
from shopwarden.approvals.reviewing import approve_and_execute, edit_then_approve

router = APIRouter(prefix="/api/approvals", tags=["approvals"], responses=ERRORS)
Status = Literal["pending", "approved", "executing", "executed", "failed", "rejected", "expired"]


@router.get("", summary="List approvals")
def list_approvals(who: ApiCaller, svc: Svc, status: Status | None = None,
                   limit: int = Query(default=100, ge=1, le=500)) -> list[ApprovalOut]:
    approvals.expire_due(svc.engine)
    return [ApprovalOut.of(a) for a in approvals.list_approvals(svc.engine, merchant_id=who.merchant_id,
                                                                status=status, limit=limit)]


@router.get("/{approval_id}", summary="One approval")
def show_approval(who: ApiCaller, svc: Svc, approval_id: ApprovalId) -> ApprovalOut:
    return ApprovalOut.of(approvals.get_approval(svc.engine, approval_id, who.merchant_id))


@router.post("/{approval_id}/approve", summary="Approve, then execute once through the gate")
async def approve(who: ApiCaller, svc: Svc, approval_id: ApprovalId, body: ApproveBody | None = None) -> DecisionOut:
    return await decide_and_execute(svc, who, approval_id, (body or ApproveBody()).note)


@router.post("/{approval_id}/reject", summary="Reject with a reason")
async def reject(who: ApiCaller, svc: Svc, approval_id: ApprovalId, body: RejectBody) -> ApprovalOut:
    decided = await asyncio.to_thread(approvals.reject, svc.engine, approval_id, reviewer=who.name,
                                      reason=body.reason, merchant_id=who.merchant_id,
                                      distinct_approver=svc.app_settings.require_distinct_approver)
    return ApprovalOut.of(decided)


@router.post("/{approval_id}/edit-approve", summary="Owners: change allowed arguments, then approve")
async def edit_approve(who: ApiCaller, svc: Svc, approval_id: ApprovalId, body: EditBody) -> DecisionOut:
    """The edit is audited; the gate decides the edited action again (fresh state, policy) before it runs."""
    reviewed = await edit_then_approve(svc.engine, approval_id, reviewer=who.name, merchant_id=who.merchant_id,
                                       changes=body.changes, runtime_factory=svc.runtime, note=body.note,
                                       settings=svc.app_settings)
    result = reviewed.result.for_agent() if reviewed.result is not None else {"outcome": "queued"}
    return DecisionOut(approval=ApprovalOut.of(reviewed.approval), result=result)


async def decide_and_execute(svc: Services, who: ReviewerIdentity, approval_id: int, note: str | None) -> DecisionOut:
    """The one approve path for the API and the console page."""
    reviewed = await approve_and_execute(svc.engine, approval_id, reviewer=who.name, merchant_id=who.merchant_id,
                                         note=note, runtime_factory=svc.runtime,
                                         settings=svc.app_settings)
    result = reviewed.result.for_agent() if reviewed.result is not None else {"outcome": "queued"}
    return DecisionOut(approval=ApprovalOut.of(reviewed.approval), result=result)
