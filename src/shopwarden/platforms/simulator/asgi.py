"""The simulator as an ASGI app, so a real client can talk to it over HTTP.

Clients address it by its own host (e.g. http://127.0.0.1:8765); the path prefix picks
the surface. A timeout fault holds the response for the rule's seconds (default 30),
then answers 504, so the client's own timeout fires first.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from shopwarden.platforms.simulator.wire import SimRequest

if TYPE_CHECKING:
    from shopwarden.platforms.simulator.simulator import Simulator

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
SERVED_TIMEOUT_SECONDS = 30.0


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _send(send: Send, status: int, headers: dict[str, str], content: bytes) -> None:
    raw_headers = [(k.encode(), v.encode()) for k, v in headers.items()]
    raw_headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": content})


def make_asgi_app(simulator: Simulator) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host", "").split(":")[0]
        request = SimRequest.build(scope["method"], host, scope["path"], scope.get("query_string", b"").decode(),
                                   headers, await _read_body(receive))
        outcome = simulator.handle(request, wall_now=time.time())
        if outcome.delay:
            await asyncio.sleep(outcome.delay)
        if outcome.timeout or outcome.response is None:
            await asyncio.sleep(outcome.timeout_seconds or SERVED_TIMEOUT_SECONDS)
            body = json.dumps({"code": 50400, "message": "Gateway timeout", "request_id": "", "data": {}}).encode()
            await _send(send, 504, {"content-type": "application/json"}, body)
            return
        await _send(send, outcome.response.status, outcome.response.all_headers(), outcome.response.content())

    return app
