"""Typed tools: the only way agents (through the gate) reach TikTok Shop, TikTok Ads and creative sources.

    tool = get_tool("update_budget")
    args = tool.args_model.model_validate(raw)          # extra fields forbidden
    data = await tool.execute(context, args, idempotency_key)
"""

from __future__ import annotations

from functools import cache

from shopwarden.tools import ads, creative, gmv_max, shop
from shopwarden.tools.base import AppliedChange, Tool, ToolContext
from shopwarden.tools.inputs import ToolArgs
from shopwarden.tools.manifests import ToolManifest, load_manifests

__all__ = [
    "AppliedChange",
    "Tool",
    "ToolArgs",
    "ToolContext",
    "ToolManifest",
    "get_tool",
    "load_manifests",
    "registry",
]


@cache
def registry() -> dict[str, Tool]:
    """Every tool by name."""
    tools = [*shop.TOOLS, *ads.TOOLS, *gmv_max.TOOLS, *creative.TOOLS]
    return {tool.name: tool for tool in tools}


def get_tool(name: str) -> Tool | None:
    return registry().get(name)
