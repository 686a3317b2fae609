"""The Shop token host (auth.tiktok-shops.com): auth-code exchange and refresh.

Codes are single use and expire; a refresh returns a new refresh token and the old one
stops working; expiry times are absolute unix timestamps, as on the real platform.
"""

from __future__ import annotations

from shopwarden.platforms.simulator.context import SimContext
from shopwarden.platforms.simulator.wire import Refusal, SimRequest, SimResponse, envelope
from shopwarden.platforms.simulator.world import AuthCode, ShopToken

INVALID_REQUEST = 36009004
BAD_APP_CREDENTIALS = 36004004
NO_AUTH_RECORD = 36004005
REFRESH_TOKEN_EXPIRED = 36004001
GRANTED_SCOPES = ["seller.authorization.info", "seller.product.basic", "seller.product.write", "seller.order.info",
                  "seller.logistics"]


def issue_auth_code(ctx: SimContext, merchant_id: str) -> str:
    """What the merchant's click on 'Authorize' would send to the app's redirect URL."""
    if merchant_id not in ctx.world.merchants:
        raise KeyError(f"no merchant {merchant_id!r} in the scenario")
    code = ctx.ids.token("code.")
    ttl = int(ctx.scenario.app.auth_code_ttl_minutes * 60)
    ctx.world.auth_codes[code] = AuthCode(code=code, merchant_id=merchant_id, expires_at=ctx.clock.timestamp() + ttl)
    return code


def _check_app(ctx: SimContext, request: SimRequest) -> None:
    app = ctx.scenario.app
    if request.query.get("app_key") != app.app_key or request.query.get("app_secret") != app.app_secret:
        raise Refusal(BAD_APP_CREDENTIALS, "Invalid app_key or app_secret")


def _grant(ctx: SimContext, merchant_id: str) -> ShopToken:
    app, now = ctx.scenario.app, ctx.clock.timestamp()
    token = ShopToken(
        merchant_id=merchant_id,
        access_token=ctx.ids.token("ROW_"),
        refresh_token=ctx.ids.token("ROW_R"),
        access_expires_at=now + int(app.access_token_ttl_hours * 3600),
        refresh_expires_at=now + int(app.refresh_token_ttl_days * 86400),
    )
    ctx.world.shop_tokens[token.access_token] = token
    return token


def _token_data(ctx: SimContext, token: ShopToken) -> dict[str, object]:
    merchant = ctx.world.merchants[token.merchant_id]
    return {
        "access_token": token.access_token,
        "access_token_expire_in": token.access_expires_at,
        "refresh_token": token.refresh_token,
        "refresh_token_expire_in": token.refresh_expires_at,
        "open_id": merchant.open_id,
        "seller_name": merchant.seller_name,
        "seller_base_region": merchant.region,
        "user_type": 0,
        "granted_scopes": GRANTED_SCOPES,
    }


def _exchange_code(ctx: SimContext, request: SimRequest) -> ShopToken:
    if request.query.get("grant_type") != "authorized_code":
        raise Refusal(INVALID_REQUEST, "grant_type must be authorized_code")
    code = ctx.world.auth_codes.get(request.query.get("auth_code", ""))
    if code is None:
        raise Refusal(NO_AUTH_RECORD, "Authorization record not found: the auth_code is invalid")
    if code.used:
        raise Refusal(NO_AUTH_RECORD, "Authorization record not found: the auth_code has already been used")
    if ctx.clock.timestamp() > code.expires_at:
        raise Refusal(NO_AUTH_RECORD, "Authorization record not found: the auth_code has expired")
    code.used = True
    return _grant(ctx, code.merchant_id)


def _refresh(ctx: SimContext, request: SimRequest) -> ShopToken:
    if request.query.get("grant_type") != "refresh_token":
        raise Refusal(INVALID_REQUEST, "grant_type must be refresh_token")
    presented = request.query.get("refresh_token", "")
    old = next((t for t in ctx.world.shop_tokens.values() if t.refresh_token == presented), None)
    if old is None or old.superseded or old.revoked:
        raise Refusal(NO_AUTH_RECORD, "Authorization record not found: the refresh_token is invalid")
    if ctx.clock.timestamp() > old.refresh_expires_at:
        raise Refusal(REFRESH_TOKEN_EXPIRED, "The refresh_token has expired; the seller must authorize again")
    old.superseded = True
    return _grant(ctx, old.merchant_id)


def handle_token_host(ctx: SimContext, request: SimRequest, request_id: str) -> SimResponse:
    if request.method != "GET":
        raise Refusal(INVALID_REQUEST, f"{request.method} is not allowed on {request.path}", http_status=405)
    if request.path == "/api/v2/token/get":
        _check_app(ctx, request)
        token = _exchange_code(ctx, request)
    elif request.path == "/api/v2/token/refresh":
        _check_app(ctx, request)
        token = _refresh(ctx, request)
    else:
        raise Refusal(36009009, f"Path not found: {request.path}", http_status=404)
    return SimResponse(body=envelope(request_id, _token_data(ctx, token), message="success"))
