"""The simulated world's state: plain dataclasses, a virtual clock and deterministic ids.

Everything the handlers and the daily response model change lives here, so a snapshot
of this object is the whole truth for final-state assertions.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo


class VirtualClock:
    """The platforms' idea of now. Moves only when the simulator is told to advance."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def timestamp(self) -> int:
        return int(self._now.timestamp())

    def _move_to(self, moment: datetime) -> None:
        self._now = moment

    def __repr__(self) -> str:
        return f"VirtualClock({self._now.isoformat()})"


class IdMaker:
    """Deterministic ids and secrets drawn from the scenario's seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._counter = 0

    def numeric(self, digits: int = 19) -> str:
        self._counter += 1
        return str(self._rng.randrange(10 ** (digits - 1), 10**digits))

    def token(self, prefix: str) -> str:
        return f"{prefix}{self._rng.getrandbits(160):040x}"

    def request_id(self) -> str:
        self._counter += 1
        return f"sim{self._counter:012d}"


@dataclass
class Warehouse:
    id: str
    name: str
    is_default: bool
    effect_status: str = "ENABLED"
    type: str = "SALES_WAREHOUSE"
    sub_type: str = "DOMESTIC_WAREHOUSE"


@dataclass
class Sku:
    id: str
    seller_sku: str
    price: Decimal
    stock: dict[str, int]

    @property
    def total_stock(self) -> int:
        return sum(self.stock.values())


@dataclass
class Product:
    id: str
    shop_id: str
    title: str
    status: str
    base_demand: float
    skus: list[Sku]
    create_time: int
    update_time: int

    @property
    def total_stock(self) -> int:
        return sum(s.total_stock for s in self.skus)


@dataclass
class Order:
    id: str
    shop_id: str
    status: str
    create_time: int
    update_time: int
    product_id: str
    sku_id: str
    seller_sku: str
    product_name: str
    quantity: int
    sale_price: Decimal
    currency: str
    warehouse_id: str
    attributed_campaign_id: str | None


@dataclass
class Shop:
    id: str
    merchant_id: str
    name: str
    region: str
    currency: str
    cipher: str
    code: str
    seller_type: str
    warehouses: list[Warehouse]
    products: dict[str, Product]
    product_order: list[str]
    orders: dict[str, Order] = field(default_factory=dict)


@dataclass
class AdGroup:
    id: str
    campaign_id: str
    advertiser_id: str
    name: str
    budget_mode: str
    budget: Decimal
    operation_status: str
    product_ids: list[str]
    create_time: datetime
    modify_time: datetime


@dataclass
class Campaign:
    id: str
    advertiser_id: str
    name: str
    objective_type: str
    budget_mode: str
    budget: Decimal
    operation_status: str
    efficiency: float
    product_ids: list[str]
    create_time: datetime
    modify_time: datetime


@dataclass
class GmvMaxCampaign:
    """A Product GMV Max campaign: one shop, some SPUs (item groups), a daily budget and a ROI target."""

    id: str
    advertiser_id: str
    store_id: str
    name: str
    budget: Decimal
    roas_bid: Decimal
    operation_status: str
    item_group_ids: list[str]
    schedule_start_time: str
    create_time: datetime
    modify_time: datetime
    schedule_end_time: str | None = None


@dataclass
class GmvMaxStat:
    """One day of GMV Max delivery for one campaign and one SPU."""

    day: date
    campaign_id: str
    store_id: str
    item_group_id: str
    cost: Decimal
    orders: int
    gross_revenue: Decimal
    impressions: int
    clicks: int


@dataclass
class DailyStat:
    """One day of delivery for one ad group (campaign rows are sums of these)."""

    day: date
    advertiser_id: str
    campaign_id: str
    adgroup_id: str
    spend: Decimal
    impressions: int
    clicks: int
    conversions: int
    conversion_value: Decimal


@dataclass
class Advertiser:
    id: str
    merchant_id: str
    name: str
    currency: str
    timezone: str
    access_token: str
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    adgroups: dict[str, AdGroup] = field(default_factory=dict)
    stats: list[DailyStat] = field(default_factory=list)
    created_by_request_id: dict[str, str] = field(default_factory=dict)
    gmv_max_campaigns: dict[str, GmvMaxCampaign] = field(default_factory=dict)
    gmv_max_stats: list[GmvMaxStat] = field(default_factory=list)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass
class Merchant:
    id: str
    seller_name: str
    region: str
    open_id: str
    shop_ids: list[str]
    advertiser_ids: list[str]


@dataclass
class ShopToken:
    merchant_id: str
    access_token: str
    refresh_token: str
    access_expires_at: int
    refresh_expires_at: int
    revoked: bool = False
    superseded: bool = False


@dataclass
class AuthCode:
    code: str
    merchant_id: str
    expires_at: int
    used: bool = False


@dataclass
class ConnectedAccount:
    id: str
    user_id: str
    auth_config_id: str
    status: str
    merchant_id: str | None
    access_token: str | None
    created_at: datetime
    updated_at: datetime
    callback_url: str | None = None


@dataclass
class World:
    """All state of one simulation."""

    timezone: str
    merchants: dict[str, Merchant]
    shops: dict[str, Shop]
    advertisers: dict[str, Advertiser]
    shop_tokens: dict[str, ShopToken] = field(default_factory=dict)
    auth_codes: dict[str, AuthCode] = field(default_factory=dict)
    connected_accounts: dict[str, ConnectedAccount] = field(default_factory=dict)
    days_closed: list[date] = field(default_factory=list)
    lost_sales: dict[str, int] = field(default_factory=dict)
    # Which ad account holds each shop's exclusive GMV Max authorization; a shop not listed is
    # held by its merchant's first ad account (how a seeded world starts).
    gmv_max_authorization: dict[str, str] = field(default_factory=dict)
    # Native TikTok Business OAuth: single-use auth codes and the advertiser tokens they gave
    # (token -> merchant id); a revoked token is removed.
    ads_auth_codes: dict[str, AuthCode] = field(default_factory=dict)
    native_ads_tokens: dict[str, str] = field(default_factory=dict)
    # Commercial Content API client tokens issued (token -> unix expiry on the virtual clock).
    client_tokens: dict[str, int] = field(default_factory=dict)

    def gmv_max_holder(self, store_id: str) -> str | None:
        if store_id in self.gmv_max_authorization:
            return self.gmv_max_authorization[store_id]
        shop = self.shops.get(store_id)
        merchant = self.merchants.get(shop.merchant_id) if shop else None
        return merchant.advertiser_ids[0] if merchant and merchant.advertiser_ids else None

    def shop_by_cipher(self, cipher: str) -> Shop | None:
        return next((s for s in self.shops.values() if s.cipher == cipher), None)

    def product_anywhere(self, product_id: str) -> Product | None:
        for shop in self.shops.values():
            if product_id in shop.products:
                return shop.products[product_id]
        return None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def snapshot_of(world: World, now: datetime) -> dict[str, Any]:
    """The whole state as plain JSON-ready values (Decimals as strings, times as ISO-8601)."""
    state = _plain(world)
    state["clock"] = now.isoformat()
    return state


def diff(before: Any, after: Any, path: str = "") -> dict[str, tuple[Any, Any]]:
    """Every leaf that differs between two snapshots: {dotted.path: (before, after)}."""
    changes: dict[str, tuple[Any, Any]] = {}
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after), key=str):
            child = f"{path}.{key}" if path else str(key)
            if key not in before:
                changes[child] = (None, after[key])
            elif key not in after:
                changes[child] = (before[key], None)
            else:
                changes.update(diff(before[key], after[key], child))
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (b, a) in enumerate(zip(before, after, strict=True)):
            changes.update(diff(b, a, f"{path}.{index}" if path else str(index)))
        return changes
    if before != after:
        changes[path] = (before, after)
    return changes


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


