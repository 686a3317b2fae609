"""What shopwarden assumes about GMV Max where TikTok's references are thin: one place to change.

Every value here is marked (uncertain) in /work/shared/platform-facts.md. The adapter, the tools,
the policy state and the simulator all read these names, so changing one line changes every side.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

# (uncertain, medium-low confidence) GMV Max campaigns are paused and enabled through the general
# campaign status endpoint; there is no documented GMV Max status route.
STATUS_ROUTE: Final = "campaign/status/update/"

# (uncertain) Whether `budget` is required on `campaign/gmv_max/create/`. We always send one (the
# merchant's limits are measured against it), so either reading of the API is satisfied.
BUDGET_REQUIRED_ON_CREATE: Final = True

# `campaign/gmv_max/create/` has no operation_status, so a campaign cannot be created paused.
# (uncertain) Whether it then delivers at once is not documented: we treat a create as the moment
# spend starts. False means the launch waits in the approval queue before anything is sent.
CAN_CREATE_PAUSED: Final = False
STARTS_DELIVERING_ON_CREATE: Final = not CAN_CREATE_PAUSED

# (uncertain) No minimum daily budget or ROI target is documented for GMV Max. None means the
# adapter checks no platform minimum (the merchant's own policy floor still applies).
MIN_DAILY_BUDGET: Final[dict[str, Decimal | None]] = {"USD": None}
MIN_ROAS_BID: Final[Decimal | None] = None

# (uncertain) A GMV Max `item_group_id` is the TikTok Shop product (SPU) id.
ITEM_GROUP_IS_SHOP_PRODUCT_ID: Final = True

# ROI protection (documented in Seller Center notices): TikTok credits the account when ROI falls
# below this share of the target on a campaign with more than this many orders a day; changing the
# ROI target or pausing voids it for that day.
ROI_PROTECTION_SHARE: Final = Decimal("0.9")
ROI_PROTECTION_MIN_DAILY_ORDERS: Final = 20

# Documented limits.
MAX_ITEM_GROUP_IDS: Final = 400  # since March 2026
MAX_STORE_IDS_PER_LIST: Final = 10
MAX_CAMPAIGN_IDS_PER_LIST: Final = 100
MAX_LIST_PAGE_SIZE: Final = 100
MAX_REPORT_DAYS_DAILY: Final = 30  # with stat_time_day
MAX_REPORT_DAYS_TOTAL: Final = 365  # without a time dimension
SCHEDULE_TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"  # UTC


def min_daily_budget(currency: str) -> Decimal | None:
    """The platform's minimum GMV Max daily budget for a currency, None when none is known."""
    return MIN_DAILY_BUDGET.get(currency.upper())
