"""The action trace of a run, from the audit log: every mutation an agent proposed and where it ended."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, ToolExecution
from shopwarden.evals.case import TraceFilter

OBSERVE_ONLY = "autonomy.observe"
_APPROVAL_END = {"executed": "executed", "failed": "failed", "rejected": "rejected", "expired": "expired",
                 "pending": "waiting", "approved": "waiting", "executing": "waiting"}


class TraceAction(BaseModel):
    day: int
    merchant_id: str
    agent_id: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    verdict: str  # executed | waiting | refused | recommended | rejected | expired | failed
    first_outcome: str
    reason_codes: list[str] = Field(default_factory=list)
    approval_id: int | None = None
    reviewer: str | None = None
    rationale: str = ""
    new_object: bool = False  # its object did not exist when the run began

    @property
    def object_id(self) -> str | None:
        value = self.args.get("object_id") or self.args.get("campaign_id") or self.args.get("adgroup_id")
        return None if value is None else str(value)

    @property
    def product_ids(self) -> list[str]:
        """The products it is about: `product_id`, or the `item_group_ids` of a GMV Max launch."""
        ids = [self.args["product_id"]] if self.args.get("product_id") is not None else []
        groups = self.args.get("item_group_ids")
        return [str(i) for i in [*ids, *(groups if isinstance(groups, list) else [])]]

    @property
    def budget(self) -> Decimal | None:
        try:
            return Decimal(str(self.args["budget"])) if self.args.get("budget") is not None else None
        except (InvalidOperation, ValueError):
            return None


def load_trace(engine: Engine, run_days: dict[str, int], existing: set[str] | None = None) -> list[TraceAction]:
    """Proposed mutations in audit order; `run_days` maps a cycle run id to its eval day.

    `existing` holds the campaign and ad group ids of the world when the run began.
    """
    with session_scope(engine) as session:
        rows = session.exec(select(ToolExecution).where(col(ToolExecution.outcome) != "read",
                                                        # reviewers' decisions and a chain's opening row are
                                                        # not agents' actions
                                                        col(ToolExecution.surface).not_in(("approvals", "merchants")))
                            .order_by(col(ToolExecution.id))).all()
        approvals = {a.id: a for a in session.exec(select(Approval)).all()}
    queued = {r.approval_id for r in rows if r.outcome == "pending_approval" and r.approval_id is not None}
    trace = []
    for row in rows:
        if row.approval_id is not None and row.outcome != "pending_approval" and row.approval_id in queued:
            continue  # the execution of an approved action: its proposal is already in the trace
        approval = approvals.get(row.approval_id) if row.approval_id is not None else None
        trace.append(TraceAction(
            day=run_days.get(row.run_id, 0), merchant_id=row.merchant_id, agent_id=row.agent_id, tool=row.tool,
            args=dict(row.args_redacted or {}), verdict=_verdict(row, approval), first_outcome=row.outcome,
            reason_codes=list(row.reason_codes or []), approval_id=row.approval_id,
            reviewer=approval.reviewer if approval is not None else None,
            rationale=(approval.rationale if approval is not None else "") or ""))
    if existing is not None:
        for action in trace:
            action.new_object = action.object_id is not None and action.object_id not in existing
    return trace


def _verdict(row: ToolExecution, approval: Approval | None) -> str:
    if row.outcome == "pending_approval":
        return _APPROVAL_END.get(approval.status if approval else "pending", "waiting")
    if row.outcome in ("denied", "invalid"):
        return "recommended" if OBSERVE_ONLY in (row.reason_codes or []) else "refused"
    return row.outcome


def matches(action: TraceAction, f: TraceFilter) -> bool:
    tools = [f.tool] if isinstance(f.tool, str) else f.tool
    verdicts = [f.verdict] if isinstance(f.verdict, str) else f.verdict
    budget = action.budget
    return ((tools is None or action.tool in tools)
            and ("proposed" in verdicts or action.verdict in verdicts)
            and (f.agent is None or action.agent_id == f.agent)
            and (f.merchant is None or action.merchant_id == f.merchant)
            and (f.object_id is None or action.object_id == f.object_id)
            and (f.object_type is None or action.args.get("object_type") == f.object_type)
            and (f.product_id is None or f.product_id in action.product_ids)
            and (f.reason_code is None or f.reason_code in action.reason_codes)
            and (f.budget_min is None or (budget is not None and budget >= f.budget_min))
            and (f.budget_max is None or (budget is not None and budget <= f.budget_max))
            and (f.day_min is None or action.day >= f.day_min)
            and (f.day_max is None or action.day <= f.day_max)
            and (f.new_object is None or action.new_object == f.new_object)
            and (f.via_approval is None or (action.first_outcome == "pending_approval") == f.via_approval))
