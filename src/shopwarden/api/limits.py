"""Request bodies are bounded before anything reads them (authentication included).

An ASGI middleware: a declared Content-Length above the limit is refused at once; a body without
one (chunked) is counted as it arrives and refused when it passes the limit, so no handler ever
holds more than the limit in memory.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024  # a console form or an API body is a few kilobytes; notes are at most 2,000 characters
# A refused body is still read (and thrown away, chunk by chunk) up to this much, so that the client,
# still sending, receives the 413 instead of a reset connection; beyond it the connection is closed.
DRAIN_MAX_BYTES = 16 * 1024 * 1024
ID_MAX = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: anything larger names nothing


class BodyTooLarge(HTTPException):
    """Raised from `receive` (an HTTPException, so FastAPI's body parsing passes it on as a 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        drained = 0
        while drained <= DRAIN_MAX_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        response = PlainTextResponse(f"the request body is larger than {self.max_bytes} bytes", status_code=413,
                                     headers={"Connection": "close"})
        await response(scope, receive, send)
