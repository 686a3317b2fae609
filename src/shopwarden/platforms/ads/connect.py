"""Connecting and disconnecting a merchant's TikTok Ads account through Composio.

1. `start_ads_connection` asks Composio for a consent link (user id = merchant id) and keeps the
   pending connected-account id (never a token) in `connections.external_account_id`.
2. The merchant approves TikTok's consent screen in the browser.
3. `complete_ads_connection` checks the account is ACTIVE and belongs to the merchant, reads the
   `tiktok_ads` toolkit's injection rule and base URL (refusing a connection that would not send
   TikTok's Access-Token), verifies it with `advertiser/info/`, and records currency and time zone
   in `connections.details`.

`disconnect_ads` deletes the connected account at Composio (which drops the token there), marks
our connection disconnected, and on request deletes cached ads metrics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
from composio import exceptions as sdk_exceptions
from composio_client import NotFoundError
from sqlalchemy.engine import Engine

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant, utcnow
from shopwarden.errors import (
    ConfigError,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    PlatformError,
    ReauthRequired,
    ShopwardenError,
)
from shopwarden.platforms.ads._errors import COMPOSIO, ErrorContext, composio_error
from shopwarden.platforms.ads._proxy import SDK_FAILURES
from shopwarden.platforms.ads.composio_toolkit import (
    ACCESS_TOKEN_HEADER,
    SETTING,
    TOOLKIT_SLUG,
    ToolkitRule,
    check_rule,
    read_toolkit_rule,
)
from shopwarden.platforms.ads.factory import PLATFORM_KEY, ads_client_for, composio_for, native_token
from shopwarden.platforms.ads.models import AdvertiserInfo
from shopwarden.platforms.ads.native_oauth import revoke_native_token
from shopwarden.platforms.ads.ownership import refuse_advertisers_of_other_merchants, refuse_taken
from shopwarden.security import connections
from shopwarden.security.retention import delete_merchant_cache

ENDPOINT = "connected_accounts"
EMPTY_TOKEN = 40104


@dataclass(frozen=True)
class AdsConnectionStart:
    connected_account_id: str
    redirect_url: str | None


@dataclass(frozen=True)
class AdsDisconnect:
    remote_deleted: bool
    remote_error: str | None
    cached_rows_deleted: int | None


def _errors(settings: Settings, merchant_id: str) -> ErrorContext:
    return ErrorContext(merchant_id=merchant_id, secrets=(settings.require("composio_api_key"),))


def _require_merchant(engine: Engine, merchant_id: str) -> None:
    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} does not exist")


def _ads_connection(session: Any, merchant_id: str) -> Connection | None:
    try:
        return connections.get_connection(session, merchant_id, PLATFORM_KEY)
    except NotFound:
        return None


def start_ads_connection(engine: Engine, merchant_id: str, settings: Settings, *,
                         http_client: httpx.Client | None = None,
                         callback_url: str | None = None) -> AdsConnectionStart:
    """Ask Composio for the consent link and remember the pending connected account."""
    _require_merchant(engine, merchant_id)
    with session_scope(engine) as session:
        existing = _ads_connection(session, merchant_id)
        if existing is not None and existing.status == "active":
            raise InvalidRequest(f"merchant {merchant_id} already has an active TikTok Ads connection; "
                                 f"run `shopwarden disconnect ads --merchant {merchant_id}` first",
                                 platform=COMPOSIO, endpoint=ENDPOINT)
    composio = composio_for(settings, http_client=http_client)
    try:
        request = composio.connected_accounts.link(merchant_id, settings.require("composio_auth_config_id"),
                                                   callback_url=callback_url)
    except sdk_exceptions.ComposioMultipleConnectedAccountsError:
        raise InvalidRequest(f"Composio already holds an active TikTok Ads account for merchant {merchant_id}; "
                             f"finish with `shopwarden connect ads --merchant {merchant_id} --complete` or "
                             "disconnect it first", platform=COMPOSIO, endpoint=ENDPOINT) from None
    except SDK_FAILURES as exc:
        raise composio_error(_errors(settings, merchant_id), ENDPOINT, exc) from None
    with session_scope(engine) as session:
        connection = _ads_connection(session, merchant_id) or Connection(merchant_id=merchant_id,
                                                                         platform=PLATFORM_KEY)
        connection.status = "pending"
        connection.status_reason = "waiting for the merchant's consent"
        connection.external_account_id = request.id
        connection.details = {}
        connection.version += 1
        connection.updated_at = utcnow()
        session.add(connection)
    return AdsConnectionStart(connected_account_id=request.id, redirect_url=request.redirect_url)


def pending_account_id(engine: Engine, merchant_id: str) -> str:
    """The connected-account id remembered by `start_ads_connection`."""
    with session_scope(engine) as session:
        connection = _ads_connection(session, merchant_id)
        if connection is None or not connection.external_account_id:
            raise NotFound(f"merchant {merchant_id} has no TikTok Ads connection in progress; "
                           f"start one with `shopwarden connect ads --merchant {merchant_id}`")
        return connection.external_account_id


def _account_status(settings: Settings, merchant_id: str, account_id: str, http_client: httpx.Client | None,
                    wait_seconds: float) -> tuple[str, str]:
    composio = composio_for(settings, http_client=http_client)
    try:
        if wait_seconds > 0:
            account = composio.connected_accounts.wait_for_connection(account_id, timeout=wait_seconds)
        else:
            account = composio.connected_accounts.get(account_id)
    except sdk_exceptions.ComposioSDKTimeoutError:
        return "INITIATED", merchant_id
    except SDK_FAILURES as exc:
        raise composio_error(_errors(settings, merchant_id), ENDPOINT, exc) from None
    return str(account.status), str(account.user_id)


def _toolkit_rule(settings: Settings, merchant_id: str, http_client: httpx.Client | None) -> ToolkitRule:
    try:
        return read_toolkit_rule(composio_for(settings, http_client=http_client))
    except SDK_FAILURES as exc:
        raise composio_error(_errors(settings, merchant_id), f"toolkits/{TOOLKIT_SLUG}", exc) from None


def _profile(info: AdvertiserInfo) -> dict[str, str]:
    return {"name": info.name, "currency": info.currency, "timezone": info.timezone}


async def complete_ads_connection(engine: Engine, merchant_id: str, connected_account_id: str | None,
                                  advertiser_id: str | Sequence[str], *, settings: Settings,
                                  http_client: httpx.Client | None = None, wait_seconds: float = 0,
                                  composio_user_id: str | None = None) -> dict[str, Any]:
    """Verify the consented account and store it (id only) with each advertiser's currency and time zone.

    The account must belong to Composio user `composio_user_id` (default: the merchant id, which
    `start_ads_connection` uses); that user id is recorded and sent with every proxied call.
    """
    expected_user = composio_user_id or merchant_id
    account_id = connected_account_id or pending_account_id(engine, merchant_id)
    advertiser_ids = [advertiser_id] if isinstance(advertiser_id, str) else [str(a) for a in advertiser_id]
    if not advertiser_ids:
        raise InvalidRequest("give at least one advertiser id to verify", platform=COMPOSIO, endpoint=ENDPOINT)
    _require_merchant(engine, merchant_id)
    refuse_advertisers_of_other_merchants(engine, merchant_id, advertiser_ids, endpoint=ENDPOINT)
    status, owner = await asyncio.to_thread(_account_status, settings, merchant_id, account_id, http_client,
                                            wait_seconds)
    if owner != expected_user:
        raise InvalidRequest(f"connected account {account_id} belongs to another Composio user, "
                             f"not {expected_user}", platform=COMPOSIO, endpoint=ENDPOINT)
    if status != "ACTIVE":
        raise InvalidRequest(f"connected account {account_id} is {status}, not ACTIVE: the merchant has not "
                             "finished TikTok's consent screen yet", platform=COMPOSIO, endpoint=ENDPOINT)
    rule = await asyncio.to_thread(_toolkit_rule, settings, merchant_id, http_client)
    check_rule(rule, settings.ads_api_base)
    client = ads_client_for(engine, merchant_id, settings, http_client=http_client, connected_account_id=account_id,
                            composio_user_id=owner)
    try:
        infos = await client.advertiser_info(advertiser_ids)
    except ReauthRequired as exc:
        if exc.code != EMPTY_TOKEN:
            raise
        raise ConfigError(SETTING, f"TikTok answered 40104 (no {ACCESS_TOKEN_HEADER} header) through Composio's "
                                   f"{TOOLKIT_SLUG} connection {account_id}: its proxy does not send TikTok's "
                                   f"{ACCESS_TOKEN_HEADER}; the connection was not stored") from None
    except PermissionDenied as exc:
        # The consent was just given: a permission refusal here is (nearly always) an advertiser id the
        # consenting TikTok user does not manage, e.g. a typo, not a token problem.
        raise InvalidRequest(f"TikTok refused advertiser {', '.join(advertiser_ids)} for this connection: check the "
                             "id; it must be an ad account the TikTok user who gave consent manages",
                             platform=exc.platform, endpoint=exc.endpoint, code=exc.code,
                             request_id=exc.request_id) from None
    missing = sorted(set(advertiser_ids) - {i.advertiser_id for i in infos})
    if missing:
        raise InvalidRequest(f"advertiser {missing[0]} is not reachable through this connection",
                             platform="tiktok_ads", endpoint="advertiser/info/")
    first = next(i for i in infos if i.advertiser_id == advertiser_ids[0])
    details = {"advertiser_ids": advertiser_ids, "advertisers": {i.advertiser_id: _profile(i) for i in infos},
               "currency": first.currency, "timezone": first.timezone, "composio_user_id": owner}
    with session_scope(engine) as session:
        refuse_taken(session, merchant_id, advertiser_ids, endpoint=ENDPOINT)  # again: another may have won meanwhile
        connection = _ads_connection(session, merchant_id) or Connection(merchant_id=merchant_id,
                                                                         platform=PLATFORM_KEY)
        connection.external_account_id = account_id
        connection.status = "active"
        connection.status_reason = None
        connection.details = details
        connection.version += 1
        connection.updated_at = utcnow()
        session.add(connection)
    return details


def disconnect_ads(engine: Engine, merchant_id: str, settings: Settings, *, http_client: httpx.Client | None = None,
                   purge_cache: bool = False, reason: str = "disconnected by the merchant") -> AdsDisconnect:
    """Delete the account at Composio, forget it here, and optionally delete cached ads metrics.

    Our side is disconnected even when Composio cannot be reached; the account id is then kept so
    running the command again finishes the remote deletion.
    """
    with session_scope(engine) as session:
        account_id = connections.get_connection(session, merchant_id, PLATFORM_KEY).external_account_id
    remote_deleted, remote_error = True, None
    token = native_token(engine, merchant_id)
    if token is not None:
        remote_deleted, remote_error = _revoke_native(settings, token, http_client)
    elif account_id:
        remote_deleted, remote_error = _delete_remote(settings, merchant_id, account_id, http_client)
    with session_scope(engine) as session:
        connection = connections.disconnect(session, merchant_id, PLATFORM_KEY, reason=reason)
        if remote_deleted:
            connection.external_account_id = None
    cached = delete_merchant_cache(engine, merchant_id, "ads_cache").performance_rows if purge_cache else None
    return AdsDisconnect(remote_deleted=remote_deleted, remote_error=remote_error, cached_rows_deleted=cached)


def _revoke_native(settings: Settings, token: str, http_client: httpx.Client | None) -> tuple[bool, str | None]:
    """Revoke a native advertiser token at TikTok; our copy is deleted either way (`connections.disconnect`)."""
    try:
        revoke_native_token(http_client or httpx.Client(timeout=30), settings, token)
    except (PlatformError, httpx.HTTPError) as exc:
        return False, exc.message if isinstance(exc, PlatformError) else "TikTok could not be reached"
    return True, None


def _delete_remote(settings: Settings, merchant_id: str, account_id: str,
                   http_client: httpx.Client | None) -> tuple[bool, str | None]:
    try:
        composio_for(settings, http_client=http_client).connected_accounts.delete(account_id, revoke_on_delete=True)
    except NotFoundError:
        return True, None  # already gone at Composio
    except SDK_FAILURES as exc:
        error = composio_error(_errors(settings, merchant_id), ENDPOINT, exc)
        return False, error.message if isinstance(error, PlatformError) else str(error)
    except ShopwardenError as exc:
        return False, str(exc)
    return True, None
