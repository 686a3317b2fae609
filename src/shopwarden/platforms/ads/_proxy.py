"""One Business API call through Composio's proxy (the real SDK, run off the event loop).

`BusinessApiProxy.call` sends `composio.tools.proxy(...)`, reads TikTok's envelope from the
response's `data`, and returns `data.data` on `code == 0`; everything else becomes a typed
error from the one table in `_errors`.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Literal

import httpx
from composio import Composio
from composio import exceptions as sdk_exceptions
from composio.core.models.base import allow_tracking
from composio_client import ComposioError as ClientError
from composio_client.types.tool_proxy_params import Parameter

from shopwarden.platforms.ads._errors import (
    ErrorContext,
    composio_error,
    http_status_error,
    malformed,
    tiktok_error,
)
from shopwarden.platforms.ads._token_header import AccessTokenHeader

Method = Literal["GET", "POST"]
Query = dict[str, str | int | list[Any] | dict[str, Any]]
SDK_FAILURES = (ClientError, sdk_exceptions.ComposioError, httpx.HTTPError)


def query_parameters(query: Query) -> list[Parameter]:
    """GET parameters as proxy query parameters; lists and objects JSON-encoded as TikTok expects."""
    params: list[Parameter] = []
    for name, value in query.items():
        text = json.dumps(value, separators=(",", ":")) if isinstance(value, list | dict) else str(value)
        params.append({"name": name, "type": "query", "value": text})
    return params


class BusinessApiProxy:
    """Calls `{api_base}/{endpoint}` for one merchant's connected account.

    `user_id` is the Composio user the account belongs to; it is sent when known (Composio checks
    it against the account) and left out otherwise, since the account id alone names the account.
    """

    def __init__(self, composio: Composio, *, connected_account_id: str, merchant_id: str, api_base: str,
                 user_id: str | None = None, token_header: AccessTokenHeader | None = None,
                 secrets: tuple[str, ...] = ()) -> None:
        self._composio = composio
        self.connected_account_id = connected_account_id
        self.merchant_id = merchant_id
        self.user_id = user_id
        self.api_base = api_base.rstrip("/")
        self._token_header = token_header or AccessTokenHeader()
        self._secrets = secrets

    def __repr__(self) -> str:
        return f"BusinessApiProxy(account={self.connected_account_id!r}, merchant={self.merchant_id!r})"

    async def call(self, method: Method, endpoint: str, *, query: Query | None = None,
                   body: dict[str, Any] | None = None) -> Any:
        """TikTok's `data` for one call; raises a shopwarden error for anything but `code == 0`."""
        return await asyncio.to_thread(self._call_blocking, method, endpoint, query or {}, body)

    def _call_blocking(self, method: Method, endpoint: str, query: Query, body: dict[str, Any] | None) -> Any:
        ctx = ErrorContext(merchant_id=self.merchant_id, secrets=self._secrets, api_base=self.api_base)
        headers, token = self._token_header.parameters(reconnect_hint=ctx.reconnect())
        if token:
            ctx = ErrorContext(merchant_id=self.merchant_id, secrets=(*self._secrets, token), api_base=self.api_base)
        allow_tracking.set(False)  # no telemetry thread: this copy of the context is the worker's own
        try:
            response = self._composio.tools.proxy(
                endpoint=f"{self.api_base}/{endpoint}", method=method, body=body,
                connected_account_id=self.connected_account_id, user_id=self.user_id,
                parameters=query_parameters(query) + headers,
            )
        except SDK_FAILURES as exc:
            raise composio_error(ctx, endpoint, exc) from None
        return unwrap(ctx, endpoint, int(response.status), response.data)


def unwrap(ctx: ErrorContext, endpoint: str, status: int, envelope: Any) -> Any:
    """TikTok's `{code, message, request_id, data}` -> `data`, or the mapped error."""
    if not isinstance(envelope, dict) or "code" not in envelope:
        if status >= 400:
            raise http_status_error(ctx, endpoint, status, None)
        raise malformed(endpoint, "the body has no TikTok envelope (missing `code`)")
    code, message, request_id = envelope.get("code"), envelope.get("message"), envelope.get("request_id")
    if isinstance(code, bool) or not isinstance(code, int | str) or not str(code).isdigit():
        raise malformed(endpoint, f"`code` is not an integer ({type(code).__name__})")
    request_id = str(request_id) if isinstance(request_id, str | int) else None
    if int(code) != 0:
        text = message if isinstance(message, str) else ""
        raise tiktok_error(ctx, endpoint, int(code), text, request_id, status)
    if status >= 400:
        raise http_status_error(ctx, endpoint, status, request_id)
    return envelope.get("data")
