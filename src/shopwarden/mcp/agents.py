"""An MCP client as the gate sees it: an agent spec whose allowlist is the client's own, and whose own
limits and autonomy level the gate applies where they are stricter than the merchant's."""

from __future__ import annotations

from typing import Any

from shopwarden.agents.specs import AgentSpec
from shopwarden.db.engine import session_scope
from shopwarden.db.models import McpClient
from shopwarden.mcp.clients import AGENT_PREFIX, ClientIdentity, identity
from shopwarden.mcp.listing import gate_allowlist


def client_agent_spec(client: ClientIdentity) -> AgentSpec:
    return AgentSpec.model_validate({"id": client.agent_id, "role": f"MCP client {client.name}",
                                     "allowed_tools": gate_allowlist(client),
                                     "limit_ceilings": dict(client.policy_limits),
                                     "autonomy_ceiling": client.max_autonomy})


def mcp_agent_spec(engine: Any, agent_id: str) -> AgentSpec | None:
    """The spec of the active MCP client behind `mcp:<client id>`; None for any other id or a revoked client
    (so an approval a revoked client asked for fails its fresh check before execution)."""
    if not agent_id.startswith(AGENT_PREFIX):
        return None
    with session_scope(engine) as session:
        row = session.get(McpClient, agent_id.removeprefix(AGENT_PREFIX))
        if row is None or row.status != "active":
            return None
        return client_agent_spec(identity(row))
