"""TikTok Business API (Ads) through Composio's proxy: the adapter the ads tools use.

    client = ads_client_for(engine, merchant_id, settings)      # or with http_client=... in tests
    campaigns = await client.list_campaigns(advertiser_id)
    created = await client.create_campaign(advertiser_id, CreateCampaign(...))   # always DISABLE

Only `shopwarden.tools`, the runtime and the connect CLI use this package.
"""

from shopwarden.platforms.ads._markers import CreateIdentity
from shopwarden.platforms.ads._token_header import AccessTokenHeader, TokenHeaderMode
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.connect import (
    AdsConnectionStart,
    AdsDisconnect,
    complete_ads_connection,
    disconnect_ads,
    start_ads_connection,
)
from shopwarden.platforms.ads.factory import ads_client_for, composio_for
from shopwarden.platforms.ads.metrics import advertiser_today, roas
from shopwarden.platforms.ads.models import (
    AdGroup,
    AdvertiserInfo,
    BudgetChange,
    BudgetUpdate,
    Campaign,
    CreateCampaign,
    ObjectTotals,
    PerformanceReport,
    ReportRow,
    StatusChange,
)

__all__ = [
    "AccessTokenHeader",
    "AdGroup",
    "AdsClient",
    "AdsConnectionStart",
    "AdsDisconnect",
    "AdvertiserInfo",
    "BudgetChange",
    "BudgetUpdate",
    "Campaign",
    "CreateCampaign",
    "CreateIdentity",
    "ObjectTotals",
    "PerformanceReport",
    "ReportRow",
    "StatusChange",
    "TokenHeaderMode",
    "ads_client_for",
    "advertiser_today",
    "complete_ads_connection",
    "composio_for",
    "disconnect_ads",
    "roas",
    "start_ads_connection",
]
