"""The native TikTok Shop Open API client: signed requests, one error table, typed answers.

The same client talks to the real API, a respx mock or the simulator's transport: only the
httpx transport differs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, SecretStr

from shopwarden.db.models import utcnow
from shopwarden.errors import InvalidRequest, PartialFailure, PlatformUnavailable, RateLimited
from shopwarden.platforms.shop._envelope import EnvelopeFailure, read_data, read_envelope
from shopwarden.platforms.shop._errors import PLATFORM
from shopwarden.platforms.shop.models import (
    AuthorizedShop,
    InventoryUpdateResult,
    Order,
    OrderList,
    OrderPage,
    Product,
    ProductPage,
    ShopList,
    SkuInventory,
    Warehouse,
    WarehouseList,
    sku_inventory_lines,
)
from shopwarden.platforms.shop.search_windows import windowed_search
from shopwarden.platforms.shop.signing import sign
from shopwarden.security.redaction import redact_text, register_secret

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

DEFAULT_API_BASE = "https://open-api.tiktokglobalshop.com"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MAX_RATE_LIMIT_WAITS = 2
MAX_RETRY_AFTER_SECONDS = 10.0
DEFAULT_RETRY_AFTER_SECONDS = 1.0
BACKOFF_SECONDS = (0.5, 1.0, 2.0)
MAX_PAGE_SIZE = 100
ORDER_IDS_PER_CALL = 50  # uncertain on the platform; 50 is what SDKs use
MAX_SKUS_PER_UPDATE = 100  # the platform's own bound; the policy refuses bulk rewrites far below it

# Failures after which we cannot know whether the platform acted on the request.
_OUTCOME_UNKNOWN = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError,
                    httpx.WriteError)


class TokenProvider(Protocol):
    async def get_access_token(self) -> str: ...

    async def force_refresh(self) -> str: ...


class OutcomeUnknown(PlatformUnavailable):
    """The request was sent but no answer came back: the platform may or may not have acted."""


class ShopClient:
    """Async TikTok Shop client. One pooled httpx.AsyncClient; close with `aclose()` or `async with`."""

    def __init__(
        self,
        app_key: str,
        app_secret: str | SecretStr,
        token_provider: TokenProvider,
        *,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        api_base: str = DEFAULT_API_BASE,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.app_key = app_key
        self._secret = app_secret if isinstance(app_secret, SecretStr) else SecretStr(app_secret)
        register_secret(self._secret.get_secret_value())
        self._tokens = token_provider
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(transport=transport, timeout=DEFAULT_TIMEOUT,
                                               limits=httpx.Limits(max_connections=20, max_keepalive_connections=10))
        self.api_base = api_base.rstrip("/")
        self._clock = clock
        self._sleep = sleep

    def __repr__(self) -> str:
        return f"ShopClient(app_key={self.app_key!r}, api_base={self.api_base!r})"

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> ShopClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # --- endpoints -------------------------------------------------------------------------

    async def authorized_shops(self) -> list[AuthorizedShop]:
        return (await self._call("GET", "/authorization/202309/shops", ShopList)).shops

    async def warehouses(self, shop_cipher: str) -> list[Warehouse]:
        answer = await self._call("GET", "/logistics/202309/warehouses", WarehouseList, shop_cipher=shop_cipher)
        return answer.warehouses

    async def search_products(
        self, shop_cipher: str, *, update_time_ge: int | None = None, page_size: int = MAX_PAGE_SIZE,
        status: str | None = None, update_time_le: int | None = None,
    ) -> AsyncGenerator[ProductPage, None]:
        """Every page of the product search (filters in the body, paging in the query)."""
        body: dict[str, Any] = {}
        if status is not None:
            body["status"] = status
        if update_time_ge is not None:
            body["update_time_ge"] = update_time_ge
        if update_time_le is not None:
            body["update_time_le"] = update_time_le
        async for page in self._pages("/product/202309/products/search", ProductPage, shop_cipher, body, page_size):
            yield page

    async def search_all_products(self, shop_cipher: str, *, update_time_ge: int | None = None,
                                  update_time_le: int | None = None,
                                  page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[ProductPage]:
        """Every product updated in the range, split into update_time windows (bounded by now on the
        client's clock) only when one query would reach TikTok's 10,000-result limit."""
        def pages(low: int | None, high: int | None) -> AsyncGenerator[ProductPage, None]:
            return self.search_products(shop_cipher, update_time_ge=low, update_time_le=high, page_size=page_size)

        def now() -> int:
            return int(self._clock().timestamp()) + 1

        async for page in windowed_search(pages, update_time_ge, update_time_le, now=now):
            yield page

    async def get_product(self, shop_cipher: str, product_id: str) -> Product:
        return await self._call("GET", f"/product/202309/products/{product_id}", Product, shop_cipher=shop_cipher)

    async def update_inventory(
        self, shop_cipher: str, product_id: str, skus: Sequence[SkuInventory | Mapping[str, Any]]
    ) -> InventoryUpdateResult:
        """Set absolute stock per SKU and warehouse; any SKU the platform refused -> PartialFailure."""
        lines = sku_inventory_lines(skus)
        path = f"/product/202309/products/{product_id}/inventory/update"
        if not 1 <= len(lines) <= MAX_SKUS_PER_UPDATE:
            raise InvalidRequest(f"give 1 to {MAX_SKUS_PER_UPDATE} SKUs per inventory update, not {len(lines)}",
                                 platform=PLATFORM, endpoint=f"POST {path}")
        body = {"skus": [line.model_dump(mode="json") for line in lines]}
        result, request_id = await self._call_with_id("POST", path, InventoryUpdateResult, shop_cipher=shop_cipher,
                                                      body=body, resend_after_send=False)
        if result.errors:
            failures = [{"sku_id": e.detail.sku_id, "code": e.code, "message": e.message,
                         "extra_errors": e.detail.extra_errors} for e in result.errors]
            refused = ", ".join(f"{f['sku_id']}: {f['message']}" for f in failures)
            raise PartialFailure(f"{len(failures)} of {len(lines)} SKUs were not updated ({refused})",
                                 failures=failures, platform=PLATFORM, endpoint=f"POST {path}",
                                 request_id=request_id)
        return result

    async def search_orders(
        self, shop_cipher: str, *, update_time_ge: int, update_time_lt: int, page_size: int = MAX_PAGE_SIZE,
        status: str | None = None,
    ) -> AsyncIterator[OrderPage]:
        """Every page of orders updated in [update_time_ge, update_time_lt)."""
        body: dict[str, Any] = {"update_time_ge": update_time_ge, "update_time_lt": update_time_lt}
        if status is not None:
            body["order_status"] = status
        async for page in self._pages("/order/202309/orders/search", OrderPage, shop_cipher, body, page_size):
            yield page

    async def get_orders(self, shop_cipher: str, ids: Sequence[str]) -> list[Order]:
        """Order details, fetched in batches of ORDER_IDS_PER_CALL."""
        orders: list[Order] = []
        for start in range(0, len(ids), ORDER_IDS_PER_CALL):
            batch = ",".join(ids[start : start + ORDER_IDS_PER_CALL])
            answer = await self._call("GET", "/order/202309/orders", OrderList, shop_cipher=shop_cipher,
                                      query={"ids": batch})
            orders.extend(answer.orders)
        return orders

    # --- transport ---------------------------------------------------------------------------

    async def _pages(
        self, path: str, model: type[M], shop_cipher: str, body: dict[str, Any], page_size: int
    ) -> AsyncIterator[M]:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        seen: set[str] = set()
        token = ""
        while True:
            query = {"page_size": str(page_size)}
            if token:
                query["page_token"] = token
            page, request_id = await self._call_with_id("POST", path, model, shop_cipher=shop_cipher, query=query,
                                                        body=body)
            yield page
            token = getattr(page, "next_page_token", "")
            if not token:
                return
            if token in seen:
                raise PlatformUnavailable(f"pagination loop: page token {token[:24]!r} came back twice",
                                          platform=PLATFORM, endpoint=f"POST {path}", request_id=request_id)
            seen.add(token)

    async def _call(self, method: str, path: str, model: type[M], **kw: Any) -> M:
        return (await self._call_with_id(method, path, model, **kw))[0]

    async def _call_with_id(
        self, method: str, path: str, model: type[M], *, shop_cipher: str | None = None,
        query: Mapping[str, str] | None = None, body: Any = None, resend_after_send: bool = True,
        idempotent: bool = True,
    ) -> tuple[M, str | None]:
        """Send (with the recoveries the error table allows) and read the data as `model`."""
        endpoint = f"{method} {path}"
        # Serialized once: these exact bytes are signed and sent, on every attempt.
        body_bytes = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode() if body is not None else b""
        refreshed, waits, backoffs = False, 0, 0
        token = await self._tokens.get_access_token()
        while True:
            register_secret(token)
            try:
                envelope = await self._send(method, path, endpoint, shop_cipher, query or {}, body_bytes, token,
                                            resend_after_send)
                return read_data(envelope, model, endpoint), envelope.request_id
            except EnvelopeFailure as failure:
                recovery = failure.rule.recovery
                if recovery == "refresh" and not refreshed:
                    log.info("%s: access token expired, refreshing once", endpoint)
                    refreshed = True
                    token = await self._tokens.force_refresh()
                    continue
                if recovery == "wait" and waits < MAX_RATE_LIMIT_WAITS:
                    delay = _rate_limit_delay(failure.error)
                    if delay is not None:
                        waits += 1
                        await self._sleep(delay)
                        continue
                if recovery == "backoff" and idempotent and backoffs < len(BACKOFF_SECONDS):
                    await self._sleep(BACKOFF_SECONDS[backoffs])
                    backoffs += 1
                    continue
                log.warning("TikTok Shop call failed: %s", failure.error)
                raise failure.error from None
            except _NotSent as not_sent:
                if idempotent and backoffs < len(BACKOFF_SECONDS):
                    await self._sleep(BACKOFF_SECONDS[backoffs])
                    backoffs += 1
                    continue
                raise not_sent.error from None

    async def _send(
        self, method: str, path: str, endpoint: str, shop_cipher: str | None, extra: Mapping[str, str],
        body_bytes: bytes, token: str, resend_after_send: bool,
    ) -> Any:
        query = {"app_key": self.app_key, "timestamp": str(int(self._clock().timestamp())), **extra}
        if shop_cipher is not None:
            query["shop_cipher"] = shop_cipher
        query["sign"] = sign(self._secret.get_secret_value(), path, query, body_bytes)
        headers = {"x-tts-access-token": token, "content-type": "application/json"}
        started = time.perf_counter()
        try:
            response = await self._http.request(method, self.api_base + path, params=query, headers=headers,
                                                content=body_bytes or None)
        except httpx.TimeoutException as exc:
            raise self._transport_failure(endpoint, exc, "timed out", resend_after_send) from None
        except httpx.TransportError as exc:
            raise self._transport_failure(endpoint, exc, "connection failed", resend_after_send) from None
        envelope = read_envelope(response, endpoint)
        log.debug("tiktok shop %s -> %s in %.0f ms (request id %s)", endpoint, response.status_code,
                  (time.perf_counter() - started) * 1000, envelope.request_id)
        return envelope

    @staticmethod
    def _transport_failure(endpoint: str, exc: Exception, what: str, resend_after_send: bool) -> Exception:
        maybe_applied = isinstance(exc, _OUTCOME_UNKNOWN)
        message = redact_text(f"{what} ({type(exc).__name__})")
        if maybe_applied:
            error: PlatformUnavailable = OutcomeUnknown(message, platform=PLATFORM, endpoint=endpoint)
            return _NotSent(error) if resend_after_send else error
        return _NotSent(PlatformUnavailable(message, platform=PLATFORM, endpoint=endpoint))


class _NotSent(Exception):
    """A transport failure that is safe to retry for this call."""

    def __init__(self, error: PlatformUnavailable) -> None:
        super().__init__(str(error))
        self.error = error


def _rate_limit_delay(error: Exception) -> float | None:
    """How long to wait before the one bounded retry, or None when the wait is too long to sit out."""
    retry_after = error.retry_after if isinstance(error, RateLimited) else None
    delay = DEFAULT_RETRY_AFTER_SECONDS if retry_after is None else retry_after
    return delay if delay <= MAX_RETRY_AFTER_SECONDS else None
