"""Run, pause and resume growth cycles; one `cycle_runs` row per merchant and schedule slot.

    summary = await run_cycle(deps, "m_glow", slot="2026-03-02T12:00Z")   # SlotTaken if it already ran
    summary = await resume_cycle(deps, summary.run_id)                    # after a reviewer decided
    summary = await continue_interrupted(deps, "m_glow", "2026-03-02T12:00Z")  # its process died mid-cycle
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.types import Command
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shopwarden.agents.checkpoint import open_checkpointer
from shopwarden.agents.deps import CycleDeps
from shopwarden.agents.graph import build_cycle_graph
from shopwarden.agents.summary import CycleSummary, build_summary
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import CycleRun, utcnow
from shopwarden.errors import NotFound, ShopwardenError


class SlotTaken(ShopwardenError):
    """This merchant's cycle for this schedule slot has already been started (by this or another worker)."""


def new_run_id() -> str:
    return f"run_{uuid.uuid4().hex}"


def claim_slot(deps: CycleDeps, merchant_id: str, slot: str, run_id: str) -> None:
    """Insert the cycle_runs row; the unique (merchant, slot) constraint makes this the one claim."""
    try:
        with session_scope(deps.engine) as session:
            session.add(CycleRun(id=run_id, merchant_id=merchant_id, slot=slot, status="running"))
    except IntegrityError:
        raise SlotTaken(f"the cycle of merchant {merchant_id} for slot {slot} has already run") from None


async def run_cycle(deps: CycleDeps, merchant_id: str, *, slot: str | None = None) -> CycleSummary:
    """One growth cycle now; returns its summary (status `waiting` when reviewers have to decide)."""
    run_id = new_run_id()
    await asyncio.to_thread(claim_slot, deps, merchant_id, slot or f"manual:{run_id}", run_id)
    return await _drive(deps, run_id, {"merchant_id": merchant_id, "run_id": run_id})


async def resume_cycle(deps: CycleDeps, run_id: str, decisions: dict[str, str] | None = None) -> CycleSummary:
    """Continue a paused cycle: approved actions run (once), the rest are reported; harmless to repeat."""
    row = await asyncio.to_thread(_load_run, deps, run_id)
    if row.status == "done":
        return CycleSummary.model_validate(row.summary)
    # Wrapped: LangGraph reads a bare dict (even an empty one) as a map of interrupt ids to values.
    answer = {"decisions": {str(k): v for k, v in (decisions or {}).items()}}
    return await _drive(deps, run_id, Command(resume=answer))


async def continue_interrupted(deps: CycleDeps, merchant_id: str, slot: str) -> CycleSummary | None:
    """Finish a slot's cycle whose process died while it ran (its row is still `running`), from its last
    checkpoint; None when the slot's cycle is not `running`.

    Only for a caller that knows no other process is running this slot now: a procrastinate job
    holding the slot's lock (`shopwarden.jobs.worker`). Nodes that completed are not run again; the
    node that was interrupted runs again from its first line.
    """
    row = await asyncio.to_thread(_run_for_slot, deps, merchant_id, slot)
    if row is None or row.status != "running":
        return None
    return await _drive(deps, row.id, {"merchant_id": merchant_id, "run_id": row.id}, from_checkpoint=True)


async def resume_decided(deps: CycleDeps, merchant_id: str | None = None) -> list[CycleSummary]:
    """Resume every paused cycle with at least one approval a reviewer (or the clock) has settled."""
    await asyncio.to_thread(approvals.expire_due, deps.engine)
    resumed = []
    for run in await asyncio.to_thread(_waiting_runs, deps, merchant_id):
        waiting = CycleSummary.model_validate(run.summary).waiting_approval_ids()
        statuses = {str(a): await asyncio.to_thread(_approval_status, deps, a) for a in waiting}
        if any(status != "pending" for status in statuses.values()):
            resumed.append(await resume_cycle(deps, run.id, statuses))
    return resumed


async def _drive(deps: CycleDeps, run_id: str, payload: Any, *, from_checkpoint: bool = False) -> CycleSummary:
    """Run the graph on `payload`; `from_checkpoint`: continue the thread's last checkpoint instead, if it has one."""
    config: RunnableConfig = {"configurable": {"thread_id": run_id}}
    try:
        async with open_checkpointer(deps.engine, deps.data_dir) as saver:
            if from_checkpoint and await saver.aget_tuple(config) is not None:
                payload = None  # LangGraph: no input continues the thread where it stopped
            result = await build_cycle_graph(saver).ainvoke(payload, config, context=deps)
    except Exception as exc:
        await asyncio.to_thread(_finish, deps, run_id, "failed", {"error": f"{type(exc).__name__}: {exc}"})
        raise
    if "__interrupt__" in result:
        summary = build_summary(result, finished=False)
    else:
        summary = CycleSummary.model_validate(result["summary"])
    await asyncio.to_thread(_finish, deps, run_id, summary.status, summary.model_dump(mode="json"))
    return summary


# --- cycle_runs ---------------------------------------------------------------------------------

def _load_run(deps: CycleDeps, run_id: str) -> CycleRun:
    with session_scope(deps.engine) as session:
        row = session.get(CycleRun, run_id)
        if row is None:
            raise NotFound(f"cycle run {run_id} not found")
        return row


def _run_for_slot(deps: CycleDeps, merchant_id: str, slot: str) -> CycleRun | None:
    query = select(CycleRun).where(CycleRun.merchant_id == merchant_id, CycleRun.slot == slot)
    with session_scope(deps.engine) as session:
        return session.exec(query).first()


def _finish(deps: CycleDeps, run_id: str, status: str, summary: dict[str, Any]) -> None:
    with session_scope(deps.engine) as session:
        row = session.get(CycleRun, run_id)
        if row is None:
            return
        row.status, row.summary = status, summary
        row.finished_at = utcnow() if status in ("done", "failed") else None
        session.add(row)


def _waiting_runs(deps: CycleDeps, merchant_id: str | None) -> list[CycleRun]:
    query = select(CycleRun).where(CycleRun.status == "waiting").order_by(col(CycleRun.started_at))
    if merchant_id is not None:
        query = query.where(CycleRun.merchant_id == merchant_id)
    with session_scope(deps.engine) as session:
        return list(session.exec(query).all())


def _approval_status(deps: CycleDeps, approval_id: int) -> str:
    try:
        return approvals.get_approval(deps.engine, approval_id).status
    except NotFound:
        return "missing"
