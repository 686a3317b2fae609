"""Building the Composio SDK and a merchant's `AdsClient` from settings and the connections table."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx
from composio import Composio
from sqlalchemy.engine import Engine

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.errors import AuthExpired, NotFound, ReauthRequired
from shopwarden.platforms.ads._direct import DirectTransport
from shopwarden.platforms.ads._errors import COMPOSIO, RECONNECT_HINT
from shopwarden.platforms.ads._proxy import BusinessApiProxy
from shopwarden.platforms.ads._retry import DEFAULT_BACKOFF
from shopwarden.platforms.ads._token_header import AccessTokenHeader, TokenHeaderMode
from shopwarden.platforms.ads.client import AdsClient, utc_now
from shopwarden.platforms.ads.models import PerformanceReport
from shopwarden.platforms.ads.performance_cache import store_report
from shopwarden.security.connections import get_connection, mark_needs_reauth, read_tokens

PLATFORM_KEY = "ads"  # connections.platform
NATIVE_MODE = "native"  # connections.details["mode"] of a native TikTok Business OAuth connection
SDK_TIMEOUT_SECONDS = 30


def composio_for(settings: Settings, *, http_client: httpx.Client | None = None) -> Composio:
    """The real Composio SDK: our API key and base URL, no SDK retries (we decide), no telemetry."""
    kwargs: dict[str, Any] = {
        "api_key": settings.require("composio_api_key"), "base_url": settings.composio_base_url,
        "max_retries": 0, "timeout": SDK_TIMEOUT_SECONDS, "allow_tracking": False,
    }
    if http_client is not None:
        kwargs["http_client"] = http_client
    return Composio(**kwargs)


def connection_token_reader(composio: Composio, connected_account_id: str) -> Callable[[], str | None]:
    """Reads the connection's TikTok token from Composio at call time (never stored by us)."""
    def read() -> str | None:
        account = composio.connected_accounts.get(connected_account_id)
        value = getattr(getattr(account, "state", None), "val", None)
        token = getattr(value, "access_token", None)
        return token if isinstance(token, str) else None

    return read


def token_header_for(settings: Settings, composio: Composio, connected_account_id: str) -> AccessTokenHeader:
    mode = TokenHeaderMode(settings.ads_access_token_header)
    if mode is TokenHeaderMode.INJECTED:
        return AccessTokenHeader()
    return AccessTokenHeader(mode, connection_token_reader(composio, connected_account_id))


def _active_account(engine: Engine, merchant_id: str) -> tuple[str, str | None]:
    """(connected account id, the Composio user it belongs to if recorded) of an active connection."""
    hint = RECONNECT_HINT.format(merchant=merchant_id)
    with session_scope(engine) as session:
        try:
            connection = get_connection(session, merchant_id, PLATFORM_KEY)
        except NotFound:
            raise ReauthRequired(f"merchant {merchant_id} has no TikTok Ads connection; "
                                 f"connect with `shopwarden connect ads --merchant {merchant_id}`",
                                 platform=COMPOSIO) from None
        if connection.status != "active" or not connection.external_account_id:
            reason = f" ({connection.status_reason})" if connection.status_reason else ""
            raise ReauthRequired(f"the TikTok Ads connection of merchant {merchant_id} is "
                                 f"{connection.status}{reason}; {hint}", platform=COMPOSIO)
        user_id = (connection.details or {}).get("composio_user_id")
        return connection.external_account_id, user_id if isinstance(user_id, str) else None


def _mark_needs_reauth(engine: Engine, merchant_id: str, reason: str) -> None:
    with session_scope(engine) as session:
        try:
            connection = get_connection(session, merchant_id, PLATFORM_KEY)
        except NotFound:
            return  # nothing stored to mark (e.g. a connection being verified for the first time)
        mark_needs_reauth(session, connection, reason[:500])


def native_token(engine: Engine, merchant_id: str) -> str | None:
    """The advertiser token of an active native (non-Composio) connection, else None."""
    with session_scope(engine) as session:
        try:
            connection = get_connection(session, merchant_id, PLATFORM_KEY)
        except NotFound:
            return None
        if (connection.details or {}).get("mode") != NATIVE_MODE or connection.status != "active":
            return None
        return read_tokens(connection).access_token.get_secret_value()


def ads_client_for(engine: Engine, merchant_id: str, settings: Settings, *, http_client: httpx.Client | None = None,
                   clock: Callable[[], datetime] = utc_now, backoff: Sequence[float] = DEFAULT_BACKOFF,
                   connected_account_id: str | None = None, composio_user_id: str | None = None,
                   transport: Any = None) -> AdsClient:
    """The merchant's Ads client: auth failures mark the connection needs_reauth, complete reports are cached.

    A native connection (the merchant's own TikTok app) calls TikTok directly with the vault's
    token over `transport` (an httpx async transport; default the network); a Composio one goes
    through the proxy. `connected_account_id` (with `composio_user_id`) skips the connections
    table: used while a Composio connection is being verified, before it is stored as active.
    """
    token = native_token(engine, merchant_id) if connected_account_id is None else None
    proxy: Any
    if token is not None:
        proxy = DirectTransport(httpx.AsyncClient(transport=transport, timeout=SDK_TIMEOUT_SECONDS),
                                api_base=settings.ads_api_base, token=token, merchant_id=merchant_id)
    else:
        if connected_account_id is not None:
            account_id, user_id = connected_account_id, composio_user_id
        else:
            account_id, user_id = _active_account(engine, merchant_id)
        composio = composio_for(settings, http_client=http_client)
        proxy = BusinessApiProxy(
            composio, connected_account_id=account_id, merchant_id=merchant_id, user_id=user_id,
            api_base=settings.ads_api_base,
            token_header=token_header_for(settings, composio, account_id),
            secrets=(settings.require("composio_api_key"),),
        )

    async def on_auth_failure(exc: AuthExpired) -> None:
        await asyncio.to_thread(_mark_needs_reauth, engine, merchant_id, exc.message)

    async def cache_report(report: PerformanceReport) -> None:
        await asyncio.to_thread(store_report, engine, merchant_id, report)

    return AdsClient(proxy, clock=clock, backoff=backoff, on_auth_failure=on_auth_failure,
                     report_sink=cache_report)
