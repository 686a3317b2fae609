"""Tenancy before the platform: every resource a call names must be this merchant's in our own tables.

The gate asks this after validation and before any platform request, for reads and writes
alike (and again before an approved action executes). A call naming something our tables do
not attribute to the merchant is denied with an audit row and never reaches TikTok, so a
confused or hostile call cannot make the platform answer with a permission error about
another account (which must never be read as the merchant's own token failing).

    advertiser_id          listed by this merchant's Ads connection
    shop_id                a row of this merchant in `shops`
    product_id             a row of this merchant in `products` (synced catalogue)
    campaign / ad group    addressed under one of the merchant's advertisers (TikTok scopes object
                           ids by advertiser), and not attributed to another merchant by our
                           ledger or performance cache
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.engine import Connection as DbConnection
from sqlmodel import col

from shopwarden.db.models import BudgetLedgerEntry, CachedPerformance, Product, Shop
from shopwarden.tools.observe import ads_connections

CROSS_TENANT = "the shop, ad account or object named in this call belongs to another merchant"
CROSS_TENANT_CODE = "tenancy.cross_tenant"
UNKNOWN_CODE = "tenancy.not_attributed"

_SHOP = select(col(Shop.merchant_id)).where(col(Shop.shop_id) == bindparam("id"))
_PRODUCT = select(col(Product.merchant_id)).where(col(Product.product_id) == bindparam("id"))


def _attributed(mine: bool) -> Any:
    """Whether our ledger or performance cache attributes the object to this merchant (`mine`) or to another."""
    def of(table: Any, merchant: Any) -> Any:
        return exists().where(col(table.object_id) == bindparam("id"), merchant)

    def owned(table: Any) -> Any:
        merchant_id = col(table.merchant_id)
        if mine:
            return of(table, merchant_id == bindparam("m"))
        # "another merchant" as two range seeks on (object_id, merchant_id): `!=` reads every entry of the object.
        return or_(of(table, merchant_id < bindparam("m")), of(table, merchant_id > bindparam("m")))
    return or_(owned(BudgetLedgerEntry), owned(CachedPerformance))


# One statement, however many ledger entries the object has: (attributed to this merchant, to another).
_OBJECT_OWNERS = select(_attributed(True), _attributed(False))
_WORD = {"advertiser_id": "ad account", "shop_id": "shop", "product_id": "product", "campaign_id": "campaign",
         "adgroup_id": "ad group", "object_id": "campaign or ad group"}


def named_resources(args: Any) -> list[tuple[str, str]]:
    """(field, id) of every resource the validated arguments name."""
    values = args.model_dump(mode="json") if hasattr(args, "model_dump") else dict(args)
    return [(name, str(values[name])) for name in _WORD if values.get(name) not in (None, "")]


def refusal(conn: DbConnection, merchant_id: str, args: Any) -> tuple[str, str] | None:
    """(reason, reason code) when a named resource is not this merchant's; None when all of them are."""
    for name, value in named_resources(args):
        owners: set[str]
        if name == "advertiser_id":
            connections = ads_connections(conn)  # shared with the owner lookup in the gate's read pass
            if value in _advertisers(connections, lambda owner: owner == merchant_id):
                continue
            if value in _advertisers(connections, lambda owner: owner != merchant_id):
                return CROSS_TENANT, CROSS_TENANT_CODE
            return (f"ad account {value} is not connected to merchant {merchant_id}; nothing was sent to the "
                    "platform", UNKNOWN_CODE)
        if name in ("shop_id", "product_id"):
            owners = set(conn.execute(_SHOP if name == "shop_id" else _PRODUCT, {"id": value}).scalars())
            if merchant_id in owners:
                continue
            if owners:
                return CROSS_TENANT, CROSS_TENANT_CODE
            return (f"{_WORD[name]} {value} is not in merchant {merchant_id}'s synced shops and catalogue; "
                    "nothing was sent to the platform (sync the catalogue first)", UNKNOWN_CODE)
        row = conn.execute(_OBJECT_OWNERS, {"id": value, "m": merchant_id}).one()
        ours, others = bool(row[0]), bool(row[1])
        if others and not ours:
            return CROSS_TENANT, CROSS_TENANT_CODE
    return None


def _advertisers(connections: list[tuple[str, Any]], of: Callable[[str], bool]) -> set[str]:
    return {str(a) for owner, details in connections if of(owner) for a in (details or {}).get("advertiser_ids", [])}
