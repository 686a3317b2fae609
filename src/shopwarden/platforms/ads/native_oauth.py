"""Native TikTok Business OAuth: the second way to connect an ad account (the first is Composio).

1. `begin_native_connection` gives the authorize URL (`portal/auth?app_id=&state=&redirect_uri=`)
   with a fresh single-use state.
2. The merchant consents; TikTok's callback brings `auth_code` (single use, 1 hour) and `state`.
3. `complete_native_connection` checks the state, exchanges the code (`oauth2/access_token/`),
   lists the advertisers the token may act for (`oauth2/advertiser/get/`), refuses the connection
   when another merchant already holds one of them (as `connect ads` through Composio does),
   verifies them with `advertiser/info/`, and stores the token in the vault. The advertiser token does not expire
   and has no refresh token: it lasts until revoked (`revoke_native_token`, on disconnect).
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant, OAuthState, utcnow
from shopwarden.errors import InvalidRequest, NotFound
from shopwarden.platforms.ads._direct import DirectTransport
from shopwarden.platforms.ads._errors import PLATFORM, ErrorContext
from shopwarden.platforms.ads._proxy import unwrap
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.ownership import refuse_advertisers_of_other_merchants, refuse_taken
from shopwarden.security.connections import store_tokens

PLATFORM_KEY = "ads"
MODE = "native"  # = factory.NATIVE_MODE
STATE_TTL = timedelta(minutes=30)
# (uncertain) The revoke body: TikTok documents `oauth2/revoke_token/` but sources differ on its
# fields; we send app_id, secret and the token being revoked.
REVOKE_FIELDS = ("app_id", "secret", "access_token")


class NativeStateInvalid(InvalidRequest):
    """The callback's state is unknown, expired, already used or not an ads state."""


def _app(settings: Settings) -> tuple[str, str]:
    return settings.require("ads_app_id"), settings.require("ads_app_secret")


def begin_native_connection(engine: Engine, merchant_id: str, settings: Settings) -> str:
    """The TikTok authorize URL for this merchant, with a new single-use state stored here."""
    app_id, _ = _app(settings)
    redirect_uri = settings.require("ads_redirect_uri")
    state = secrets.token_urlsafe(24)
    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            raise NotFound(f"no merchant {merchant_id}: add it first with `shopwarden merchant add {merchant_id}`")
        now = utcnow()
        session.add(OAuthState(state=state, merchant_id=merchant_id, platform=PLATFORM_KEY, created_at=now,
                               expires_at=now + STATE_TTL))
    query = urlencode({"app_id": app_id, "state": state, "redirect_uri": redirect_uri})
    return f"{settings.ads_authorize_base}?{query}"


def _state_merchant(engine: Engine, state: str, *, claim: bool) -> str:
    with session_scope(engine) as session:
        row = session.get(OAuthState, state)
        reason = ("unknown" if row is None or row.platform != PLATFORM_KEY else "already used" if row.used_at
                  else "expired" if row.expires_at <= utcnow() else None)
        if reason is None and claim:
            claimed = session.exec(
                update(OAuthState).where(col(OAuthState.state) == state, col(OAuthState.used_at).is_(None))
                .values(used_at=utcnow()))
            reason = None if claimed.rowcount == 1 else "already used"
        if reason is not None or row is None:
            raise NativeStateInvalid(f"the TikTok Ads authorization state is {reason}: start again with "
                                     "`shopwarden connect ads --native --merchant <id>`", platform=PLATFORM,
                                     endpoint="oauth2/access_token/")
        return row.merchant_id


async def _oauth_call(http: httpx.AsyncClient, settings: Settings, method: str, endpoint: str, *,
                      json: dict[str, Any] | None = None, params: dict[str, str] | None = None,
                      token: str | None = None) -> Any:
    _, secret = _app(settings)
    ctx = ErrorContext(secrets=(secret, *(json or {}).values(), token or ""))
    headers = {"Access-Token": token} if token else {}
    response = await http.request(method, f"{settings.ads_api_base}/{endpoint}", json=json, params=params,
                                  headers=headers)
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    return unwrap(ctx, endpoint, response.status_code, envelope)


async def complete_native_connection(engine: Engine, auth_code: str, state: str, *, settings: Settings,
                                     http: httpx.AsyncClient) -> dict[str, Any]:
    """Exchange the callback's code, list and verify the advertisers, store the token in the vault."""
    merchant_id = await asyncio.to_thread(_state_merchant, engine, state, claim=False)
    app_id, secret = _app(settings)
    grant = await _oauth_call(http, settings, "POST", "oauth2/access_token/",
                              json={"app_id": app_id, "secret": secret, "auth_code": auth_code})
    token = grant.get("access_token") if isinstance(grant, dict) else None
    if not isinstance(token, str) or not token:
        raise InvalidRequest("TikTok's token answer has no access_token", platform=PLATFORM,
                             endpoint="oauth2/access_token/")
    listed = await _oauth_call(http, settings, "GET", "oauth2/advertiser/get/",
                               params={"app_id": app_id, "secret": secret}, token=token)
    advertiser_ids = [str(a["advertiser_id"]) for a in (listed or {}).get("list", []) if "advertiser_id" in a]
    if not advertiser_ids:
        raise InvalidRequest("the authorization grants no advertiser", platform=PLATFORM,
                             endpoint="oauth2/advertiser/get/")
    try:
        await asyncio.to_thread(refuse_advertisers_of_other_merchants, engine, merchant_id, advertiser_ids,
                                endpoint="oauth2/advertiser/get/")
    except InvalidRequest:
        # The token is dropped, not stored, and not revoked: TikTok may hand the same token to the
        # other merchant's connection, and revoking it would cut theirs. The state is spent.
        await asyncio.to_thread(_state_merchant, engine, state, claim=True)
        raise
    client = AdsClient(DirectTransport(http, api_base=settings.ads_api_base, token=token,
                                       merchant_id=merchant_id), backoff=())
    infos = await client.advertiser_info(advertiser_ids)
    details = {
        "mode": MODE, "advertiser_ids": advertiser_ids, "scope": list(grant.get("scope") or []),
        "advertisers": {i.advertiser_id: {"name": i.name, "currency": i.currency, "timezone": i.timezone}
                        for i in infos},
        "currency": infos[0].currency, "timezone": infos[0].timezone,
    }
    await asyncio.to_thread(_store, engine, merchant_id, state, token, details)
    return {"merchant_id": merchant_id, **details}


def _store(engine: Engine, merchant_id: str, state: str, token: str, details: dict[str, Any]) -> None:
    _state_merchant(engine, state, claim=True)
    with session_scope(engine) as session:
        refuse_taken(session, merchant_id, details["advertiser_ids"], endpoint="oauth2/advertiser/get/")
        connection = session.exec(select(Connection).where(
            Connection.merchant_id == merchant_id, Connection.platform == PLATFORM_KEY)).first()
        connection = connection or Connection(merchant_id=merchant_id, platform=PLATFORM_KEY)
        connection.external_account_id = None
        connection.details = details
        store_tokens(session, connection, access_token=token, refresh_token=None, access_expires_at=None,
                     refresh_expires_at=None)


def revoke_native_token(http: httpx.Client, settings: Settings, token: str) -> None:
    """Ask TikTok to revoke the advertiser token (disconnect); raises the mapped error on refusal."""
    app_id, secret = _app(settings)
    values = {"app_id": app_id, "secret": secret, "access_token": token}
    endpoint = "oauth2/revoke_token/"
    response = http.post(f"{settings.ads_api_base}/{endpoint}", json={k: values[k] for k in REVOKE_FIELDS})
    try:
        envelope = response.json()
    except ValueError:
        envelope = None
    unwrap(ErrorContext(secrets=(secret, token)), endpoint, response.status_code, envelope)
