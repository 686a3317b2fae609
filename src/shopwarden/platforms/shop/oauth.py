"""Partner Center OAuth: the authorization link, and the callback that stores tokens and shops.

Nothing is written until the code exchange and the shop list both succeeded; then the state is
consumed, the tokens stored and the shops recorded in one transaction.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlencode

import httpx
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant, OAuthState, Shop, utcnow
from shopwarden.errors import AuthExpired, InvalidRequest, NotFound
from shopwarden.platforms.shop._errors import PLATFORM
from shopwarden.platforms.shop._shops import replace_shops
from shopwarden.platforms.shop.client import ShopClient
from shopwarden.platforms.shop.models import AuthorizedShop, TokenGrant
from shopwarden.platforms.shop.shop_facts import authorize_base
from shopwarden.platforms.shop.token_host import app_credentials, exchange_code, expiry
from shopwarden.platforms.shop.tokens import PLATFORM_KEY
from shopwarden.security.connections import store_tokens

STATE_TTL = timedelta(minutes=10)
CALLBACK = "oauth callback"


class AuthorizationStateInvalid(InvalidRequest):
    """The callback's `state` is unknown, expired or already used: start the connection again."""


def begin_authorization(session: Session, merchant_id: str, settings: Settings, *, ttl: timedelta = STATE_TTL,
                        region: str | None = None) -> str:
    """The authorization page URL for this merchant, with a fresh single-use state (the caller commits).

    With the seller's `region`, the page is that region's host (US sellers authorize on their own)."""
    service_id = settings.require("shop_service_id")
    if session.get(Merchant, merchant_id) is None:
        raise NotFound(f"no merchant {merchant_id}: add it first with `shopwarden merchant add {merchant_id}`")
    state = secrets.token_urlsafe(24)
    now = utcnow()
    session.add(OAuthState(state=state, merchant_id=merchant_id, platform=PLATFORM_KEY, created_at=now,
                           expires_at=now + ttl))
    base = authorize_base(region) if region else settings.shop_authorize_base
    return f"{base}?{urlencode({'service_id': service_id, 'state': state})}"


async def complete_authorization(
    engine: Engine, code: str, state: str, *, settings: Settings, http: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> list[Shop]:
    """Check the state, exchange the code, fetch the authorized shops, then store everything at once."""
    merchant_id = await asyncio.to_thread(_merchant_for_state, engine, state)
    own_http = http is None
    client_http = http or httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=5.0))
    try:
        grant = await exchange_code(client_http, app_credentials(settings), code)
        shops = await _authorized_shops(client_http, settings, grant, clock)
    finally:
        if own_http:
            await client_http.aclose()
    if not shops:
        raise InvalidRequest("the seller authorized no shops: nothing was connected; ask the seller to authorize "
                             "at least one shop and connect again", platform=PLATFORM,
                             endpoint="GET /authorization/202309/shops")
    return await asyncio.to_thread(_store, engine, merchant_id, state, grant, shops)


async def connect_shop(engine: Engine, merchant_id: str, code: str, *, settings: Settings,
                       transport: httpx.AsyncBaseTransport | None = None,
                       clock: Callable[[], datetime] = utcnow) -> list[Shop]:
    """Both halves at once, for a code obtained out of band (demo and simulator set-up)."""
    with session_scope(engine) as session:
        url = begin_authorization(session, merchant_id, settings)
    state = url.rsplit("state=", 1)[1]
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(15.0, connect=5.0)) as http:
        return await complete_authorization(engine, code, state, http=http, settings=settings, clock=clock)


class _IssuedToken:
    """The token we were just given; there is nothing to refresh yet."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_access_token(self) -> str:
        return self._token

    async def force_refresh(self) -> str:
        raise AuthExpired("the access token was refused right after it was issued", platform=PLATFORM)


async def _authorized_shops(http: httpx.AsyncClient, settings: Settings, grant: TokenGrant,
                            clock: Callable[[], datetime]) -> list[AuthorizedShop]:
    client = ShopClient(settings.require("shop_app_key"), settings.require("shop_app_secret"),
                        _IssuedToken(grant.access_token), http=http, api_base=settings.shop_api_base, clock=clock)
    return await client.authorized_shops()


def _state_error(reason: str) -> AuthorizationStateInvalid:
    return AuthorizationStateInvalid(f"the authorization state is {reason}: start again with "
                                     "`shopwarden connect shop --merchant <id>`", platform=PLATFORM, endpoint=CALLBACK)


def _check_state(row: OAuthState | None) -> OAuthState:
    if row is None or row.platform != PLATFORM_KEY:
        raise _state_error("unknown")
    if row.used_at is not None:
        raise _state_error("already used")
    if row.expires_at <= utcnow():
        raise _state_error("expired")
    return row


def _merchant_for_state(engine: Engine, state: str) -> str:
    with session_scope(engine) as session:
        return _check_state(session.get(OAuthState, state)).merchant_id


def _store(engine: Engine, merchant_id: str, state: str, grant: TokenGrant, shops: list[AuthorizedShop]) -> list[Shop]:
    with session_scope(engine) as session:
        _check_state(session.get(OAuthState, state))
        now = utcnow()
        claimed = session.exec(
            update(OAuthState).where(col(OAuthState.state) == state, col(OAuthState.used_at).is_(None))
            .values(used_at=now)
        )
        if claimed.rowcount != 1:
            raise _state_error("already used")
        connection = session.exec(
            select(Connection).where(Connection.merchant_id == merchant_id, Connection.platform == PLATFORM_KEY)
        ).first() or Connection(merchant_id=merchant_id, platform=PLATFORM_KEY)
        connection.external_account_id = grant.open_id or None
        connection.details = {"seller_name": grant.seller_name, "seller_base_region": grant.seller_base_region,
                              "granted_scopes": grant.granted_scopes}
        store_tokens(session, connection, access_token=grant.access_token, refresh_token=grant.refresh_token,
                     access_expires_at=expiry(grant.access_token_expire_in),
                     refresh_expires_at=expiry(grant.refresh_token_expire_in))
        return replace_shops(session, merchant_id, shops)
