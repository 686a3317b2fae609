"""`shopwarden run --dry-run`: the agents read and propose as usual, but no mutation is sent or queued.

Reads go through the real gate (they happen, so they are audited); every mutating call is
answered "not sent" as a recommendation (it never counts as a refusal the agent learns from), and
approved executions are never run.
"""

from __future__ import annotations

from shopwarden.agents.deps import GateLike
from shopwarden.gate.calls import Outcome, ToolCall, ToolResult

DRY_RUN = "dry_run.not_sent"
OBSERVE_ONLY = "autonomy.observe"  # rendered as "recommended", as in observe mode


class DryRunGate:
    """A `GateLike` that forwards reads and answers every mutation with "dry run: not sent"."""

    def __init__(self, gate: GateLike, mutating_tools: set[str]) -> None:
        self._gate = gate
        self._mutating = mutating_tools

    async def call(self, call: ToolCall) -> ToolResult:
        if call.tool not in self._mutating:
            return await self._gate.call(call)
        return ToolResult(tool=call.tool, outcome=Outcome.DENIED, reasons=["dry run: not sent, nothing queued"],
                          reason_codes=[OBSERVE_ONLY, DRY_RUN])

    async def execute_approved(self, approval_id: int) -> ToolResult:
        return ToolResult(tool="execute_approved", outcome=Outcome.DENIED,
                          reasons=[f"dry run: approval {approval_id} was not executed"],
                          reason_codes=[OBSERVE_ONLY, DRY_RUN])


def dry_run_gate(gate: GateLike) -> DryRunGate:
    from shopwarden.tools import registry

    return DryRunGate(gate, {name for name, tool in registry().items() if tool.mutating})
