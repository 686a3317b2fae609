"""Wire helpers and fakes for the TikTok Shop tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from shopwarden.platforms.shop.signing import sign

API = "https://api.shop.test"
AUTH = "https://auth.shop.test"
APP_KEY = "app_key_29a39d"
APP_SECRET = "app_secret_e59af819cc"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
CIPHER = "ROW_cipher_us_1"


def envelope(data: Any = None, *, code: int = 0, message: str = "success", request_id: str = "req-1") -> dict:
    return {"code": code, "message": message, "request_id": request_id, "data": data}


def ok(data: Any = None, **kw: Any) -> httpx.Response:
    return httpx.Response(200, json=envelope(data, **kw))


def fail(code: int, message: str, *, status: int = 200, request_id: str = "req-err", **headers: str) -> httpx.Response:
    return httpx.Response(status, json=envelope(None, code=code, message=message, request_id=request_id),
                          headers=headers)


def assert_signed(request: httpx.Request, secret: str = APP_SECRET) -> None:
    """The request carries a valid sign over its decoded query, path and exact body bytes."""
    query = dict(request.url.params)
    assert query["sign"] == sign(secret, request.url.path, query, request.content)


class FakeTokens:
    """A token provider that hands out numbered tokens and counts forced refreshes."""

    def __init__(self, token: str = "access-token-0001") -> None:
        self.token = token
        self.refreshes = 0

    async def get_access_token(self) -> str:
        return self.token

    async def force_refresh(self) -> str:
        self.refreshes += 1
        self.token = f"access-token-{self.refreshes + 1:04d}"
        return self.token


class SleepRecorder:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)



def product_json(product_id: str, *, update_time: int = 1_700_000_000, skus: int = 1, quantity: int = 10,
                 warehouse: str = "wh-1", with_skus: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"id": product_id, "title": f"Product {product_id}", "status": "ACTIVATE",
                            "create_time": 1_690_000_000, "update_time": update_time, "extra_field": {"x": 1}}
    if with_skus:
        data["skus"] = [{"id": f"{product_id}-s{i}", "seller_sku": f"SKU-{product_id}-{i}",
                         "price": {"currency": "USD", "sale_price": "19.99"},
                         "inventory": [{"warehouse_id": warehouse, "quantity": quantity}]} for i in range(skus)]
    return data


def grant_json(access: str, refresh: str, *, access_expires: int, refresh_expires: int) -> dict[str, Any]:
    return {"access_token": access, "access_token_expire_in": access_expires, "refresh_token": refresh,
            "refresh_token_expire_in": refresh_expires, "open_id": "open-1", "seller_name": "Acme Outdoor",
            "seller_base_region": "US", "user_type": 0, "granted_scopes": ["seller.product.basic"]}
