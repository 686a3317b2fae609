"""Reconnecting TikTok Shop or TikTok Ads from the merchant pages: the real consent flows.

    start   the authorization link of the configured hosts (the simulator's in tests):
            TikTok Shop: Partner Center's authorize page with a single-use state
            TikTok Ads:  Composio's consent link (callback here), or with the merchant's own
                         TikTok app (a native connection, or no Composio configured) TikTok's
                         portal/auth with a single-use state
    finish  what the platform's redirect brought back (code and state, or Composio's connected
            account id), completed by the same functions `shopwarden connect` uses

A flow is bound to the merchant that started it (the state's merchant, or the Composio account
this merchant is waiting for) and to whoever finishes it being an owner there. The console also
binds it to the browser session that started it (`binding`), so a link from elsewhere cannot
finish someone else's consent in the owner's browser.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden import audit
from shopwarden.api.auth import ReviewerIdentity
from shopwarden.api.merchant_actions import PLATFORMS, ActionRefused, require_platform
from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, OAuthState
from shopwarden.domain.notes import has_control_characters
from shopwarden.errors import NotFound

CALLBACK_PATH = "/console/merchant/connections/{platform}/callback"
ADVERTISER_ID_MAX_CHARS = 32
MAX_ADVERTISERS = 10


@dataclass(frozen=True)
class Started:
    platform: str
    mode: str  # shop | composio | native
    authorize_url: str
    key: str  # the state, or Composio's connected-account id: what the callback must bring back


def binding(session_raw: str, platform: str, key: str) -> str:
    """The value of the browser's binding cookie for one started flow (HMAC of the session id)."""
    return hmac.new(session_raw.encode(), f"oauth:{platform}:{key}".encode(), hashlib.sha256).hexdigest()


def binding_matches(session_raw: str | None, cookie: str | None, platform: str, key: str) -> bool:
    if not session_raw or not cookie or not key:
        return False
    return hmac.compare_digest(binding(session_raw, platform, key), cookie)


def _ads_link(engine: Engine, merchant_id: str) -> Connection | None:
    with session_scope(engine) as session:
        return session.exec(select(Connection).where(Connection.merchant_id == merchant_id,
                                                     Connection.platform == "ads")).first()


def ads_mode(engine: Engine, settings: Settings, merchant_id: str) -> str:
    """composio or native: a native connection stays native; otherwise Composio when it is configured."""
    link = _ads_link(engine, merchant_id)
    if link is not None and (link.details or {}).get("mode") == "native":
        return "native"
    if settings.composio_api_key is not None:
        return "composio"
    if settings.ads_app_id:
        return "native"
    raise ActionRefused("TikTok Ads cannot be connected here: set SHOPWARDEN_COMPOSIO_API_KEY (Composio) or "
                        "SHOPWARDEN_ADS_APP_ID and SHOPWARDEN_ADS_REDIRECT_URI (your own TikTok app)")


def known_advertisers(engine: Engine, merchant_id: str) -> list[str]:
    link = _ads_link(engine, merchant_id)
    return [str(a) for a in ((link.details or {}).get("advertiser_ids") or [])] if link else []


def clean_advertisers(raw: str | Sequence[str]) -> list[str]:
    """Advertiser ids from a form field (comma or space separated) or a list: digits only, bounded."""
    items = raw.replace(",", " ").split() if isinstance(raw, str) else [str(a).strip() for a in raw]
    if len(items) > MAX_ADVERTISERS:
        raise ActionRefused(f"give at most {MAX_ADVERTISERS} advertiser ids")
    for item in items:
        if not item.isascii() or not item.isdigit() or len(item) > ADVERTISER_ID_MAX_CHARS:
            raise ActionRefused("advertiser ids are TikTok's numeric ids, separated by commas")
    return list(dict.fromkeys(items))


def start(engine: Engine, settings: Settings, who: ReviewerIdentity, platform: str, own_origin: str,
          advertisers: Sequence[str], surface: str) -> Started:
    """Begin the platform's consent for the owner's merchant; the audit row names who started it."""
    require_platform(platform)
    merchant_id = who.merchant_id
    if platform == "shop":
        from shopwarden.platforms.shop import begin_authorization

        with session_scope(engine) as session:
            url = begin_authorization(session, merchant_id, settings)
        started = Started("shop", "shop", url, _query(url, "state"))
    elif (mode := ads_mode(engine, settings, merchant_id)) == "native":
        from shopwarden.platforms.ads.native_oauth import begin_native_connection

        url = begin_native_connection(engine, merchant_id, settings)
        started = Started("ads", "native", url, _query(url, "state"))
    else:
        from shopwarden.platforms.ads.connect import start_ads_connection

        if not advertisers:
            raise ActionRefused("give the advertiser id(s) to connect: TikTok Ads verifies them after consent")
        callback = own_origin + CALLBACK_PATH.format(platform="ads") + "?" + urlencode(
            [("advertiser", a) for a in advertisers])
        begun = start_ads_connection(engine, merchant_id, settings, callback_url=callback)
        if not begun.redirect_url:
            raise ActionRefused("Composio returned no consent link; try again")
        started = Started("ads", mode, begun.redirect_url, begun.connected_account_id)
    with session_scope(engine) as session:
        audit.record_execution(session, audit.AuditEntry(
            merchant_id=merchant_id, agent_id=f"reviewer:{who.name}", tool="connections.reconnect", surface=surface,
            args={"platform": platform, "mode": started.mode, "advertisers": list(advertisers)},
            outcome="executed", reasons=["consent started; the connection changes when it is completed"]))
    return started


def _query(url: str, name: str) -> str:
    return (parse_qs(urlsplit(url).query).get(name) or [""])[0]


def callback_mode(platform: str, params: dict[str, Any]) -> str:
    """Which flow a callback belongs to: Shop's, TikTok's own (auth_code) or Composio's (connected account)."""
    if platform == "shop":
        return "shop"
    return "composio" if params.get("connected_account_id") and not params.get("auth_code") else "native"


def callback_key(platform: str, params: dict[str, Any]) -> str:
    """What a callback brings back that `Started.key` was: the state, or the connected-account id."""
    if callback_mode(platform, params) == "composio":
        return str(params.get("connected_account_id") or "")
    return str(params.get("state") or "")


def _state_merchant(engine: Engine, state: str, platform: str) -> str | None:
    with session_scope(engine) as session:
        row = session.get(OAuthState, state) if 0 < len(state) <= 128 else None
        return row.merchant_id if row is not None and row.platform == platform else None


async def finish(engine: Engine, settings: Settings, who: ReviewerIdentity, platform: str,
                 params: dict[str, Any], surface: str) -> str:
    """Complete the consent whose callback brought `params`; returns the sentence to show."""
    require_platform(platform)
    values = [v for v in params.values() if isinstance(v, str)] + [str(a) for a in params.get("advertiser") or []]
    if any(has_control_characters(v) for v in values):
        raise ActionRefused("the callback's values contain control characters (such as NUL); nothing was connected")
    merchant_id = who.merchant_id
    mode = callback_mode(platform, params)
    if mode in ("shop", "native"):
        code = str(params.get("code" if mode == "shop" else "auth_code") or "")
        state = str(params.get("state") or "")
        if not code or not state:
            raise ActionRefused("the platform sent no authorization code: the consent was not given")
        if _state_merchant(engine, state, platform) != merchant_id:
            raise ActionRefused("this authorization was started for another merchant or has expired; start again")
        if mode == "shop":
            from shopwarden.platforms.shop import complete_authorization
            from shopwarden.platforms.simulator.served_clock import clock_for

            shops = await complete_authorization(engine, code, state, settings=settings,
                                                 clock=clock_for(settings.simulator_url))
            summary = f"{len(shops)} shop{'' if len(shops) == 1 else 's'}"
        else:
            from shopwarden.platforms.ads.native_oauth import complete_native_connection

            async with httpx.AsyncClient(timeout=30) as http:
                details = await complete_native_connection(engine, code, state, settings=settings, http=http)
            summary = f"ad account {', '.join(details['advertiser_ids'])}"
    else:
        from shopwarden.platforms.ads.connect import complete_ads_connection, pending_account_id

        account = str(params.get("connected_account_id") or "")
        try:
            waiting_for = pending_account_id(engine, merchant_id)
        except NotFound:
            waiting_for = ""
        if not account or account != waiting_for:
            raise ActionRefused("this consent is not the one this merchant is waiting for; start again")
        advertisers = clean_advertisers(params.get("advertiser") or known_advertisers(engine, merchant_id))
        if not advertisers:
            raise ActionRefused("give the advertiser id(s) to verify; start again")
        details = await complete_ads_connection(engine, merchant_id, account, advertisers, settings=settings)
        summary = f"ad account {', '.join(details['advertiser_ids'])}"
    with session_scope(engine) as session:
        audit.record_execution(session, audit.AuditEntry(
            merchant_id=merchant_id, agent_id=f"reviewer:{who.name}", tool="connections.reconnected",
            surface=surface, args={"platform": platform, "mode": mode}, outcome="executed",
            reasons=[f"connected {summary}"]))
    return f"{PLATFORMS[platform]} connected ({summary})"
