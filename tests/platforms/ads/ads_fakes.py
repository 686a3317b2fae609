"""A respx stand-in for Composio's proxy in front of TikTok's Business API.

`FakeComposio` records the exact JSON the SDK posts to `/api/v3.1/tools/execute/proxy` and answers
each call from a queue per TikTok endpoint (an envelope, an httpx.Response, or an exception).
"""

from __future__ import annotations

import json
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import Any

import httpx
import respx

from shopwarden.config import Settings
from shopwarden.platforms.ads._proxy import BusinessApiProxy
from shopwarden.platforms.ads.client import AdsClient
from shopwarden.platforms.ads.factory import composio_for

COMPOSIO_BASE = "https://composio.test"
PROXY_URL = f"{COMPOSIO_BASE}/api/v3.1/tools/execute/proxy"
API = "https://business-api.tiktok.com/open_api/v1.3/"
API_KEY = "ck_live_SECRET_composio_key_123"
ACCOUNT = "ca_test_1"
MERCHANT = "m-acme"
ADVERTISER = "7001"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def ok(data: Any, request_id: str = "req-1") -> dict[str, Any]:
    return {"code": 0, "message": "OK", "request_id": request_id, "data": data}


def fail(code: int, message: str, request_id: str = "req-err") -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": request_id, "data": {}}


def page(items: list[dict[str, Any]], page_no: int, total_page: int, page_size: int = 1000) -> dict[str, Any]:
    return ok({"list": items, "page_info": {"page": page_no, "page_size": page_size,
                                            "total_number": len(items) * total_page, "total_page": total_page}})


def campaign_row(campaign_id: str, name: str, budget: Any = 100.0, status: str = "ENABLE") -> dict[str, Any]:
    return {"advertiser_id": ADVERTISER, "campaign_id": campaign_id, "campaign_name": name,
            "objective_type": "PRODUCT_SALES", "budget_mode": "BUDGET_MODE_DAY", "budget": budget,
            "operation_status": status}


TOOLKIT_URL = f"{COMPOSIO_BASE}/api/v3.1/toolkits/tiktok_ads"


def toolkit_json(headers: dict[str, str] | None = None, base_url: str = API.rstrip("/")) -> dict[str, object]:
    """Composio's description of the `tiktok_ads` toolkit: base URL and the OAUTH2 proxy's injection rule."""
    proxy: dict[str, object] = {"base_url": base_url}
    if headers is not None:
        proxy["headers"] = headers
    return {
        "name": "TikTok Ads", "slug": "tiktok_ads", "enabled": True, "is_local_toolkit": False, "type": "native",
        "base_url": base_url, "composio_managed_auth": [],
        "deprecated": {"raw_proxy_info_by_auth_schemes": [], "toolkit_id": "tk"},
        "meta": {"available_versions": [], "categories": [], "created_at": "2026-01-01", "description": "",
                 "logo": "", "tools_count": 0, "triggers_count": 0, "updated_at": "2026-01-01", "version": "1"},
        "auth_config_details": [{"mode": "OAUTH2", "name": "OAuth", "required_scopes": [], "proxy": proxy,
                                 "fields": {"auth_config_creation": {"required": [], "optional": []},
                                            "connected_account_initiation": {"required": [], "optional": []}}}],
    }


def account_json(token: str | None) -> dict[str, object]:
    val: dict[str, object] = {"status": "ACTIVE"}
    if token is not None:
        val["access_token"] = token
    return {
        "id": ACCOUNT, "user_id": MERCHANT, "status": "ACTIVE", "created_at": "2026-03-01T00:00:00Z",
        "updated_at": "2026-03-01T00:00:00Z", "is_disabled": False, "data": {}, "params": {},
        "auth_config": {"id": "ac_tiktok", "auth_scheme": "OAUTH2", "is_composio_managed": True, "is_disabled": False},
        "toolkit": {"slug": "tiktok_ads"}, "state": {"authScheme": "OAUTH2", "val": val},
    }


class FakeComposio:
    """Queued answers per TikTok endpoint; every proxied call's JSON body and headers are kept."""

    def __init__(self, router: respx.Router) -> None:
        self.calls: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []
        self._replies: dict[str, deque[Any]] = defaultdict(deque)
        self.toolkit: dict[str, object] = toolkit_json({"Access-Token": "{{access_token}}"})
        router.post(PROXY_URL).mock(side_effect=self._handle)
        router.get(TOOLKIT_URL).mock(side_effect=lambda _request: httpx.Response(200, json=self.toolkit))

    def reply(self, endpoint: str, *answers: Any) -> None:
        """Queue answers for `endpoint` (e.g. "campaign/get/"): envelopes, httpx.Responses or exceptions."""
        self._replies[endpoint].extend(answers)

    def calls_to(self, endpoint: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["endpoint"] == API + endpoint]

    def query(self, call: dict[str, Any]) -> dict[str, str]:
        return {p["name"]: p["value"] for p in call.get("parameters", []) if p["type"] == "query"}

    def _handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.calls.append(body)
        self.headers.append(request.headers)
        endpoint = body["endpoint"].removeprefix(API)
        queue = self._replies[endpoint]
        if not queue:
            raise AssertionError(f"unexpected proxied call to {endpoint}")
        answer = queue.popleft()
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json={"data": answer, "status": 200, "headers": {}})


def build_client(settings: Settings, **kwargs: Any) -> AdsClient:
    sdk = composio_for(settings, http_client=httpx.Client())
    proxy = BusinessApiProxy(sdk, connected_account_id=ACCOUNT, merchant_id=MERCHANT, user_id=MERCHANT,
                             api_base=settings.ads_api_base,
                             secrets=(API_KEY,))
    return AdsClient(proxy, clock=kwargs.pop("clock", lambda: NOW), backoff=kwargs.pop("backoff", (0, 0)), **kwargs)
