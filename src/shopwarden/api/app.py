"""The reviewer API and page (FastAPI).

    GET  /api/approvals[?status=]           the reviewer's merchant only
    GET  /api/approvals/{id}
    POST /api/approvals/{id}/approve        {"note": ...}  -> approve, then execute once through the gate
    POST /api/approvals/{id}/reject         {"reason": ...}
    GET  /api/audit[?limit=]
    GET  /review                            the page (sign in with the reviewer token)

Every request is a named reviewer (bearer token, or the page's HttpOnly SameSite=Strict cookie);
other merchants' approvals do not exist for them.
"""


import asyncio
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Engine

from shopwarden import approvals
from shopwarden.api.auth import ReviewerIdentity, identify
from shopwarden.audit import list_executions
from shopwarden.db.models import Approval
from shopwarden.errors import ApprovalConflict, ApprovalError, NotFound
from shopwarden.reviewing import approve_and_execute

COOKIE = "sw_reviewer"
RuntimeFactory = Callable[[], Any]


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=2000)


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


def approval_view(a: Approval) -> dict[str, Any]:
    return a.model_dump(mode="json", exclude={"idempotency_key"})


def create_app(engine: Engine, runtime_factory: RuntimeFactory) -> FastAPI:
    """The app; `runtime_factory` builds the runtime whose gate executes approved actions (once, lazily)."""
    app = FastAPI(title="shopwarden reviewer API", docs_url=None, redoc_url=None)
    runtime_box: dict[str, Any] = {}

    def runtime() -> Any:
        if "runtime" not in runtime_box:
            runtime_box["runtime"] = runtime_factory()
        return runtime_box["runtime"]

    def reviewer(request: Request) -> ReviewerIdentity:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.cookies.get(COOKIE)
        identity = identify(engine, token)
        if identity is None:
            raise HTTPException(401, "sign in with your reviewer token", headers={"WWW-Authenticate": "Bearer"})
        return identity

    Reviewer = Annotated[ReviewerIdentity, Depends(reviewer)]

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(ApprovalConflict)
    async def conflict(_request: Request, exc: ApprovalConflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)

    @app.exception_handler(ApprovalError)
    async def refused(_request: Request, exc: ApprovalError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/approvals")
    def list_(who: Reviewer, status: str | None = None) -> list[dict[str, Any]]:
        approvals.expire_due(engine)
        return [approval_view(a) for a in approvals.list_approvals(engine, merchant_id=who.merchant_id,
                                                                    status=status)]

    @app.get("/api/approvals/{approval_id}")
    def show(who: Reviewer, approval_id: int) -> dict[str, Any]:
        return approval_view(approvals.get_approval(engine, approval_id, who.merchant_id))

    @app.post("/api/approvals/{approval_id}/approve")
    async def approve(who: Reviewer, approval_id: int, body: ApproveBody | None = None) -> dict[str, Any]:
        return await decide_and_execute(who, approval_id, (body or ApproveBody()).note)

    @app.post("/api/approvals/{approval_id}/reject")
    async def reject(who: Reviewer, approval_id: int, body: RejectBody) -> dict[str, Any]:
        decided = await asyncio.to_thread(approvals.reject, engine, approval_id, reviewer=who.name,
                                          reason=body.reason, merchant_id=who.merchant_id)
        return approval_view(decided)

    @app.get("/api/audit")
    def audit(who: Reviewer, limit: int = 100) -> list[dict[str, Any]]:
        rows = list_executions(engine, merchant_id=who.merchant_id, limit=max(1, min(limit, 1000)))
        return [r.model_dump(mode="json", exclude={"policy_input"}) for r in rows]

    async def decide_and_execute(who: ReviewerIdentity, approval_id: int, note: str | None) -> dict[str, Any]:
        reviewed = await approve_and_execute(engine, approval_id, reviewer=who.name, merchant_id=who.merchant_id,
                                             note=note, runtime_factory=runtime)
        result = reviewed.result.for_agent() if reviewed.result is not None else {"outcome": "queued"}
        return {"approval": approval_view(reviewed.approval), "result": result}

    app.state.decide_and_execute = decide_and_execute
    app.state.reviewer = reviewer

    from shopwarden.api.pages import add_pages

    add_pages(app, engine)
    from shopwarden.mcp import asgi_app as mcp_asgi_app

    app.mount("/mcp", mcp_asgi_app(runtime))  # MCP over streamable HTTP for outside agents (bearer client token)
    return app
