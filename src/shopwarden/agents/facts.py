"""The merchant's world as the agents see it, built from what the gather step read through the gate.

Adapters return their own models; the parsers here read only the fields they need and ignore
the rest, so a missing read leaves a gap (listed in `gaps`) instead of failing the cycle.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, Field


class SkuFacts(BaseModel):
    sku_id: str
    seller_sku: str = ""
    stock: dict[str, int] = Field(default_factory=dict)  # warehouse id -> quantity

    @property
    def total_stock(self) -> int:
        return sum(self.stock.values())


class ProductFacts(BaseModel):
    product_id: str
    title: str = ""
    skus: list[SkuFacts] = Field(default_factory=list)


class CampaignFacts(BaseModel):
    advertiser_id: str
    campaign_id: str
    name: str = ""
    budget: Decimal | None = None
    budget_mode: str | None = None
    status: str = ""
    spend: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    conversions: int = 0
    product_ids: list[str] = Field(default_factory=list)

    @property
    def roas(self) -> Decimal | None:
        return (self.revenue / self.spend).quantize(Decimal("0.01")) if self.spend > 0 else None


class StockCount(BaseModel):
    """A count the merchant reported from the warehouse (merchant settings `stock_counts`)."""

    product_id: str
    sku_id: str
    warehouse_id: str
    quantity: int = Field(ge=0)


class WorldView(BaseModel):
    merchant_id: str
    autonomy: str = "suggest"
    limits: dict[str, Any] = Field(default_factory=dict)
    shops: list[str] = Field(default_factory=list)
    advertisers: list[str] = Field(default_factory=list)
    products: dict[str, ProductFacts] = Field(default_factory=dict)
    order_window_days: int = 7
    units_sold_by_product: dict[str, int] = Field(default_factory=dict)
    units_sold_by_sku: dict[str, int] = Field(default_factory=dict)
    campaigns: list[CampaignFacts] = Field(default_factory=list)
    campaigns_complete: bool = False  # every advertiser's campaigns and ad groups were read
    hashtags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    stock_counts: list[StockCount] = Field(default_factory=list)
    listing_copy_drafts: bool = False  # the merchant opted in to listing copy drafts
    pending_actions: list[dict[str, Any]] = Field(default_factory=list)  # {tool, args} waiting for a reviewer
    gaps: list[str] = Field(default_factory=list)

    def advertised_products(self) -> set[str]:
        return {pid for c in self.campaigns for pid in c.product_ids}


# --- parsers (tolerant of the adapter's exact model) ------------------------------------------------

def items(data: Any, *keys: str) -> list[Any]:
    """The list inside an answer: the answer itself, or the first of `keys` that holds a list."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return data[key]
    return []


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def parse_products(data: Any) -> dict[str, ProductFacts]:
    products: dict[str, ProductFacts] = {}
    for raw in items(data, "products"):
        if not isinstance(raw, dict) or ("id" not in raw and "product_id" not in raw):
            continue
        skus = []
        for sku in raw.get("skus", []):
            stock = sku.get("stock")
            if not isinstance(stock, dict):
                stock = {str(line["warehouse_id"]): int(line["quantity"]) for line in sku.get("inventory", [])}
            skus.append(SkuFacts(sku_id=str(sku.get("id") or sku.get("sku_id")),
                                 seller_sku=str(sku.get("seller_sku", "")),
                                 stock={str(k): int(v) for k, v in stock.items()}))
        product_id = str(raw.get("id") or raw.get("product_id"))
        products[product_id] = ProductFacts(product_id=product_id, title=str(raw.get("title", "")), skus=skus)
    return products


def parse_sales(orders: Any) -> tuple[dict[str, int], dict[str, int]]:
    """Units sold per product and per SKU (TikTok lists one line item per unit)."""
    by_product: Counter[str] = Counter()
    by_sku: Counter[str] = Counter()
    for order in items(orders, "orders"):
        if not isinstance(order, dict) or str(order.get("status", "")).upper() in {"CANCELLED", "CANCELED"}:
            continue
        for line in order.get("line_items") or order.get("lines") or []:
            quantity = int(line.get("quantity", 1))
            if line.get("product_id"):
                by_product[str(line["product_id"])] += quantity
            if line.get("sku_id"):
                by_sku[str(line["sku_id"])] += quantity
    return dict(by_product), dict(by_sku)


def parse_campaigns(advertiser_id: str, campaigns: Any, adgroups: Any, report: Any) -> list[CampaignFacts]:
    products: dict[str, set[str]] = {}
    for group in items(adgroups, "adgroups", "list"):
        if isinstance(group, dict) and group.get("campaign_id"):
            products.setdefault(str(group["campaign_id"]), set()).update(str(p) for p in group.get("product_ids") or [])
    spend: Counter[str] = Counter()
    revenue: dict[str, Decimal] = {}
    conversions: Counter[str] = Counter()
    for row in items(report, "rows", "list"):
        if not isinstance(row, dict) or not row.get("object_id"):
            continue
        object_id = str(row["object_id"])
        spend[object_id] += _decimal(row.get("spend"))  # type: ignore[assignment]
        revenue[object_id] = revenue.get(object_id, Decimal(0)) + _decimal(row.get("conversion_value"))
        conversions[object_id] += int(row.get("conversions") or 0)
    facts = []
    for raw in items(campaigns, "campaigns", "list"):
        if not isinstance(raw, dict) or not raw.get("campaign_id"):
            continue
        campaign_id = str(raw["campaign_id"])
        facts.append(CampaignFacts(
            advertiser_id=advertiser_id, campaign_id=campaign_id, name=str(raw.get("campaign_name", "")),
            budget=_decimal(raw["budget"]) if raw.get("budget") is not None else None,
            budget_mode=raw.get("budget_mode"), status=str(raw.get("operation_status") or ""),
            spend=Decimal(spend.get(campaign_id, 0)), revenue=revenue.get(campaign_id, Decimal(0)),
            conversions=conversions.get(campaign_id, 0), product_ids=sorted(products.get(campaign_id, set())),
        ))
    return facts


def parse_trend_words(data: Any, field: str) -> list[str]:
    """Trend words as quoted, untrusted strings (the reader's `UntrustedText` renders itself quoted)."""
    return [str(item[field]) for item in items(data, "items", "list") if isinstance(item, dict) and item.get(field)]
