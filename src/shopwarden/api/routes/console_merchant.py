"""Merchant pages (owner role): overview, connections, autonomy and limits with a preview, reviewers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func
from sqlmodel import col, select

from shopwarden import audit
from shopwarden.api import merchant_settings as ms
from shopwarden.api import sessions
from shopwarden.api.activity import latest_day
from shopwarden.api.auth import ReviewerIdentity, issue_token
from shopwarden.api.deps import Posted, Svc, Visit, VisitState
from shopwarden.api.templating import redirect, render
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import (
    Approval,
    CachedPerformance,
    Connection,
    CycleRun,
    DeletionRequest,
    Reviewer,
    utcnow,
)
from shopwarden.domain.limits import effective_limits
from shopwarden.errors import ShopwardenError
from shopwarden.security import connections, retention

router = APIRouter(prefix="/console/merchant", include_in_schema=False)
PLATFORMS = {"shop": "TikTok Shop", "ads": "TikTok Ads"}


def _owner(visit: VisitState) -> ReviewerIdentity:
    if visit.identity is None or not visit.identity.is_owner:
        raise HTTPException(403, "only owners of the merchant see its merchant pages")
    return visit.identity


def _overview(svc: Svc, merchant_id: str) -> dict:
    today = latest_day(svc.engine, merchant_id) or utcnow().date()
    with session_scope(svc.engine) as session:
        spend = session.exec(select(func.coalesce(func.sum(CachedPerformance.spend), 0)).where(
            CachedPerformance.merchant_id == merchant_id, CachedPerformance.level == "campaign",
            CachedPerformance.stat_date == today)).one()
        sales = session.exec(select(func.coalesce(func.sum(CachedPerformance.conversion_value), 0)).where(
            CachedPerformance.merchant_id == merchant_id, CachedPerformance.level == "campaign",
            CachedPerformance.stat_date == today)).one()
        pending = session.exec(select(func.count()).select_from(Approval).where(
            Approval.merchant_id == merchant_id, Approval.status == "pending")).one()
        cycles = list(session.exec(select(CycleRun).where(CycleRun.merchant_id == merchant_id)
                                   .order_by(col(CycleRun.started_at).desc()).limit(5)).all())
    spend, sales = Decimal(str(spend)), Decimal(str(sales))
    return {"day": today, "spend": spend, "sales": sales, "roas": (sales / spend) if spend else None,
            "pending": pending, "cycles": cycles}


def _page(request: Request, svc: Svc, visit: VisitState, **extra: Any) -> HTMLResponse:  # template context
    who = _owner(visit)
    merchant = ms.current(svc.engine, who.merchant_id)
    with session_scope(svc.engine) as session:
        links = list(session.exec(select(Connection).where(Connection.merchant_id == who.merchant_id)
                                  .order_by(Connection.platform)).all())
        deletions = list(session.exec(select(DeletionRequest).where(DeletionRequest.merchant_id == who.merchant_id)
                                      .order_by(col(DeletionRequest.id).desc()).limit(10)).all())
        people = list(session.exec(select(Reviewer).where(Reviewer.merchant_id == who.merchant_id)
                                   .order_by(Reviewer.name)).all())
    limits = effective_limits(svc.default_limits(), merchant=merchant.limits)
    return render(request, svc, visit, "merchant.html", page="merchant", merchant=merchant, links=links,
                  platforms=PLATFORMS, deletions=deletions, people=people, limits=limits,
                  editable=ms.EDITABLE_LIMITS, levels=ms.AUTONOMY_LEVELS,
                  role_names=approvals.REVIEWER_ROLES, overview=_overview(svc, who.merchant_id), **extra)


@router.get("", response_class=HTMLResponse)
def merchant_page(request: Request, svc: Svc, visit: Visit) -> Response:
    if visit.identity is None:
        return redirect("/signin")
    return _page(request, svc, visit)


@router.post("/settings", response_class=HTMLResponse)
def settings(request: Request, svc: Svc, posted: Posted) -> Response:
    """`action=preview` shows the 7-day replay without saving; `action=save` stores and audits."""
    who = _owner(posted.visit)
    merchant = ms.current(svc.engine, who.merchant_id)
    try:
        wanted = ms.parse(posted.form, dict(merchant.limits or {}))
    except ms.InvalidSettings as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/merchant#autonomy")
    if posted.form.get("action") == "save":
        ms.save(svc.engine, who.merchant_id, wanted, by=who.name)
        sessions.flash(svc.engine, posted.visit.raw, f"saved: autonomy {wanted.autonomy}, limits updated")
        return redirect("/console/merchant#autonomy")
    result = ms.preview(svc.engine, svc.policy(), who.merchant_id, wanted)
    return _page(request, svc, posted.visit, preview=result, wanted=wanted)


@router.post("/connections/{platform}/disconnect")
def disconnect(svc: Svc, posted: Posted, platform: str) -> RedirectResponse:
    who = _owner(posted.visit)
    if platform not in PLATFORMS:
        raise HTTPException(404, "no such platform")
    try:
        with session_scope(svc.engine) as session:
            connections.disconnect(session, who.merchant_id, platform, reason=f"disconnected by {who.name}")
            audit.record_execution(session, audit.AuditEntry(
                merchant_id=who.merchant_id, agent_id=f"reviewer:{who.name}", tool="connections.disconnect",
                surface="console", args={"platform": platform}, outcome="executed",
                reasons=["tokens deleted at disconnect"]))
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/merchant#connections")
    sessions.flash(svc.engine, posted.visit.raw, f"{PLATFORMS[platform]} disconnected; its tokens are deleted")
    return redirect("/console/merchant#connections")


@router.post("/data/delete")
def delete_cached_data(svc: Svc, posted: Posted) -> RedirectResponse:
    who = _owner(posted.visit)
    report = retention.delete_merchant_cache(svc.engine, who.merchant_id, "all_cached")
    sessions.flash(svc.engine, posted.visit.raw, f"cached TikTok data deleted: {report.performance_rows} "
                                                 f"performance rows, {report.order_rows} orders")
    return redirect("/console/merchant#connections")


@router.post("/reviewers", response_class=HTMLResponse)
def invite(request: Request, svc: Svc, posted: Posted) -> Response:
    """Add a person (or give a new token); the token is shown once, on this response only."""
    who = _owner(posted.visit)
    name, role = posted.form.get("name", "").strip(), posted.form.get("role", "")
    if not name or len(name) > 120 or role not in approvals.REVIEWER_ROLES:
        sessions.flash(svc.engine, posted.visit.raw, "give a name (up to 120 characters) and a role", "error")
        return redirect("/console/merchant#reviewers")
    try:
        approvals.add_reviewer(svc.engine, who.merchant_id, name, role)
        token = issue_token(svc.engine, who.merchant_id, name)
    except ShopwardenError as exc:
        sessions.flash(svc.engine, posted.visit.raw, str(exc), "error")
        return redirect("/console/merchant#reviewers")
    return _page(request, svc, posted.visit, new_token={"name": name, "role": role, "token": token})


@router.post("/reviewers/{reviewer_id}")
def change_reviewer(svc: Svc, posted: Posted, reviewer_id: int) -> RedirectResponse:
    who = _owner(posted.visit)
    action = posted.form.get("action", "")
    with session_scope(svc.engine) as session:
        row = session.get(Reviewer, reviewer_id) if 0 < reviewer_id < 2**31 else None
        if row is None or row.merchant_id != who.merchant_id:
            raise HTTPException(404, "no such reviewer at this merchant")
        if row.name == who.name:
            sessions.flash(svc.engine, posted.visit.raw, "you cannot change your own role or token here", "error")
            return redirect("/console/merchant#reviewers")
        if action == "revoke":
            row.token_hash = None
            message = f"{row.name}'s token is revoked"
        elif action == "role" and posted.form.get("role") in approvals.REVIEWER_ROLES:
            row.role = posted.form["role"]
            message = f"{row.name} is now {row.role}"
        else:
            raise HTTPException(400, "unknown change")
        session.add(row)
        audit.record_execution(session, audit.AuditEntry(
            merchant_id=who.merchant_id, agent_id=f"reviewer:{who.name}", tool=f"reviewers.{action}",
            surface="console", args={"reviewer": row.name, "role": row.role}, outcome="executed"))
    sessions.flash(svc.engine, posted.visit.raw, message)
    return redirect("/console/merchant#reviewers")
