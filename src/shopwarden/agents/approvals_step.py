"""The approval pause of a cycle: which actions wait, what the pause says, and settling on resume.

The approval rows in the database (moved only by the gate and `shopwarden.approvals`) are the
truth; the value a cycle is resumed with is only a nudge to look again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from shopwarden.agents.deps import CycleDeps
from shopwarden.approvals import queue as approvals
from shopwarden.errors import ApprovalConflict, NotFound

SETTLED = ("executed", "failed", "rejected", "expired")


def waiting_ids(state: Any) -> list[int]:
    """Approval ids this cycle queued and has not yet seen settled."""
    settled = state.get("approvals", {})
    queued = [r["approval_id"] for r in state.get("records", [])
              if r["outcome"] == "pending_approval" and r.get("approval_id") is not None]
    return [approval_id for approval_id in dict.fromkeys(queued) if str(approval_id) not in settled]


def pause_payload(state: Any, waiting: list[int]) -> dict[str, Any]:
    actions = [{"approval_id": r["approval_id"], "agent_id": r["agent_id"], "tool": r["tool"], "args": r["args"],
                "reasons": r["reasons"]}
               for r in state.get("records", [])
               if r.get("approval_id") in waiting and r["outcome"] == "pending_approval"]
    return {"merchant_id": state["merchant_id"], "run_id": state["run_id"], "approval_ids": waiting, "actions": actions}


async def settle(deps: CycleDeps, waiting: list[int]) -> dict[str, dict[str, Any]]:
    """Execute what reviewers approved (once: the gate refuses a second claim) and note what else ended."""
    await asyncio.to_thread(approvals.expire_due, deps.engine)
    settled: dict[str, dict[str, Any]] = {}
    for approval_id in waiting:
        try:
            approval = await asyncio.to_thread(approvals.get_approval, deps.engine, approval_id)
        except NotFound:
            settled[str(approval_id)] = {"status": "failed", "reasons": [f"approval {approval_id} no longer exists"]}
            continue
        reasons: list[str] = []
        if approval.status == "approved":
            try:
                result = await deps.gate.execute_approved(approval_id)
                reasons = list(result.reasons)
            except ApprovalConflict as exc:  # another worker (or an earlier resume) got there first
                reasons = [str(exc)]
            approval = await asyncio.to_thread(approvals.get_approval, deps.engine, approval_id)
        if approval.status in SETTLED:
            settled[str(approval_id)] = {"status": approval.status,
                                         "reasons": reasons or _reasons_of(approval)}
    return settled


def _reasons_of(approval: Any) -> list[str]:
    if approval.status == "rejected":
        return [f"rejected by {approval.reviewer}: {approval.review_note}"]
    if approval.status == "expired":
        return ["no reviewer decided before it expired; it was not carried out"]
    if approval.status == "failed":
        return [approval.error or "it failed when it was carried out"]
    return [f"approved by {approval.reviewer}" if approval.reviewer else "carried out"]
