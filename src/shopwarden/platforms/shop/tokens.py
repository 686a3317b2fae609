"""Silent token refresh for one merchant's Shop connection: before expiry, once, for everyone.

Single-flight in two layers: an asyncio.Lock so concurrent calls in this process refresh once,
and a compare-and-set on `connections.version` so two processes never both store a refresh
(the loser throws its answer away and uses the winner's tokens).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, utcnow
from shopwarden.errors import InvalidRequest, NotFound, ReauthRequired
from shopwarden.platforms.shop._errors import PLATFORM
from shopwarden.platforms.shop.models import TokenGrant
from shopwarden.platforms.shop.token_host import AppCredentials, app_credentials, expiry, refresh_tokens
from shopwarden.security.connections import get_connection, mark_needs_reauth, read_tokens, store_tokens

log = logging.getLogger(__name__)
PLATFORM_KEY = "shop"
RECENT_REFRESH_SECONDS = 5.0  # a forced refresh right after another one reuses its token


@dataclass(frozen=True)
class _Snapshot:
    version: int
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None


def reconnect_hint(merchant_id: str) -> str:
    return f"reconnect with `shopwarden connect shop --merchant {merchant_id}`"


class ShopTokenProvider:
    """Hands out a valid access token for one merchant, refreshing it when it is near expiry."""

    def __init__(
        self,
        engine: Engine,
        merchant_id: str,
        app: AppCredentials,
        *,
        margin_seconds: int = 300,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine = engine
        self.merchant_id = merchant_id
        self._app = app
        self._margin = timedelta(seconds=margin_seconds)
        self._http = http
        self._owns_http = http is None
        self._transport = transport
        self._clock = clock
        self._lock = asyncio.Lock()
        self._current: _Snapshot | None = None
        self._refreshed_at = float("-inf")
        self.refresh_count = 0

    @classmethod
    def from_settings(cls, engine: Engine, merchant_id: str, settings: Settings, *,
                      transport: httpx.AsyncBaseTransport | None = None,
                      clock: Callable[[], datetime] = utcnow) -> ShopTokenProvider:
        return cls(engine, merchant_id, app_credentials(settings), margin_seconds=settings.token_refresh_margin_seconds,
                   transport=transport, clock=clock)

    def __repr__(self) -> str:
        return f"ShopTokenProvider(merchant_id={self.merchant_id!r})"

    async def aclose(self) -> None:
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    async def get_access_token(self) -> str:
        if self._fresh(self._current):
            assert self._current is not None
            return self._current.access_token
        async with self._lock:
            if self._fresh(self._current):
                assert self._current is not None
                return self._current.access_token
            stored = await asyncio.to_thread(self._load)
            if self._fresh(stored):
                self._current = stored
                return stored.access_token
            return await self._refresh(stored)

    async def force_refresh(self) -> str:
        """The platform said the token expired (105002): refresh now, once for all waiting callers."""
        async with self._lock:
            if time.monotonic() - self._refreshed_at < RECENT_REFRESH_SECONDS and self._current is not None:
                return self._current.access_token
            stored = await asyncio.to_thread(self._load)
            if self._current is not None and stored.version != self._current.version and self._fresh(stored):
                self._current = stored  # another process refreshed meanwhile
                return stored.access_token
            return await self._refresh(stored)

    # --- inside the lock ---------------------------------------------------------------------

    def _fresh(self, snapshot: _Snapshot | None) -> bool:
        if snapshot is None or snapshot.access_expires_at is None:
            return snapshot is not None
        return snapshot.access_expires_at - self._margin > self._clock()

    async def _refresh(self, stored: _Snapshot) -> str:
        now = self._clock()
        if stored.refresh_token is None or (stored.refresh_expires_at is not None and stored.refresh_expires_at <= now):
            await asyncio.to_thread(self._mark_needs_reauth, "the refresh token has expired")
            raise self._reauth_error("the refresh token has expired")
        try:
            grant = await refresh_tokens(self._client(), self._app, stored.refresh_token)
        except ReauthRequired:
            await asyncio.to_thread(self._mark_needs_reauth, "TikTok refused the refresh token as expired")
            raise self._reauth_error("TikTok refused the refresh token as expired") from None
        except InvalidRequest as exc:
            # An unknown refresh token: maybe another process refreshed with it first.
            latest = await asyncio.to_thread(self._load)
            if latest.version != stored.version and self._fresh(latest):
                return self._adopt(latest)
            await asyncio.to_thread(self._mark_needs_reauth, f"refresh refused: {exc.message}")
            raise self._reauth_error(f"TikTok refused the refresh token ({exc.message})") from None
        if await asyncio.to_thread(self._store_if_unchanged, stored.version, grant):
            self.refresh_count += 1
            log.info("refreshed the TikTok Shop token of merchant %s", self.merchant_id)
        return self._adopt(await asyncio.to_thread(self._load))

    def _adopt(self, snapshot: _Snapshot) -> str:
        self._current = snapshot
        self._refreshed_at = time.monotonic()
        return snapshot.access_token

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(transport=self._transport, timeout=httpx.Timeout(15.0, connect=5.0))
        return self._http

    def _reauth_error(self, why: str) -> ReauthRequired:
        return ReauthRequired(f"the TikTok Shop connection of merchant {self.merchant_id} can no longer be "
                              f"refreshed ({why}): {reconnect_hint(self.merchant_id)}",
                              platform=PLATFORM, endpoint="GET /api/v2/token/refresh")

    # --- database (run in a worker thread) ---------------------------------------------------

    def _load(self) -> _Snapshot:
        with session_scope(self.engine) as session:
            try:
                connection = get_connection(session, self.merchant_id, PLATFORM_KEY)
            except NotFound:
                raise ReauthRequired(f"merchant {self.merchant_id} has no TikTok Shop connection: connect with "
                                     f"`shopwarden connect shop --merchant {self.merchant_id}`",
                                     platform=PLATFORM) from None
            if connection.status != "active" or connection.access_token_enc is None:
                reason = connection.status_reason or connection.status
                raise ReauthRequired(f"the TikTok Shop connection of merchant {self.merchant_id} is "
                                     f"{connection.status} ({reason}): {reconnect_hint(self.merchant_id)}",
                                     platform=PLATFORM)
            tokens = read_tokens(connection)
            return _Snapshot(
                version=connection.version,
                access_token=tokens.access_token.get_secret_value(),
                refresh_token=tokens.refresh_token.get_secret_value() if tokens.refresh_token else None,
                access_expires_at=tokens.access_expires_at,
                refresh_expires_at=tokens.refresh_expires_at,
            )

    def _store_if_unchanged(self, version: int, grant: TokenGrant) -> bool:
        with session_scope(self.engine) as session:
            connection = session.exec(
                select(Connection)
                .where(Connection.merchant_id == self.merchant_id, Connection.platform == PLATFORM_KEY)
                .with_for_update()
            ).first()
            if connection is None or connection.version != version:
                return False  # another process refreshed first; its tokens win
            store_tokens(session, connection, access_token=grant.access_token, refresh_token=grant.refresh_token,
                         access_expires_at=expiry(grant.access_token_expire_in),
                         refresh_expires_at=expiry(grant.refresh_token_expire_in))
            return True

    def _mark_needs_reauth(self, reason: str) -> None:
        with session_scope(self.engine) as session:
            mark_needs_reauth(session, get_connection(session, self.merchant_id, PLATFORM_KEY), reason)
