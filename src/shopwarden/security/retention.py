"""Data duties: cached TikTok data is purged after 30 days, and deleted on request.

Every purge or deletion leaves a `deletion_requests` row saying what was removed and
when, so a merchant (or an auditor) can see the promise was kept. A merchant's full
deletion request (`delete_merchant_data`) removes every cached TikTok record (catalogue,
SKUs, shops, sync cursors, orders, performance) and the connections' tokens; the audit log
stays, as the record of what was done (it holds ids and redacted arguments, not the cached
catalogue or performance content). Creative sources are cached in process memory only
(public data, no merchant key), so there is nothing of theirs in the database to delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col

from shopwarden.db.engine import session_scope
from shopwarden.db.models import (
    CachedOrder,
    CachedPerformance,
    Connection,
    DeletionRequest,
    Merchant,
    Product,
    Shop,
    Sku,
    SyncCursor,
    utcnow,
)
from shopwarden.db.tables import rowcount, table_of
from shopwarden.errors import NotFound

RETENTION = timedelta(days=30)
# Every table holding TikTok data copied for one merchant; the key is what the report calls it.
MERCHANT_DATA: dict[str, type[SQLModel]] = {
    "performance_rows": CachedPerformance, "order_rows": CachedOrder, "sku_rows": Sku,
    "product_rows": Product, "shop_rows": Shop, "sync_cursor_rows": SyncCursor}
Scope = Literal["ads_cache", "orders_cache", "all_cached"]
_TABLES: dict[str, tuple[type[SQLModel], ...]] = {
    "ads_cache": (CachedPerformance,), "orders_cache": (CachedOrder,), "all_cached": (CachedPerformance, CachedOrder)}


@dataclass(frozen=True)
class PurgeReport:
    performance_rows: int
    order_rows: int

    @property
    def total(self) -> int:
        return self.performance_rows + self.order_rows


def purge_expired(engine: Engine, *, now: datetime | None = None, retention: timedelta = RETENTION) -> PurgeReport:
    """Delete cached rows fetched longer ago than `retention`, for every merchant."""
    cutoff = (now or utcnow()) - retention
    with session_scope(engine) as session:
        perf = rowcount(session.execute(delete(CachedPerformance).where(col(CachedPerformance.fetched_at) < cutoff)))
        orders = rowcount(session.execute(delete(CachedOrder).where(col(CachedOrder.fetched_at) < cutoff)))
    return PurgeReport(perf or 0, orders or 0)


def delete_merchant_cache(engine: Engine, merchant_id: str, scope: Scope = "all_cached") -> PurgeReport:
    """Delete a merchant's cached TikTok data now, recording the request as done."""
    if scope not in _TABLES:
        raise ValueError(f"unknown scope {scope!r}; use one of {', '.join(_TABLES)}")
    counts: dict[type[SQLModel], int] = {CachedPerformance: 0, CachedOrder: 0}
    with session_scope(engine) as session:
        now = utcnow()
        for table in _TABLES[scope]:
            result = session.execute(delete(table).where(table_of(table).c.merchant_id == merchant_id))
            counts[table] = rowcount(result) or 0
        session.add(DeletionRequest(
            merchant_id=merchant_id, scope=scope, status="done", requested_at=now, completed_at=now,
            detail={"performance_rows": counts[CachedPerformance], "order_rows": counts[CachedOrder]},
        ))
    return PurgeReport(counts[CachedPerformance], counts[CachedOrder])


@dataclass(frozen=True)
class DeletionReport:
    request_id: int
    rows: dict[str, int]
    tokens_deleted: list[str]  # platforms whose tokens were deleted (the connection is now disconnected)
    composio_accounts_left: list[str]  # ads accounts held at Composio: `disconnect ads` deletes them there

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def delete_merchant_data(engine: Engine, merchant_id: str) -> DeletionReport:
    """A merchant's deletion request: every cached TikTok record and every token, now.

    The request is recorded (pending) in its own transaction before anything is deleted, and
    marked done with the counts in the transaction that deletes: a crash in between leaves a
    visible pending request, never a silent half-deletion. An unknown merchant writes nothing.
    """
    from shopwarden.security.connections import disconnect

    with session_scope(engine) as session:
        if session.get(Merchant, merchant_id) is None:
            raise NotFound(f"merchant {merchant_id} does not exist; nothing was deleted")
        request = DeletionRequest(merchant_id=merchant_id, scope="all", status="pending", requested_at=utcnow())
        session.add(request)
        session.flush()
        request_id = request.id
    assert request_id is not None
    with session_scope(engine) as session:
        rows = {name: rowcount(session.execute(
                    delete(table).where(table_of(table).c.merchant_id == merchant_id))) or 0
                for name, table in MERCHANT_DATA.items()}
        links = session.execute(select(Connection).where(col(Connection.merchant_id) == merchant_id)).scalars().all()
        tokens_deleted, composio_left = [], []
        for link in links:
            had_tokens = link.access_token_enc is not None or link.refresh_token_enc is not None
            if link.status != "disconnected" or had_tokens:
                disconnect(session, merchant_id, link.platform, reason="the merchant's deletion request")
                tokens_deleted.append(link.platform)
            if link.platform == "ads" and link.external_account_id:
                composio_left.append(link.external_account_id)
        pending = session.get(DeletionRequest, request_id)
        assert pending is not None
        pending.status, pending.completed_at = "done", utcnow()
        pending.detail = {**rows, "tokens_deleted": tokens_deleted, "composio_accounts_left": composio_left}
        session.add(pending)
    return DeletionReport(request_id, rows, tokens_deleted, composio_left)
