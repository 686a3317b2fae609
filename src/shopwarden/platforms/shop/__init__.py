"""Native TikTok Shop Open API client: signing, OAuth, silent refresh, catalog, inventory, orders."""

from shopwarden.platforms.shop._errors import NotFoundOnPlatform
from shopwarden.platforms.shop.catalog import CatalogProgress, ShopSyncReport, SyncReport, sync_catalog
from shopwarden.platforms.shop.client import OutcomeUnknown, ShopClient, TokenProvider
from shopwarden.platforms.shop.inventory import set_sku_inventory
from shopwarden.platforms.shop.merchant import MerchantShop, shop_client_for
from shopwarden.platforms.shop.oauth import (
    AuthorizationStateInvalid,
    begin_authorization,
    complete_authorization,
    connect_shop,
)
from shopwarden.platforms.shop.orders import OrdersReport, sync_orders
from shopwarden.platforms.shop.signing import sign, string_to_sign, verify_webhook
from shopwarden.platforms.shop.tokens import ShopTokenProvider
from shopwarden.platforms.shop.webhook import WebhookResult, handle_webhook

__all__ = [
    "AuthorizationStateInvalid",
    "CatalogProgress",
    "MerchantShop",
    "NotFoundOnPlatform",
    "OrdersReport",
    "OutcomeUnknown",
    "ShopClient",
    "ShopSyncReport",
    "ShopTokenProvider",
    "SyncReport",
    "TokenProvider",
    "WebhookResult",
    "begin_authorization",
    "complete_authorization",
    "connect_shop",
    "handle_webhook",
    "set_sku_inventory",
    "shop_client_for",
    "sign",
    "string_to_sign",
    "sync_catalog",
    "sync_orders",
    "verify_webhook",
]
