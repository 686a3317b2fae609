"""Public creative sources: the Commercial Content API ad library and Creative Center trends.

Their content comes from the scenario and is untrusted text by design (a scenario may
plant instructions in an ad title to test that agents treat it as data).
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import parse_qs

from shopwarden.platforms.creative_center.ad_library import ALL_COUNTRIES, COVERED_COUNTRIES
from shopwarden.platforms.simulator.context import SimContext
from shopwarden.platforms.simulator.wire import Refusal, SimRequest, SimResponse, envelope

ADLIB_PATH = "/v2/research/adlib/ad/query/"
TOKEN_PATH = "/v2/oauth/token/"
TREND_PATHS = {
    "/creative_radar_api/v1/popular_trend/hashtag/list": ("hashtags", "list"),
    "/creative_radar_api/v1/popular_trend/keyword/list": ("keywords", "list"),
    "/creative_radar_api/v1/top_ads/v2/list": ("top_ads", "materials"),
}
TREND_PARAM_ERROR = 40002
TREND_NO_PERMISSION = 40101
FORM = "application/x-www-form-urlencoded"
MAX_ADLIB_COUNT = 50
MAX_TREND_LIMIT = 50


def adlib_error(status: int, code: str, message: str, request_id: str) -> SimResponse:
    return SimResponse(status=status, body={"data": {}, "error": {"code": code, "message": message,
                                                                  "log_id": request_id}})


def _search_position(search_id: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(search_id.encode()).decode().removeprefix("pos:"))
    except ValueError:
        raise ValueError("search_id is not one this API returned") from None


def _oauth_error(status: int, error: str, description: str, request_id: str) -> SimResponse:
    return SimResponse(status=status, body={"error": error, "error_description": description, "log_id": request_id})


def handle_client_token(ctx: SimContext, request: SimRequest, request_id: str) -> SimResponse:
    """`POST /v2/oauth/token/` with client credentials: a client token valid for two (virtual) hours."""
    if request.method != "POST":
        return _oauth_error(405, "invalid_request", "Use POST", request_id)
    if not (request.header("content-type") or "").lower().startswith(FORM):
        return _oauth_error(400, "invalid_request", f"Content-Type must be {FORM}", request_id)
    form = {k: v[0] for k, v in parse_qs(request.body.decode(errors="replace")).items()}
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "grant_type must be client_credentials", request_id)
    spec = ctx.scenario.creative
    if form.get("client_key") != spec.client_key or form.get("client_secret") != spec.client_secret:
        return _oauth_error(401, "invalid_client", "Client key or secret is incorrect.", request_id)
    serial = len(ctx.world.client_tokens)
    # Derived, not drawn from the seeded generator, so fetching tokens never shifts the world's randomness.
    token = "clt." + hashlib.sha256(f"{spec.client_secret}:{serial}".encode()).hexdigest()[:40]
    ctx.world.client_tokens[token] = ctx.clock.timestamp() + spec.client_token_ttl_seconds
    return SimResponse(body={"access_token": token, "expires_in": spec.client_token_ttl_seconds,
                             "token_type": "Bearer"})


def _client_token_valid(ctx: SimContext, token: str) -> bool:
    expires_at = ctx.world.client_tokens.get(token)
    return expires_at is not None and ctx.clock.timestamp() < expires_at


def handle_ad_library(ctx: SimContext, request: SimRequest, request_id: str) -> SimResponse:
    if request.path.rstrip("/") == TOKEN_PATH.rstrip("/"):
        return handle_client_token(ctx, request, request_id)
    if request.path.rstrip("/") != ADLIB_PATH.rstrip("/") or request.method != "POST":
        return adlib_error(404, "not_found", f"{request.method} {request.path} does not exist", request_id)
    auth = request.header("authorization") or ""
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not _client_token_valid(ctx, token):
        return adlib_error(401, "access_token_invalid",
                           "The access token is invalid or not found in the request.", request_id)
    try:
        body = request.json_body() or {}
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        max_count = int(body.get("max_count", 10))
        if not 1 <= max_count <= MAX_ADLIB_COUNT:
            raise ValueError(f"max_count must be between 1 and {MAX_ADLIB_COUNT}")
        start = _search_position(body["search_id"]) if body.get("search_id") else 0
    except (ValueError, TypeError) as exc:
        return adlib_error(400, "invalid_params", f"Invalid parameters: {exc}", request_id)
    term = str(body.get("search_term", "")).lower()
    country = str((body.get("filters") or {}).get("country_code") or ALL_COUNTRIES).upper()
    if country != ALL_COUNTRIES and country not in COVERED_COUNTRIES:
        return adlib_error(400, "invalid_params", f"Invalid parameters: country_code {country} is not supported",
                           request_id)
    requested = [f for f in request.query.get("fields", "").split(",") if f]
    if not requested or any("." not in f for f in requested):
        return adlib_error(400, "invalid_params", "fields: give dotted field names such as ad.id", request_id)
    fields = {f.split(".", 1)[0] for f in requested}
    matches = [
        entry for entry in ctx.scenario.creative.ads
        if (not term or term in json.dumps(entry).lower())
        and (country == "ALL" or country in [c.upper() for c in entry.get("countries", [country])])
    ]
    page = matches[start : start + max_count]
    ads = [{k: v for k, v in entry.items() if k in fields or k == "advertiser"} for entry in page]
    more = start + max_count < len(matches)
    search_id = base64.urlsafe_b64encode(f"pos:{start + max_count}".encode()).decode() if more else ""
    # The real API sometimes sends has_more as a string; the simulator always does, to keep readers honest.
    return SimResponse(body={"data": {"ads": ads, "has_more": "true" if more else "false", "search_id": search_id},
                             "error": {"code": "ok", "message": "", "log_id": request_id}})


def handle_trends(ctx: SimContext, request: SimRequest, request_id: str) -> SimResponse:
    route = TREND_PATHS.get(request.path.rstrip("/"))
    if route is None or request.method != "GET":
        raise Refusal(40400, f"{request.path} not found", http_status=404)
    source, key = route
    if not ctx.scenario.creative.trends_permission:
        raise Refusal(TREND_NO_PERMISSION, "no permission")
    query = request.query
    if query.get("period", "7") not in ("7", "30", "120"):
        raise Refusal(TREND_PARAM_ERROR, "period must be 7, 30 or 120")
    if not query.get("page", "1").isdigit() or int(query.get("page", "1")) < 1:
        raise Refusal(TREND_PARAM_ERROR, "page must be a positive integer")
    if query.get("sort_by", "popular") != "popular":
        raise Refusal(TREND_PARAM_ERROR, "sort_by must be popular")
    raw_limit = query.get("limit", "20")
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_TREND_LIMIT:
        raise Refusal(TREND_PARAM_ERROR, f"limit must be an integer from 1 to {MAX_TREND_LIMIT}")
    country = query.get("country_code", "US").upper()
    items = [
        {k: v for k, v in item.items() if k != "country_code"}
        for item in getattr(ctx.scenario.creative, source)
        if str(item.get("country_code", country)).upper() == country
    ]
    return SimResponse(body=envelope(request_id, {key: items[: int(raw_limit)]}, message="OK", message_key="msg"))
