"""Native TikTok Business OAuth on the simulated Business API.

`GET /portal/auth?app_id=&state=&redirect_uri=` stands in for the merchant's consent and redirects
with a single-use `auth_code` (1 hour); `oauth2/access_token/` exchanges it for an advertiser token
that never expires; `oauth2/advertiser/get/` lists what the token may act for;
`oauth2/revoke_token/` ends it. App credentials come from the scenario's `ads_app`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from shopwarden.platforms.simulator.ads_common import PARAM_ERROR, TOKEN_INVALID
from shopwarden.platforms.simulator.context import SimContext
from shopwarden.platforms.simulator.wire import Refusal, SimRequest, SimResponse
from shopwarden.platforms.simulator.world import AuthCode

PORTAL_PATH = "/portal/auth"
BAD_APP = 40101
BAD_AUTH_CODE = 40110
CODE_SECONDS = 3600


def _check_app(ctx: SimContext, app_id: Any, secret: Any) -> None:
    app = ctx.scenario.ads_app
    if app_id != app.app_id or secret != app.secret:
        raise Refusal(BAD_APP, "App credentials are invalid")


def portal(ctx: SimContext, request: SimRequest) -> SimResponse:
    app_id, state, redirect = (request.query.get(k) for k in ("app_id", "state", "redirect_uri"))
    if app_id != ctx.scenario.ads_app.app_id or not state or not redirect:
        raise Refusal(PARAM_ERROR, "app_id, state and redirect_uri are required")
    merchant_id = request.query.get("merchant") or next(iter(ctx.world.merchants))
    code = ctx.ids.token("ac.")
    ctx.world.ads_auth_codes[code] = AuthCode(code=code, merchant_id=merchant_id,
                                              expires_at=ctx.clock.timestamp() + CODE_SECONDS)
    target = f"{redirect}{'&' if '?' in redirect else '?'}{urlencode({'auth_code': code, 'state': state})}"
    return SimResponse(status=302, body={"redirect": target}, headers={"location": target})


def _access_token(ctx: SimContext, params: dict[str, Any], _token: str | None) -> dict[str, Any]:
    _check_app(ctx, params.get("app_id"), params.get("secret"))
    code = ctx.world.ads_auth_codes.get(str(params.get("auth_code", "")))
    if code is None or code.used or code.expires_at <= ctx.clock.timestamp():
        raise Refusal(BAD_AUTH_CODE, "auth_code is invalid, expired or already used")
    code.used = True
    token = ctx.ids.token("nat.")
    ctx.world.native_ads_tokens[token] = code.merchant_id
    return {"access_token": token, "advertiser_ids": list(ctx.world.merchants[code.merchant_id].advertiser_ids),
            "scope": [4, 5]}


def _advertisers(ctx: SimContext, params: dict[str, Any], token: str | None) -> dict[str, Any]:
    _check_app(ctx, params.get("app_id"), params.get("secret"))
    merchant_id = ctx.world.native_ads_tokens.get(token or "")
    if merchant_id is None:
        raise Refusal(TOKEN_INVALID, "Access token is invalid")
    ids = ctx.world.merchants[merchant_id].advertiser_ids
    return {"list": [{"advertiser_id": a, "advertiser_name": ctx.world.advertisers[a].name} for a in ids]}


def _revoke(ctx: SimContext, params: dict[str, Any], _token: str | None) -> dict[str, Any]:
    _check_app(ctx, params.get("app_id"), params.get("secret"))
    if ctx.world.native_ads_tokens.pop(str(params.get("access_token", "")), None) is None:
        raise Refusal(TOKEN_INVALID, "Access token is invalid")
    return {}


OAUTH_ROUTES: dict[tuple[str, str], Callable[[SimContext, dict[str, Any], str | None], Any]] = {
    ("POST", "oauth2/access_token/"): _access_token,
    ("GET", "oauth2/advertiser/get/"): _advertisers,
    ("POST", "oauth2/revoke_token/"): _revoke,
}
