"""Read tools only MCP clients have: the resources (catalogue, stock, recent performance, pending
approvals) and `approval_status`. They are ordinary gate tools, so every read is validated, scoped to
the client's merchant and audited like the agents' reads; none of them can change anything.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import bindparam
from sqlalchemy.engine import Connection as DbConnection
from sqlmodel import col, select

from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, Connection, Product, Sku
from shopwarden.errors import ConfigError
from shopwarden.tools.base import Tool, ToolContext
from shopwarden.tools.inputs import ToolArgs

MAX_PENDING_SHOWN = 100


class CatalogueArgs(ToolArgs):
    limit: int = Field(default=100, ge=1, le=500)


class PerformanceArgs(ToolArgs):
    days: int = Field(default=7, ge=1, le=30)


class PendingArgs(ToolArgs):
    pass


class ApprovalStatusArgs(ToolArgs):
    approval_id: int = Field(ge=1, le=2**62)


def approval_view(approval: Approval) -> dict[str, Any]:
    """What the reviewer sees, and what the client may know, about one approval."""
    return approval.model_dump(mode="json", exclude={"idempotency_key", "run_id"})


async def _synced(ctx: ToolContext, key: str) -> None:
    """A fresh catalogue sync, by the registered sync_catalog tool (tools are the only way to an adapter)."""
    from shopwarden.tools import get_tool
    from shopwarden.tools.inputs import SyncCatalogArgs

    sync = get_tool("sync_catalog")
    if sync is None:
        raise ConfigError("SHOPWARDEN_TOOLS_DIR", "the sync_catalog tool is not registered")
    await sync.execute(ctx, SyncCatalogArgs(), key)


def _products(engine: Any, merchant_id: str, limit: int) -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        products = session.exec(select(Product).where(Product.merchant_id == merchant_id)
                                .order_by(col(Product.product_id)).limit(limit)).all()
        ids = [p.product_id for p in products]
        skus = session.exec(select(Sku).where(Sku.merchant_id == merchant_id, col(Sku.product_id).in_(ids))
                            .order_by(col(Sku.sku_id))).all() if ids else []
        by_product: dict[str, list[dict[str, Any]]] = {}
        for sku in skus:
            by_product.setdefault(sku.product_id, []).append({
                "sku_id": sku.sku_id, "seller_sku": sku.seller_sku, "currency": sku.currency,
                "sale_price": None if sku.sale_price is None else str(sku.sale_price), "stock": dict(sku.stock)})
        return [{"product_id": p.product_id, "shop_id": p.shop_id, "title": p.title, "status": p.status,
                 "skus": by_product.get(p.product_id, [])} for p in products]


async def _catalogue(ctx: ToolContext, args: CatalogueArgs, key: str) -> Any:
    await _synced(ctx, key)
    return {"products": await ctx.in_db(lambda: _products(ctx.engine, ctx.merchant_id, args.limit))}


async def _stock(ctx: ToolContext, args: CatalogueArgs, key: str) -> Any:
    await _synced(ctx, key)
    products = await ctx.in_db(lambda: _products(ctx.engine, ctx.merchant_id, args.limit))
    return {"skus": [{"product_id": p["product_id"], "sku_id": s["sku_id"], "seller_sku": s["seller_sku"],
                      "stock": s["stock"], "total": sum(s["stock"].values())}
                     for p in products for s in p["skus"]]}


def _advertisers(engine: Any, merchant_id: str) -> list[str]:
    with session_scope(engine) as session:
        rows = session.exec(select(Connection).where(Connection.merchant_id == merchant_id,
                                                     Connection.platform == "ads",
                                                     Connection.status == "active")).all()
        return sorted({str(a) for row in rows for a in (row.details or {}).get("advertiser_ids", [])})


async def _performance(ctx: ToolContext, args: PerformanceArgs, _key: str) -> Any:
    from shopwarden.tools.observe import plain  # shopwarden.tools.observe imports the tools package: not at import time

    advertisers = await ctx.in_db(lambda: _advertisers(ctx.engine, ctx.merchant_id))
    reports = {}
    for advertiser_id in advertisers:
        reports[advertiser_id] = plain(await ctx.ads().report(advertiser_id, level="campaign", days=args.days))
    return {"days": args.days, "campaigns_by_advertiser": reports}


def _pending_rows(engine: Any, merchant_id: str) -> list[dict[str, Any]]:
    approvals.expire_due(engine)
    rows = approvals.list_approvals(engine, merchant_id=merchant_id, status="pending")
    return [approval_view(a) for a in rows[:MAX_PENDING_SHOWN]]


async def _pending(ctx: ToolContext, _args: PendingArgs, _key: str) -> Any:
    return {"pending": await ctx.in_db(lambda: _pending_rows(ctx.engine, ctx.merchant_id))}


_APPROVAL_OWNER = select(col(Approval.merchant_id)).where(col(Approval.id) == bindparam("approval_id"))


def _approval_owner(connection: DbConnection, args: ApprovalStatusArgs) -> str | None:
    return connection.execute(_APPROVAL_OWNER, {"approval_id": args.approval_id}).scalar()


def _status_row(engine: Any, merchant_id: str, approval_id: int) -> dict[str, Any]:
    approvals.expire_due(engine)
    return approval_view(approvals.get_approval(engine, approval_id, merchant_id))


async def _approval_status(ctx: ToolContext, args: ApprovalStatusArgs, _key: str) -> Any:
    return await ctx.in_db(lambda: _status_row(ctx.engine, ctx.merchant_id, args.approval_id))


TOOLS = [
    Tool("catalogue", "shop", mutating=False, idempotent=True, risk="low", args_model=CatalogueArgs,
         execute=_catalogue),
    Tool("stock", "shop", mutating=False, idempotent=True, risk="low", args_model=CatalogueArgs, execute=_stock),
    Tool("recent_performance", "ads", mutating=False, idempotent=True, risk="low", args_model=PerformanceArgs,
         execute=_performance),
    Tool("pending_approvals", "approvals", mutating=False, idempotent=True, risk="low",
         args_model=PendingArgs, execute=_pending),
    Tool("approval_status", "approvals", mutating=False, idempotent=True, risk="low",
         args_model=ApprovalStatusArgs, execute=_approval_status, owner=_approval_owner),
]

DESCRIPTIONS = {
    "approval_status": ("The status of an approval this merchant's reviewers decide: pending, approved, "
                        "rejected, expired, executing, executed or failed, with what the reviewer sees, its "
                        "expiry and, once run, the result. It only reads: nothing an agent does can approve."),
}
# What each resource reads, through the gate (the resource is listed only when its tool is allowed).
RESOURCE_TOOLS = {"catalogue": "sync_catalog", "stock": "sync_catalog", "recent_performance": "get_performance_report"}
ALWAYS_ALLOWED = ("approval_status", "pending_approvals")
