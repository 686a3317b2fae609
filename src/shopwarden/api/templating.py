"""Jinja2 templates of the console (autoescaped), and the one way a page is rendered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from shopwarden.api import sessions
from shopwarden.api.deps import Services, VisitState

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def set_session_cookie(response: HTMLResponse | RedirectResponse, request: Request, raw: str) -> None:
    response.set_cookie(sessions.COOKIE, raw, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https", max_age=int(sessions.SESSION_TTL.total_seconds()))


def render(request: Request, svc: Services, visit: VisitState, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    raw = visit.ensure_session(svc.engine)
    messages = sessions.take_flash(svc.engine, raw)
    response = TEMPLATES.TemplateResponse(request, template, {
        "who": visit.identity, "roles": visit.roles, "csrf": visit.csrf, "messages": messages, **context,
    }, status_code=status_code)
    if visit.set_cookie:
        set_session_cookie(response, request, raw)
    return response


def redirect(to: str) -> RedirectResponse:
    return RedirectResponse(to, status_code=303)
