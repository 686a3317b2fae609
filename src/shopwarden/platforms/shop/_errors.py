"""The one table that turns TikTok Shop error codes into shopwarden's error tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shopwarden.errors import (
    AuthExpired,
    InvalidRequest,
    NotFound,
    PlatformError,
    PlatformUnavailable,
    RateLimited,
    ReauthRequired,
)
from shopwarden.platforms.shop import shop_facts

PLATFORM = "tiktok_shop"

# What the client does about an error: refresh the token and retry once, wait and retry
# (bounded), back off and retry idempotent calls (bounded), or give up at once.
Recovery = Literal["refresh", "wait", "backoff", "none"]


@dataclass(frozen=True)
class ErrorRule:
    error: type[PlatformError]
    recovery: Recovery
    hint: str = ""


ACCESS_TOKEN_EXPIRED = 105002
REFRESH_TOKEN_EXPIRED = 36004001
NO_AUTH_RECORD = 36004005
SIGNATURE_INVALID = 106001
INVALID_REQUEST = 36009004
RATE_LIMITED = 36009002
PATH_NOT_FOUND = 36009009

ERROR_TABLE: dict[int, ErrorRule] = {
    ACCESS_TOKEN_EXPIRED: ErrorRule(AuthExpired, "refresh"),
    105001: ErrorRule(AuthExpired, "none", "the access token is invalid or revoked"),
    105005: ErrorRule(AuthExpired, "none", "the access token is not valid for this app"),
    36004004: ErrorRule(AuthExpired, "none", "the app key or app secret was refused"),
    REFRESH_TOKEN_EXPIRED: ErrorRule(ReauthRequired, "none"),
    NO_AUTH_RECORD: ErrorRule(InvalidRequest, "none", "the authorization code or refresh token is unknown, "
                                                      "expired or already used"),
    SIGNATURE_INVALID: ErrorRule(InvalidRequest, "none", "the request signature was refused"),
    INVALID_REQUEST: ErrorRule(InvalidRequest, "none"),
    RATE_LIMITED: ErrorRule(RateLimited, "wait"),
    36009003: ErrorRule(PlatformUnavailable, "backoff"),
    36009007: ErrorRule(PlatformUnavailable, "backoff"),
    PATH_NOT_FOUND: ErrorRule(InvalidRequest, "none", "the API path does not exist (wrong version?)"),
    shop_facts.SEARCH_LIMIT_REACHED: ErrorRule(InvalidRequest, "none", "the product search passed TikTok's "
                                                                     "10,000-result limit (split the search)"),
    **{code: ErrorRule(InvalidRequest, "none", "an inventory update must list every warehouse of the SKU")
       for code in shop_facts.MISSING_WAREHOUSE_CODES},
}

HTTP_TABLE: dict[int, ErrorRule] = {
    429: ErrorRule(RateLimited, "wait"),
    500: ErrorRule(PlatformUnavailable, "backoff"),
    502: ErrorRule(PlatformUnavailable, "backoff"),
    503: ErrorRule(PlatformUnavailable, "backoff"),
    504: ErrorRule(PlatformUnavailable, "backoff"),
}

class NotFoundOnPlatform(InvalidRequest, NotFound):
    """The platform says the named object (a product, an order) does not exist in that shop."""


# Product-level "does not exist" codes (shop_facts: 12052032 does not exist, 12052048 not in the shop).
NOT_FOUND_CODES = shop_facts.NOT_FOUND_CODES


def rule_for(code: int | None, http_status: int) -> ErrorRule:
    """The rule for an envelope code (or, without one, the HTTP status)."""
    if code is not None and code in ERROR_TABLE:
        return ERROR_TABLE[code]
    if code is not None and code in NOT_FOUND_CODES:
        return ErrorRule(NotFoundOnPlatform, "none")
    if http_status in HTTP_TABLE:
        return HTTP_TABLE[http_status]
    if http_status >= 500:
        return ErrorRule(PlatformUnavailable, "backoff")
    return ErrorRule(InvalidRequest, "none")


def skew_hint(message: str) -> str:
    """A sentence telling the merchant what to fix when the platform refused our clock."""
    if "timestamp" in message.lower():
        return " — check this machine's clock (TikTok refuses requests more than 5 minutes off)"
    return ""


def build_error(rule: ErrorRule, *, endpoint: str, code: int | None, message: str, request_id: str | None,
                retry_after: float | None = None) -> PlatformError:
    text = message or rule.hint or "request failed"
    if rule.hint and message and rule.hint not in message:
        text = f"{message} ({rule.hint})"
    text += skew_hint(message)
    if rule.error is RateLimited:
        return RateLimited(text, retry_after=retry_after, platform=PLATFORM, endpoint=endpoint, code=code,
                           request_id=request_id)
    return rule.error(text, platform=PLATFORM, endpoint=endpoint, code=code, request_id=request_id)


