"""Console sign-in, sign-out and switching merchant: all same-origin, CSRF-checked posts.

Sign-in replaces the anonymous session with a new id (no fixation); sign-out deletes it.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from shopwarden.api import sessions
from shopwarden.api.auth import memberships, person_of_token
from shopwarden.api.deps import Posted, Svc, Visit
from shopwarden.api.templating import redirect, render, set_session_cookie

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(visit: Visit) -> RedirectResponse:
    response = redirect("/console/approvals" if visit.identity else "/signin")
    return response


@router.get("/review")  # the old page's address
def old_review_page() -> RedirectResponse:
    return redirect("/console/approvals")


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, svc: Svc, visit: Visit) -> HTMLResponse:
    return render(request, svc, visit, "signin.html", page="signin")


@router.post("/signin")
def signin(request: Request, svc: Svc, posted: Posted) -> RedirectResponse:
    person = person_of_token(svc.engine, posted.form.get("token", "").strip())
    roles = memberships(svc.engine, person) if person else []
    if not roles:
        sessions.flash(svc.engine, posted.visit.raw, "that token is not valid", "error")
        return redirect("/signin")
    sessions.end(svc.engine, posted.visit.raw)
    raw = sessions.start(svc.engine, person_id=person, merchant_id=roles[0].merchant_id,
                         flash=[{"text": f"signed in as {roles[0].name}", "kind": "ok"}])
    response = redirect("/console/approvals")
    set_session_cookie(response, request, raw)
    return response


@router.post("/signout")
def signout(request: Request, svc: Svc, posted: Posted) -> RedirectResponse:
    sessions.end(svc.engine, posted.visit.raw)
    raw = sessions.start(svc.engine, flash=[{"text": "signed out", "kind": "ok"}])
    response = redirect("/signin")
    set_session_cookie(response, request, raw)
    return response


@router.post("/console/switch")
def switch_merchant(svc: Svc, posted: Posted) -> RedirectResponse:
    visit = posted.visit
    if visit.identity is None:
        return redirect("/signin")
    wanted = posted.form.get("merchant_id", "")
    role = next((r for r in visit.roles if r.merchant_id == wanted), None)
    if role is None:
        sessions.flash(svc.engine, visit.raw, "you have no role at that merchant", "error")
    else:
        sessions.choose_merchant(svc.engine, visit.raw, wanted)
        sessions.flash(svc.engine, visit.raw, f"now working on {role.merchant_name} as {role.role}")
    return redirect("/console/approvals")
