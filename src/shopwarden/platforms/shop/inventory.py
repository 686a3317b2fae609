"""Per-SKU absolute stock updates that survive a lost answer without writing twice blindly."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from shopwarden.errors import PlatformUnavailable
from shopwarden.platforms.shop.client import OutcomeUnknown, ShopClient
from shopwarden.platforms.shop.models import InventoryUpdateResult, Product, SkuInventory, sku_inventory_lines

log = logging.getLogger(__name__)


async def set_sku_inventory(
    client: ShopClient, shop_cipher: str, product_id: str, skus: Sequence[SkuInventory | Mapping[str, Any]],
    *, before: Product | None = None,
) -> InventoryUpdateResult:
    """Set absolute stock. If the answer is lost, read the product back: re-send only when the
    platform still shows the quantities from before the update (so someone else's change is never overwritten)."""
    lines = sku_inventory_lines(skus)
    before = before or await client.get_product(shop_cipher, product_id)
    try:
        return await client.update_inventory(shop_cipher, product_id, lines)
    except OutcomeUnknown as lost:
        after = await client.get_product(shop_cipher, product_id)
        if _shows(after, lines, wanted=True):
            log.info("inventory update of product %s applied although its answer was lost", product_id)
            return InventoryUpdateResult()
        if _shows(after, lines, wanted=False, old=before):
            log.info("inventory update of product %s was not applied; sending it once more", product_id)
            return await client.update_inventory(shop_cipher, product_id, lines)
        raise PlatformUnavailable(
            "the inventory update's answer was lost and the stock now differs from both the old and the new "
            "quantities (changed elsewhere meanwhile): not re-sent; read the product and decide again",
            platform=lost.platform, endpoint=lost.endpoint, request_id=lost.request_id) from None


def _shows(product: Product, lines: Sequence[SkuInventory], *, wanted: bool, old: Product | None = None) -> bool:
    for line in lines:
        for item in line.inventory:
            now = product.quantity(line.id, item.warehouse_id)
            expected = item.quantity if wanted else (old.quantity(line.id, item.warehouse_id) if old else None)
            if now != expected:
                return False
    return True
