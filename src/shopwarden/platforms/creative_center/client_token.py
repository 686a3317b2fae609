"""The Commercial Content API's client access token: fetched with client credentials, cached, renewed.

TikTok issues it at `POST /v2/oauth/token/` (form-encoded client_key, client_secret,
grant_type=client_credentials) for 7,200 seconds, with no refresh token: when it nears its end we
simply ask for a new one. The reader renews RENEW_MARGIN_SECONDS before the stated expiry, and a
query answered "token invalid" (an early expiry, a clock we do not share) renews once and retries.
Neither the secret nor a token ever appears in an error message or a repr.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shopwarden.errors import ConfigError, PlatformUnavailable, RateLimited
from shopwarden.platforms.creative_center._http import AD_LIBRARY_HOST, PLATFORM, PublicHttp, malformed

TOKEN_URL = f"https://{AD_LIBRARY_HOST}/v2/oauth/token/"
TOKEN_ENDPOINT = "/v2/oauth/token/"
KEY_VARIABLE = "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_KEY"
SECRET_VARIABLE = "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_SECRET"
# Renew this long before the stated expiry, so a query never leaves with a token about to lapse.
RENEW_MARGIN_SECONDS = 300.0


@dataclass(frozen=True)
class ClientCredentials:
    client_key: str
    client_secret: str = field(repr=False)

    def __repr__(self) -> str:
        return f"ClientCredentials(client_key={self.client_key!r}, client_secret=hidden)"


@dataclass
class _Issued:
    token: str = field(repr=False)
    renew_at: float


class ClientTokenSource:
    """One cached client token per process; `token()` fetches or renews it as needed."""

    def __init__(self, http: PublicHttp, credentials: ClientCredentials, *,
                 clock: Callable[[], float] = time.monotonic, margin_seconds: float = RENEW_MARGIN_SECONDS) -> None:
        self._http = http
        self._credentials = credentials
        self._clock = clock
        self._margin = margin_seconds
        self._issued: _Issued | None = None
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    def __repr__(self) -> str:
        return f"ClientTokenSource(client_key={self._credentials.client_key!r}, cached={self._issued is not None})"

    async def token(self) -> str:
        """A token that is not within the renewal margin of its expiry (fetched once for concurrent callers)."""
        current = self._fresh()
        if current is not None:
            return current
        async with self._lock():
            current = self._fresh()
            if current is not None:
                return current
            self._issued = await self._fetch()
            return self._issued.token

    def discard(self, token: str) -> None:
        """Forget `token` (the API refused it); a newer token fetched meanwhile is kept."""
        if self._issued is not None and self._issued.token == token:
            self._issued = None

    def _fresh(self) -> str | None:
        issued = self._issued
        return issued.token if issued is not None and self._clock() < issued.renew_at else None

    def _lock(self) -> asyncio.Lock:
        # One lock per event loop: a CLI process may run several loops one after another.
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    async def _fetch(self) -> _Issued:
        creds = self._credentials
        secrets = (creds.client_secret, creds.client_key)
        asked_at = self._clock()
        status, payload = await self._http.request(
            "POST", TOKEN_URL, headers={"cache-control": "no-cache"}, secrets=secrets,
            form={"client_key": creds.client_key, "client_secret": creds.client_secret,
                  "grant_type": "client_credentials"})
        body: dict[str, Any] = payload if isinstance(payload, dict) else {}
        if status >= 400 or _names_an_error(body.get("error")):
            raise _refusal(status if status >= 400 else 400, body, secrets)
        token, lifetime = body.get("access_token"), _seconds(body.get("expires_in"))
        if not isinstance(token, str) or not token:
            raise malformed(TOKEN_ENDPOINT, "no `access_token` in the token answer")
        if lifetime is None or lifetime <= 0:
            raise malformed(TOKEN_ENDPOINT, "`expires_in` is missing or not a positive number of seconds")
        margin = min(self._margin, lifetime / 2)  # a short-lived token is still used for its first half
        return _Issued(token=token, renew_at=asked_at + lifetime - margin)


def _names_an_error(error: Any) -> bool:
    if isinstance(error, dict):
        return error.get("code") not in (None, "", "ok")
    return isinstance(error, str) and error not in ("", "ok")


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.isdigit():
        return float(value)
    return None


def _redacted(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _refusal(status: int, body: dict[str, Any], secrets: tuple[str, ...]) -> Exception:
    """The token endpoint answers OAuth-style `{error, error_description, log_id}`."""
    error = body.get("error")
    code = error.get("code") if isinstance(error, dict) else error
    described = body.get("error_description") or (error.get("message") if isinstance(error, dict) else None)
    message = _redacted(str(described or code or "no readable body")[:300], secrets)
    log_id = body.get("log_id") if isinstance(body.get("log_id"), str) else None
    if status == 429:
        return RateLimited(f"the token endpoint rate-limited the call: {message}", platform=PLATFORM,
                           endpoint=TOKEN_ENDPOINT, code=str(code) if code else None, request_id=log_id)
    if status >= 500:
        return PlatformUnavailable(f"the token endpoint failed (HTTP {status}): {message}", platform=PLATFORM,
                                   endpoint=TOKEN_ENDPOINT, code=str(code) if code else None, request_id=log_id)
    return ConfigError(f"{KEY_VARIABLE} / {SECRET_VARIABLE}",
                       f"TikTok refused the client credentials (HTTP {status}: {message})")
