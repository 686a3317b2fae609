"""What the JSON API sends and accepts: its own models, separate from the database tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.db.models import Approval, ToolExecution
from shopwarden.domain.notes import NOTE_MAX_CHARS


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(default=None, max_length=NOTE_MAX_CHARS)


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=NOTE_MAX_CHARS)


class EditBody(BaseModel):
    """An owner's change to allowed arguments (e.g. {"budget": "115"}), then approval."""

    model_config = ConfigDict(extra="forbid")
    changes: dict[str, str] = Field(min_length=1, max_length=5)
    note: str | None = Field(default=None, max_length=NOTE_MAX_CHARS)


class ApprovalOut(BaseModel):
    id: int
    merchant_id: str
    run_id: str
    agent_id: str
    tool: str
    args: dict[str, Any]
    reasons: list[str]
    reason_codes: list[str]
    rationale: str
    policy_version: str
    status: str
    requested_by: str
    reviewer: str | None
    review_note: str | None
    result: dict[str, Any]
    error: str | None
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    executed_at: datetime | None

    @classmethod
    def of(cls, approval: Approval) -> ApprovalOut:
        return cls.model_validate(approval.model_dump(exclude={"idempotency_key"}))


class DecisionOut(BaseModel):
    approval: ApprovalOut
    result: dict[str, Any] = Field(description="the gate's result, or {'outcome': 'queued'} for a worker")


class AuditRowOut(BaseModel):
    id: int
    merchant_id: str
    seq: int
    created_at: datetime
    agent_id: str
    run_id: str
    tool: str
    surface: str
    mutating: bool
    args_redacted: dict[str, Any]
    decision: str | None
    reasons: list[str]
    reason_codes: list[str]
    policy_version: str | None
    approval_id: int | None
    outcome: str
    error_code: str | None
    row_hash: str

    @classmethod
    def of(cls, row: ToolExecution) -> AuditRowOut:
        return cls.model_validate(row.model_dump(exclude={"policy_input"}))


class ErrorOut(BaseModel):
    detail: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    detail: list[ValidationIssue]


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no or unknown bearer token"},
    403: {"model": ErrorOut, "description": "your role may not do this"},
    404: {"model": ErrorOut, "description": "no such approval at your merchant"},
    409: {"model": ErrorOut, "description": "the approval was already decided or has expired"},
    413: {"description": "request body larger than the limit"},
    422: {"model": ValidationErrorOut, "description": "the body does not match the schema (input is not echoed)"},
}
