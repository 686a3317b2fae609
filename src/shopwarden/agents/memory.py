"""What the agents remember across cycles: what they tried, what a reviewer rejected and why.

The memory rides in each cycle's summary (`cycle_runs.summary["memory"]`), so it needs no table of
its own: a cycle starts from the newest earlier cycle's memory. Rejections are read fresh from the
approvals table every cycle (a reviewer may decide long after the cycle paused), with the
reviewer's note, and matched to the numbers the agent used when it proposed the change.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, func, select

from shopwarden.db.models import Approval, CycleRun

MAX_REJECTIONS_READ = 50
KEEP_TRIED_CYCLES = 30


class Tried(BaseModel):
    """One proposal, with the numbers it was based on."""

    tool: str
    cycle: int
    snapshot: dict[str, str] = Field(default_factory=dict)


class Rejection(BaseModel):
    """A change a reviewer turned down, how many cycles ago, and the reviewer's own words."""

    key: str
    tool: str
    reason: str = ""
    reviewer: str = ""
    cycles_ago: int = 0
    snapshot: dict[str, str] = Field(default_factory=dict)  # the numbers when it was proposed


class AgentMemory(BaseModel):
    cycle: int = 0  # this cycle's number for the merchant (the first is 1)
    tried: dict[str, Tried] = Field(default_factory=dict)  # action key -> the latest proposal
    stock_paused: dict[str, list[str]] = Field(default_factory=dict)  # campaign id -> products short of stock
    launched: dict[str, int] = Field(default_factory=dict)  # campaign id -> the cycle it was created in
    hooks_used: dict[str, list[str]] = Field(default_factory=dict)  # product id -> hooks already briefed
    rejections: list[Rejection] = Field(default_factory=list)  # read fresh each cycle, never carried

    def carried(self) -> dict[str, Any]:
        """What the next cycle starts from (rejections are re-read from the approvals table)."""
        oldest = self.cycle - KEEP_TRIED_CYCLES
        tried = {k: v for k, v in self.tried.items() if v.cycle > oldest}
        return self.model_copy(update={"tried": tried, "rejections": []}).model_dump(mode="json")

    def rejection_of(self, key: str) -> Rejection | None:
        return next((r for r in self.rejections if r.key == key), None)


def action_key(tool: str, args: dict[str, Any]) -> str:
    """What an action is about, so the same change to the same object is recognised next cycle."""
    if "object_id" in args:
        return f"{tool}:{args.get('object_type', '')}:{args['object_id']}"
    for field in ("campaign_name", "adgroup_name", "product_id", "campaign_id"):
        if field in args:
            return f"{tool}:{field}:{args[field]}"
    return tool


def load_memory(session: Session, merchant_id: str, run_id: str | None = None) -> AgentMemory:
    """The newest earlier cycle's memory, this cycle's number, and every rejection (newest first)."""
    query = (select(CycleRun).where(CycleRun.merchant_id == merchant_id, col(CycleRun.status).in_(("done", "waiting")))
             .order_by(col(CycleRun.started_at).desc()).limit(1))
    if run_id is not None:
        query = query.where(CycleRun.id != run_id)
    previous = session.exec(query).first()
    raw = (previous.summary or {}).get("memory") if previous is not None else None
    memory = AgentMemory.model_validate(raw) if isinstance(raw, dict) else AgentMemory()
    memory.cycle += 1
    memory.rejections = _rejections(session, merchant_id, memory)
    return memory


def _rejections(session: Session, merchant_id: str, memory: AgentMemory) -> list[Rejection]:
    rows = session.exec(select(Approval).where(Approval.merchant_id == merchant_id, Approval.status == "rejected")
                        .order_by(col(Approval.decided_at).desc()).limit(MAX_REJECTIONS_READ)).all()
    found: dict[str, Rejection] = {}
    for row in rows:
        key = action_key(row.tool, row.args or {})
        if key in found:
            continue  # the newest rejection of each action is the one that counts
        run = session.get(CycleRun, row.run_id) if row.run_id else None
        later = 0
        if run is not None:
            later = int(session.exec(select(func.count()).select_from(CycleRun).where(
                CycleRun.merchant_id == merchant_id, CycleRun.started_at > run.started_at)).one())
        tried = memory.tried.get(key)
        found[key] = Rejection(key=key, tool=row.tool, reason=row.review_note or "", reviewer=row.reviewer or "",
                               cycles_ago=later, snapshot=tried.snapshot if tried else {})
    return list(found.values())
