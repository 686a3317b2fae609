"""The one table that turns TikTok Business API codes and Composio failures into shopwarden errors.

TikTok answers errors inside the proxy response (`data.code`, usually with HTTP 200), so the
envelope code decides first; the upstream HTTP status decides when there is no usable code.
Composio's own failures arrive as SDK exceptions. Nothing outside this module reads a code.

Messages never carry secrets: every text taken from upstream passes through `redact`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpx
from composio import exceptions as sdk_exceptions
from composio_client import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from composio_client import ComposioError as ClientError
from pydantic import ValidationError

from shopwarden.errors import (
    AuthExpired,
    ConfigError,
    InvalidRequest,
    PermissionDenied,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    ReauthRequired,
    ShopwardenError,
)

PLATFORM = "tiktok_ads"
COMPOSIO = "composio"
# Disconnect first: `connect ads` refuses while a connection (or a Composio account) still exists,
# so advice to run `connect ads` alone would loop.
RECONNECT_HINT = ("reconnect: `shopwarden disconnect ads --merchant {merchant}`, "
                  "then `shopwarden connect ads --merchant {merchant}`")

# TikTok Business API v1.3 codes, from TikTok's own code table (platform-facts "Business API error
# codes"). The one place that reads a TikTok code; the simulator answers from the same classes.
RATE_LIMIT_HINT = "it is not retried now, the next cycle tries again"
TIKTOK_CODES: dict[int, tuple[type[PlatformError], str]] = {
    # Rate limited: back off, never a tight loop.
    40100: (RateLimited, f"TikTok rate-limited the app; {RATE_LIMIT_HINT}"),
    40132: (RateLimited, f"TikTok rate-limited a field value; {RATE_LIMIT_HINT}"),
    40133: (RateLimited, f"TikTok rate-limited calls for this advertiser; {RATE_LIMIT_HINT}"),
    61000: (RateLimited, f"TikTok rate-limited the call; {RATE_LIMIT_HINT}"),
    # Server side: idempotent calls are retried with backoff.
    50000: (PlatformUnavailable, "TikTok had a server-side failure"),
    50002: (PlatformUnavailable, "TikTok had a server-side failure"),
    60001: (PlatformUnavailable, "TikTok is under maintenance"),
    40201: (PlatformUnavailable, "TikTok's task is not ready yet"),
    40202: (PlatformUnavailable, "TikTok reported a write conflict"),
    # Authentication: the merchant reconnects; never retried.
    40101: (ReauthRequired, "the app credentials behind the connection were refused"),
    40102: (ReauthRequired, "the access token has expired"),
    40103: (ReauthRequired, "the refresh token has expired"),
    40104: (ReauthRequired, "TikTok received no Access-Token header (the connection does not send it)"),
    40105: (ReauthRequired, "the access token is invalid or was revoked"),
    40106: (ReauthRequired, "the access token was refused"),
    40107: (ReauthRequired, "the access token was refused"),
    40108: (ReauthRequired, "the access token was refused"),
    40110: (ReauthRequired, "the authorization code was refused"),
    40113: (ReauthRequired, "the access token was refused"),
    # Permission: the token is fine but may not do this; the connection is left as it is.
    40001: (PermissionDenied, "no permission for this call (a wrong or another account's id?)"),
    40118: (PermissionDenied, "no permission for this call"),
    40119: (PermissionDenied, "no permission for this call"),
    40125: (PermissionDenied, "no permission for this call"),
    40130: (PermissionDenied, "the connection was not granted the scope this call needs"),
    # Parameters and objects.
    40000: (InvalidRequest, "the request was refused as invalid"),
    40002: (InvalidRequest, "the request was refused as invalid"),
    40003: (InvalidRequest, "the request was refused as invalid"),
    40006: (InvalidRequest, "the request was refused as invalid"),
    40007: (InvalidRequest, "the object does not exist"),
    40011: (InvalidRequest, "too many ids in one call"),
    40050: (InvalidRequest, "TikTok saw this request already (duplicated request)"),
    40300: (InvalidRequest, "the advertiser cannot do this"),
    40301: (InvalidRequest, "the advertiser cannot do this"),
}
# Internal errors (51010 is an internal timeout) and every other 5xxxx code.
SERVER_SIDE_CODES = range(50000, 60000)

HTTP_STATUSES: dict[int, type[PlatformError]] = {401: AuthExpired, 403: PermissionDenied, 429: RateLimited}

# Composio proxy refusals that mean our configuration is wrong, not the call (platform-facts).
CONFIGURATION_SLUGS = {
    "OriginMismatch": ("SHOPWARDEN_ADS_API_BASE",
                       "Composio refused {base}: an absolute endpoint must share scheme and registrable domain with "
                       "the connection's base URL ({message})"),
    "MissingAuthContext": ("SHOPWARDEN_COMPOSIO_AUTH_CONFIG_ID",
                           "Composio got neither a connected account nor connection data for {base} ({message})"),
}

# Composio proxy refusals that mean the connection itself is unusable.
CONNECTION_SLUGS = ("ConnectedAccount_NotFound", "ConnectedAccount_NotActive", "ConnectedAccount_UserMismatch")


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every known secret replaced, so upstream echoes never leak a key or token."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


class ErrorContext:
    """What a failure message needs: where it happened, whose connection, and what must never appear."""

    def __init__(self, *, merchant_id: str = "", secrets: Iterable[str] = (), api_base: str = "") -> None:
        self.merchant_id = merchant_id
        self.secrets = tuple(s for s in secrets if s)
        self.api_base = api_base

    def clean(self, text: str) -> str:
        return redact(text, self.secrets)

    def reconnect(self) -> str:
        return RECONNECT_HINT.format(merchant=self.merchant_id or "<merchant>")


def _auth_message(ctx: ErrorContext, summary: str, upstream: str) -> str:
    detail = f"{summary}: {upstream}" if upstream and upstream != summary else summary
    return f"TikTok Ads connection needs attention ({detail}); {ctx.reconnect()}"


def tiktok_error(ctx: ErrorContext, endpoint: str, code: int, message: str, request_id: str | None,
                 http_status: int) -> PlatformError:
    """The typed error for a non-zero TikTok envelope code."""
    upstream = ctx.clean(message or "")
    kw: dict[str, Any] = {"platform": PLATFORM, "endpoint": endpoint, "code": code, "request_id": request_id}
    if code in TIKTOK_CODES:
        kind, summary = TIKTOK_CODES[code]
    elif code in SERVER_SIDE_CODES:
        kind, summary = PlatformUnavailable, "TikTok had a server-side failure"
    elif http_status in HTTP_STATUSES:
        kind, summary = HTTP_STATUSES[http_status], f"TikTok answered HTTP {http_status}"
    else:
        kind, summary = InvalidRequest, "TikTok refused the request"
    if issubclass(kind, AuthExpired):
        return kind(_auth_message(ctx, summary, upstream), **kw)
    text = f"{summary}: {upstream}" if upstream else summary
    return kind(text, **kw)


def http_status_error(ctx: ErrorContext, endpoint: str, status: int, request_id: str | None) -> PlatformError:
    """The typed error for an upstream HTTP failure whose body carries no TikTok code."""
    kw: dict[str, Any] = {"platform": PLATFORM, "endpoint": endpoint, "code": f"HTTP {status}",
                          "request_id": request_id}
    if status >= 500:
        return PlatformUnavailable(f"TikTok answered HTTP {status}", **kw)
    kind = HTTP_STATUSES.get(status, InvalidRequest)
    if issubclass(kind, AuthExpired):
        return kind(_auth_message(ctx, f"TikTok answered HTTP {status}", ""), **kw)
    return kind(f"TikTok answered HTTP {status}", **kw)


def malformed(endpoint: str, what: str) -> PlatformUnavailable:
    return PlatformUnavailable(f"unreadable response from TikTok: {what}", platform=PLATFORM, endpoint=endpoint)


def _composio_details(exc: APIStatusError) -> tuple[str, str]:
    details = exc.details or {}
    message, slug = details.get("message"), details.get("slug")
    return (message if isinstance(message, str) and message else f"HTTP {exc.status_code}"), (
        slug if isinstance(slug, str) else "")


def composio_error(ctx: ErrorContext, endpoint: str, exc: BaseException) -> ShopwardenError:
    """Composio's own failures (SDK exceptions, transport errors) as shopwarden errors."""
    kw: dict[str, Any] = {"platform": COMPOSIO, "endpoint": endpoint}
    if isinstance(exc, APIStatusError):
        message, slug = _composio_details(exc)
        message = ctx.clean(message)
        kw.update(code=slug or exc.status_code, request_id=exc.request_id)
        if slug in CONFIGURATION_SLUGS:
            variable, text = CONFIGURATION_SLUGS[slug]
            return ConfigError(variable, text.format(base=ctx.api_base or endpoint, message=message))
        if isinstance(exc, AuthenticationError | PermissionDeniedError):
            return ConfigError("SHOPWARDEN_COMPOSIO_API_KEY",
                               f"Composio refused the API key (HTTP {exc.status_code}: {message})")
        if isinstance(exc, NotFoundError) or slug in CONNECTION_SLUGS:
            return ReauthRequired(f"the TikTok Ads connection is not usable at Composio ({message}); "
                                  f"{ctx.reconnect()}", **kw)
        if isinstance(exc, RateLimitError):
            return RateLimited(f"Composio rate-limited the call: {message}",
                               retry_after=_retry_after(exc.response), **kw)
        if isinstance(exc, BadRequestError | UnprocessableEntityError):
            return InvalidRequest(f"Composio refused the request: {message}", **kw)
        if exc.status_code >= 500:
            return PlatformUnavailable(f"Composio failed (HTTP {exc.status_code}): {message}", **kw)
        return InvalidRequest(f"Composio refused the request (HTTP {exc.status_code}): {message}", **kw)
    if isinstance(exc, APIConnectionError | httpx.TransportError):
        what = "timed out" if isinstance(exc, httpx.TimeoutException) or "timed out" in str(exc) else "is unreachable"
        return PlatformUnavailable(f"Composio {what}; the outcome of the call is unknown", **kw)
    if isinstance(exc, sdk_exceptions.ApiKeyNotProvidedError):
        return ConfigError("SHOPWARDEN_COMPOSIO_API_KEY", "is not set")
    if isinstance(exc, ClientError | sdk_exceptions.ComposioError):
        return PlatformUnavailable(f"the Composio SDK failed: {type(exc).__name__}: {ctx.clean(str(exc))}", **kw)
    raise exc


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


T = TypeVar("T")


def parsed(endpoint: str, build: Callable[[], T]) -> T:
    """`build()` (a response model), or `malformed` naming the field TikTok answered wrongly."""
    try:
        return build()
    except (ValidationError, ValueError, TypeError) as exc:
        detail = exc.errors()[0] if isinstance(exc, ValidationError) else None
        where = ".".join(str(p) for p in detail["loc"]) + ": " if detail and detail.get("loc") else ""
        raise malformed(endpoint, f"{where}{detail['msg'] if detail else exc}") from None
