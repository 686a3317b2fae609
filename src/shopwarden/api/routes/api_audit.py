"""JSON API: the audit log of the token's merchant."""

from __future__ import annotations

from fastapi import APIRouter, Query

from shopwarden.api.deps import ApiCaller, Svc
from shopwarden.api.schemas import ERRORS, AuditRowOut
from shopwarden.audit.chain import list_executions

router = APIRouter(prefix="/api/audit", tags=["audit"], responses={k: ERRORS[k] for k in (401, 422)})


@router.get("", summary="Newest audit rows first")
def audit(who: ApiCaller, svc: Svc, limit: int = Query(default=100, ge=1, le=1000)) -> list[AuditRowOut]:
    return [AuditRowOut.of(r) for r in list_executions(svc.engine, merchant_id=who.merchant_id, limit=limit)]
