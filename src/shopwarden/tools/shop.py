"""TikTok Shop tools: shops, catalogue, orders and per-SKU inventory."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import Session

from shopwarden.db.engine import session_scope
from shopwarden.errors import NotFound
from shopwarden.tools import inventory_ledger
from shopwarden.tools.base import AppliedChange, State, Tool, ToolContext
from shopwarden.tools.inputs import (
    GetProductArgs,
    ListShopsArgs,
    SearchOrdersArgs,
    SyncCatalogArgs,
    SyncOrdersArgs,
    UpdateSkuInventoryArgs,
)
from shopwarden.tools.observe import plain, product_owner, shop_owner

MAX_ORDERS_PER_CALL = 500


async def _list_shops(ctx: ToolContext, _args: ListShopsArgs, _key: str) -> Any:
    return plain(await ctx.shop().authorized_shops())


def _shop_owner(connection: Connection, args: SyncCatalogArgs | SyncOrdersArgs) -> str | None:
    return shop_owner(connection, args.shop_id) if args.shop_id else None


async def _sync_catalog(ctx: ToolContext, args: SyncCatalogArgs, _key: str) -> Any:
    from shopwarden.platforms.shop import sync_catalog

    return plain(await sync_catalog(ctx.engine, ctx.shop(), ctx.merchant_id, shop_id=args.shop_id, full=args.full))


async def _sync_orders(ctx: ToolContext, args: SyncOrdersArgs, _key: str) -> Any:
    from shopwarden.platforms.shop import sync_orders

    since = ctx.now() - timedelta(days=args.days)
    return plain(await sync_orders(ctx.engine, ctx.shop(), ctx.merchant_id, since=since, shop_id=args.shop_id))


def _product_owner(connection: Connection, args: GetProductArgs | UpdateSkuInventoryArgs) -> str | None:
    return product_owner(connection, args.product_id)


async def _get_product(ctx: ToolContext, args: GetProductArgs, _key: str) -> Any:
    return plain(await ctx.shop().get_product(args.product_id))


async def _search_orders(ctx: ToolContext, args: SearchOrdersArgs, _key: str) -> Any:
    since = ctx.now() - timedelta(hours=args.since_hours)
    orders: list[Any] = []
    async for order in ctx.shop().search_orders(since=since, status=args.status):
        orders.append(plain(order))
        if len(orders) >= MAX_ORDERS_PER_CALL:
            break
    return orders


def _stock_by_sku(product: dict[str, Any]) -> dict[tuple[str, str], int]:
    stock: dict[tuple[str, str], int] = {}
    for sku in product.get("skus", []):
        for line in sku.get("inventory", []):
            stock[(str(sku["id"]), str(line["warehouse_id"]))] = int(line["quantity"])
    return stock


async def _inventory_state(ctx: ToolContext, args: UpdateSkuInventoryArgs) -> State:
    day = inventory_ledger.inventory_day(ctx.now())

    def starts_of_day() -> dict[tuple[str, str], int | None]:
        with session_scope(ctx.engine) as session:
            return {(c.sku_id, c.warehouse_id): inventory_ledger.first_start_of_day(
                session, ctx.merchant_id, c.sku_id, c.warehouse_id, day) for c in args.skus}

    product, starts = await asyncio.gather(ctx.shop().get_product(args.product_id), ctx.in_db(starts_of_day))
    product = plain(product)
    known_skus = {str(sku["id"]) for sku in product.get("skus", [])}
    stock = _stock_by_sku(product)
    skus = []
    for change in args.skus:
        if change.sku_id not in known_skus:
            raise NotFound(f"SKU {change.sku_id} does not belong to product {args.product_id}")
        current = stock.get((change.sku_id, change.warehouse_id))
        if current is not None:  # unknown stock is left out: the policy then asks a reviewer
            start = starts.get((change.sku_id, change.warehouse_id))
            skus.append({"sku_id": change.sku_id, "warehouse_id": change.warehouse_id, "current_quantity": current,
                         "start_of_day_quantity": current if start is None else start})
    return {"day": day.isoformat(), "skus": skus}


def _record_inventory_change(session: Session, change: AppliedChange) -> None:
    """Enter each SKU's applied change in the inventory ledger (one transaction with the audit row)."""
    args: UpdateSkuInventoryArgs = change.args
    current = {(s["sku_id"], s["warehouse_id"]): int(s["current_quantity"]) for s in change.state.get("skus", [])}
    day = date.fromisoformat(change.state["day"])
    for sku in args.skus:
        before = current.get((sku.sku_id, sku.warehouse_id))
        if before is None:
            continue  # unknown stock was approved by a reviewer; there is no before to measure from
        inventory_ledger.record_change(session, merchant_id=change.merchant_id, product_id=args.product_id,
                                       sku_id=sku.sku_id, warehouse_id=sku.warehouse_id, day=day,
                                       quantity_before=before, quantity_after=sku.quantity,
                                       approval_id=change.approval_id, execution_id=change.execution_id)


def _inventory_request(args: UpdateSkuInventoryArgs) -> dict[str, Any]:
    by_sku: dict[str, list[dict[str, Any]]] = {}
    for change in args.skus:
        by_sku.setdefault(change.sku_id, []).append({"warehouse_id": change.warehouse_id, "quantity": change.quantity})
    return {"skus": [{"id": sku_id, "inventory": lines} for sku_id, lines in by_sku.items()]}


def with_every_warehouse(lines: list[dict[str, Any]], product: dict[str, Any]) -> list[dict[str, Any]]:
    """TikTok wants every warehouse of a SKU in an inventory update: the warehouses the change does
    not name go at their current quantities (read fresh just before sending)."""
    stock = _stock_by_sku(product)
    merged = []
    for line in lines:
        quantities = {w: q for (sku, w), q in stock.items() if sku == line["id"]}
        quantities.update({item["warehouse_id"]: item["quantity"] for item in line["inventory"]})
        merged.append({"id": line["id"], "inventory": [{"warehouse_id": w, "quantity": q}
                                                       for w, q in sorted(quantities.items())]})
    return merged


async def _update_inventory(ctx: ToolContext, args: UpdateSkuInventoryArgs, _key: str) -> Any:
    # Absolute-set write: repeating it with the same quantities is harmless, so no key is needed.
    current = plain(await ctx.shop().get_product(args.product_id))
    lines = with_every_warehouse(_inventory_request(args)["skus"], current)
    return plain(await ctx.shop().update_inventory(args.product_id, lines))


async def _inventory_applied(ctx: ToolContext, args: UpdateSkuInventoryArgs, _key: str) -> bool | None:
    stock = _stock_by_sku(plain(await ctx.shop().get_product(args.product_id)))
    return all(stock.get((c.sku_id, c.warehouse_id)) == c.quantity for c in args.skus)


TOOLS = [
    Tool("list_shops", "shop", mutating=False, idempotent=True, risk="low", args_model=ListShopsArgs,
         execute=_list_shops),
    Tool("sync_catalog", "shop", mutating=False, idempotent=True, risk="low", args_model=SyncCatalogArgs,
         execute=_sync_catalog, owner=_shop_owner),
    Tool("sync_orders", "shop", mutating=False, idempotent=True, risk="low", args_model=SyncOrdersArgs,
         execute=_sync_orders, owner=_shop_owner),
    Tool("get_product", "shop", mutating=False, idempotent=True, risk="low", args_model=GetProductArgs,
         execute=_get_product, owner=_product_owner),
    Tool("search_orders", "shop", mutating=False, idempotent=True, risk="low", args_model=SearchOrdersArgs,
         execute=_search_orders),
    Tool("update_sku_inventory", "shop", mutating=True, idempotent=True, risk="medium",
         args_model=UpdateSkuInventoryArgs, execute=_update_inventory, observe=_inventory_state,
         build_request=_inventory_request, verify=_inventory_applied, owner=_product_owner,
         record_effect=_record_inventory_change),
]
