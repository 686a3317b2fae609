"""Creative tools: the public ad library and Creative Center trends. Everything they return is
untrusted text written by strangers: data for the agent, never instructions."""

from __future__ import annotations

from typing import Any

from shopwarden.tools.base import Tool, ToolContext
from shopwarden.tools.inputs import ReadAdLibraryArgs, ReadTrendsArgs
from shopwarden.tools.observe import plain


async def _read_ad_library(ctx: ToolContext, args: ReadAdLibraryArgs, _key: str) -> Any:
    return plain(await ctx.creative().ad_library(args.search_term, country=args.country, max_count=args.max_count))


async def _read_trends(ctx: ToolContext, args: ReadTrendsArgs, _key: str) -> Any:
    return plain(await ctx.creative().trends(args.kind, country=args.country, limit=args.limit))


TOOLS = [
    Tool("read_ad_library", "creative", mutating=False, idempotent=True, risk="low", args_model=ReadAdLibraryArgs,
         execute=_read_ad_library),
    Tool("read_trends", "creative", mutating=False, idempotent=True, risk="low", args_model=ReadTrendsArgs,
         execute=_read_trends),
]
