"""One merchant's TikTok Shop, as the tools see it: calls by product id, the shop found for them.

`shop_client_for` is what the runtime calls; the low-level `ShopClient` (per shop cipher) is
available as `.client`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Product as ProductRow
from shopwarden.db.models import Shop, utcnow
from shopwarden.errors import NotFound
from shopwarden.platforms.shop._errors import NotFoundOnPlatform
from shopwarden.platforms.shop.client import ShopClient
from shopwarden.platforms.shop.inventory import set_sku_inventory
from shopwarden.platforms.shop.models import (
    AuthorizedShop,
    InventoryUpdateResult,
    Order,
    Product,
    SkuInventory,
    Warehouse,
)
from shopwarden.platforms.shop.tokens import ShopTokenProvider


class MerchantShop:
    """The merchant's shops behind one object; every call is signed by the wrapped `ShopClient`."""

    def __init__(self, engine: Engine, merchant_id: str, client: ShopClient,
                 tokens: ShopTokenProvider | None = None, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self.merchant_id = merchant_id
        self.client = client
        self.tokens = tokens

    def __repr__(self) -> str:
        return f"MerchantShop(merchant_id={self.merchant_id!r})"

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.tokens is not None:
            await self.tokens.aclose()

    async def authorized_shops(self) -> list[AuthorizedShop]:
        return await self.client.authorized_shops()

    async def warehouses(self, shop_id: str | None = None) -> list[Warehouse]:
        return await self.client.warehouses(await self._single_cipher(shop_id))

    async def get_product(self, product_id: str, *, shop_id: str | None = None) -> Product:
        _, product = await self._find_product(product_id, shop_id)
        return product

    async def update_inventory(self, product_id: str, skus: Sequence[SkuInventory | Mapping[str, Any]], *,
                               shop_id: str | None = None) -> InventoryUpdateResult:
        """Absolute per-SKU stock; a lost answer is checked by reading the product back."""
        cipher, before = await self._find_product(product_id, shop_id)
        return await set_sku_inventory(self.client, cipher, product_id, skus, before=before)

    async def search_orders(self, *, since: datetime, until: datetime | None = None, status: str | None = None,
                            shop_id: str | None = None) -> AsyncIterator[Order]:
        """Orders updated since `since`, across the merchant's shops (or one shop)."""
        until = until or self.clock()
        for cipher in await self._ciphers(shop_id):
            async for page in self.client.search_orders(cipher, update_time_ge=int(since.timestamp()),
                                                        update_time_lt=int(until.timestamp()), status=status):
                for order in page.orders:
                    yield order

    async def get_orders(self, ids: Sequence[str], *, shop_id: str | None = None) -> list[Order]:
        return await self.client.get_orders(await self._single_cipher(shop_id), ids)

    # --- which shop ----------------------------------------------------------------------------

    async def _find_product(self, product_id: str, shop_id: str | None) -> tuple[str, Product]:
        known = await asyncio.to_thread(self._cipher_of_cached_product, product_id) if shop_id is None else None
        candidates = [known] if known else await self._ciphers(shop_id)
        for cipher in candidates:
            try:
                return cipher, await self.client.get_product(cipher, product_id)
            except NotFoundOnPlatform:
                continue
        raise NotFound(f"product {product_id} is not in any TikTok Shop of merchant {self.merchant_id}")

    async def _single_cipher(self, shop_id: str | None) -> str:
        ciphers = await self._ciphers(shop_id)
        if len(ciphers) != 1:
            raise NotFound(f"merchant {self.merchant_id} has {len(ciphers)} shops: name the shop id")
        return ciphers[0]

    async def _ciphers(self, shop_id: str | None) -> list[str]:
        stored = await asyncio.to_thread(self._stored_shops)
        if not stored:
            stored = {s.id: s.cipher for s in await self.client.authorized_shops()}
        if shop_id is None:
            return list(stored.values())
        if shop_id not in stored:
            raise NotFound(f"shop {shop_id} is not authorized for merchant {self.merchant_id}")
        return [stored[shop_id]]

    def _stored_shops(self) -> dict[str, str]:
        with session_scope(self.engine) as session:
            return dict(session.exec(select(Shop.shop_id, Shop.cipher).where(Shop.merchant_id == self.merchant_id))
                        .all())

    def _cipher_of_cached_product(self, product_id: str) -> str | None:
        with session_scope(self.engine) as session:
            return session.exec(
                select(Shop.cipher).join(ProductRow, (col(ProductRow.shop_id) == Shop.shop_id)
                                         & (col(ProductRow.merchant_id) == Shop.merchant_id))
                .where(ProductRow.merchant_id == self.merchant_id, ProductRow.product_id == product_id)
            ).first()


def shop_client_for(engine: Engine, merchant_id: str, settings: Settings, *,
                    transport: httpx.AsyncBaseTransport | None = None,
                    clock: Callable[[], datetime] = utcnow) -> MerchantShop:
    """The merchant's Shop client, tokens from the stored connection (refreshed silently).

    `clock` is the time requests are stamped with and token expiry is judged by (a simulator's
    virtual clock in tests and evals; the platform refuses timestamps more than 5 minutes off).
    """
    tokens = ShopTokenProvider.from_settings(engine, merchant_id, settings, transport=transport, clock=clock)
    client = ShopClient(settings.require("shop_app_key"), settings.require("shop_app_secret"), tokens,
                        transport=transport, api_base=settings.shop_api_base, clock=clock)
    return MerchantShop(engine, merchant_id, client, tokens, clock=clock)
