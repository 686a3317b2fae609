"""The console and JSON API app, assembled from routers.

    /api/approvals[...], /api/audit   JSON API, bearer tokens only (see /docs, /openapi.json)
    /api/merchant[...], /api/activity the merchant pages' actions (owners) and the timeline, bearer only
    /signin, /signout, /console/...   server-rendered console, server-side sessions + CSRF
    /static/...                       the console's own CSS (nothing is fetched from elsewhere)

Every request body is bounded (limits.BodyLimit) before routing, so before authentication.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from shopwarden.api.deps import Refused, Services
from shopwarden.api.limits import BodyLimit
from shopwarden.api.routes import (
    api_approvals,
    api_audit,
    api_docs,
    api_merchant,
    console_activity,
    console_approvals,
    console_merchant,
    console_session,
)
from shopwarden.api.templating import TEMPLATES
from shopwarden.config import Settings, get_settings
from shopwarden.errors import ApprovalConflict, ApprovalError, NotFound

RuntimeFactory = Callable[[], Any]
# Every router of the app (the cross-site tests enumerate their state-changing routes from here).
ROUTERS = (api_approvals.router, api_merchant.router, api_merchant.activity_router, api_audit.router,
           api_docs.router, console_session.router, console_approvals.router, console_merchant.router,
           console_activity.router)
MESSAGE_MAX_CHARS = 300


def create_app(engine: Engine, runtime_factory: RuntimeFactory, settings: Settings | None = None) -> FastAPI:
    """The app; `runtime_factory` builds the runtime whose gate executes approved actions (once, lazily).

    The app factory is part of the composition root: without `settings` it takes the process's."""
    app = FastAPI(title="shopwarden API", version="1", docs_url=None, redoc_url=None,
                  description="Approvals, merchant settings, connections, reviewers and audit of the token's "
                              "merchant: the console's actions. Authenticate with a reviewer token "
                              "(`Authorization: Bearer swr_...`); cookies are never accepted here. "
                              "The merchant operations need the owner role.")
    app.state.services = Services(engine, runtime_factory, settings if settings is not None else get_settings())
    app.add_middleware(BodyLimit)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    from shopwarden.mcp import asgi_app as mcp_asgi_app

    # MCP over streamable HTTP for outside agents (bearer client token), on the same runtime and gate.
    app.mount("/mcp", mcp_asgi_app(app.state.services.runtime))
    return app


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    detail = detail[:MESSAGE_MAX_CHARS]
    if _is_api(request) or request.url.path in ("/openapi.json", "/healthz"):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return TEMPLATES.TemplateResponse(request, "refused.html", {"detail": detail, "who": None, "roles": [],
                                                                "csrf": "", "messages": []},
                                      status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(ApprovalConflict)
    async def conflict(request: Request, exc: ApprovalConflict) -> Response:
        return _error(request, 409, str(exc))

    @app.exception_handler(ApprovalError)
    async def refused(request: Request, exc: ApprovalError) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(Refused)
    async def refused_post(request: Request, exc: Refused) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # Never echo the input: a 5 MB body must not come back as a 5 MB error.
        issues = [{"loc": [str(p)[:40] if isinstance(p, str) else p for p in e.get("loc", ())][:6],
                   "msg": str(e.get("msg", ""))[:200], "type": str(e.get("type", ""))[:40]}
                  for e in exc.errors()[:10]]
        if not _is_api(request):
            return _error(request, 422, "; ".join(f"{'.'.join(map(str, i['loc']))}: {i['msg']}" for i in issues))
        return JSONResponse({"detail": issues}, status_code=422)


__all__ = ["ROUTERS", "create_app"]
