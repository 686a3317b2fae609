"""Codes, limits and paging shared by the Business API handlers (one table, uncertain codes marked)."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from shopwarden.platforms.simulator.wire import Refusal
from shopwarden.platforms.simulator.world import AdGroup, Advertiser, Campaign

API_PREFIX = "/open_api/v1.3/"
# Codes from TikTok's table, as the adapter's `platforms/ads/_errors.py` classifies them.
NO_PERMISSION = 40001  # a permission problem (wrong or foreign id), not a token problem
PARAM_ERROR = 40002
NOT_FOUND = 40007
RATE_LIMITED = 40100
TOKEN_EMPTY = 40104  # the Access-Token header is missing
TOKEN_INVALID = 40105  # unknown or revoked token
TOKEN_MISSING_OR_REVOKED = TOKEN_INVALID
MAX_PAGE_SIZE = 1000
MAX_REPORT_DAYS = 30
MAX_NAME_LENGTH = 512
# Minimum daily budgets (campaign, ad group) per currency; uncertain beyond USD, one table.
BUDGET_MINIMA: dict[str, tuple[Decimal, Decimal]] = {
    "USD": (Decimal(50), Decimal(20)),
    "EUR": (Decimal(50), Decimal(20)),
    "GBP": (Decimal(50), Decimal(20)),
    "JPY": (Decimal(5000), Decimal(2000)),
}


def page_of(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], dict[str, int]]:
    try:
        page = int(params.get("page", 1))
        size = int(params.get("page_size", 10))
    except (TypeError, ValueError):
        raise Refusal(PARAM_ERROR, "page and page_size must be integers") from None
    if page < 1:
        raise Refusal(PARAM_ERROR, "page: must be at least 1")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise Refusal(PARAM_ERROR, f"page_size: must be between 1 and {MAX_PAGE_SIZE}")
    chunk = items[(page - 1) * size : page * size]
    info = {"page": page, "page_size": size, "total_number": len(items), "total_page": math.ceil(len(items) / size)}
    return chunk, info


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def budget_minimum(advertiser: Advertiser, level: str) -> Decimal:
    campaign_min, adgroup_min = BUDGET_MINIMA.get(advertiser.currency, BUDGET_MINIMA["USD"])
    return campaign_min if level == "campaign" else adgroup_min


def check_budget(advertiser: Advertiser, level: str, mode: str, budget: Decimal | None) -> None:
    if mode == "BUDGET_MODE_INFINITE":
        return
    if budget is None:
        raise Refusal(PARAM_ERROR, f"budget: required when budget_mode is {mode}")
    minimum = budget_minimum(advertiser, level)
    if budget < minimum:
        label = "Campaign" if level == "campaign" else "Ad group"
        raise Refusal(PARAM_ERROR, f"{label} budget must be at least {minimum} {advertiser.currency} "
                                   f"(got {budget})")


def campaign_json(c: Campaign) -> dict[str, Any]:
    deleted = c.operation_status == "DELETE"
    return {
        "advertiser_id": c.advertiser_id, "campaign_id": c.id, "campaign_name": c.name,
        "objective_type": c.objective_type, "budget_mode": c.budget_mode, "budget": float(c.budget),
        "operation_status": "DISABLE" if deleted else c.operation_status,
        "secondary_status": "CAMPAIGN_STATUS_DELETE" if deleted else f"CAMPAIGN_STATUS_{c.operation_status}",
        "campaign_type": "REGULAR_CAMPAIGN", "create_time": stamp(c.create_time), "modify_time": stamp(c.modify_time),
    }


def adgroup_json(g: AdGroup) -> dict[str, Any]:
    deleted = g.operation_status == "DELETE"
    return {
        "advertiser_id": g.advertiser_id, "campaign_id": g.campaign_id, "adgroup_id": g.id, "adgroup_name": g.name,
        "budget_mode": g.budget_mode, "budget": float(g.budget), "product_ids": list(g.product_ids),
        "operation_status": "DISABLE" if deleted else g.operation_status,
        "secondary_status": "ADGROUP_STATUS_DELETE" if deleted else f"ADGROUP_STATUS_{g.operation_status}",
        "create_time": stamp(g.create_time), "modify_time": stamp(g.modify_time),
    }


def live_campaign(advertiser: Advertiser, campaign_id: str) -> Campaign:
    campaign = advertiser.campaigns.get(str(campaign_id))
    if campaign is None:
        raise Refusal(NOT_FOUND, f"Campaign {campaign_id} does not exist")
    if campaign.operation_status == "DELETE":
        raise Refusal(PARAM_ERROR, f"Campaign {campaign_id} has been deleted and cannot be modified")
    return campaign


def live_adgroup(advertiser: Advertiser, adgroup_id: str) -> AdGroup:
    group = advertiser.adgroups.get(str(adgroup_id))
    if group is None:
        raise Refusal(NOT_FOUND, f"Ad group {adgroup_id} does not exist")
    if group.operation_status == "DELETE":
        raise Refusal(PARAM_ERROR, f"Ad group {adgroup_id} has been deleted and cannot be modified")
    return group
