"""The TikTok Shop Open API (202309 paths): checks every call the way the platform does.

Order of checks: path, app_key, timestamp skew, signature over the exact body bytes,
access token, shop_cipher; then the endpoint's own field types and page sizes.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.platforms.shop import shop_facts
from shopwarden.platforms.shop.signing import sign
from shopwarden.platforms.simulator.context import SimContext, parse_model
from shopwarden.platforms.simulator.wire import Refusal, SimRequest, SimResponse, envelope
from shopwarden.platforms.simulator.world import Merchant, Order, Product, Shop

SIGNATURE_INVALID = 106001
TOKEN_INVALID = 105001
TOKEN_EXPIRED = 105002
INVALID_REQUEST = 36009004
PATH_NOT_FOUND = 36009009
PRODUCT_NOT_FOUND = shop_facts.PRODUCT_DOES_NOT_EXIST
SKU_NOT_IN_PRODUCT = 12052230  # uncertain
WAREHOUSE_NOT_FOUND = 12052231  # uncertain
MAX_SKEW_SECONDS = 300
MAX_PAGE_SIZE = 100
MAX_ORDER_IDS = 50


@dataclass(frozen=True)
class ShopCall:
    """A request that passed the common checks."""

    merchant: Merchant
    shop: Shop | None
    request: SimRequest
    body: Any


Handler = Callable[[SimContext, ShopCall], Any]


def _page_size(request: SimRequest) -> int:
    raw = request.query.get("page_size")
    if raw is None:
        raise Refusal(INVALID_REQUEST, "Invalid parameter page_size: field required")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise Refusal(INVALID_REQUEST, f"Invalid parameter page_size: must be an integer from 1 to {MAX_PAGE_SIZE}")
    return int(raw)


def _offset(request: SimRequest) -> int:
    token = request.query.get("page_token", "")
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except ValueError:
        raise Refusal(INVALID_REQUEST, "Invalid parameter page_token") from None


def _next_token(offset: int, total: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode() if offset < total else ""


def _sorted(items: list[Any], request: SimRequest, allowed: tuple[str, ...], default: str) -> list[Any]:
    field_name = request.query.get("sort_field", default)
    if field_name not in allowed:
        raise Refusal(INVALID_REQUEST, f"Invalid parameter sort_field: must be one of {', '.join(allowed)}")
    order = request.query.get("sort_order", "DESC").upper()
    if order not in ("ASC", "DESC"):
        raise Refusal(INVALID_REQUEST, "Invalid parameter sort_order: must be ASC or DESC")
    return sorted(items, key=lambda item: (getattr(item, field_name), item.id), reverse=order == "DESC")


def _page(items: list[Any], request: SimRequest, limit: int | None = None) -> tuple[list[Any], str]:
    size, offset = _page_size(request), _offset(request)
    if limit is not None and offset + size > limit:
        raise Refusal(shop_facts.SEARCH_LIMIT_REACHED,
                      f"The search can return at most {limit} results; narrow it (e.g. by update_time)")
    chunk = items[offset : offset + size]
    return chunk, _next_token(offset + size, len(items))


def product_json(shop: Shop, product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "title": product.title,
        "status": product.status,
        "create_time": product.create_time,
        "update_time": product.update_time,
        "skus": [
            {
                "id": sku.id,
                "seller_sku": sku.seller_sku,
                "price": {"currency": shop.currency, "sale_price": str(sku.price),
                          "tax_exclusive_price": str(sku.price)},
                "inventory": [{"warehouse_id": w, "quantity": q} for w, q in sorted(sku.stock.items())],
            }
            for sku in product.skus
        ],
    }


def order_json(order: Order) -> dict[str, Any]:
    price = str(order.sale_price * order.quantity)
    return {
        "id": order.id,
        "status": order.status,
        "create_time": order.create_time,
        "update_time": order.update_time,
        "payment": {"currency": order.currency, "total_amount": price, "sub_total": price},
        "line_items": [
            {
                "id": f"{order.id}1",
                "product_id": order.product_id,
                "product_name": order.product_name,
                "sku_id": order.sku_id,
                "seller_sku": order.seller_sku,
                "sale_price": str(order.sale_price),
                "currency": order.currency,
            }
            for _ in range(order.quantity)
        ],
        "warehouse_id": order.warehouse_id,
    }


class _ProductSearch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: str | None = None
    seller_skus: list[str] | None = None
    create_time_ge: int | None = None
    create_time_le: int | None = None
    update_time_ge: int | None = None
    update_time_le: int | None = None


def _search_products(ctx: SimContext, call: ShopCall) -> dict[str, Any]:
    f = parse_model(_ProductSearch, call.body, INVALID_REQUEST)
    assert call.shop is not None
    products = call.shop.products
    skus = set(f.seller_skus or [])
    filtered = skus or f.status not in (None, "ALL") or any(
        v is not None for v in (f.create_time_ge, f.create_time_le, f.update_time_ge, f.update_time_le))
    if not filtered and "sort_field" not in call.request.query:
        # The common full-sync case: page the catalog in its stored order without touching every product.
        ids, token = _page(call.shop.product_order, call.request, shop_facts.MAX_SEARCH_RESULTS)
        return {"products": [product_json(call.shop, products[i]) for i in ids], "next_page_token": token,
                "total_count": len(products)}
    matches = [
        p for pid in call.shop.product_order
        if (p := products[pid])
        and (f.status in (None, "ALL") or p.status == f.status)
        and (not skus or any(s.seller_sku in skus for s in p.skus))
        and (f.create_time_ge is None or p.create_time >= f.create_time_ge)
        and (f.create_time_le is None or p.create_time <= f.create_time_le)
        and (f.update_time_ge is None or p.update_time >= f.update_time_ge)
        and (f.update_time_le is None or p.update_time <= f.update_time_le)
    ]
    if "sort_field" in call.request.query:
        matches = _sorted(matches, call.request, ("create_time", "update_time"), "create_time")
    page, token = _page(matches, call.request, shop_facts.MAX_SEARCH_RESULTS)
    return {"products": [product_json(call.shop, p) for p in page], "next_page_token": token,
            "total_count": len(matches)}


def _product(call: ShopCall, product_id: str) -> Product:
    assert call.shop is not None
    product = call.shop.products.get(product_id)
    if product is None:
        raise Refusal(PRODUCT_NOT_FOUND, f"Product {product_id} does not exist in this shop")
    return product


def _get_product(ctx: SimContext, call: ShopCall, product_id: str) -> dict[str, Any]:
    assert call.shop is not None
    return product_json(call.shop, _product(call, product_id))


class _InventoryLine(BaseModel):
    model_config = ConfigDict(extra="ignore")
    warehouse_id: str
    quantity: int = Field(ge=0, le=99_999)


class _SkuInventory(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    inventory: list[_InventoryLine] = Field(min_length=1)


class _InventoryUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    skus: list[_SkuInventory] = Field(min_length=1, max_length=100)


def _update_inventory(ctx: SimContext, call: ShopCall, product_id: str) -> dict[str, Any]:
    update = parse_model(_InventoryUpdate, call.body, INVALID_REQUEST)
    product = _product(call, product_id)
    assert call.shop is not None
    warehouses = {w.id for w in call.shop.warehouses}
    by_id = {s.id: s for s in product.skus}
    errors: list[dict[str, Any]] = []
    for line in update.skus:
        sku = by_id.get(line.id)
        if sku is None:
            errors.append({"code": SKU_NOT_IN_PRODUCT,
                           "message": f"SKU {line.id} does not belong to product {product_id}",
                           "detail": {"sku_id": line.id, "extra_errors": []}})
            continue
        unknown = [i for i in line.inventory if i.warehouse_id not in warehouses]
        missing = sorted(set(sku.stock) - {i.warehouse_id for i in line.inventory})
        if missing and not unknown:
            code = min(shop_facts.MISSING_WAREHOUSE_CODES)
            errors.append({"code": code, "message": f"SKU {line.id}: every warehouse of the SKU must be listed",
                           "detail": {"sku_id": line.id, "extra_errors": [
                               {"code": code, "message": "warehouse missing from the update", "warehouse_id": w}
                               for w in missing]}})
            continue
        if unknown:
            errors.append({"code": WAREHOUSE_NOT_FOUND, "message": f"SKU {line.id}: unknown warehouse",
                           "detail": {"sku_id": line.id, "extra_errors": [
                               {"code": WAREHOUSE_NOT_FOUND, "message": "warehouse not found",
                                "warehouse_id": i.warehouse_id} for i in unknown]}})
            continue
        for item in line.inventory:
            sku.stock[item.warehouse_id] = item.quantity
        product.update_time = ctx.clock.timestamp()
    return {"errors": errors} if errors else {}


def _warehouses(ctx: SimContext, call: ShopCall) -> dict[str, Any]:
    assert call.shop is not None
    return {"warehouses": [
        {"id": w.id, "name": w.name, "effect_status": w.effect_status, "is_default": w.is_default, "type": w.type,
         "sub_type": w.sub_type, "address": {"region_code": call.shop.region}}
        for w in call.shop.warehouses
    ]}


class _OrderSearch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    order_status: str | None = None
    create_time_ge: int | None = None
    create_time_lt: int | None = None
    update_time_ge: int | None = None
    update_time_lt: int | None = None


def _search_orders(ctx: SimContext, call: ShopCall) -> dict[str, Any]:
    f = parse_model(_OrderSearch, call.body, INVALID_REQUEST)
    assert call.shop is not None
    matches = [
        o for o in call.shop.orders.values()
        if (f.order_status is None or o.status == f.order_status)
        and (f.create_time_ge is None or o.create_time >= f.create_time_ge)
        and (f.create_time_lt is None or o.create_time < f.create_time_lt)
        and (f.update_time_ge is None or o.update_time >= f.update_time_ge)
        and (f.update_time_lt is None or o.update_time < f.update_time_lt)
    ]
    matches = _sorted(matches, call.request, ("create_time", "update_time"), "create_time")
    page, token = _page(matches, call.request)
    return {"orders": [order_json(o) for o in page], "next_page_token": token, "total_count": len(matches)}


def _order_details(ctx: SimContext, call: ShopCall) -> dict[str, Any]:
    assert call.shop is not None
    ids = [i for i in call.request.query.get("ids", "").split(",") if i]
    if not 1 <= len(ids) <= MAX_ORDER_IDS:
        raise Refusal(INVALID_REQUEST, f"Invalid parameter ids: give 1 to {MAX_ORDER_IDS} order ids")
    return {"orders": [order_json(call.shop.orders[i]) for i in ids if i in call.shop.orders]}


def _authorized_shops(ctx: SimContext, call: ShopCall) -> dict[str, Any]:
    shops = [ctx.world.shops[s] for s in call.merchant.shop_ids]
    return {"shops": [{"id": s.id, "name": s.name, "region": s.region, "cipher": s.cipher, "code": s.code,
                       "seller_type": s.seller_type} for s in shops]}


ROUTES: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
    ("GET", re.compile(r"/authorization/202309/shops"), _authorized_shops),
    ("GET", re.compile(r"/logistics/202309/warehouses"), _warehouses),
    ("POST", re.compile(r"/product/202309/products/search"), _search_products),
    ("GET", re.compile(r"/product/202309/products/(?P<product_id>[^/]+)"), _get_product),
    ("POST", re.compile(r"/product/202309/products/(?P<product_id>[^/]+)/inventory/update"), _update_inventory),
    ("POST", re.compile(r"/order/202309/orders/search"), _search_orders),
    ("GET", re.compile(r"/order/202309/orders"), _order_details),
]


def _route(request: SimRequest) -> tuple[Callable[..., Any], dict[str, str]]:
    path_known = False
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(request.path)
        if match:
            path_known = True
            if method == request.method:
                return handler, match.groupdict()
    if path_known:
        raise Refusal(INVALID_REQUEST, f"Method {request.method} is not allowed on {request.path}", http_status=405)
    raise Refusal(PATH_NOT_FOUND, f"Path not found: {request.path}", http_status=404)


def _needs_shop(path: str) -> bool:
    return not path.startswith(("/authorization/", "/seller/"))


def _check_timestamp(ctx: SimContext, request: SimRequest, wall_now: float) -> None:
    raw = request.query.get("timestamp", "")
    if not raw.isdigit():
        raise Refusal(INVALID_REQUEST, "Invalid parameter timestamp: a unix timestamp in seconds is required")
    reference = wall_now if ctx.skew_reference == "wall" else ctx.clock.timestamp()
    if abs(int(raw) - reference) > MAX_SKEW_SECONDS:
        raise Refusal(INVALID_REQUEST, "Invalid timestamp: the request timestamp differs from server time by more "
                                       "than 5 minutes")


def _check_signature(ctx: SimContext, request: SimRequest) -> None:
    given = request.query.get("sign", "")
    if not given:
        raise Refusal(SIGNATURE_INVALID, "Invalid signature: the sign parameter is missing")
    content_type = request.header("content-type") or ""
    body = b"" if content_type.startswith("multipart/") else request.body
    expected = sign(ctx.scenario.app.app_secret, request.path, request.query, body)
    if not hmac.compare_digest(expected, given.lower()):
        raise Refusal(SIGNATURE_INVALID, "Invalid signature: the sign does not match the request")


def _check_token(ctx: SimContext, request: SimRequest) -> Merchant:
    presented = request.header("x-tts-access-token")
    if not presented:
        raise Refusal(INVALID_REQUEST, "Invalid request: the x-tts-access-token header is missing")
    token = ctx.world.shop_tokens.get(presented)
    if token is None or token.revoked:
        raise Refusal(TOKEN_INVALID, "Access token is invalid or has been revoked")
    if ctx.clock.timestamp() > token.access_expires_at:
        raise Refusal(TOKEN_EXPIRED, "Access token is expired, please refresh it")
    return ctx.world.merchants[token.merchant_id]


def _check_shop(ctx: SimContext, request: SimRequest, merchant: Merchant) -> Shop | None:
    cipher = request.query.get("shop_cipher")
    if not _needs_shop(request.path):
        if cipher is not None:
            raise Refusal(INVALID_REQUEST, f"Invalid request: shop_cipher is not allowed on {request.path}")
        return None
    if not cipher:
        raise Refusal(INVALID_REQUEST, "Invalid request: shop_cipher is required for this API")
    shop = ctx.world.shop_by_cipher(cipher)
    if shop is None or shop.id not in merchant.shop_ids:
        raise Refusal(INVALID_REQUEST, "Invalid request: shop_cipher is invalid or not authorized by this seller")
    return shop


def handle_shop_api(ctx: SimContext, request: SimRequest, request_id: str, wall_now: float) -> SimResponse:
    handler, params = _route(request)
    if request.query.get("app_key") != ctx.scenario.app.app_key:
        raise Refusal(INVALID_REQUEST, "Invalid request: app_key is missing or unknown")
    _check_timestamp(ctx, request, wall_now)
    _check_signature(ctx, request)
    merchant = _check_token(ctx, request)
    shop = _check_shop(ctx, request, merchant)
    try:
        body = request.json_body()
    except ValueError:
        raise Refusal(INVALID_REQUEST, "Invalid request: the body is not valid JSON") from None
    if body is not None and not isinstance(body, dict):
        raise Refusal(INVALID_REQUEST, "Invalid request: the body must be a JSON object")
    data = handler(ctx, ShopCall(merchant=merchant, shop=shop, request=request, body=body), **params)
    return SimResponse(body=envelope(request_id, data))
