"""What a strategy is: given one agent's turn, propose tool calls (and briefs), or say it is done."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.agents.facts import WorldView
from shopwarden.agents.records import AgentStep, CallRecord, CreativeRequest
from shopwarden.agents.specs import AgentSpec


class AgentTurn(BaseModel):
    """Everything one agent may look at on one turn of a cycle."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    spec: AgentSpec
    merchant_id: str
    run_id: str
    turn: int
    facts: WorldView
    history: list[CallRecord] = Field(default_factory=list)  # this agent's earlier calls in this cycle
    last_results: list[CallRecord] = Field(default_factory=list)  # the results of its previous turn
    blocked_tools: list[str] = Field(default_factory=list)
    focus_products: list[str] = Field(default_factory=list)  # what the Growth Marketer is promoting
    messages: list[dict[str, Any]] = Field(default_factory=list)
    handoffs: list[CreativeRequest] = Field(default_factory=list)  # the Growth Marketer's requests to the Creative
    memory: dict[str, Any] = Field(default_factory=dict)  # agents/memory.py AgentMemory, as it stands this turn
    usage: dict[str, Any] = Field(default_factory=dict)  # records.Usage: this agent's model use so far this cycle


class Strategy(Protocol):
    async def step(self, turn: AgentTurn) -> AgentStep: ...
