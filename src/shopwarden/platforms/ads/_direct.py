"""One Business API call straight to TikTok with the merchant's own advertiser token (native OAuth).

The same contract as `BusinessApiProxy.call`, so `AdsClient`, the tools and the policies do not
know which way an ad account is connected. The token is sent as TikTok's `Access-Token` header
(no Bearer prefix) and is redacted from every message.
"""

from __future__ import annotations

from typing import Any

import httpx

from shopwarden.errors import PlatformUnavailable
from shopwarden.platforms.ads._errors import PLATFORM, ErrorContext, http_status_error
from shopwarden.platforms.ads._proxy import Method, Query, query_parameters, unwrap
from shopwarden.platforms.ads._token_header import HEADER_NAME


class DirectTransport:
    """Calls `{api_base}/{endpoint}` with `Access-Token: <token>`; answers TikTok's `data` or raises."""

    def __init__(self, http: httpx.AsyncClient, *, api_base: str, token: str, merchant_id: str) -> None:
        self._http = http
        self.api_base = api_base.rstrip("/")
        self._token = token
        self.merchant_id = merchant_id

    def __repr__(self) -> str:
        return f"DirectTransport(merchant={self.merchant_id!r})"

    async def call(self, method: Method, endpoint: str, *, query: Query | None = None,
                   body: dict[str, Any] | None = None) -> Any:
        ctx = ErrorContext(merchant_id=self.merchant_id, secrets=(self._token,), api_base=self.api_base)
        params = {p["name"]: p["value"] for p in query_parameters(query or {})}
        try:
            response = await self._http.request(method, f"{self.api_base}/{endpoint}", params=params, json=body,
                                                headers={HEADER_NAME: self._token})
        except httpx.TransportError:
            raise PlatformUnavailable("TikTok could not be reached; the outcome of the call is unknown",
                                      platform=PLATFORM, endpoint=endpoint) from None
        try:
            envelope = response.json()
        except ValueError:
            raise http_status_error(ctx, endpoint, response.status_code, None) from None
        return unwrap(ctx, endpoint, response.status_code, envelope)
