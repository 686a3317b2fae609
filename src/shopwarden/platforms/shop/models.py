"""Typed TikTok Shop responses: tolerant of extra fields, strict about the ones we use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shopwarden.errors import InvalidRequest


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Envelope(_Wire):
    code: int
    message: str = ""
    request_id: str | None = None
    data: Any = None


class AuthorizedShop(_Wire):
    id: str
    name: str = ""
    region: str = ""
    cipher: str
    code: str = ""
    seller_type: str = ""


class ShopList(_Wire):
    shops: list[AuthorizedShop] = Field(default_factory=list)


class Warehouse(_Wire):
    id: str
    name: str = ""
    effect_status: str = ""
    is_default: bool = False
    type: str = ""
    sub_type: str = ""


class WarehouseList(_Wire):
    warehouses: list[Warehouse] = Field(default_factory=list)


class Price(_Wire):
    currency: str = ""
    sale_price: Decimal | None = None


class InventoryLine(_Wire):
    warehouse_id: str
    quantity: int


class ProductSku(_Wire):
    id: str
    seller_sku: str = ""
    price: Price | None = None
    inventory: list[InventoryLine] = Field(default_factory=list)

    def stock(self) -> dict[str, int]:
        return {line.warehouse_id: line.quantity for line in self.inventory}


class Product(_Wire):
    id: str
    title: str = ""
    status: str = ""
    skus: list[ProductSku] | None = None  # some search responses omit SKUs: then we fetch the detail
    create_time: int = 0
    update_time: int = 0

    def quantity(self, sku_id: str, warehouse_id: str) -> int | None:
        for sku in self.skus or []:
            if sku.id == sku_id:
                return sku.stock().get(warehouse_id)
        return None


class ProductPage(_Wire):
    products: list[Product] = Field(default_factory=list)
    next_page_token: str = ""
    total_count: int | None = None


class InventoryErrorDetail(_Wire):
    sku_id: str = ""
    extra_errors: list[dict[str, Any]] = Field(default_factory=list)


class InventoryError(_Wire):
    code: int | None = None
    message: str = ""
    detail: InventoryErrorDetail = Field(default_factory=InventoryErrorDetail)


class InventoryUpdateResult(_Wire):
    errors: list[InventoryError] = Field(default_factory=list)


class StockLine(BaseModel):
    """Outgoing absolute stock of one SKU in one warehouse."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    warehouse_id: str = Field(min_length=1)
    quantity: int = Field(ge=0)


class SkuInventory(BaseModel):
    """One SKU's absolute stock per warehouse, as sent to the inventory update."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    inventory: list[StockLine] = Field(min_length=1)


def sku_inventory_lines(skus: Sequence[SkuInventory | Mapping[str, Any]]) -> list[SkuInventory]:
    """Validated outgoing lines; bad input is refused before any request is built."""
    lines: list[SkuInventory] = []
    for index, sku in enumerate(skus):
        try:
            lines.append(sku if isinstance(sku, SkuInventory) else SkuInventory.model_validate(sku))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in (index, *first.get("loc", ())))
            raise InvalidRequest(f"inventory update refused before sending: skus.{where}: {first.get('msg')}",
                                 platform="tiktok_shop") from None
    return lines


class Payment(_Wire):
    currency: str = ""
    total_amount: Decimal | None = None


class OrderLineItem(_Wire):
    id: str = ""
    product_id: str = ""
    product_name: str = ""
    sku_id: str
    seller_sku: str = ""
    sale_price: Decimal | None = None
    currency: str = ""


class Order(_Wire):
    id: str
    status: str = ""
    create_time: int = 0
    update_time: int = 0
    payment: Payment = Field(default_factory=Payment)
    line_items: list[OrderLineItem] = Field(default_factory=list)


class OrderPage(_Wire):
    orders: list[Order] = Field(default_factory=list)
    next_page_token: str = ""
    total_count: int | None = None


class OrderList(_Wire):
    orders: list[Order] = Field(default_factory=list)


class TokenGrant(_Wire):
    """The token host's answer; both expiry fields are absolute unix timestamps."""

    access_token: str = Field(repr=False)
    access_token_expire_in: int
    refresh_token: str = Field(repr=False)
    refresh_token_expire_in: int
    open_id: str = ""
    seller_name: str = ""
    seller_base_region: str = ""
    granted_scopes: list[str] = Field(default_factory=list)
