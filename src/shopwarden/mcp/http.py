"""Streamable HTTP: `asgi_app(service_factory)` serves MCP at its root, for `shopwarden serve` to mount
under /mcp or for `shopwarden mcp --http` to run standalone.

Every request carries `Authorization: Bearer <client token>`; a missing, wrong or revoked token is 401
before any MCP message is read. The server is stateless (a fresh SDK session manager per request), so
no session outlives its request and no lifespan hook is needed where it is mounted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from shopwarden.mcp.clients import authenticate
from shopwarden.mcp.server import build_server
from shopwarden.mcp.service import McpService

MAX_BODY_BYTES = 256 * 1024


class McpHttpApp:
    """The ASGI app: authenticate, then one stateless MCP exchange bound to that client."""

    def __init__(self, service_factory: Callable[[], McpService]) -> None:
        self._factory = service_factory
        self._service: McpService | None = None
        self._lock = anyio.Lock()

    async def _service_once(self) -> McpService:
        async with self._lock:
            if self._service is None:
                self._service = await anyio.to_thread.run_sync(self._factory)
            return self._service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        service = await self._service_once()
        token = _bearer(scope)
        client = await anyio.to_thread.run_sync(authenticate, service.engine, token) if token else None
        if client is None:
            await _unauthorized(send)
            return
        manager = StreamableHTTPSessionManager(app=build_server(service, client), stateless=True,
                                               json_response=True, max_request_body_size=MAX_BODY_BYTES)
        async with manager.run():
            await manager.handle_request(scope, receive, send)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            return text[7:].strip() if text[:7].lower() == "bearer " else None
    return None


async def _unauthorized(send: Send) -> None:
    body = json.dumps({"error": "unauthorized",
                       "message": "send Authorization: Bearer <token of a registered MCP client>"}).encode()
    await send({"type": "http.response.start", "status": 401,
                "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b'Bearer realm="mcp"'),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def asgi_app(runtime_factory: Callable[[], Any]) -> McpHttpApp:
    """The MCP endpoint as an ASGI app (mount it under /mcp); `runtime_factory` (the composition root's
    build_runtime, passed in so this package never imports it) is called once, on the first request,
    and its gate's engine, policy and adapters serve every client."""
    return McpHttpApp(lambda: McpService(runtime_factory()))


def standalone_app(runtime_factory: Callable[[], Any]) -> Starlette:
    """`shopwarden mcp --http`: the endpoint at /mcp, nothing else."""
    return Starlette(routes=[Mount("/mcp", app=asgi_app(runtime_factory))])


__all__ = ["McpHttpApp", "asgi_app", "standalone_app"]

