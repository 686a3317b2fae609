"""Codes, limits and paging shared by the Business API handlers (one table, uncertain codes marked)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from shopwarden.platforms.simulator.wire import Refusal

API_PREFIX = "/open_api/v1.3/"
NO_PERMISSION = 40001
PARAM_ERROR = 40002
NOT_FOUND = 40007
RATE_LIMITED = 40100
TOKEN_MISSING_OR_REVOKED = 40105
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
