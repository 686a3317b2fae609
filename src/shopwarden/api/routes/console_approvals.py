"""The approvals inbox: filter, search, page through, and decide (reviewer and owner roles)."""

from __future__ import annotations

import asyncio
from math import ceil
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_
from sqlmodel import col, select

from shopwarden.api import sessions
from shopwarden.api.approval_cards import cards, group_of
from shopwarden.api.deps import ApprovalId, Posted, Svc, Visit
from shopwarden.api.routes.api_approvals import decide_and_execute
from shopwarden.api.templating import redirect, render
from shopwarden.approvals import queue as approvals
from shopwarden.approvals.reviewing import EDITABLE_FIELDS, edit_then_approve
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval
from shopwarden.domain.notes import NOTE_MAX_CHARS, has_control_characters
from shopwarden.errors import ShopwardenError

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE_SIZE = 20
STATUSES = ("pending", "approved", "executing", "executed", "failed", "rejected", "expired")
Text = Annotated[str, Query(max_length=100)]


@router.get("/approvals", response_class=HTMLResponse)
def inbox(request: Request, svc: Svc, visit: Visit, status: Annotated[str, Query(max_length=20)] = "pending",
          tool: Text = "", agent: Text = "", q: Text = "",
          page: Annotated[int, Query(ge=1, le=10_000)] = 1,
          id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    who = visit.identity
    if who is None:
        return redirect("/signin")
    if any(has_control_characters(v) for v in (status, tool, agent, q)):
        sessions.flash(svc.engine, visit.raw, "the search contains control characters (such as NUL); remove them",
                       "error")
        return redirect("/console/approvals")
    approvals.expire_due(svc.engine)
    query = select(Approval).where(Approval.merchant_id == who.merchant_id)
    if status in STATUSES:
        query = query.where(Approval.status == status)
    if id is not None:
        query = query.where(Approval.id == id)
    if tool:
        query = query.where(Approval.tool == tool)
    if agent:
        query = query.where(Approval.agent_id == agent)
    if q:
        plain = q.replace("\\", "").replace("%", "").replace("_", "")  # no LIKE wildcards from the box
        like = f"%{plain}%"
        query = query.where(or_(col(Approval.rationale).ilike(like), col(Approval.tool).ilike(like),
                                col(Approval.agent_id).ilike(like)))
    with session_scope(svc.engine) as session:
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = list(session.exec(query.order_by(col(Approval.id).desc())
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all())
        choices = session.exec(select(Approval.tool, Approval.agent_id).where(
            Approval.merchant_id == who.merchant_id).distinct()).all()
    groups: dict[str, list] = {}
    for c in cards(svc.engine, rows):
        groups.setdefault(c.group_key, []).append(c)
    for members in groups.values():  # a campaign before its ad groups, as they are approved
        members.sort(key=lambda c: (c.approval.args.get("object_type") != "campaign", c.approval.id))
    return render(request, svc, visit, "approvals.html", page="approvals", groups=list(groups.values()),
                  total=total, page_no=page, pages=max(1, ceil(total / PAGE_SIZE)),
                  filters={"status": status, "tool": tool, "agent": agent, "q": q}, statuses=STATUSES,
                  tools=sorted({t for t, _ in choices}), agents=sorted({a for _, a in choices}),
                  note_max=NOTE_MAX_CHARS, editable=EDITABLE_FIELDS)


@router.post("/approvals/{approval_id}/approve")
async def approve(svc: Svc, posted: Posted, approval_id: ApprovalId) -> RedirectResponse:
    who = posted.visit.identity
    if who is None:
        return redirect("/signin")
    try:
        outcome = await decide_and_execute(svc, who, approval_id, posted.form.get("note") or None)
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/approvals")
    result = outcome.result
    detail = "; ".join(result.get("reasons", []))
    sessions.flash(svc.engine, posted.visit.raw,
                   f"approval {approval_id}: {result['outcome']}" + (f" ({detail})" if detail else ""),
                   "ok" if result["outcome"] in ("executed", "queued") else "error")
    return redirect("/console/approvals")


@router.post("/approvals/{approval_id}/reject")
async def reject(svc: Svc, posted: Posted, approval_id: ApprovalId) -> RedirectResponse:
    who = posted.visit.identity
    if who is None:
        return redirect("/signin")
    try:
        await asyncio.to_thread(approvals.reject, svc.engine, approval_id, reviewer=who.name,
                                reason=posted.form.get("reason", ""), merchant_id=who.merchant_id,
                                distinct_approver=svc.app_settings.require_distinct_approver)
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/approvals")
    sessions.flash(svc.engine, posted.visit.raw, f"approval {approval_id} rejected")
    return redirect("/console/approvals")


@router.post("/approvals/{approval_id}/approve-group")
async def approve_group(svc: Svc, posted: Posted, approval_id: ApprovalId) -> RedirectResponse:
    """Approve a launched campaign and its ad groups together, campaign first; stops at the first refusal."""
    who = posted.visit.identity
    if who is None:
        return redirect("/signin")
    done: list[str] = []
    try:
        members = await asyncio.to_thread(group_of, svc.engine, approvals.get_approval(svc.engine, approval_id,
                                                                                        who.merchant_id))
        for member in members:
            outcome = await decide_and_execute(svc, who, member.id or 0, posted.form.get("note") or None)
            done.append(f"{member.id}: {outcome.result['outcome']}")
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, f"{'; '.join(done) + '; ' if done else ''}stopped: {exc}",
                       "error")
        return redirect("/console/approvals")
    sessions.flash(svc.engine, posted.visit.raw, f"approved together: {'; '.join(done)}")
    return redirect("/console/approvals")


@router.post("/approvals/{approval_id}/reject-group")
async def reject_group(svc: Svc, posted: Posted, approval_id: ApprovalId) -> RedirectResponse:
    who = posted.visit.identity
    if who is None:
        return redirect("/signin")
    rejected: list[str] = []
    try:
        members = await asyncio.to_thread(group_of, svc.engine, approvals.get_approval(svc.engine, approval_id,
                                                                                        who.merchant_id))
        for member in members:
            await asyncio.to_thread(approvals.reject, svc.engine, member.id or 0, reviewer=who.name,
                                    reason=posted.form.get("reason", ""), merchant_id=who.merchant_id,
                                    distinct_approver=svc.app_settings.require_distinct_approver)
            rejected.append(str(member.id))
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/approvals")
    sessions.flash(svc.engine, posted.visit.raw, f"rejected together: {', '.join(rejected)}")
    return redirect("/console/approvals")


@router.post("/approvals/{approval_id}/edit-approve")
async def edit_and_approve(svc: Svc, posted: Posted, approval_id: ApprovalId) -> RedirectResponse:
    """An owner changes an argument (the budget), then approves; policy decides the edited action again."""
    who = posted.visit.identity
    if who is None:
        return redirect("/signin")
    changes = {k.removeprefix("arg_"): v.strip() for k, v in posted.form.items() if k.startswith("arg_")}
    try:
        reviewed = await edit_then_approve(svc.engine, approval_id, reviewer=who.name, merchant_id=who.merchant_id,
                                           changes=changes, runtime_factory=svc.runtime,
                                           settings=svc.app_settings,
                                           note=posted.form.get("note") or None)
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/approvals")
    result = reviewed.result.for_agent() if reviewed.result is not None else {"outcome": "queued"}
    detail = "; ".join(result.get("reasons", []))
    message = f"approval {approval_id} edited and approved: {result['outcome']}" + (f" ({detail})" if detail else "")
    ok = result["outcome"] in ("executed", "queued")
    sessions.flash(svc.engine, posted.visit.raw, message, "ok" if ok else "error")
    return redirect("/console/approvals")
