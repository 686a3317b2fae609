"""The MCP side of the gate: one client's calls, limited, then handed to a gate that knows the client
as an agent (agent id `mcp:<client id>`, allowlist = the client's tools).

    service = McpService(build_runtime())
    result = await service.call_tool(client, "update_budget", {...}, run_id="...")

Every call and resource read goes through `Gate.call`: validation, allowlist, tenancy, fresh state,
policy and audit are exactly the agents'. The client can never approve: approvals are decided only
by a human reviewer through `reviewing.approve_and_execute`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mcp import types

from shopwarden import audit
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.gate.calls import Outcome, ToolCall, ToolResult
from shopwarden.gate.pipeline import Gate
from shopwarden.mcp import gate_tools
from shopwarden.mcp.agents import client_agent_spec
from shopwarden.mcp.clients import ClientIdentity
from shopwarden.mcp.limits import ClientLimiter, LimitExceeded, check_arguments, check_tool_name
from shopwarden.mcp.listing import visible_tools
from shopwarden.mcp.results import from_gate, jsonable, tool_result
from shopwarden.policy import default_limits
from shopwarden.tools import Tool, registry

UNTRUSTED_SURFACES = frozenset({"creative"})
RESOURCE_ONLY = frozenset(t.name for t in gate_tools.TOOLS) - {"approval_status"}


class McpService:
    """Gates per client (built once, reused), the limiter, and the call path of tools and resources."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.engine = runtime.engine
        self.tools: dict[str, Tool] = {**registry(), **{t.name: t for t in gate_tools.TOOLS}}
        self.limiter = ClientLimiter(self.engine)
        self._gates: dict[tuple[Any, ...], Gate] = {}

    def gate_for(self, client: ClientIdentity) -> Gate:
        key = client.policy_key
        if key not in self._gates:
            spec = client_agent_spec(client)
            self._gates[key] = Gate(engine=self.engine, policy=self.runtime.policy,
                                    context_for=self.runtime.tool_context, agent_specs={spec.id: spec},
                                    default_limits=default_limits(), clock=self.runtime.clock, tools=self.tools,
                                    approval_ttl=approvals.ttl_of(self.runtime.settings))
        return self._gates[key]

    def listed_tools(self, client: ClientIdentity) -> list[Tool]:
        return [self.tools[name] for name in visible_tools(client) if name in self.tools]

    async def call_tool(self, client: ClientIdentity, name: str, arguments: Any, *,
                        run_id: str = "") -> types.CallToolResult:
        """Limits first (a clear error, nothing reaches the gate), then the gate; a structured answer."""
        try:
            check_tool_name(name)
            check_arguments(client, arguments)
            await asyncio.to_thread(self.limiter.take, client)
        except LimitExceeded as exc:
            await asyncio.to_thread(self._record_limited, client, name, arguments, exc, run_id)
            return tool_result({"tool": name if len(name) <= 64 else name[:64] + "...", **exc.as_dict()},
                               is_error=True)
        # The reads behind the resources are not tools of the client: asked for by name, they are unknown.
        gated = name if name in visible_tools(client) or name not in RESOURCE_ONLY else f"resource:{name}"
        result = await self._gated(client, gated, arguments, run_id)
        if result.outcome == Outcome.INVALID and "tool.unknown" in result.reason_codes:
            result = self._unknown_for_client(client, name, result)
        approval = None
        if result.outcome == Outcome.PENDING_APPROVAL and result.approval_id is not None:
            row = await asyncio.to_thread(approvals.get_approval, self.engine, result.approval_id, client.merchant_id)
            approval = jsonable(gate_tools.approval_view(row))
        tool = self.tools.get(name)
        untrusted = tool is not None and tool.surface in UNTRUSTED_SURFACES
        return from_gate(result, untrusted=untrusted, args=arguments, approval=approval)

    async def read(self, client: ClientIdentity, tool_name: str, *, run_id: str = "") -> ToolResult:
        """A resource: the same limits, then a read through the gate (audited like any read)."""
        try:
            await asyncio.to_thread(self.limiter.take, client)
        except LimitExceeded as exc:
            await asyncio.to_thread(self._record_limited, client, tool_name, {}, exc, run_id)
            raise
        return await self._gated(client, tool_name, {}, run_id)

    def _record_limited(self, client: ClientIdentity, name: str, arguments: Any, exc: LimitExceeded,
                        run_id: str) -> None:
        """A call the client's limits refused is audited too (its arguments only when they were in bounds)."""
        in_bounds = not exc.code.startswith(("args.", "tool."))
        entry = audit.AuditEntry(
            merchant_id=client.merchant_id, agent_id=client.agent_id, run_id=run_id,
            tool=name if in_bounds or exc.code.startswith("args.") else "(invalid tool name)",
            surface="mcp", args=arguments if in_bounds else {}, outcome="denied", decision="deny",
            reasons=[str(exc)], reason_codes=[exc.code])
        with session_scope(self.engine) as session:
            audit.record_execution(session, entry)

    async def _gated(self, client: ClientIdentity, name: str, arguments: dict[str, Any], run_id: str) -> ToolResult:
        call = ToolCall(tool=name, args=arguments, agent_id=client.agent_id, merchant_id=client.merchant_id,
                        run_id=run_id, rationale=f"proposed by MCP client {client.name} ({client.id})")
        return await self.gate_for(client).call(call)

    def _unknown_for_client(self, client: ClientIdentity, name: str, result: ToolResult) -> ToolResult:
        """The gate's answer names every tool; the client is told only of its own."""
        reason = f"there is no tool named {name!r} for this client; its tools are: {', '.join(visible_tools(client))}"
        return result.model_copy(update={"reasons": [reason], "error": None})
