"""`shopwarden mcp` over stdio: a local assistant spawns it; the client names itself in its environment.

    SHOPWARDEN_MCP_CLIENT_ID=c0123...  SHOPWARDEN_MCP_TOKEN=swm_...  shopwarden mcp
"""

from __future__ import annotations

import os

from mcp.server.stdio import stdio_server
from sqlalchemy.engine import Engine

from shopwarden.errors import ConfigError
from shopwarden.mcp.clients import ClientIdentity, authenticate
from shopwarden.mcp.server import build_server
from shopwarden.mcp.service import McpService

CLIENT_ID_VARIABLE = "SHOPWARDEN_MCP_CLIENT_ID"
TOKEN_VARIABLE = "SHOPWARDEN_MCP_TOKEN"


def client_from_environment(engine: Engine) -> ClientIdentity:
    """The client named by the environment; ConfigError (never echoing the token) when it does not match."""
    client_id = os.environ.get(CLIENT_ID_VARIABLE, "").strip()
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    if not client_id or not token:
        raise ConfigError(TOKEN_VARIABLE, f"set {CLIENT_ID_VARIABLE} and {TOKEN_VARIABLE} to the id and token that "
                                          "`shopwarden mcp client add` printed")
    client = authenticate(engine, token, client_id)
    if client is None:
        raise ConfigError(TOKEN_VARIABLE, f"no active MCP client {client_id[:40]} holds this token")
    return client


async def serve_stdio(service: McpService, client: ClientIdentity) -> None:
    server = build_server(service, client)
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())
