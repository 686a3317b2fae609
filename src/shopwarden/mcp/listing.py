"""What a client is shown: its tools (schema from the same pydantic models the gate validates with,
description from the trusted manifests, annotations from the tool's declared nature), its resources
and its prompt. Nothing here is ever built from text read off a platform."""

from __future__ import annotations

from functools import cache

from mcp import types
from pydantic import AnyUrl

from shopwarden.mcp.clients import ClientIdentity
from shopwarden.mcp.gate_tools import ALWAYS_ALLOWED, DESCRIPTIONS, RESOURCE_TOOLS
from shopwarden.tools import Tool, load_manifests

# Mutations that only add something new (created DISABLE); every other mutation overwrites live state.
ADDITIVE = frozenset({"create_campaign", "create_adgroup"})
RESOURCES = {
    "catalogue": ("shopwarden://catalogue", "Catalogue", "The merchant's products and SKUs, synced from TikTok Shop."),
    "stock": ("shopwarden://stock", "Stock", "Stock per SKU and warehouse, synced from TikTok Shop."),
    "recent_performance": ("shopwarden://performance", "Recent performance",
                           "Spend, revenue, orders and ROAS per campaign over the last 7 days."),
    "pending_approvals": ("shopwarden://approvals/pending", "Pending approvals",
                          "Actions waiting for one of the merchant's reviewers, with their expiry."),
}


@cache
def _descriptions() -> dict[str, str]:
    return {name: manifest.description for name, manifest in load_manifests().items()}


def description(name: str) -> str:
    return DESCRIPTIONS.get(name) or _descriptions()[name]


def visible_tools(client: ClientIdentity) -> list[str]:
    """The tools the client is shown and may call: its allowlist, then approval_status."""
    return [*client.tools, "approval_status"]


def gate_allowlist(client: ClientIdentity) -> list[str]:
    """What the gate lets the client's agent id use: its tools, the follow-ups, and the reads behind
    the resources whose platform tool it is allowed."""
    resources = [name for name, backing in RESOURCE_TOOLS.items() if backing in client.tools]
    return list(dict.fromkeys([*client.tools, *ALWAYS_ALLOWED, *resources]))


def mcp_tool(tool: Tool) -> types.Tool:
    schema = tool.args_model.model_json_schema()
    schema.pop("title", None)
    return types.Tool(
        name=tool.name,
        title=tool.name.replace("_", " ").capitalize(),
        description=description(tool.name),
        inputSchema=schema,
        annotations=types.ToolAnnotations(
            readOnlyHint=not tool.mutating,
            destructiveHint=tool.mutating and tool.name not in ADDITIVE,
            idempotentHint=tool.idempotent,
            openWorldHint=True,
        ),
    )


def resources_for(client: ClientIdentity) -> list[types.Resource]:
    allowed = set(gate_allowlist(client))
    return [types.Resource(uri=AnyUrl(uri), name=name, title=title, description=text,
                           mimeType="application/json")
            for name, (uri, title, text) in RESOURCES.items() if name in allowed]


def resource_tool(uri: str) -> str | None:
    return next((name for name, (known, _t, _d) in RESOURCES.items() if known == uri), None)
