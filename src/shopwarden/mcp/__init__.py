"""The MCP server: the gate's tools for outside agents (desktop assistants, IDE agents, workflow tools).

    shopwarden mcp client add m_glow claude --tools list_campaigns,update_budget   # id + token, shown once
    SHOPWARDEN_MCP_CLIENT_ID=... SHOPWARDEN_MCP_TOKEN=... shopwarden mcp            # stdio
    shopwarden mcp --http --port 8765                                               # streamable HTTP at /mcp
    shopwarden serve                                                                # ... and under /mcp there

Each client is an agent of one merchant: every call passes the same gate as the LangGraph agents.
"""

from shopwarden.mcp.clients import ClientIdentity, IssuedClient, add_client, authenticate, list_clients, revoke_client
from shopwarden.mcp.http import asgi_app, standalone_app
from shopwarden.mcp.server import build_server
from shopwarden.mcp.service import McpService

__all__ = [
    "ClientIdentity",
    "IssuedClient",
    "McpService",
    "add_client",
    "asgi_app",
    "authenticate",
    "build_server",
    "list_clients",
    "revoke_client",
    "standalone_app",
]
