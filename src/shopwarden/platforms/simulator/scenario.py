"""The scenario file format (YAML) and its loader.

A malformed file is refused with a `ScenarioError` naming the file, the field and the
reason. evals/README.md documents every field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shopwarden.domain.vocabulary import BudgetModeLiteral
from shopwarden.errors import ShopwardenError

OperationStatus = Literal["ENABLE", "DISABLE", "DELETE"]


class ScenarioError(ShopwardenError):
    """A scenario file cannot be used: names the file, the field and the reason."""

    def __init__(self, source: str, field: str, reason: str) -> None:
        self.source = source
        self.field = field
        self.reason = reason
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {reason}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AppSpec(_Strict):
    app_key: str = Field(min_length=1)
    app_secret: str = Field(min_length=1)
    service_id: str = Field(min_length=1)
    access_token_ttl_hours: float = Field(default=168, gt=0)
    refresh_token_ttl_days: float = Field(default=30, gt=0)
    auth_code_ttl_minutes: float = Field(default=30, gt=0)
    redirect_url: str | None = Field(default=None, description="where the authorize page sends code and state")


class ConnectedAccountSpec(_Strict):
    id: str
    user_id: str
    merchant: str | None = None


class ComposioSpec(_Strict):
    api_key: str = Field(min_length=1)
    auth_config_id: str = "ac_tiktok_business"
    # The header the `tiktok_ads` toolkit's proxy injects (what `toolkits.get` reports, and what the
    # proxy then sends): Access-Token works; anything else makes TikTok answer 40104.
    injected_header: str = "Access-Token"
    connected_accounts: list[ConnectedAccountSpec] = Field(default_factory=list)


class AdsAppSpec(_Strict):
    """The merchant's own TikTok Business app for native OAuth (`shopwarden connect ads --native`)."""

    app_id: str = "sim-ads-app"
    secret: str = "sim-ads-app-secret"


class CreativeSpec(_Strict):
    """Public creative sources: a Commercial Content API research client and what the sources hold."""

    client_key: str = Field(min_length=1)
    client_secret: str = Field(min_length=1)
    client_token_ttl_seconds: int = Field(default=7200, ge=1)  # TikTok's client tokens live two hours
    # False: Creative Center answers every trend read with 40101 "no permission", as it does unsigned callers.
    trends_permission: bool = True
    ads: list[dict[str, Any]] = Field(default_factory=list)
    hashtags: list[dict[str, Any]] = Field(default_factory=list)
    keywords: list[dict[str, Any]] = Field(default_factory=list)
    top_ads: list[dict[str, Any]] = Field(default_factory=list)


class WarehouseSpec(_Strict):
    id: str
    name: str
    is_default: bool = False


class SkuSpec(_Strict):
    id: str
    seller_sku: str
    price: Decimal = Field(gt=0)
    cost: Decimal | None = Field(default=None, ge=0, description="unit cost of goods; defaults to the product's")
    stock: dict[str, int] = Field(default_factory=dict)

    @field_validator("stock")
    @classmethod
    def _non_negative(cls, value: dict[str, int]) -> dict[str, int]:
        for warehouse, quantity in value.items():
            if quantity < 0:
                raise ValueError(f"stock in warehouse {warehouse} is negative ({quantity})")
        return value


class ProductSpec(_Strict):
    id: str
    title: str = Field(min_length=1)
    status: Literal["ACTIVATE", "DRAFT", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "FREEZE", "DELETED"] = "ACTIVATE"
    base_demand: float = Field(default=0.0, ge=0, description="organic units sold per day when in stock")
    cost: Decimal | None = Field(default=None, ge=0, description="unit cost of goods of every SKU without its own")
    skus: list[SkuSpec] = Field(min_length=1)


class CatalogGenerator(_Strict):
    """Generate a large catalog instead of listing it (for the sync benchmark)."""

    products: int = Field(gt=0, le=200_000)
    skus_per_product: int = Field(default=1, gt=0, le=50)
    stock_per_sku: int = Field(default=50, ge=0)
    base_demand: float = Field(default=0.05, ge=0)
    min_price: Decimal = Field(default=Decimal("5.00"), gt=0)
    max_price: Decimal = Field(default=Decimal("80.00"), gt=0)
    cost_ratio: float | None = Field(default=None, ge=0, le=1, description="unit cost as a share of the price")


class ShopSpec(_Strict):
    id: str
    name: str
    region: str = "US"
    currency: str = "USD"
    cipher: str
    code: str = ""
    seller_type: Literal["LOCAL", "CROSS_BORDER"] = "LOCAL"
    warehouses: list[WarehouseSpec] = Field(min_length=1)
    products: list[ProductSpec] = Field(default_factory=list)
    generate: CatalogGenerator | None = None

    @model_validator(mode="after")
    def _stock_in_known_warehouses(self) -> ShopSpec:
        known = {w.id for w in self.warehouses}
        for p_index, product in enumerate(self.products):
            for s_index, sku in enumerate(product.skus):
                for warehouse in sku.stock:
                    if warehouse not in known:
                        raise ValueError(
                            f"products.{p_index}.skus.{s_index}.stock names unknown warehouse {warehouse!r}"
                        )
        return self


class AdGroupSpec(_Strict):
    id: str
    name: str
    budget_mode: BudgetModeLiteral = "BUDGET_MODE_DAY"
    budget: Decimal = Field(default=Decimal("0"), ge=0)
    status: OperationStatus = "ENABLE"
    product_ids: list[str] = Field(default_factory=list)


class CampaignSpec(_Strict):
    id: str
    name: str = Field(min_length=1, max_length=512)
    objective_type: str = "PRODUCT_SALES"
    budget_mode: BudgetModeLiteral = "BUDGET_MODE_DAY"
    budget: Decimal = Field(default=Decimal("0"), ge=0)
    status: OperationStatus = "ENABLE"
    efficiency: float = Field(default=1.0, gt=0, le=10)
    product_ids: list[str] = Field(default_factory=list)
    adgroups: list[AdGroupSpec] = Field(default_factory=list)


class GmvMaxCampaignSpec(_Strict):
    """A Product GMV Max campaign already running when the scenario starts (no ad groups: its budget binds)."""

    id: str
    name: str = Field(min_length=1, max_length=512)
    store_id: str = Field(description="the merchant's shop whose products it promotes")
    budget: Decimal = Field(gt=0)
    roas_bid: Decimal = Field(default=Decimal("3.0"), gt=0, description="the ROI target")
    status: OperationStatus = "ENABLE"
    item_group_ids: list[str] = Field(min_length=1, description="the products (SPUs) it promotes")


class AdvertiserSpec(_Strict):
    id: str
    name: str
    currency: str = "USD"
    timezone: str = "UTC"
    campaigns: list[CampaignSpec] = Field(default_factory=list)
    gmv_max_campaigns: list[GmvMaxCampaignSpec] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class MerchantSpec(_Strict):
    id: str
    seller_name: str
    region: str = "US"
    shops: list[ShopSpec] = Field(default_factory=list)
    advertisers: list[AdvertiserSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _campaigns_promote_own_products(self) -> MerchantSpec:
        product_ids = {p.id for shop in self.shops for p in shop.products}
        generated = any(shop.generate for shop in self.shops)
        for a_index, advertiser in enumerate(self.advertisers):
            for c_index, campaign in enumerate(advertiser.campaigns):
                promoted = list(campaign.product_ids) + [p for g in campaign.adgroups for p in g.product_ids]
                unknown = [p for p in promoted if p not in product_ids]
                if unknown and not generated:
                    raise ValueError(
                        f"advertisers.{a_index}.campaigns.{c_index} promotes unknown product {unknown[0]!r}"
                    )
            for g_index, gmv in enumerate(advertiser.gmv_max_campaigns):
                shop = next((s for s in self.shops if s.id == gmv.store_id), None)
                if shop is None:
                    raise ValueError(f"advertisers.{a_index}.gmv_max_campaigns.{g_index}.store_id: "
                                     f"{gmv.store_id!r} is not one of the merchant's shops")
                in_shop = {p.id for p in shop.products}
                strangers = [i for i in gmv.item_group_ids if i not in in_shop]
                if strangers and not shop.generate:
                    raise ValueError(f"advertisers.{a_index}.gmv_max_campaigns.{g_index} promotes "
                                     f"{strangers[0]!r}, which is not a product of shop {gmv.store_id}")
        return self


class FaultSpec(_Strict):
    path: str = Field(min_length=1, description="glob matched against the request path")
    kind: Literal["latency", "server_error", "rate_limit", "malformed", "timeout", "timeout_after_commit"]
    times: int | None = Field(default=None, gt=0, description="how many matching requests; omitted = every one")
    seconds: float = Field(default=0.0, ge=0)
    method: str | None = None
    retry_after: int = Field(default=1, ge=0)


class Scenario(_Strict):
    name: str
    description: str = ""
    start: datetime = Field(description="virtual clock start (timezone-aware)")
    timezone: str = Field(default="UTC", description="days close at midnight in this zone")
    app: AppSpec
    composio: ComposioSpec
    ads_app: AdsAppSpec = Field(default_factory=AdsAppSpec)
    creative: CreativeSpec
    merchants: list[MerchantSpec] = Field(min_length=1)
    faults: list[FaultSpec] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _single_merchant_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "merchant" in data and "merchants" not in data:
            data = dict(data)
            data["merchants"] = [data.pop("merchant")]
        return data

    @field_validator("start")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a time zone, e.g. 2026-03-02T08:00:00Z")
        return value.astimezone(UTC)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return AdvertiserSpec._known_zone(value)

    @model_validator(mode="after")
    def _unique_ids(self) -> Scenario:
        seen: dict[str, str] = {}
        for merchant in self.merchants:
            for kind, ids in (
                ("shop", [s.id for s in merchant.shops]),
                ("advertiser", [a.id for a in merchant.advertisers]),
                ("campaign", [c.id for a in merchant.advertisers for c in a.campaigns]),
                ("ad group", [g.id for a in merchant.advertisers for c in a.campaigns for g in c.adgroups]),
                ("product", [p.id for s in merchant.shops for p in s.products]),
                ("sku", [k.id for s in merchant.shops for p in s.products for k in p.skus]),
            ):
                for object_id in ids:
                    key = f"{kind}:{object_id}"
                    if key in seen:
                        raise ValueError(f"{kind} id {object_id!r} is used twice")
                    seen[key] = kind
        return self


def unit_costs(scenario: Scenario) -> dict[str, Decimal]:
    """SKU id -> unit cost of goods, for the listed SKUs that have one (their own or their product's)."""
    costs: dict[str, Decimal] = {}
    for merchant in scenario.merchants:
        for shop in merchant.shops:
            for product in shop.products:
                for sku in product.skus:
                    cost = sku.cost if sku.cost is not None else product.cost
                    if cost is not None:
                        costs[sku.id] = cost
    return costs


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def load_scenario(source: str | Path | dict[str, Any]) -> Scenario:
    """Parse and validate a scenario from a YAML file path, a shipped scenario's name, or a dict."""
    if isinstance(source, dict):
        label, data = "<scenario dict>", source
    else:
        path = find_scenario(source)
        label = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(label, "", f"cannot read the file ({exc.strerror or exc})") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark is not None else ""
            raise ScenarioError(label, where, f"not valid YAML ({getattr(exc, 'problem', exc)})") from None
        if not isinstance(data, dict):
            raise ScenarioError(label, "", "the file must hold a mapping at the top level")
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioError(label, _field_path(tuple(first["loc"])), first["msg"]) from None


DEFAULT_SCENARIO = "small_shop"


def find_scenario(name_or_path: str | Path = DEFAULT_SCENARIO) -> Path:
    """A scenario file by path, or by name from the shipped evals/scenarios/ folder."""
    from shopwarden.resources import resource_dir

    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.exists():
        return candidate
    shipped = resource_dir("evals") / "scenarios" / f"{name_or_path}.yaml"
    if not shipped.is_file():
        raise ScenarioError(str(name_or_path), "", f"no such scenario file, and no {shipped}")
    return shipped
