"""The approvals inbox: filter, search, page through, and decide (reviewer and owner roles)."""

from __future__ import annotations

import asyncio
from math import ceil
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, or_
from sqlmodel import col, select

from shopwarden import approvals
from shopwarden.api import sessions
from shopwarden.api.approval_cards import cards
from shopwarden.api.deps import ApprovalId, Posted, Svc, Visit
from shopwarden.api.routes.api_approvals import decide_and_execute
from shopwarden.api.templating import redirect, render
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
          page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
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
    return render(request, svc, visit, "approvals.html", page="approvals", groups=list(groups.values()),
                  total=total, page_no=page, pages=max(1, ceil(total / PAGE_SIZE)),
                  filters={"status": status, "tool": tool, "agent": agent, "q": q}, statuses=STATUSES,
                  tools=sorted({t for t, _ in choices}), agents=sorted({a for _, a in choices}),
                  note_max=NOTE_MAX_CHARS)


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
                                reason=posted.form.get("reason", ""), merchant_id=who.merchant_id)
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/approvals")
    sessions.flash(svc.engine, posted.visit.raw, f"approval {approval_id} rejected")
    return redirect("/console/approvals")
