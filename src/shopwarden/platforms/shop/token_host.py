"""The Shop token host (auth.tiktok-shops.com): auth-code exchange and refresh. These calls are not signed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from pydantic import SecretStr

from shopwarden.config import Settings
from shopwarden.errors import PlatformUnavailable
from shopwarden.platforms.shop._envelope import EnvelopeFailure, read_data, read_envelope
from shopwarden.platforms.shop._errors import PLATFORM
from shopwarden.platforms.shop.models import TokenGrant
from shopwarden.security.redaction import install_log_redaction, register_secret

# The token host takes the app secret and the refresh token in the query string, and httpx logs
# request URLs at INFO: mask registered secrets in httpx's own records, whoever handles them.
install_log_redaction(logging.getLogger("httpx"))

TOKEN_GET = "/api/v2/token/get"
TOKEN_REFRESH = "/api/v2/token/refresh"


@dataclass(frozen=True)
class AppCredentials:
    app_key: str
    app_secret: SecretStr
    auth_base: str = "https://auth.tiktok-shops.com"

    def __repr__(self) -> str:
        return f"AppCredentials(app_key={self.app_key!r}, auth_base={self.auth_base!r})"


def app_credentials(settings: Settings) -> AppCredentials:
    """The app's key and secret from settings (a missing one names its variable)."""
    return AppCredentials(settings.require("shop_app_key"), SecretStr(settings.require("shop_app_secret")),
                          settings.shop_auth_base)


def expiry(timestamp: int) -> datetime:
    """The token host gives absolute unix timestamps, not durations."""
    return datetime.fromtimestamp(timestamp, UTC)


async def exchange_code(http: httpx.AsyncClient, app: AppCredentials, code: str) -> TokenGrant:
    """Trade a single-use authorization code for the first access and refresh tokens."""
    register_secret(code)
    return await _token_call(http, app, TOKEN_GET, {"auth_code": code, "grant_type": "authorized_code"})


async def refresh_tokens(http: httpx.AsyncClient, app: AppCredentials, refresh_token: str) -> TokenGrant:
    """A new access token and a NEW refresh token (the old refresh token stops working)."""
    return await _token_call(http, app, TOKEN_REFRESH, {"refresh_token": refresh_token, "grant_type": "refresh_token"})


async def _token_call(http: httpx.AsyncClient, app: AppCredentials, path: str, params: dict[str, str]) -> TokenGrant:
    endpoint = f"GET {path}"
    secret = app.app_secret.get_secret_value()
    register_secret(secret)
    query = {"app_key": app.app_key, "app_secret": secret, **params}
    try:
        response = await http.get(app.auth_base.rstrip("/") + path, params=query)
    except httpx.TimeoutException as exc:
        # The URL carries the app secret: only the exception's type goes into the message.
        raise PlatformUnavailable(f"timed out ({type(exc).__name__})", platform=PLATFORM, endpoint=endpoint) from None
    except httpx.TransportError as exc:
        raise PlatformUnavailable(f"connection failed ({type(exc).__name__})", platform=PLATFORM,
                                  endpoint=endpoint) from None
    try:
        envelope = read_envelope(response, endpoint)
    except EnvelopeFailure as failure:
        raise failure.error from None
    grant = read_data(envelope, TokenGrant, endpoint)
    register_secret(grant.access_token)
    register_secret(grant.refresh_token)
    return grant
