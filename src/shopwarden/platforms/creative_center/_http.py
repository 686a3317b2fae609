"""HTTP for the public creative sources: a fixed host allowlist and one status-to-error table.

The reader only ever talks to the hosts below; a URL on any other host (a link inside an ad, a
redirect) is refused before a request is made, and redirects are never followed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from shopwarden.errors import (
    ConfigError,
    InvalidRequest,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
)

AD_LIBRARY_HOST = "open.tiktokapis.com"
TRENDS_HOST = "ads.tiktok.com"
ALLOWED_HOSTS = frozenset({AD_LIBRARY_HOST, TRENDS_HOST})
PLATFORM = "tiktok_creative"
TIMEOUT = httpx.Timeout(15.0)


class HostNotAllowed(InvalidRequest):
    """The reader was asked to fetch a URL outside its allowlist."""


def check_url(url: str) -> str:
    """The URL if it is https on an allowed host; HostNotAllowed otherwise."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in ALLOWED_HOSTS or parts.username or parts.port:
        raise HostNotAllowed(f"refusing to fetch {parts.scheme}://{parts.hostname or '?'}: the creative reader only "
                             f"reads https://{' and https://'.join(sorted(ALLOWED_HOSTS))}",
                             platform=PLATFORM, endpoint=parts.path or "/")
    return url


class PublicHttp:
    """An async httpx client bound to the allowlist (transport injectable for respx or the simulator)."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT, follow_redirects=False)

    async def request(self, method: str, url: str, *, params: dict[str, str] | None = None,
                      json_body: dict[str, Any] | None = None, form: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None, secrets: tuple[str, ...] = ()) -> tuple[int, Any]:
        """(HTTP status, parsed JSON body or None) for an allowed URL; transport failures -> PlatformUnavailable.

        `form` is sent as application/x-www-form-urlencoded (the OAuth token endpoint takes nothing else).
        """
        check_url(url)
        endpoint = urlsplit(url).path
        try:
            async with self._client() as client:
                response = await client.request(method, url, params=params, json=json_body, data=form,
                                                 headers=headers)
        except httpx.TimeoutException:
            raise PlatformUnavailable("the source timed out", platform=PLATFORM, endpoint=endpoint) from None
        except httpx.HTTPError as exc:
            message = _redact(f"the source is unreachable ({type(exc).__name__})", secrets)
            raise PlatformUnavailable(message, platform=PLATFORM, endpoint=endpoint) from None
        if response.is_redirect:
            raise PlatformUnavailable(f"the source redirected (HTTP {response.status_code}); redirects are not "
                                      "followed", platform=PLATFORM, endpoint=endpoint)
        try:
            body = response.json()
        except ValueError:
            body = None
        return response.status_code, body


def status_error(status: int, endpoint: str, message: str, code: str | int | None,
                 request_id: str | None, *, token_variable: str | None = None) -> PlatformError | ConfigError:
    """The typed error for a failed public-source call."""
    kw: dict[str, Any] = {"platform": PLATFORM, "endpoint": endpoint, "code": code, "request_id": request_id}
    if status in (401, 403) and token_variable:
        return ConfigError(token_variable, f"was refused by TikTok (HTTP {status}: {message})")
    if status == 429:
        return RateLimited(f"the source rate-limited the call: {message}", **kw)
    if status >= 500:
        return PlatformUnavailable(f"the source failed (HTTP {status}): {message}", **kw)
    return InvalidRequest(f"the source refused the request (HTTP {status}): {message}", **kw)


def malformed(endpoint: str, what: str) -> PlatformUnavailable:
    return PlatformUnavailable(f"unreadable response: {what}", platform=PLATFORM, endpoint=endpoint)


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
