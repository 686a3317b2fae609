"""What happens when a reviewer approves: one path for the CLI, the API and the page.

Inline (default): approve, then execute once through this process's gate. Queue
(`SHOPWARDEN_APPROVAL_EXECUTION=queue`, PostgreSQL): the execution job is deferred in the
approval's own transaction and a `shopwarden worker` runs it; either way the gate's
compare-and-set lets the action run only once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden import audit
from shopwarden.approvals import queue as approvals
from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, Reviewer
from shopwarden.db.tables import rowcount
from shopwarden.errors import ApprovalConflict, ApprovalError, NotFound
from shopwarden.gate.calls import ToolResult


@dataclass(frozen=True)
class Reviewed:
    approval: Approval
    result: ToolResult | None  # None when the execution was queued for a worker

    @property
    def queued(self) -> bool:
        return self.result is None


async def approve_and_execute(engine: Engine, approval_id: int, *, reviewer: str, runtime_factory: Callable[[], Any],
                              settings: Settings, merchant_id: str | None = None,
                              note: str | None = None) -> Reviewed:
    """Approve (refusals raise and are audited), then execute inline or queue the execution, as the caller's
    settings say (approval_execution, require_distinct_approver)."""
    distinct = settings.require_distinct_approver
    if settings.approval_execution == "queue":
        from shopwarden.jobs.worker import enqueue_execution

        approved = await asyncio.to_thread(approvals.approve, engine, approval_id, reviewer=reviewer,
                                           merchant_id=merchant_id, note=note, after_approve=enqueue_execution,
                                           distinct_approver=distinct)
        return Reviewed(approved, None)
    await asyncio.to_thread(approvals.approve, engine, approval_id, reviewer=reviewer, merchant_id=merchant_id,
                            note=note, distinct_approver=distinct)
    result = await runtime_factory().gate.execute_approved(approval_id)
    return Reviewed(approvals.get_approval(engine, approval_id, merchant_id), result)


# --- an owner edits an argument, then approves ------------------------------------------------

EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    "update_budget": ("budget",), "create_campaign": ("budget",), "create_adgroup": ("budget",),
}


def edit_args(engine: Engine, approval_id: int, *, reviewer: str, merchant_id: str,
              changes: dict[str, str]) -> Approval:
    """Change allowed arguments of a pending approval (owners only); validated by the tool's own model
    and audited as `approvals.edit` with the before and after values. Refusals are audited too."""
    try:
        return _edit(engine, approval_id, reviewer, merchant_id, changes)
    except (ApprovalError, NotFound) as exc:
        approvals._audit_refusal(engine, approval_id, "approvals.edit", reviewer, merchant_id, exc)
        raise


def _edit(engine: Engine, approval_id: int, reviewer: str, merchant_id: str, changes: dict[str, str]) -> Approval:
    from shopwarden.tools import registry

    with session_scope(engine) as session:
        approval = approvals._load(session, approval_id, merchant_id)
        role = session.exec(select(Reviewer.role).where(Reviewer.merchant_id == merchant_id,
                                                        Reviewer.name == reviewer)).first()
        if role != "owner":
            raise approvals.ReviewerNotAllowed(f"{reviewer} is not an owner of {merchant_id}; only owners edit actions")
        allowed = EDITABLE_FIELDS.get(approval.tool, ())
        unknown = sorted(set(changes) - set(allowed))
        if unknown or not changes:
            raise ApprovalError(f"{approval.tool} allows editing only {', '.join(allowed) or 'nothing'}, "
                                f"not {', '.join(f[:40] for f in unknown) or 'an empty change'}")
        try:
            edited = registry()[approval.tool].args_model.model_validate({**approval.args, **changes})
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:3])
            raise ApprovalError(f"the edited action is not valid: {problems}") from None
        old_args = dict(approval.args)  # the UPDATE below refreshes the loaded row
        new_args = {**old_args, **edited.model_dump(mode="json", include=set(changes))}
        moved = rowcount(session.execute(update(Approval).where(col(Approval.id) == approval_id,
                                                       col(Approval.status) == "pending")
                                .values(args=new_args)))
        if moved != 1:
            raise ApprovalConflict(f"approval {approval_id} is no longer pending; it was not edited")
        changed = {k: {"from": old_args.get(k), "to": new_args[k]} for k in changes}
        audit.record_execution(session, audit.AuditEntry(
            merchant_id=merchant_id, agent_id=f"reviewer:{reviewer}", run_id=approval.run_id, tool="approvals.edit",
            surface="approvals", args={"approval_id": approval_id, "tool": approval.tool, "changed": changed},
            outcome="edited", approval_id=approval_id,
            reasons=[f"{k} {v['from']} -> {v['to']}" for k, v in changed.items()]))
        session.expire_all()
        return approvals._load(session, approval_id, merchant_id)


async def edit_then_approve(engine: Engine, approval_id: int, *, reviewer: str, merchant_id: str,
                            changes: dict[str, str], runtime_factory: Callable[[], Any], settings: Settings,
                            note: str | None = None) -> Reviewed:
    """Edit, then approve; the gate decides the edited action again (fresh state, policy) before it runs."""
    if note is not None and (refused := approvals._note_refusal(note, "note")) is not None:
        approvals._audit_refusal(engine, approval_id, "approvals.edit", reviewer, merchant_id, refused)
        raise refused  # before the edit: a refused note leaves the action as it was
    await asyncio.to_thread(edit_args, engine, approval_id, reviewer=reviewer, merchant_id=merchant_id,
                            changes=changes)
    return await approve_and_execute(engine, approval_id, reviewer=reviewer, merchant_id=merchant_id, note=note,
                                     runtime_factory=runtime_factory, settings=settings)
