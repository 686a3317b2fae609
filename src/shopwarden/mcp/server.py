"""One MCP server bound to one authenticated client (the SDK's low-level `Server`).

The server is cheap to build: stdio builds one per process, streamable HTTP one per request, so a
handler never has to ask who is calling. Input is validated by the gate's own pydantic models (the
SDK's JSON-schema check is off, so errors name the field exactly as the agents see them, and every
invalid call is audited).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterable
from typing import Any

from mcp import types
from mcp.server.lowlevel import Server
from mcp.server.lowlevel.helper_types import ReadResourceContents
from pydantic import AnyUrl

from shopwarden.mcp.clients import ClientIdentity
from shopwarden.mcp.limits import LimitExceeded
from shopwarden.mcp.listing import mcp_tool, resource_tool, resources_for
from shopwarden.mcp.prompt import NAME as PROMPT_NAME
from shopwarden.mcp.prompt import autonomy_prompt
from shopwarden.mcp.results import jsonable, structured

SERVER_NAME = "shopwarden"
INSTRUCTIONS = ("shopwarden's guarded TikTok Shop and Ads tools. Every call passes the merchant's policy: "
                "read each result's status (executed, refused, waiting_for_reviewer, limited) and follow up on "
                "approvals with approval_status. Read the 'autonomy' prompt for this merchant's limits.")


def build_server(service: Any, client: ClientIdentity, *, run_id: str | None = None) -> Server[Any, Any]:
    run = run_id or f"mcp-{uuid.uuid4().hex[:16]}"
    server: Server[Any, Any] = Server(SERVER_NAME, instructions=INSTRUCTIONS)

    @server.list_tools()
    async def list_tools() -> list[types.Tool]:
        return [mcp_tool(tool) for tool in service.listed_tools(client)]

    @server.call_tool(validate_input=False)
    async def call_tool(name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        result: types.CallToolResult = await service.call_tool(client, name, arguments, run_id=run)
        return result

    @server.list_resources()
    async def list_resources() -> list[types.Resource]:
        return resources_for(client)

    @server.read_resource()
    async def read_resource(uri: AnyUrl) -> Iterable[ReadResourceContents]:
        name = resource_tool(str(uri))
        if name is None or name not in {resource_tool(str(r.uri)) for r in resources_for(client)}:
            raise ValueError(f"no resource {str(uri)[:200]!r} for this client")
        try:
            result = await service.read(client, name, run_id=run)
        except LimitExceeded as exc:
            raise ValueError(str(exc)) from None
        body = structured(result, untrusted=False, args={})
        return [ReadResourceContents(content=json.dumps(jsonable(body), indent=2), mime_type="application/json")]

    @server.list_prompts()
    async def list_prompts() -> list[types.Prompt]:
        return [types.Prompt(name=PROMPT_NAME, title="Autonomy and limits",
                             description="What this merchant lets the client's agent do, and its limits.")]

    @server.get_prompt()
    async def get_prompt(name: str, _arguments: dict[str, str] | None) -> types.GetPromptResult:
        if name != PROMPT_NAME:
            raise ValueError(f"no prompt named {name[:64]!r}; the prompt is {PROMPT_NAME!r}")
        text = await asyncio.to_thread(autonomy_prompt, service.engine, client)
        return types.GetPromptResult(description="autonomy and limits", messages=[
            types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))])

    return server
