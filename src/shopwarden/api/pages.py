"""The reviewer page: pending approvals with the policy's reasons, approve / reject buttons.

Server-rendered HTML, no JavaScript. The session is the reviewer's token in an HttpOnly,
SameSite=Strict cookie; form posts from another origin are refused.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.engine import Engine

from shopwarden.api.auth import ReviewerIdentity, identify
from shopwarden.approvals import queue as approvals
from shopwarden.db.models import Approval
from shopwarden.errors import ApprovalError, NotFound, ShopwardenError

COOKIE = "sw_reviewer"
_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.5rem;text-align:left;
vertical-align:top}.msg{background:#eef6ee;padding:.6rem;border-radius:4px}.err{background:#fbeaea}
button{padding:.3rem .8rem;margin:.1rem}code{font-size:.85em}"""


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
                        f"<style>{_STYLE}</style></head><body>{body}</body></html>")


def _redirect(message: str = "", error: bool = False) -> RedirectResponse:
    query = f"?{'err' if error else 'msg'}={quote(message)}" if message else ""
    return RedirectResponse(f"/review{query}", status_code=303)


async def _form(request: Request) -> dict[str, str]:
    if request.headers.get("origin"):
        origin = urlparse(request.headers["origin"]).netloc
        if origin != request.headers.get("host"):
            raise HTTPException(403, "cross-site form posts are refused")
    parsed = parse_qs((await request.body()).decode(), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def _row(a: Approval, may_decide: bool) -> str:
    args = escape(", ".join(f"{k}={v}" for k, v in a.args.items()))
    reasons = "<br>".join(escape(r) for r in a.reasons)
    actions = ""
    if may_decide and a.status == "pending":
        actions = (f"<form method=post action=/review/{a.id}/approve><input name=note placeholder='note (optional)'>"
                   f"<button name=approve>Approve</button></form>"
                   f"<form method=post action=/review/{a.id}/reject><input name=reason required "
                   f"placeholder='reason'><button name=reject>Reject</button></form>")
    return (f"<tr id=approval-{a.id}><td>{a.id}</td><td>{escape(a.status)}</td><td><b>{escape(a.tool)}</b><br>"
            f"<code>{args}</code></td><td>{reasons}</td><td>{escape(a.agent_id)}<br>{escape(a.rationale)}</td>"
            f"<td>{a.expires_at:%Y-%m-%d %H:%M} UTC</td><td>{actions}</td></tr>")


def add_pages(app: FastAPI, engine: Engine) -> None:
    def current(request: Request) -> ReviewerIdentity | None:
        return identify(engine, request.cookies.get(COOKIE))

    async def signed_in_form(request: Request) -> tuple[dict[str, str], ReviewerIdentity | None]:
        """The posted form (cross-site posts refused first) and who sent it, if anyone is signed in."""
        return await _form(request), current(request)

    @app.get("/review", response_class=HTMLResponse)
    def review(request: Request, msg: str = "", err: str = "") -> HTMLResponse:
        who = current(request)
        banner = (f"<p class=msg>{escape(msg)}</p>" if msg else "") + (f"<p class='msg err'>{escape(err)}</p>"
                                                                     if err else "")
        if who is None:
            return _page("Sign in", f"<h1>shopwarden review</h1>{banner}<form method=post action=/review/login>"
                                    "<label>Reviewer token <input name=token type=password required></label> "
                                    "<button>Sign in</button></form>")
        approvals.expire_due(engine)
        rows = approvals.list_approvals(engine, merchant_id=who.merchant_id, limit=100)
        pending = [a for a in rows if a.status == "pending"]
        decided = [a for a in rows if a.status != "pending"][:20]
        head = "<tr><th>#</th><th>status</th><th>action</th><th>why it needs you</th><th>agent</th>" \
               "<th>expires</th><th></th></tr>"
        body = (f"<h1>Approvals for {escape(who.merchant_id)}</h1><p>Signed in as <b>{escape(who.name)}</b> "
                f"({escape(who.role)}) <form method=post action=/review/logout style=display:inline>"
                f"<button>Sign out</button></form></p>{banner}"
                f"<h2>Waiting ({len(pending)})</h2><table>{head}"
                + "".join(_row(a, who.may_decide) for a in pending)
                + f"</table><h2>Recently decided</h2><table>{head}"
                + "".join(_row(a, False) for a in decided) + "</table>")
        return _page("Approvals", body)

    @app.post("/review/login")
    async def login(request: Request) -> RedirectResponse:
        token = (await _form(request)).get("token", "")
        if identify(engine, token) is None:
            return _redirect("that token is not valid", error=True)
        response = _redirect("signed in")
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    @app.post("/review/logout")
    async def logout(request: Request) -> RedirectResponse:
        await _form(request)
        response = _redirect("signed out")
        response.delete_cookie(COOKIE)
        return response

    @app.post("/review/{approval_id}/approve")
    async def approve(request: Request, approval_id: int) -> RedirectResponse:
        form, who = await signed_in_form(request)
        if who is None:
            return _redirect("sign in first", error=True)
        try:
            outcome: dict[str, Any] = await app.state.decide_and_execute(who, approval_id, form.get("note") or None)
        except (ApprovalError, NotFound, ShopwardenError) as exc:
            return _redirect(str(exc), error=True)
        result = outcome["result"]
        detail = "; ".join(result.get("reasons", []))
        return _redirect(f"approval {approval_id}: {result['outcome']}" + (f" ({detail})" if detail else ""),
                         error=result["outcome"] not in ("executed", "queued"))

    @app.post("/review/{approval_id}/reject")
    async def reject(request: Request, approval_id: int) -> RedirectResponse:
        form, who = await signed_in_form(request)
        if who is None:
            return _redirect("sign in first", error=True)
        try:
            approvals.reject(engine, approval_id, reviewer=who.name, reason=form.get("reason", ""),
                             merchant_id=who.merchant_id)
        except (ApprovalError, NotFound) as exc:
            return _redirect(str(exc), error=True)
        return _redirect(f"approval {approval_id} rejected")
