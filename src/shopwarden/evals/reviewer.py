"""Reviewer personas: who decides the actions a cycle queued, through the calls real reviewers make."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from shopwarden.agents import CycleSummary, resume_cycle
from shopwarden.approvals import queue as approvals
from shopwarden.approvals.reviewing import approve_and_execute
from shopwarden.errors import ShopwardenError
from shopwarden.evals.case import Decide, ReviewerSpec
from shopwarden.evals.setup import REVIEWER

# What puts something live: an enable, and a GMV Max launch (TikTok cannot create one paused).
ENABLES = ("enable_ads", "launch_gmv_max_campaign")
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def decision_for(spec: ReviewerSpec, tool: str, args: dict[str, Any]) -> Decide:
    """What this persona does with one queued action."""
    if spec.persona == "approve_all":
        return "approve"
    if spec.persona == "reject_all":
        return "reject"
    if spec.persona == "let_expire":
        return "expire"
    if spec.persona == "reject_enables":
        return "reject" if tool in ENABLES else "approve"
    for rule in spec.rules:
        if rule.matches(tool, args):
            return rule.decide
    return spec.default


async def review(spec: ReviewerSpec, runtime: Any, deps: Any, summary: CycleSummary) -> CycleSummary:
    """Decide every action the cycle is waiting on, then let the cycle settle them."""
    waiting = summary.waiting_approval_ids()
    if not waiting:
        return summary
    decisions: dict[str, str] = {}
    expire_any = False
    for approval_id in waiting:
        approval = await asyncio.to_thread(approvals.get_approval, runtime.engine, approval_id)
        decide = decision_for(spec, approval.tool, dict(approval.args or {}))
        try:
            if decide == "approve":
                await approve_and_execute(runtime.engine, approval_id, reviewer=REVIEWER,
                                          runtime_factory=lambda: runtime, note=f"eval persona {spec.persona}",
                                          settings=runtime.settings)
                decisions[str(approval_id)] = "approved"
            elif decide == "reject":
                await asyncio.to_thread(approvals.reject, runtime.engine, approval_id, reviewer=REVIEWER,
                                        reason=f"eval persona {spec.persona}",
                                        distinct_approver=runtime.settings.require_distinct_approver)
                decisions[str(approval_id)] = "rejected"
            else:
                expire_any = True
        except ShopwardenError as exc:  # e.g. the approval expired or conflicted: it stays as the gate left it
            decisions[str(approval_id)] = f"refused: {exc}"
    if expire_any:  # nobody looks before the approvals expire
        await asyncio.to_thread(approvals.expire_due, runtime.engine, FAR_FUTURE)
    return await resume_cycle(deps, summary.run_id, decisions)
