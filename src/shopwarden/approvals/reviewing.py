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

from sqlalchemy.engine import Engine

from shopwarden.approvals import queue as approvals
from shopwarden.config import get_settings
from shopwarden.db.models import Approval
from shopwarden.gate.calls import ToolResult


@dataclass(frozen=True)
class Reviewed:
    approval: Approval
    result: ToolResult | None  # None when the execution was queued for a worker

    @property
    def queued(self) -> bool:
        return self.result is None


async def approve_and_execute(engine: Engine, approval_id: int, *, reviewer: str, runtime_factory: Callable[[], Any],
                              merchant_id: str | None = None, note: str | None = None) -> Reviewed:
    """Approve (refusals raise and are audited), then execute inline or queue the execution."""
    if get_settings().approval_execution == "queue":
        from shopwarden.jobs.worker import enqueue_execution

        approved = await asyncio.to_thread(approvals.approve, engine, approval_id, reviewer=reviewer,
                                           merchant_id=merchant_id, note=note, after_approve=enqueue_execution)
        return Reviewed(approved, None)
    await asyncio.to_thread(approvals.approve, engine, approval_id, reviewer=reviewer, merchant_id=merchant_id,
                            note=note)
    result = await runtime_factory().gate.execute_approved(approval_id)
    return Reviewed(approvals.get_approval(engine, approval_id, merchant_id), result)
