"""What a cycle did, in the merchant's words: what ran, what waits for a reviewer, what was refused."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from shopwarden.agents.memory import AgentMemory
from shopwarden.agents.records import BLOCKED, Brief, CreativeRequest, Usage

OBSERVE_ONLY = "autonomy.observe"
GATHER_TURN = -1
_APPROVAL_VERDICT = {"executed": "executed", "failed": "failed", "rejected": "rejected", "expired": "expired"}


class ActionLine(BaseModel):
    agent_id: str
    tool: str
    target: str
    verdict: str  # executed | waiting | recommended | refused | failed | blocked | rejected | expired
    reasons: list[str] = Field(default_factory=list)
    rationale: str = ""
    approval_id: int | None = None
    after_approval: bool = False


class CycleSummary(BaseModel):
    merchant_id: str
    run_id: str
    status: str  # done | waiting
    reads: int = 0
    failed_reads: int = 0
    actions: list[ActionLine] = Field(default_factory=list)
    briefs: list[Brief] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    blocked_tools: list[str] = Field(default_factory=list)
    handoffs: list[CreativeRequest] = Field(default_factory=list)
    usage: dict[str, Usage] = Field(default_factory=dict)  # per agent: model calls, tokens, seconds
    memory: dict[str, Any] = Field(default_factory=dict)  # what the next cycle starts from

    def counts(self) -> dict[str, int]:
        return dict(Counter(a.verdict for a in self.actions))

    def waiting_approval_ids(self) -> list[int]:
        return [a.approval_id for a in self.actions if a.verdict == "waiting" and a.approval_id is not None]

    def render_text(self) -> str:
        counts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(self.counts().items())) or "no actions"
        lines = [f"cycle {self.run_id} for {self.merchant_id}: {self.status} — {counts}; "
                 f"{self.reads} reads ({self.failed_reads} failed)"]
        for action in self.actions:
            why = f" — {'; '.join(action.reasons)}" if action.reasons else ""
            ticket = f" [approval {action.approval_id}]" if action.approval_id is not None else ""
            lines.append(f"  {action.verdict:<11} {action.agent_id}: {action.tool} {action.target}{ticket}{why}")
        for brief in self.briefs:
            lines.append(f"  brief      {brief.title}: {' | '.join(brief.hooks)}")
            if brief.listing_draft is not None:
                draft = brief.listing_draft
                lines.append(f"  draft      {draft.title}: {' | '.join(draft.bullets)}")
        lines.extend(f"  handoff    {h.product_id} ({h.reason.replace('_', ' ')}): {h.detail}" for h in self.handoffs)
        for agent_id, used in sorted(self.usage.items()):
            lines.append(f"  model      {agent_id}: {used.calls} calls, {used.input_tokens} tokens in, "
                         f"{used.output_tokens} out, {used.seconds:.1f} s, {used.retries} retries, "
                         f"{used.failures} failures, {used.parsed} parsed, {used.malformed} malformed")
        lines.extend(f"  note       {note}" for note in self.notes)
        return "\n".join(lines)


def describe_target(args: dict[str, Any]) -> str:
    if "object_id" in args:
        extra = f" -> {args['budget']}" if "budget" in args else ""
        return f"{args.get('object_type', 'object')} {args['object_id']}{extra}"
    if "skus" in args and isinstance(args["skus"], list):
        lines = len(args["skus"])
        return f"product {args.get('product_id')} ({lines} SKU line{'' if lines == 1 else 's'})"
    for key in ("campaign_name", "adgroup_name", "product_id", "search_term", "kind"):
        if key in args:
            return f"{key.replace('_', ' ')} {args[key]!s:.60}"
    return ""


def build_summary(state: Any, *, finished: bool) -> CycleSummary:
    settled = state.get("approvals", {})
    records = state.get("records", [])
    actions = []
    reads = failed_reads = 0
    for record in records:
        outcome = record["outcome"]
        if outcome == "read" or record.get("turn") == GATHER_TURN:
            reads += 1
            failed_reads += outcome != "read"
            continue
        line = ActionLine(agent_id=record["agent_id"], tool=record["tool"], target=describe_target(record["args"]),
                          verdict=_verdict(record), reasons=record.get("reasons", []),
                          rationale=record.get("rationale", ""), approval_id=record.get("approval_id"))
        if line.verdict == "waiting" and str(line.approval_id) in settled:
            outcome_after = settled[str(line.approval_id)]
            line = line.model_copy(update={"verdict": _APPROVAL_VERDICT[outcome_after["status"]],
                                           "reasons": outcome_after["reasons"], "after_approval": True})
        actions.append(line)
    blocked = sorted({a.tool for a in actions if a.verdict == BLOCKED})
    waiting = any(a.verdict == "waiting" for a in actions)
    return CycleSummary(merchant_id=state["merchant_id"], run_id=state["run_id"],
                        status="waiting" if waiting and not finished else "done", reads=reads,
                        failed_reads=failed_reads, actions=actions,
                        briefs=[Brief.model_validate(b) for b in state.get("briefs", [])],
                        notes=list(state.get("notes", [])), blocked_tools=blocked,
                        handoffs=[CreativeRequest.model_validate(h) for h in state.get("handoffs", [])],
                        usage={a: Usage.model_validate(u) for a, u in state.get("usage", {}).items()},
                        memory=AgentMemory.model_validate(state.get("memory") or {}).carried())


def _verdict(record: dict[str, Any]) -> str:
    outcome = record["outcome"]
    if outcome == "pending_approval":
        return "waiting"
    if outcome in ("denied", "invalid"):
        return "recommended" if OBSERVE_ONLY in record.get("reason_codes", []) else "refused"
    return outcome  # executed | failed | blocked
