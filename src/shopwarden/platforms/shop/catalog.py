"""Catalog sync: every product and SKU of every authorized shop into our tables.

Incremental after the first complete sync (by `update_time`). Rows are written in batches,
each in its own transaction; the shop's cursor moves only when its whole sync finished, so a
failure part-way keeps the previous cursor and the next run covers the same window again.

An incremental sync cannot see a product that vanished from the platform; a full sync (the first
one, or `full=True`) that completes removes the shop's cached products it did not see.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, delete, not_
from sqlalchemy.engine import Engine
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Product as ProductRow
from shopwarden.db.models import Sku as SkuRow
from shopwarden.db.models import SyncCursor, utcnow
from shopwarden.db.tables import table_of
from shopwarden.errors import NotFound
from shopwarden.platforms.shop._shops import replace_shops
from shopwarden.platforms.shop._upsert import upsert
from shopwarden.platforms.shop.client import ShopClient
from shopwarden.platforms.shop.models import AuthorizedShop, Product

CATALOG = "catalog"


@dataclass(frozen=True)
class CatalogProgress:
    shop_id: str
    products_done: int
    products_total: int | None


ProgressCallback = Callable[[CatalogProgress], None]


class ShopSyncReport(BaseModel):
    shop_id: str
    incremental: bool
    products: int
    skus: int
    detail_calls: int
    cursor: int
    removed: int = 0  # cached products a full sync found gone from the platform


class SyncReport(BaseModel):
    merchant_id: str
    shops: list[ShopSyncReport]
    products: int
    skus: int
    seconds: float


async def sync_catalog(
    engine: Engine,
    client: Any,
    merchant_id: str,
    *,
    shop_id: str | None = None,
    progress: ProgressCallback | None = None,
    batch_size: int = 500,
    detail_concurrency: int = 8,
    full: bool = False,
) -> SyncReport:
    """Sync the catalog of every authorized shop (or just `shop_id`) of the merchant; `full` re-reads
    everything and forgets products the platform no longer lists."""
    shop_client = as_shop_client(client)
    started = time.perf_counter()
    shops = await shop_client.authorized_shops()
    await asyncio.to_thread(_record_shops, engine, merchant_id, shops)
    if shop_id is not None:
        shops = [s for s in shops if s.id == shop_id]
        if not shops:
            raise NotFound(f"shop {shop_id} is not authorized for merchant {merchant_id}")
    reports = []
    for shop in shops:
        sync = _ShopSync(engine, shop_client, merchant_id, shop, progress, batch_size, detail_concurrency, full)
        reports.append(await sync.run())
    return SyncReport(merchant_id=merchant_id, shops=reports, products=sum(r.products for r in reports),
                      skus=sum(r.skus for r in reports), seconds=round(time.perf_counter() - started, 3))


def as_shop_client(client: Any) -> ShopClient:
    """The low-level client (a merchant-scoped facade hands over the one it wraps)."""
    inner = getattr(client, "client", client)
    if not isinstance(inner, ShopClient):
        raise TypeError(f"expected a ShopClient, got {type(client).__name__}")
    return inner


class _ShopSync:
    def __init__(self, engine: Engine, client: ShopClient, merchant_id: str, shop: AuthorizedShop,
                 progress: ProgressCallback | None, batch_size: int, detail_concurrency: int, full: bool) -> None:
        self.engine, self.client, self.merchant_id, self.shop = engine, client, merchant_id, shop
        self.progress, self.batch_size, self.full = progress, batch_size, full
        self.started = utcnow()
        self.details = asyncio.Semaphore(detail_concurrency)
        self.products = self.skus = self.detail_calls = 0

    async def run(self) -> ShopSyncReport:
        since = None if self.full else await asyncio.to_thread(self._cursor)
        newest = since or 0
        pending: list[Product] = []
        writing: asyncio.Future[None] | None = None
        try:
            async for page in self.client.search_all_products(self.shop.cipher, update_time_ge=since):
                products = await self._with_skus(page.products)
                pending.extend(products)
                newest = max([newest, *(p.update_time for p in products)])
                if len(pending) >= self.batch_size:
                    if writing is not None:
                        await writing
                    # The write runs in a thread while the next page is fetched.
                    writing = asyncio.ensure_future(asyncio.to_thread(self._write, pending))
                    pending = []
                self.products += len(products)
                if self.progress is not None:
                    self.progress(CatalogProgress(self.shop.id, self.products, page.total_count))
        finally:
            if writing is not None:
                await writing
        await asyncio.to_thread(self._write, pending)
        removed = 0 if since is not None else await asyncio.to_thread(self._forget_unseen)
        await asyncio.to_thread(self._advance, newest)
        return ShopSyncReport(shop_id=self.shop.id, incremental=since is not None, products=self.products,
                              skus=self.skus, detail_calls=self.detail_calls, cursor=newest, removed=removed)

    async def _with_skus(self, products: list[Product]) -> list[Product]:
        """Search answers sometimes leave SKUs out; those products are read in full, a few at a time."""
        async def detail(product: Product) -> Product:
            if product.skus is not None:
                return product
            async with self.details:
                self.detail_calls += 1
                return await self.client.get_product(self.shop.cipher, product.id)

        if all(p.skus is not None for p in products):
            return products
        return list(await asyncio.gather(*(detail(p) for p in products)))

    # --- database (worker threads) -------------------------------------------------------------

    def _cursor(self) -> int | None:
        with session_scope(self.engine) as session:
            cursor = session.exec(select(SyncCursor).where(
                SyncCursor.merchant_id == self.merchant_id, SyncCursor.shop_id == self.shop.id,
                SyncCursor.kind == CATALOG)).first()
            return cursor.last_update_time if cursor is not None and cursor.completed_at is not None else None

    def _write(self, products: list[Product]) -> None:
        if not products:
            return
        now = utcnow()
        product_rows = [{"merchant_id": self.merchant_id, "shop_id": self.shop.id, "product_id": p.id,
                         "title": p.title, "status": p.status, "update_time": p.update_time, "synced_at": now}
                        for p in products]
        sku_rows = [{"merchant_id": self.merchant_id, "shop_id": self.shop.id, "product_id": p.id, "sku_id": s.id,
                     "seller_sku": s.seller_sku, "currency": s.price.currency if s.price else "",
                     "sale_price": s.price.sale_price if s.price else None, "stock": s.stock(), "synced_at": now}
                    for p in products for s in p.skus or []]
        skus = table_of(SkuRow).c
        with self.engine.begin() as conn:
            upsert(conn, table_of(ProductRow), product_rows, ("merchant_id", "product_id"))
            upsert(conn, table_of(SkuRow), sku_rows, ("merchant_id", "sku_id"))
            # SKUs the platform no longer lists under these products.
            conn.execute(delete(table_of(SkuRow)).where(and_(
                skus.merchant_id == self.merchant_id,
                skus.product_id.in_([p.id for p in products]),
                not_(skus.sku_id.in_([r["sku_id"] for r in sku_rows])),
            )))
        self.skus += len(sku_rows)

    def _forget_unseen(self) -> int:
        """After a complete full sync: the shop's products (and their SKUs) this sync did not write."""
        products = table_of(ProductRow).c
        skus = table_of(SkuRow).c
        unseen = and_(products.merchant_id == self.merchant_id, products.shop_id == self.shop.id,
                      products.synced_at < self.started)
        with self.engine.begin() as conn:
            gone = [row.product_id for row in conn.execute(select(products.product_id).where(unseen))]
            if not gone:
                return 0
            conn.execute(delete(table_of(SkuRow)).where(
                skus.merchant_id == self.merchant_id, skus.product_id.in_(gone)))
            conn.execute(delete(table_of(ProductRow)).where(unseen))
        return len(gone)

    def _advance(self, newest: int) -> None:
        with session_scope(self.engine) as session:
            cursor = session.exec(select(SyncCursor).where(
                SyncCursor.merchant_id == self.merchant_id, SyncCursor.shop_id == self.shop.id,
                SyncCursor.kind == CATALOG)).first() or SyncCursor(
                merchant_id=self.merchant_id, shop_id=self.shop.id, kind=CATALOG)
            cursor.last_update_time = max(cursor.last_update_time, newest)
            cursor.completed_at = utcnow()
            session.add(cursor)


def _record_shops(engine: Engine, merchant_id: str, shops: list[AuthorizedShop]) -> None:
    with session_scope(engine) as session:
        replace_shops(session, merchant_id, shops)
