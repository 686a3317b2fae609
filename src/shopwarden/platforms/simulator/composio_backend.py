"""Composio's backend as the composio 0.29 SDK calls it: the tool proxy and connected accounts.

The proxy takes `{connected_account_id, user_id, endpoint, method, body, parameters}`, refuses an
absolute endpoint off the connection's registrable domain (OriginMismatch) and a call without an
auth context (MissingAuthContext), injects the header the `tiktok_ads` toolkit's rule names
(`ComposioSpec.injected_header`; a header parameter may override it),
calls the Business API and answers `{data, status, headers}` with HTTP 200 — a TikTok
error is inside `data`, never raised. Composio's own errors are `{"error": {...}}` with
an HTTP error status. `GET /sim/consent/{id}` stands in for the merchant's consent click.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from shopwarden.platforms.simulator.ads_common import API_PREFIX
from shopwarden.platforms.simulator.context import SimContext
from shopwarden.platforms.simulator.wire import SimRequest, SimResponse
from shopwarden.platforms.simulator.world import ConnectedAccount

BUSINESS_HOSTS = frozenset({"business-api.tiktok.com", "sandbox-ads.tiktok.com"})
BUSINESS_BASE = "https://business-api.tiktok.com" + API_PREFIX.rstrip("/")
CONSENT_PATH = "/sim/consent/"
TOOLKIT_SLUG = "tiktok_ads"  # the Business API toolkit (`tiktok` is the content API)
TOOLKIT_PATH = f"/api/v3.1/toolkits/{TOOLKIT_SLUG}"

Forward = Callable[[SimRequest], SimResponse]


class ComposioRefusal(Exception):
    def __init__(self, status: int, message: str, slug: str) -> None:
        super().__init__(message)
        self.status, self.message, self.slug = status, message, slug


def error_response(status: int, message: str, slug: str, request_id: str) -> SimResponse:
    return SimResponse(status=status, body={"error": {"message": message, "code": status, "slug": slug,
                                                      "status": status, "request_id": request_id}})


def _iso(account_time: datetime) -> str:
    return account_time.isoformat().replace("+00:00", "Z")


def account_json(ctx: SimContext, account: ConnectedAccount) -> dict[str, Any]:
    val: dict[str, Any] = {"status": account.status}
    if account.access_token and account.status == "ACTIVE":
        val["access_token"] = account.access_token[:4] + "****"  # Composio masks secrets; never the raw token
    if account.callback_url:
        val["callback_url"] = account.callback_url
    return {
        "id": account.id, "user_id": account.user_id, "status": account.status, "alias": None,
        "created_at": _iso(account.created_at), "updated_at": _iso(account.updated_at),
        "is_disabled": False, "data": {}, "params": {}, "status_reason": None, "test_request_endpoint": None,
        "auth_config": {"id": account.auth_config_id, "auth_scheme": "OAUTH2", "is_composio_managed": True,
                        "is_disabled": False},
        "toolkit": {"slug": TOOLKIT_SLUG},
        "state": {"authScheme": "OAUTH2", "val": val},
    }


def _business_base(ctx: SimContext) -> str:
    """The Business API base the toolkit names: the served simulator stands in for TikTok's host."""
    return ctx.public_base.rstrip("/") + API_PREFIX.rstrip("/") if ctx.public_base else BUSINESS_BASE


def toolkit_json(ctx: SimContext) -> dict[str, Any]:
    """`GET /api/v3.1/toolkits/tiktok_ads`: base URL and the OAUTH2 proxy's injection rule."""
    header = ctx.scenario.composio.injected_header
    base_url = _business_base(ctx)
    return {
        "name": "TikTok Ads", "slug": TOOLKIT_SLUG, "enabled": True, "is_local_toolkit": False, "type": "native",
        "base_url": base_url, "composio_managed_auth": [], "composio_managed_auth_schemes": [],
        "deprecated": {"raw_proxy_info_by_auth_schemes": [], "toolkit_id": "tk_tiktok_ads"},
        "meta": {"available_versions": ["20260301_00"], "categories": [], "created_at": "2026-01-01T00:00:00Z",
                 "description": "TikTok Business API", "logo": "", "tools_count": 0, "triggers_count": 0,
                 "updated_at": "2026-01-01T00:00:00Z", "version": "20260301_00"},
        "auth_config_details": [{
            "mode": "OAUTH2", "name": "TikTok Ads OAuth", "required_scopes": [],
            "fields": {"auth_config_creation": {"required": [], "optional": []},
                       "connected_account_initiation": {"required": [], "optional": []}},
            "proxy": {"base_url": base_url, "headers": {header: "{{access_token}}"}},
        }],
    }


def _registrable(scheme: str, host: str) -> tuple[str, str]:
    return scheme.lower(), ".".join(host.lower().split(".")[-2:])


def _consent_url(ctx: SimContext, account_id: str) -> str:
    base = (ctx.public_base or "https://backend.composio.dev").rstrip("/")
    return f"{base}{CONSENT_PATH}{account_id}"


def _new_account(ctx: SimContext, user_id: str, auth_config_id: str, callback_url: str | None) -> ConnectedAccount:
    if auth_config_id != ctx.scenario.composio.auth_config_id:
        raise ComposioRefusal(404, f"Auth config {auth_config_id} not found", "AuthConfig_NotFound")
    if not user_id:
        raise ComposioRefusal(400, "user_id is required", "Request_ValidationError")
    now = ctx.clock.now()
    account = ConnectedAccount(
        id="ca_" + ctx.ids.token("")[:12], user_id=user_id, auth_config_id=auth_config_id, status="INITIATED",
        merchant_id=None, access_token=None, created_at=now, updated_at=now, callback_url=callback_url,
    )
    ctx.world.connected_accounts[account.id] = account
    return account


def _json(request: SimRequest) -> dict[str, Any]:
    try:
        data = request.json_body()
    except ValueError:
        raise ComposioRefusal(400, "Request body is not valid JSON", "Request_ValidationError") from None
    if not isinstance(data, dict):
        raise ComposioRefusal(400, "Request body must be a JSON object", "Request_ValidationError")
    return data


def _link(ctx: SimContext, request: SimRequest) -> SimResponse:
    body = _json(request)
    account = _new_account(ctx, str(body.get("user_id", "")), str(body.get("auth_config_id", "")),
                           body.get("callback_url"))
    expires = (ctx.clock.now() + timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
    return SimResponse(status=201, body={"connected_account_id": account.id, "expires_at": expires,
                                         "link_token": "lt_" + account.id,
                                         "redirect_url": _consent_url(ctx, account.id)})


def _create(ctx: SimContext, request: SimRequest) -> SimResponse:
    body = _json(request)
    connection = body.get("connection") or {}
    auth_config = body.get("auth_config") or {}
    account = _new_account(ctx, str(connection.get("user_id", "")), str(auth_config.get("id", "")),
                           connection.get("callback_url"))
    url = _consent_url(ctx, account.id)
    return SimResponse(status=201, body={
        "id": account.id, "status": "INITIATED", "redirect_url": url, "redirect_uri": url,
        "connectionData": {"authScheme": "OAUTH2", "val": {"status": "INITIATED", "redirectUrl": url}},
    })


def _list(ctx: SimContext, request: SimRequest) -> SimResponse:
    query = parse_qs(request.raw_query)

    def wanted(key: str) -> set[str] | None:
        values = [v for raw in query.get(key, []) + query.get(f"{key}[]", []) for v in raw.split(",") if v]
        return set(values) if values else None

    users, configs, statuses, ids = (wanted(k) for k in ("user_ids", "auth_config_ids", "statuses",
                                                          "connected_account_ids"))
    items = [
        account_json(ctx, a) for a in ctx.world.connected_accounts.values()
        if (users is None or a.user_id in users) and (configs is None or a.auth_config_id in configs)
        and (statuses is None or a.status in statuses) and (ids is None or a.id in ids)
    ]
    return SimResponse(body={"items": items, "current_page": 1, "total_items": len(items), "total_pages": 1,
                             "next_cursor": None})


def _account(ctx: SimContext, account_id: str) -> ConnectedAccount:
    account = ctx.world.connected_accounts.get(account_id)
    if account is None:
        raise ComposioRefusal(404, f"Connected account {account_id} not found", "ConnectedAccount_NotFound")
    return account


def complete_consent(ctx: SimContext, account_id: str, merchant_id: str | None = None) -> ConnectedAccount:
    """The merchant approves the TikTok Ads consent screen: the account becomes ACTIVE."""
    account = _account(ctx, account_id)
    merchant_id = merchant_id or next(iter(ctx.world.merchants))
    if merchant_id not in ctx.world.merchants:
        raise ComposioRefusal(404, f"No merchant {merchant_id} in the scenario", "Merchant_NotFound")
    account.status, account.merchant_id = "ACTIVE", merchant_id
    account.access_token = ctx.ids.token("act.")
    account.updated_at = ctx.clock.now()
    return account


def _consent(ctx: SimContext, request: SimRequest) -> SimResponse:
    account = complete_consent(ctx, request.path.removeprefix(CONSENT_PATH), request.query.get("merchant"))
    if account.callback_url:
        sep = "&" if "?" in account.callback_url else "?"
        target = account.callback_url + sep + urlencode({"status": "success", "connected_account_id": account.id})
        return SimResponse(status=302, body={"redirect": target}, headers={"location": target})
    return SimResponse(body={"status": "success", "connected_account_id": account.id})


def _inner_request(ctx: SimContext, body: dict[str, Any], account: ConnectedAccount) -> SimRequest:
    endpoint, method = body.get("endpoint"), body.get("method")
    if not isinstance(endpoint, str) or not endpoint or method not in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"):
        raise ComposioRefusal(400, "endpoint and method are required", "Request_ValidationError")
    base = urlsplit(BUSINESS_BASE)
    if endpoint.startswith(("http://", "https://")):
        parts = urlsplit(endpoint)
        served = urlsplit(ctx.public_base).hostname if ctx.public_base else None
        if parts.hostname != served and (_registrable(parts.scheme, parts.hostname or "")
                                         != _registrable(base.scheme, base.hostname or "")):
            raise ComposioRefusal(400, f"Endpoint {parts.scheme}://{parts.hostname} does not share scheme and "
                                       f"registrable domain with the connection's base URL {BUSINESS_BASE}",
                                  "OriginMismatch")
        # The served simulator stands in for the Business API host (SHOPWARDEN_ADS_API_BASE points at it).
        host = "business-api.tiktok.com" if parts.hostname == served else (parts.hostname or "")
        path, raw_query = parts.path, parts.query
    else:
        relative, _, raw_query = endpoint.partition("?")
        path = relative if relative.startswith("/open_api/") else f"{API_PREFIX}{relative.lstrip('/')}"
        host = base.hostname or ""
    headers = {"content-type": "application/json"}
    injected = ctx.scenario.composio.injected_header.lower()
    token = account.access_token or ""
    headers[injected] = f"Bearer {token}" if injected == "authorization" else token
    extra_query: list[tuple[str, str]] = []
    for parameter in body.get("parameters") or []:
        if not isinstance(parameter, dict) or parameter.get("type") not in ("header", "query"):
            raise ComposioRefusal(400, "parameters: each needs name, type (header|query) and value",
                                  "Request_ValidationError")
        if parameter["type"] == "header":
            headers[str(parameter["name"]).lower()] = str(parameter["value"])
        else:
            extra_query.append((str(parameter["name"]), str(parameter["value"])))
    if extra_query:
        raw_query = "&".join(filter(None, [raw_query, urlencode(extra_query)]))
    payload = body.get("body")
    content = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
    return SimRequest.build(method, host, path, raw_query, headers, content)


def _proxy_account(ctx: SimContext, body: dict[str, Any]) -> ConnectedAccount:
    account_id = body.get("connected_account_id")
    if not account_id:
        # Composio wants an auth context: a connected account or custom connection data (not served here).
        raise ComposioRefusal(400, "Provide connected_account_id or custom_connection_data", "MissingAuthContext")
    account = _account(ctx, str(account_id))
    if (user_id := body.get("user_id")) and user_id != account.user_id:
        raise ComposioRefusal(403, "The connected account does not belong to this user_id",
                              "ConnectedAccount_UserMismatch")
    if account.status != "ACTIVE":
        raise ComposioRefusal(400, f"Connected account {account.id} is not active (status {account.status})",
                              "ConnectedAccount_NotActive")
    return account


def _proxy(ctx: SimContext, request: SimRequest, forward: Forward) -> SimResponse:
    body = _json(request)
    inner = _inner_request(ctx, body, _proxy_account(ctx, body))
    upstream = forward(inner)
    if upstream.raw is not None:
        data: Any = upstream.raw.decode(errors="replace")
    else:
        data = upstream.body
    headers = {"content-type": "application/json", **upstream.headers}
    return SimResponse(body={"data": data, "status": upstream.status, "headers": headers})


def handle_composio(ctx: SimContext, request: SimRequest, request_id: str, forward: Forward) -> SimResponse:
    try:
        if request.path.startswith(CONSENT_PATH) and request.method == "GET":
            return _consent(ctx, request)
        if request.header("x-api-key") != ctx.scenario.composio.api_key:
            raise ComposioRefusal(401, "Invalid API key", "Auth_InvalidApiKey")
        path, method = request.path.rstrip("/"), request.method
        if (method, path) == ("GET", TOOLKIT_PATH):
            return SimResponse(body=toolkit_json(ctx))
        if (method, path) == ("POST", "/api/v3.1/tools/execute/proxy"):
            return _proxy(ctx, request, forward)
        if (method, path) == ("POST", "/api/v3.1/connected_accounts/link"):
            return _link(ctx, request)
        if (method, path) == ("POST", "/api/v3.1/connected_accounts"):
            return _create(ctx, request)
        if (method, path) == ("GET", "/api/v3.1/connected_accounts"):
            return _list(ctx, request)
        if path.startswith("/api/v3.1/connected_accounts/") and path.count("/") == 4:
            account = _account(ctx, path.rsplit("/", 1)[1])
            if method == "GET":
                return SimResponse(body=account_json(ctx, account))
            if method == "DELETE":
                del ctx.world.connected_accounts[account.id]
                return SimResponse(body={"success": True})
        raise ComposioRefusal(404, f"Cannot {method} {request.path}", "Route_NotFound")
    except ComposioRefusal as refusal:
        return error_response(refusal.status, refusal.message, refusal.slug, request_id)
