"""What flows through a growth cycle: proposed calls, what the gate made of them, creative briefs.

Everything here is plain, JSON-able data so the checkpointer can store a paused cycle and a new
process can pick it up.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.gate.calls import ToolResult

BLOCKED = "blocked"  # never sent: the tool was refused too often in this cycle


class ProposedCall(BaseModel):
    """A tool call an agent wants made; the gate decides what becomes of it."""

    model_config = ConfigDict(extra="forbid")

    agent_id: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    rationale: str = ""
    tool_call_id: str | None = None  # the model's id, so the result goes back to the right call


class CallRecord(BaseModel):
    """One proposed call and its outcome (a gate Outcome value, or `blocked`)."""

    agent_id: str
    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    rationale: str = ""
    tool_call_id: str | None = None
    turn: int = 0
    outcome: str
    reasons: list[str] = Field(default_factory=list)
    reason_codes: list[str] = Field(default_factory=list)
    approval_id: int | None = None
    execution_id: int | None = None
    data: Any = None

    @classmethod
    def from_result(cls, call: ProposedCall, result: ToolResult, turn: int) -> CallRecord:
        return cls(agent_id=call.agent_id, tool=call.tool, args=call.args, rationale=call.rationale,
                   tool_call_id=call.tool_call_id, turn=turn, outcome=result.outcome.value, reasons=result.reasons,
                   reason_codes=result.reason_codes, approval_id=result.approval_id,
                   execution_id=result.execution_id, data=jsonable(result.data))

    def for_agent(self) -> dict[str, Any]:
        """What the model is told about its call (the data of reads included, as untrusted JSON)."""
        return self.model_dump(mode="json", exclude_none=True,
                               include={"tool", "outcome", "reasons", "reason_codes", "approval_id", "data"})


class ListingDraft(BaseModel):
    """Listing copy proposed for one product (merchant opt-in). A draft only: no tool edits listings,
    so a person reads it and copies what they like into Seller Center."""

    title: str
    bullets: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)  # trending search terms it works in


class Brief(BaseModel):
    """A creative brief for one promoted product. Text quoted from public sources stays quoted."""

    product_id: str
    title: str
    angle: str
    hooks: list[str] = Field(default_factory=list)
    hook_sources: list[str] = Field(default_factory=list)  # what each hook draws on, in the same order
    reason: str = ""  # why the Growth Marketer asked (new_launch, fatigue, rising_roas), or bestseller
    hashtags: list[str] = Field(default_factory=list)
    references: list[str] = Field(default_factory=list)  # ids of ads it draws on
    set_aside: list[str] = Field(default_factory=list)  # public text that read like instructions
    listing_draft: ListingDraft | None = None


HandoffReason = Literal["new_launch", "fatigue", "rising_roas"]


class CreativeRequest(BaseModel):
    """The Growth Marketer's handoff to the Creative: a product that needs creative work, and why."""

    model_config = ConfigDict(extra="forbid")

    product_id: str = Field(max_length=64)
    reason: HandoffReason
    detail: str = Field(default="", max_length=500)  # the numbers behind the reason


class Usage(BaseModel):
    """What one agent's model calls cost in a cycle."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    retries: int = 0
    failures: int = 0  # attempts that raised or timed out
    parsed: int = 0  # replies read in full
    malformed: int = 0  # replies with something that did not parse (recorded, never acted on)


class AgentStep(BaseModel):
    """A strategy's answer for one turn."""

    calls: list[ProposedCall] = Field(default_factory=list)
    briefs: list[Brief] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    focus_products: list[str] = Field(default_factory=list)
    handoffs: list[CreativeRequest] = Field(default_factory=list)
    memory: dict[str, Any] | None = None  # the agent's memory after this turn (agents/memory.py)
    usage: Usage | None = None  # model calls, tokens and time this turn (LLM strategies)
    messages: list[dict[str, Any]] | None = None  # the model conversation, when there is one
    done: bool = True


Verdict = Literal["executed", "waiting", "refused", "failed", "blocked", "rejected", "expired"]


def jsonable(value: Any) -> Any:
    """Plain JSON data; anything else (Decimal, dates, untrusted text) becomes its string form."""
    return json.loads(json.dumps(value, default=str))
