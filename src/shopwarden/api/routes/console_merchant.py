"""Merchant pages (owner role): overview, connections (status, reconnect, disconnect, data deletion),
autonomy, limits and the agents' thresholds with a preview, reviewers.

Every change is a form post through `Posted` (same origin, live session, CSRF token). Reconnecting
leaves for the platform's consent page and comes back through /callback (any origin: it is the
platform's redirect, and it changes nothing) and /finish (same origin, the owner's session, and
the binding cookie of the session that started it).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shopwarden.agents.limits import merchant_limits
from shopwarden.api import merchant_actions as actions
from shopwarden.api import merchant_settings as ms
from shopwarden.api import reconnect, sessions
from shopwarden.api.auth import ReviewerIdentity
from shopwarden.api.deps import Posted, ReviewerId, Svc, Visit, VisitState
from shopwarden.api.security import cross_origin_reason, own_origin
from shopwarden.api.templating import TEMPLATES, redirect, render
from shopwarden.approvals import queue as approvals
from shopwarden.errors import ShopwardenError

router = APIRouter(prefix="/console/merchant", include_in_schema=False)
PLATFORMS = actions.PLATFORMS
BINDING_COOKIE = "sw_oauth_{platform}"
CALLBACK_FIELDS = ("code", "auth_code", "state", "connected_account_id", "status")


def _owner(visit: VisitState) -> ReviewerIdentity:
    if visit.identity is None or not visit.identity.is_owner:
        raise HTTPException(403, "only owners of the merchant see its merchant pages")
    return visit.identity


def _ads_mode(svc: Svc, merchant_id: str) -> str | None:
    try:
        return reconnect.ads_mode(svc.engine, svc.settings(), merchant_id)
    except ShopwardenError:
        return None


def _page(request: Request, svc: Svc, visit: VisitState, **extra: Any) -> HTMLResponse:  # template context
    who = _owner(visit)
    merchant = ms.current(svc.engine, who.merchant_id)
    view = actions.connections_view(svc.engine, who.merchant_id)
    own = dict(merchant.limits or {})
    return render(request, svc, visit, "merchant.html", page="merchant", merchant=merchant, links=view.links,
                  platforms=PLATFORMS, deletions=view.deletions, people=actions.people(svc.engine, who.merchant_id),
                  limits=merchant_limits(own), own_limits=own, groups=ms.groups(), label=ms.label,
                  levels=ms.AUTONOMY_LEVELS, role_names=approvals.REVIEWER_ROLES,
                  overview=actions.overview(svc.engine, who.merchant_id), ads_mode=_ads_mode(svc, who.merchant_id),
                  advertisers=", ".join(reconnect.known_advertisers(svc.engine, who.merchant_id)), **extra)


def _back(svc: Svc, visit: VisitState, section: str, text: str, kind: str = "ok") -> RedirectResponse:
    sessions.flash(svc.engine, visit.raw, text, kind)
    return redirect(f"/console/merchant#{section}")


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
        wanted = ms.parse_form(posted.form, dict(merchant.limits or {}))
    except ms.InvalidSettings as exc:
        return _back(svc, posted.visit, "autonomy", str(exc), "error")
    if posted.form.get("action") == "save":
        ms.save(svc.engine, who.merchant_id, wanted, by=who.name)
        return _back(svc, posted.visit, "autonomy", f"saved: autonomy {wanted.autonomy}, limits and thresholds "
                                                    "updated")
    result = ms.preview(svc.engine, svc.policy(), who.merchant_id, wanted)
    return _page(request, svc, posted.visit, preview=result, wanted=wanted)


@router.post("/connections/{platform}/disconnect")
def disconnect(svc: Svc, posted: Posted, platform: str) -> RedirectResponse:
    who = _owner(posted.visit)
    actions.require_platform(platform)
    try:
        message = actions.disconnect(svc.engine, svc.settings, who, platform, "console")
    except ShopwardenError as exc:
        return _back(svc, posted.visit, "connections", str(exc), "error")
    return _back(svc, posted.visit, "connections", message)


@router.post("/connections/{platform}/reconnect")
def start_reconnect(request: Request, svc: Svc, posted: Posted, platform: str) -> RedirectResponse:
    """Leave for the platform's consent page; the browser is bound to this flow by a cookie."""
    who = _owner(posted.visit)
    actions.require_platform(platform)
    try:
        advertisers = reconnect.clean_advertisers(posted.form.get("advertisers", ""))
        started = reconnect.start(svc.engine, svc.settings(), who, platform, own_origin(request), advertisers,
                                  "console")
    except ShopwardenError as exc:
        return _back(svc, posted.visit, "connections", str(exc), "error")
    response = RedirectResponse(started.authorize_url, status_code=303)
    assert posted.visit.raw is not None  # Posted only passes with a live session
    # Lax, not Strict: the platform's redirect back is a cross-site top-level navigation.
    response.set_cookie(BINDING_COOKIE.format(platform=platform),
                        reconnect.binding(posted.visit.raw, platform, started.key), httponly=True, samesite="lax",
                        path="/console/merchant/connections", secure=request.url.scheme == "https", max_age=3600)
    return response


def _callback_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {k: request.query_params.get(k, "")[:512] for k in CALLBACK_FIELDS
                              if k in request.query_params}
    params["advertiser"] = [a[:64] for a in request.query_params.getlist("advertiser")[:20]]
    return params


@router.get("/connections/{platform}/callback", response_class=HTMLResponse)
def callback(request: Request, platform: str) -> HTMLResponse:
    """Where the platform sends the browser back. It changes nothing: the session cookie is not sent
    on a cross-site redirect (SameSite=Strict), so this page moves on to /finish from our own origin."""
    actions.require_platform(platform)
    params = _callback_params(request)
    query = urlencode([(k, v) for k, v in params.items() if k != "advertiser"]
                      + [("advertiser", a) for a in params["advertiser"]])
    response = TEMPLATES.TemplateResponse(request, "connect_return.html", {
        "who": None, "roles": [], "csrf": "", "messages": [], "platform": PLATFORMS[platform],
        "finish": f"/console/merchant/connections/{platform}/finish?{query}"})
    response.headers["Referrer-Policy"] = "no-referrer"  # the code must not leak to anything the page loads
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/connections/{platform}/finish")
async def finish(request: Request, svc: Svc, visit: Visit, platform: str) -> RedirectResponse:
    actions.require_platform(platform)
    reason = cross_origin_reason(request)
    if reason is not None:
        raise HTTPException(403, f"refused: {reason}; nothing was connected")
    if visit.identity is None:
        return redirect("/signin")
    who = _owner(visit)
    params = _callback_params(request)
    cookie_name = BINDING_COOKIE.format(platform=platform)
    if not reconnect.binding_matches(visit.raw, request.cookies.get(cookie_name), platform,
                                     reconnect.callback_key(platform, params)):
        response = _back(svc, visit, "connections", "this consent was not started from this browser's console "
                                                    "session; nothing was connected", "error")
    else:
        try:
            message = await reconnect.finish(svc.engine, svc.settings(), who, platform, params, "console")
            response = _back(svc, visit, "connections", message)
        except ShopwardenError as exc:
            response = _back(svc, visit, "connections", f"{PLATFORMS[platform]} not connected: {exc}", "error")
    response.delete_cookie(cookie_name, path="/console/merchant/connections")
    return response


@router.post("/data/delete")
def delete_cached_data(svc: Svc, posted: Posted) -> RedirectResponse:
    who = _owner(posted.visit)
    report = actions.delete_cached_data(svc.engine, who, "console")
    return _back(svc, posted.visit, "connections", f"cached TikTok data deleted: {report.performance_rows} "
                                                   f"performance rows, {report.order_rows} orders")


@router.post("/reviewers", response_class=HTMLResponse)
def invite(request: Request, svc: Svc, posted: Posted) -> Response:
    """Add a person (or give a new token); the token is shown once, on this response only."""
    who = _owner(posted.visit)
    name, role = posted.form.get("name", "").strip(), posted.form.get("role", "")
    try:
        token = actions.invite(svc.engine, who, name, role, "console")
    except ShopwardenError as exc:
        return _back(svc, posted.visit, "reviewers", str(exc), "error")
    return _page(request, svc, posted.visit, new_token={"name": name, "role": role, "token": token})


@router.post("/reviewers/{reviewer_id}")
def change_reviewer(svc: Svc, posted: Posted, reviewer_id: ReviewerId) -> RedirectResponse:
    who = _owner(posted.visit)
    try:
        message = actions.change_reviewer(svc.engine, who, reviewer_id, posted.form.get("action", ""),
                                          posted.form.get("role"), "console")
    except actions.ActionRefused as exc:
        return _back(svc, posted.visit, "reviewers", str(exc), "error")
    return _back(svc, posted.visit, "reviewers", message)
