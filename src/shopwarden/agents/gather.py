"""The gather step: every read a cycle needs, each one through the gate (so the audit log is complete)."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError
from sqlmodel import col, select

from shopwarden.agents import ledger
from shopwarden.agents.deps import CREATIVE, GROWTH, ORDER_WINDOW_DAYS, CycleDeps
from shopwarden.agents.facts import (
    CampaignFacts,
    ProductFacts,
    SkuFacts,
    StockCount,
    WorldView,
    items,
    merge_campaigns,
    parse_campaigns,
    parse_delivery,
    parse_gmv_max,
    parse_products,
    parse_sales,
    parse_trend_words,
    sales_days,
)
from shopwarden.agents.memory import load_memory
from shopwarden.agents.records import CallRecord, ProposedCall
from shopwarden.agents.strategies import margins
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, Connection, Merchant, Product, Sku
from shopwarden.domain.limits import effective_limits
from shopwarden.gate.calls import ToolCall

GATHER_TURN = -1


class _Reader:
    def __init__(self, deps: CycleDeps, merchant_id: str, run_id: str) -> None:
        self.deps, self.merchant_id, self.run_id = deps, merchant_id, run_id
        self.records: list[CallRecord] = []
        self.gaps: list[str] = []
        self.unavailable: list[str] = []

    async def read(self, agent_id: str, tool: str, what: str, **args: Any) -> Any:
        """The data of one read, or None (and a gap) when it failed."""
        proposed = ProposedCall(agent_id=agent_id, tool=tool, args=args, rationale=f"gather {what}")
        result = await self.deps.gate.call(ToolCall(tool=tool, args=args, agent_id=agent_id,
                                                    merchant_id=self.merchant_id, run_id=self.run_id,
                                                    rationale=proposed.rationale))
        # The record keeps no data: the facts keep what matters (a catalog can be 30,000 SKUs).
        self.records.append(CallRecord.from_result(proposed, result.model_copy(update={"data": None}), GATHER_TURN))
        if not result.ok:
            self.gaps.append(f"{what} ({'; '.join(result.reasons) or result.outcome.value})")
            return None
        if isinstance(result.data, dict) and result.data.get("available") is False:
            self.unavailable.append(f"{what} ({str(result.data.get('reason') or 'no reason given')[:300]})")
        return result.data


async def gather(deps: CycleDeps, merchant_id: str, run_id: str) -> tuple[WorldView, list[CallRecord]]:
    facts = await asyncio.to_thread(_merchant_facts, deps, merchant_id, run_id)
    reader = _Reader(deps, merchant_id, run_id)
    shops = await reader.read(GROWTH, "list_shops", "the shops")
    facts.shops = [str(s.get("id") or s.get("shop_id")) for s in items(shops, "shops") if isinstance(s, dict)]
    catalog = None
    if facts.shops or shops is not None:
        catalog = await reader.read(GROWTH, "sync_catalog", "the catalog")
        orders = await reader.read(GROWTH, "search_orders", "recent orders", since_hours=24 * ORDER_WINDOW_DAYS)
        facts.units_sold_by_product, facts.units_sold_by_sku = parse_sales(orders or [])
        facts.sales_days = sales_days(orders or [])
    facts.campaigns_complete = bool(facts.advertisers)
    for advertiser_id in facts.advertisers:
        campaigns = await reader.read(GROWTH, "list_campaigns", f"campaigns of {advertiser_id}",
                                      advertiser_id=advertiser_id)
        adgroups = await reader.read(GROWTH, "list_adgroups", f"ad groups of {advertiser_id}",
                                     advertiser_id=advertiser_id)
        report = await reader.read(GROWTH, "get_performance_report", f"performance of {advertiser_id}",
                                   advertiser_id=advertiser_id, level="campaign", days=ORDER_WINDOW_DAYS)
        # Spend is bound by the ad group's budget as often as by the campaign's: judge both levels.
        group_report = await reader.read(GROWTH, "get_performance_report", f"ad group performance of {advertiser_id}",
                                         advertiser_id=advertiser_id, level="adgroup", days=ORDER_WINDOW_DAYS)
        manual = parse_campaigns(advertiser_id, campaigns, adgroups, report, group_report)
        gmv_max, gmv_max_read = await _gmv_max_campaigns(reader, advertiser_id)
        facts.campaigns.extend(merge_campaigns(manual, gmv_max))
        _, first_day, today = parse_delivery(report)
        facts.report_first_day, facts.report_today = first_day or facts.report_first_day, today or facts.report_today
        facts.campaigns_complete = (facts.campaigns_complete and campaigns is not None and adgroups is not None
                                    and gmv_max_read)
    if facts.report_today is not None:
        await asyncio.to_thread(ledger.attach_start_of_day, deps.engine, facts)
    if catalog is not None:
        facts.products = await _relevant_products(deps, merchant_id, catalog, facts)
    hashtags = await reader.read(CREATIVE, "read_trends", "trending hashtags", kind="hashtags")
    keywords = await reader.read(CREATIVE, "read_trends", "trending keywords", kind="keywords")
    facts.hashtags = parse_trend_words(hashtags, "hashtag_name")
    facts.keywords = parse_trend_words(keywords, "keyword")
    facts.gaps = [*facts.gaps, *reader.gaps]
    facts.unavailable = reader.unavailable
    return facts, reader.records


async def _gmv_max_campaigns(reader: _Reader, advertiser_id: str) -> tuple[list[CampaignFacts], bool]:
    """The ad account's GMV Max campaigns with a report per shop they promote; False when the list failed."""
    gaps_before = len(reader.gaps)
    listed = await reader.read(GROWTH, "list_gmv_max_campaigns", f"GMV Max campaigns of {advertiser_id}",
                               advertiser_id=advertiser_id)
    complete = len(reader.gaps) == gaps_before  # an empty answer is an answer; a failed read is a gap
    live = [c for c in items(listed, "list", "campaigns")
            if isinstance(c, dict) and c.get("operation_status") != "DELETE"]
    stores = sorted({str(c["store_id"]) for c in live if c.get("store_id")})
    reports = [await reader.read(GROWTH, "get_gmv_max_report", f"GMV Max performance of shop {store_id}",
                                 advertiser_id=advertiser_id, store_id=store_id, days=ORDER_WINDOW_DAYS)
               for store_id in stores]
    return parse_gmv_max(advertiser_id, live, reports), complete


def _merchant_facts(deps: CycleDeps, merchant_id: str, run_id: str | None = None) -> WorldView:
    """What our own tables know: autonomy, limits, warehouse counts, advertisers, open approvals."""
    with session_scope(deps.engine) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            return WorldView(merchant_id=merchant_id, gaps=[f"merchant {merchant_id} (it does not exist)"])
        connection = session.exec(select(Connection).where(Connection.merchant_id == merchant_id,
                                                           Connection.platform == "ads")).first()
        gaps = []
        if connection is not None and connection.status != "active":
            gaps.append(f"TikTok Ads (the connection is {connection.status}: {connection.status_reason or 'no reason'}"
                        f"; reconnect: `shopwarden disconnect ads --merchant {merchant_id}`, then "
                        f"`shopwarden connect ads --merchant {merchant_id}`)")
        active = connection is not None and connection.status == "active"
        advertisers = ([str(a) for a in (connection.details or {}).get("advertiser_ids", [])]
                       if active and connection is not None else [])
        pending = session.exec(select(Approval.tool, Approval.args).where(Approval.merchant_id == merchant_id,
                                                                        Approval.status == "pending")).all()
        counts, bad = _stock_counts((merchant.settings or {}).get("stock_counts", []))
        gaps.extend(bad)
        margin, costs, bad = margins.from_settings(merchant.settings or {})
        gaps.extend(bad)
        memory = load_memory(session, merchant_id, run_id)
        return WorldView(
            merchant_id=merchant_id, autonomy=merchant.autonomy,
            limits=effective_limits(deps.default_limits, merchant=merchant.limits), advertisers=advertisers,
            stock_counts=counts, listing_copy_drafts=merchant.wants_listing_copy_drafts,
            pending_actions=[{"tool": tool, "args": args} for tool, args in pending],
            default_margin=margin, product_costs=costs, memory=memory.model_dump(mode="json"), gaps=gaps,
        )


def _stock_counts(raw: Any) -> tuple[list[StockCount], list[str]]:
    counts, bad = [], []
    for index, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            counts.append(StockCount.model_validate(item))
        except ValidationError as exc:
            bad.append(f"stock count {index} in the merchant settings ({exc.errors()[0]['msg']})")
    return counts, bad


async def _relevant_products(deps: CycleDeps, merchant_id: str, catalog: Any,
                             facts: WorldView) -> dict[str, ProductFacts]:
    """Only the products a decision can touch: sold lately, advertised, or counted in the warehouse.

    A large catalog (tens of thousands of SKUs) would otherwise ride along in every checkpoint.
    """
    wanted = (set(facts.units_sold_by_product) | facts.advertised_products()
              | {count.product_id for count in facts.stock_counts})
    products = parse_products(catalog)
    if products:
        return {pid: p for pid, p in products.items() if pid in wanted}
    return await asyncio.to_thread(_cached_catalog, deps, merchant_id, sorted(wanted))


def _cached_catalog(deps: CycleDeps, merchant_id: str, product_ids: list[str]) -> dict[str, ProductFacts]:
    """Products sync_catalog just wrote to our cache (its answer is only a count)."""
    products: list[Product] = []
    skus: list[Sku] = []
    with session_scope(deps.engine) as session:
        for start in range(0, len(product_ids), 500):
            chunk = product_ids[start:start + 500]
            products.extend(session.exec(select(Product).where(Product.merchant_id == merchant_id,
                                                               col(Product.product_id).in_(chunk))).all())
            skus.extend(session.exec(select(Sku).where(Sku.merchant_id == merchant_id,
                                                       col(Sku.product_id).in_(chunk))).all())
        by_product: dict[str, list[SkuFacts]] = {}
        for sku in skus:
            by_product.setdefault(sku.product_id, []).append(
                SkuFacts(sku_id=sku.sku_id, seller_sku=sku.seller_sku, price=sku.sale_price,
                         stock={k: int(v) for k, v in sku.stock.items()}))
        return {p.product_id: ProductFacts(product_id=p.product_id, title=p.title,
                                           skus=by_product.get(p.product_id, [])) for p in products}
