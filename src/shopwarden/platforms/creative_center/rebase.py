"""Send the creative reader's requests (still addressed to the official hosts) to another base URL.

The reader names only its allowlisted hosts; SHOPWARDEN_CREATIVE_SOURCES_BASE (a served simulator)
decides where those requests actually go, keeping path and query. Nothing else is rerouted.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from shopwarden.platforms.creative_center._http import ALLOWED_HOSTS


class RebasedTransport(httpx.AsyncBaseTransport):
    def __init__(self, base_url: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        parts = urlsplit(base_url.rstrip("/"))
        self._scheme, self._host, self._port = parts.scheme or "http", parts.hostname or "", parts.port
        self._prefix = parts.path
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host in ALLOWED_HOSTS:
            request.url = request.url.copy_with(scheme=self._scheme, host=self._host, port=self._port,
                                                path=self._prefix + request.url.path)
            request.headers["host"] = f"{self._host}:{self._port}" if self._port else self._host
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Kept open: the reader makes a client per request and closes it; this transport lives with the runtime."""
