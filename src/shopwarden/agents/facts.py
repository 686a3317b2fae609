"""The merchant's world as the agents see it, built from what the gather step read through the gate.

Adapters return their own models; the parsers here read only the fields they need and ignore
the rest, so a missing read leaves a gap (listed in `gaps`) instead of failing the cycle.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, Field


class SkuFacts(BaseModel):
    sku_id: str
    seller_sku: str = ""
    price: Decimal | None = None
    stock: dict[str, int] = Field(default_factory=dict)  # warehouse id -> quantity

    @property
    def total_stock(self) -> int:
        return sum(self.stock.values())


class ProductFacts(BaseModel):
    product_id: str
    title: str = ""
    skus: list[SkuFacts] = Field(default_factory=list)


class Delivery(BaseModel):
    """What an ad object spent and brought in over the report window."""

    spend: Decimal = Decimal(0)
    revenue: Decimal = Decimal(0)
    conversions: int = 0
    days_with_spend: int = 0
    first_spend_day: str | None = None  # YYYY-MM-DD in the advertiser's time zone
    last_day_spend: Decimal = Decimal(0)  # the newest day of the window
    last_day_revenue: Decimal = Decimal(0)

    @property
    def roas(self) -> Decimal | None:
        return (self.revenue / self.spend).quantize(Decimal("0.01")) if self.spend > 0 else None


class AdGroupFacts(Delivery):
    adgroup_id: str
    name: str = ""
    budget: Decimal | None = None
    budget_mode: str | None = None
    status: str = ""
    product_ids: list[str] = Field(default_factory=list)
    start_of_day_budget: Decimal | None = None  # from our budget ledger when it was changed today


class CampaignFacts(Delivery):
    advertiser_id: str
    campaign_id: str
    name: str = ""
    budget: Decimal | None = None
    budget_mode: str | None = None
    status: str = ""
    product_ids: list[str] = Field(default_factory=list)
    adgroups: list[AdGroupFacts] = Field(default_factory=list)
    start_of_day_budget: Decimal | None = None
    # GMV Max (TikTok Shop's Sales campaigns): the daily budget binds spend, the ROI target paces it.
    kind: Literal["manual", "gmv_max"] = "manual"
    store_id: str | None = None
    roas_bid: Decimal | None = None  # the ROI target (gross revenue / cost TikTok aims for)
    start_of_day_roas_bid: Decimal | None = None  # from the ledger when the target was changed today
    roi_changes_today: int = 0
    last_closed_day_spend: Decimal | None = None  # cost on the newest full day (the day before today)

    @property
    def object_type(self) -> str:
        """What the ads tools call this campaign (`object_type` of budget, pause and enable)."""
        return "gmv_max_campaign" if self.kind == "gmv_max" else "campaign"


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
    sales_days: int = 0  # days in the window that had any order (a young shop or simulator has fewer)
    units_sold_by_product: dict[str, int] = Field(default_factory=dict)
    units_sold_by_sku: dict[str, int] = Field(default_factory=dict)
    campaigns: list[CampaignFacts] = Field(default_factory=list)
    campaigns_complete: bool = False  # every advertiser's campaigns and ad groups were read
    hashtags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    stock_counts: list[StockCount] = Field(default_factory=list)
    listing_copy_drafts: bool = False  # the merchant opted in to listing copy drafts
    pending_actions: list[dict[str, Any]] = Field(default_factory=list)  # {tool, args} waiting for a reviewer
    default_margin: Decimal | None = None  # merchant settings `default_margin` (0-1), when set
    product_costs: dict[str, Decimal] = Field(default_factory=dict)  # settings `product_costs`: SKU or product id
    report_first_day: str | None = None  # the oldest day of the performance window
    report_today: str | None = None  # the advertiser's today (the newest day of the window)
    account_increase_today: dict[str, Decimal] = Field(default_factory=dict)  # advertiser -> ledger sum today
    memory: dict[str, Any] = Field(default_factory=dict)  # what earlier cycles tried (agents/memory.py)
    gaps: list[str] = Field(default_factory=list)
    # Sources that answered but have nothing for us ("no permission", a country not covered): a read
    # that worked, not a gap; "what (why)".
    unavailable: list[str] = Field(default_factory=list)

    def advertised_products(self) -> set[str]:
        return {pid for c in self.campaigns for pid in c.product_ids}

    def days_of_sales(self) -> int:
        """The days the sales counts cover: the window, or fewer when the orders start later."""
        return max(1, min(self.order_window_days, self.sales_days or self.order_window_days))

    def units_per_day(self, product_id: str) -> Decimal:
        return Decimal(self.units_sold_by_product.get(product_id, 0)) / self.days_of_sales()

    def stock_of(self, product_id: str) -> int:
        product = self.products.get(product_id)
        return sum(s.total_stock for s in product.skus) if product else 0

    def days_of_cover(self, product_id: str) -> Decimal | None:
        """Stock left in days at the recent rate of sale; None when it has not sold lately."""
        rate = self.units_per_day(product_id)
        return (Decimal(self.stock_of(product_id)) / rate).quantize(Decimal("0.1")) if rate > 0 else None


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


def _price(sku: dict[str, Any]) -> Decimal | None:
    raw = sku.get("price")
    if isinstance(raw, dict):
        raw = raw.get("sale_price")
    raw = raw if raw is not None else sku.get("sale_price")
    price = _decimal(raw)
    return price if price > 0 else None


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
                                 seller_sku=str(sku.get("seller_sku", "")), price=_price(sku),
                                 stock={str(k): int(v) for k, v in stock.items()}))
        product_id = str(raw.get("id") or raw.get("product_id"))
        products[product_id] = ProductFacts(product_id=product_id, title=str(raw.get("title", "")), skus=skus)
    return products


def sales_days(orders: Any) -> int:
    """How many days the orders span, first to last (rounded up; 0 without orders)."""
    times = [order["create_time"] for order in items(orders, "orders")
             if isinstance(order, dict) and isinstance(order.get("create_time"), int) and order["create_time"] > 0]
    return -(-(max(times) - min(times)) // 86400) or 1 if times else 0


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


def parse_delivery(report: Any) -> tuple[dict[str, Delivery], str | None, str | None]:
    """Per-object delivery over the window, and the window's first and last day."""
    rows = [r for r in items(report, "rows", "list") if isinstance(r, dict) and r.get("object_id")]
    days = sorted({str(r.get("stat_date", "")) for r in rows if r.get("stat_date")})
    first = str(report.get("start_date")) if isinstance(report, dict) and report.get("start_date") else None
    today = str(report.get("end_date")) if isinstance(report, dict) and report.get("end_date") else None
    first, today = first or (days[0] if days else None), today or (days[-1] if days else None)
    out: dict[str, Delivery] = {}
    for row in rows:
        facts = out.setdefault(str(row["object_id"]), Delivery())
        spend, value, day = _decimal(row.get("spend")), _decimal(row.get("conversion_value")), row.get("stat_date")
        facts.spend += spend
        facts.revenue += value
        facts.conversions += int(row.get("conversions") or 0)
        if spend > 0:
            facts.days_with_spend += 1
            if day and (facts.first_spend_day is None or str(day) < facts.first_spend_day):
                facts.first_spend_day = str(day)
        if day and str(day) == today:
            facts.last_day_spend += spend
            facts.last_day_revenue += value
    return out, first, today


def parse_campaigns(advertiser_id: str, campaigns: Any, adgroups: Any, report: Any,
                    adgroup_report: Any = None) -> list[CampaignFacts]:
    by_campaign, _, _ = parse_delivery(report)
    by_group, _, _ = parse_delivery(adgroup_report)
    groups: dict[str, list[AdGroupFacts]] = {}
    for group in items(adgroups, "adgroups", "list"):
        if isinstance(group, dict) and group.get("campaign_id") and group.get("adgroup_id"):
            group_id = str(group["adgroup_id"])
            groups.setdefault(str(group["campaign_id"]), []).append(AdGroupFacts(
                **by_group.get(group_id, Delivery()).model_dump(), adgroup_id=group_id,
                name=str(group.get("adgroup_name", "")), status=str(group.get("operation_status") or ""),
                budget=_decimal(group["budget"]) if group.get("budget") is not None else None,
                budget_mode=group.get("budget_mode"),
                product_ids=[str(p) for p in group.get("product_ids") or []]))
    facts = []
    for raw in items(campaigns, "campaigns", "list"):
        if not isinstance(raw, dict) or not raw.get("campaign_id"):
            continue
        campaign_id = str(raw["campaign_id"])
        mine = groups.get(campaign_id, [])
        facts.append(CampaignFacts(
            **by_campaign.get(campaign_id, Delivery()).model_dump(),
            advertiser_id=advertiser_id, campaign_id=campaign_id, name=str(raw.get("campaign_name", "")),
            budget=_decimal(raw["budget"]) if raw.get("budget") is not None else None,
            budget_mode=raw.get("budget_mode"), status=str(raw.get("operation_status") or ""),
            product_ids=sorted({p for g in mine for p in g.product_ids}
                               | {str(p) for p in raw.get("product_ids") or []}),
            adgroups=mine,
        ))
    return facts


def parse_gmv_max(advertiser_id: str, campaigns: Any, reports: list[Any]) -> list[CampaignFacts]:
    """GMV Max campaigns with their delivery from `get_gmv_max_report` (daily rows per campaign)."""
    rows: list[dict[str, Any]] = []
    for report in reports:
        if not isinstance(report, dict):
            continue
        end = str(report.get("end_date") or "")
        rows.extend({"object_id": r.get("campaign_id"), "stat_date": r.get("stat_date"), "spend": r.get("cost"),
                     "conversion_value": r.get("gross_revenue"), "conversions": r.get("orders"), "end": end}
                    for r in items(report, "days") if isinstance(r, dict))
    ends = {str(r["object_id"]): r["end"] for r in rows if r.get("object_id")}
    by_campaign, _, _ = parse_delivery({"rows": rows, "end_date": max(ends.values(), default=None)})
    facts = []
    for raw in items(campaigns, "list", "campaigns"):
        if not isinstance(raw, dict) or not raw.get("campaign_id"):
            continue
        campaign_id = str(raw["campaign_id"])
        delivery = by_campaign.get(campaign_id, Delivery())
        facts.append(CampaignFacts(
            **delivery.model_dump(), advertiser_id=advertiser_id, campaign_id=campaign_id,
            name=str(raw.get("campaign_name", "")), kind="gmv_max",
            budget=_decimal(raw["budget"]) if raw.get("budget") is not None else None,
            budget_mode="BUDGET_MODE_DAY",  # a GMV Max budget is a daily budget
            status=str(raw.get("operation_status") or ""), store_id=str(raw.get("store_id") or "") or None,
            roas_bid=_decimal(raw["roas_bid"]) if raw.get("roas_bid") is not None else None,
            product_ids=sorted({str(p) for p in raw.get("item_group_ids") or []}),
            last_closed_day_spend=_closed_day_spend(rows, campaign_id, ends.get(campaign_id)),
        ))
    return facts


def _closed_day_spend(rows: list[dict[str, Any]], campaign_id: str, end: str | None) -> Decimal | None:
    """Cost on the day before the report's last day (today is not over, so it says nothing yet)."""
    try:
        closed = (date.fromisoformat(end) - timedelta(days=1)).isoformat() if end else None
    except ValueError:
        return None
    if closed is None:
        return None
    return sum((_decimal(r.get("spend")) for r in rows
                if str(r.get("object_id")) == campaign_id and str(r.get("stat_date", ""))[:10] == closed), Decimal(0))


def merge_campaigns(manual: list[CampaignFacts], gmv_max: list[CampaignFacts]) -> list[CampaignFacts]:
    """Both lists; a GMV Max campaign the general list also returned is kept once, as GMV Max."""
    ids = {c.campaign_id for c in gmv_max}
    return [*(c for c in manual if c.campaign_id not in ids), *gmv_max]


def parse_trend_words(data: Any, field: str) -> list[str]:
    """Trend words as quoted, untrusted strings (the reader's `UntrustedText` renders itself quoted)."""
    return [str(item[field]) for item in items(data, "items", "list") if isinstance(item, dict) and item.get(field)]
