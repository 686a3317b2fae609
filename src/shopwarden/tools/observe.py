"""Fresh facts the policy needs: who owns a named resource, and an ads object's live settings.

Ownership comes from our own tables (cheap, no platform call; the gate asks it together with the
merchant through `Tool.owner`), so reads can take the fast path and still be refused across
tenants. Live object state (budget, status) always comes from the platform, never from a cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection as DbConnection
from sqlmodel import col

from shopwarden.db.engine import pass_memo
from shopwarden.db.models import Connection, Product, Shop
from shopwarden.errors import NotFound
from shopwarden.tools.base import ToolContext


def plain(value: Any) -> Any:
    """An adapter's answer as JSON-like data (adapters may return models or dicts)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


# Built once: SQLAlchemy then reuses their compiled SQL, and Core execution skips the ORM per call.
_SHOP_OWNER = select(col(Shop.merchant_id)).where(col(Shop.shop_id) == bindparam("shop_id")).limit(1)
_PRODUCT_OWNER = select(col(Product.merchant_id)).where(col(Product.product_id) == bindparam("product_id")).limit(1)
_ADS_CONNECTIONS = select(col(Connection.merchant_id), col(Connection.details)).where(col(Connection.platform) == "ads")


def shop_owner(connection: DbConnection, shop_id: str) -> str | None:
    return connection.execute(_SHOP_OWNER, {"shop_id": shop_id}).scalar()


def product_owner(connection: DbConnection, product_id: str) -> str | None:
    return connection.execute(_PRODUCT_OWNER, {"product_id": product_id}).scalar()


def ads_connections(connection: DbConnection) -> list[tuple[str, Any]]:
    """(merchant id, details) of every Ads connection; read once per read pass however many lookups need it."""
    memo = pass_memo(connection)
    if memo is not None and "ads_connections" in memo:
        return list(memo["ads_connections"])
    rows = [(merchant_id, details) for merchant_id, details in connection.execute(_ADS_CONNECTIONS)]
    if memo is not None:
        memo["ads_connections"] = rows
    return rows


def advertiser_owner(connection: DbConnection, advertiser_id: str) -> str | None:
    """The merchant whose Ads connection lists this advertiser, if any."""
    for merchant_id, details in ads_connections(connection):
        if advertiser_id in [str(item) for item in (details or {}).get("advertiser_ids", [])]:
            return merchant_id
    return None


async def advertiser_profile(ctx: ToolContext, advertiser_id: str) -> dict[str, Any]:
    """Currency and time zone of an ad account (cached per context: they do not change within a run)."""
    if advertiser_id not in ctx.advertiser_profiles:
        info = plain(await ctx.ads().advertiser_info([advertiser_id]))
        rows = info if isinstance(info, list) else info.get("list", [info])
        row = next((r for r in rows if str(r.get("advertiser_id")) == advertiser_id), None)
        if row is None:
            raise NotFound(f"ad account {advertiser_id} is not available to this merchant")
        ctx.advertiser_profiles[advertiser_id] = {
            "currency": row.get("currency") or "",
            "timezone": row.get("timezone") or row.get("display_timezone") or "UTC",
        }
    return ctx.advertiser_profiles[advertiser_id]


_NAME_FIELD = {"campaign": "campaign_name", "adgroup": "adgroup_name"}
_ID_FIELD = {"campaign": "campaign_id", "adgroup": "adgroup_id"}
_WORD = {"campaign": "campaign", "adgroup": "ad group"}


async def ads_object(ctx: ToolContext, advertiser_id: str, object_type: str, object_id: str) -> dict[str, Any]:
    """The live campaign, ad group or GMV Max campaign: {object_name, budget_mode, current_budget, status}."""
    ads = ctx.ads()
    if object_type == "gmv_max_campaign":
        campaign = plain(await ads.gmv_max.campaign(advertiser_id, object_id))
        return {
            "object_name": str(campaign.get("campaign_name") or ""),
            "budget_mode": "BUDGET_MODE_DAY",  # a GMV Max budget is a daily budget
            "current_budget": Decimal(str(campaign.get("budget") or 0)),
            "status": campaign.get("operation_status"),
            "current_roas_bid": Decimal(str(campaign.get("roas_bid") or 0)),
        }
    found: Sequence[BaseModel]
    if object_type == "campaign":
        found = await ads.list_campaigns(advertiser_id, campaign_ids=[object_id])
    else:
        found = await ads.list_adgroups(advertiser_id, adgroup_ids=[object_id])
    rows = plain(found)
    row = next((r for r in rows if str(r.get(_ID_FIELD[object_type])) == object_id), None)
    if row is None:
        raise NotFound(f"{_WORD[object_type]} {object_id} does not exist in ad account {advertiser_id}")
    return {
        "object_name": str(row.get(_NAME_FIELD[object_type]) or ""),
        "budget_mode": row.get("budget_mode"),
        "current_budget": Decimal(str(row.get("budget") or 0)),
        "status": row.get("operation_status"),
    }
