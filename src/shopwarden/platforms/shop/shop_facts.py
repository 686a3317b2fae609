"""TikTok Shop facts the adapter and the simulator share (platform-facts "TikTok Shop, additions").

One place for codes and limits: changing a value here changes the client and the simulated shop.
"""

from __future__ import annotations

from typing import Final

# Product search stops at this many results; past it TikTok answers SEARCH_LIMIT_REACHED.
MAX_SEARCH_RESULTS: Final = 10_000
SEARCH_LIMIT_REACHED: Final = 12052180

# An inventory update must list every warehouse of each SKU; otherwise one of these codes.
MISSING_WAREHOUSE_CODES: Final = frozenset({12019028, 12052037})

# Not found: the product does not exist / is not listed in this shop.
PRODUCT_DOES_NOT_EXIST: Final = 12052032
PRODUCT_NOT_IN_SHOP: Final = 12052048
NOT_FOUND_CODES: Final = frozenset({PRODUCT_DOES_NOT_EXIST, PRODUCT_NOT_IN_SHOP, 12019020})

# Merchant authorization page host by seller region.
AUTHORIZE_BASES: Final = {
    "US": "https://services.us.tiktokshop.com/open/authorize",
}
DEFAULT_AUTHORIZE_BASE: Final = "https://services.tiktokshop.com/open/authorize"


def authorize_base(region: str | None) -> str:
    """Where a seller of `region` authorizes the app (US sellers have their own host)."""
    return AUTHORIZE_BASES.get((region or "").upper(), DEFAULT_AUTHORIZE_BASE)
