"""The TikTok Business API v1.3 (campaigns, ad groups, reports, advertiser info).

Checks what the platform checks: Access-Token per advertiser, field types, page sizes,
budget minima, campaign name length, status transitions (DELETE is final) and
`request_id` idempotency on creates. `operation_status` defaults to ENABLE when omitted.
Manual Shop (PRODUCT_SALES) campaigns cannot be created and there is no ad group create:
Shop products go through GMV Max (gmv_max_api.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shopwarden.platforms.simulator.ads_common import (
    API_PREFIX,
    MAX_NAME_LENGTH,
    NO_PERMISSION,
    NOT_FOUND,
    PARAM_ERROR,
    TOKEN_EMPTY,
    TOKEN_MISSING_OR_REVOKED,
    adgroup_json,
    campaign_json,
    check_budget,
    live_adgroup,
    live_campaign,
    page_of,
)
from shopwarden.platforms.simulator.ads_oauth import OAUTH_ROUTES, PORTAL_PATH, portal
from shopwarden.platforms.simulator.ads_report import integrated_report
from shopwarden.platforms.simulator.context import SimContext, parse_model
from shopwarden.platforms.simulator.gmv_max_api import GMV_MAX_ROUTES
from shopwarden.platforms.simulator.wire import Refusal, SimRequest, SimResponse, envelope
from shopwarden.platforms.simulator.world import AdGroup, Advertiser, Campaign

_JSON_PARAMS = ("fields", "filtering", "dimensions", "metrics", "advertiser_ids", "campaign_ids", "adgroup_ids",
                "budget", "product_ids", "item_group_ids", "store_ids")


@dataclass(frozen=True)
class AdsCall:
    params: dict[str, Any]
    token: str


def _params(request: SimRequest) -> dict[str, Any]:
    """Query values (JSON-decoded where the API sends JSON strings) merged with the JSON body."""
    params: dict[str, Any] = {}
    for key, value in request.query.items():
        if key in _JSON_PARAMS:
            try:
                params[key] = json.loads(value)
            except ValueError:
                raise Refusal(PARAM_ERROR, f"{key}: must be a JSON-encoded value") from None
        else:
            params[key] = value
    try:
        body = request.json_body()
    except ValueError:
        raise Refusal(PARAM_ERROR, "The request body is not valid JSON") from None
    if body is not None:
        if not isinstance(body, dict):
            raise Refusal(PARAM_ERROR, "The request body must be a JSON object")
        params.update(body)
    return params


def _grants(ctx: SimContext, token: str) -> set[str]:
    world = ctx.world
    for advertiser in world.advertisers.values():
        if advertiser.access_token == token:
            return {advertiser.id}
    if token in world.native_ads_tokens:
        return set(world.merchants[world.native_ads_tokens[token]].advertiser_ids)
    for account in world.connected_accounts.values():
        if account.access_token == token and account.merchant_id is not None:
            if account.status != "ACTIVE":
                raise Refusal(TOKEN_MISSING_OR_REVOKED, "Access token has been revoked; authorize again")
            return set(world.merchants[account.merchant_id].advertiser_ids)
    raise Refusal(TOKEN_MISSING_OR_REVOKED, "Access token is invalid")


def _advertiser(ctx: SimContext, call: AdsCall) -> Advertiser:
    advertiser_id = str(call.params.get("advertiser_id", ""))
    if not advertiser_id:
        raise Refusal(PARAM_ERROR, "advertiser_id: field required")
    if advertiser_id not in _grants(ctx, call.token) or advertiser_id not in ctx.world.advertisers:
        raise Refusal(NO_PERMISSION, f"No permission to operate advertiser {advertiser_id}")
    return ctx.world.advertisers[advertiser_id]


class _Filtering(BaseModel):
    model_config = ConfigDict(extra="ignore")
    campaign_ids: list[str] | None = Field(default=None, max_length=100)
    adgroup_ids: list[str] | None = Field(default=None, max_length=100)
    campaign_name: str | None = None
    adgroup_name: str | None = None
    objective_type: str | None = None
    secondary_status: str | None = None


def _filtering(params: dict[str, Any]) -> _Filtering:
    return parse_model(_Filtering, params.get("filtering"), PARAM_ERROR, prefix="filtering: ")


def _visible(status: str, wanted: str | None, kind: str) -> bool:
    deleted = status == "DELETE"
    if wanted is None:
        return not deleted
    return wanted == (f"{kind}_STATUS_DELETE" if deleted else f"{kind}_STATUS_{status}")


def _campaign_get(ctx: SimContext, call: AdsCall) -> dict[str, Any]:
    advertiser, f = _advertiser(ctx, call), _filtering(call.params)
    items = [
        c for c in advertiser.campaigns.values()
        if (f.campaign_ids is None or c.id in f.campaign_ids)
        and (f.campaign_name is None or f.campaign_name in c.name)
        and (f.objective_type is None or c.objective_type == f.objective_type)
        and _visible(c.operation_status, f.secondary_status, "CAMPAIGN")
    ]
    chunk, info = page_of(items, call.params)
    return {"list": [campaign_json(c) for c in chunk], "page_info": info}


def _adgroup_get(ctx: SimContext, call: AdsCall) -> dict[str, Any]:
    advertiser, f = _advertiser(ctx, call), _filtering(call.params)
    items = [
        g for g in advertiser.adgroups.values()
        if (f.campaign_ids is None or g.campaign_id in f.campaign_ids)
        and (f.adgroup_ids is None or g.id in f.adgroup_ids)
        and (f.adgroup_name is None or f.adgroup_name in g.name)
        and _visible(g.operation_status, f.secondary_status, "ADGROUP")
    ]
    chunk, info = page_of(items, call.params)
    return {"list": [adgroup_json(g) for g in chunk], "page_info": info}


class _CreateCampaign(BaseModel):
    model_config = ConfigDict(extra="ignore")
    campaign_name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    objective_type: str = Field(min_length=1)
    budget_mode: str = "BUDGET_MODE_INFINITE"
    budget: Decimal | None = Field(default=None, ge=0)
    operation_status: str = "ENABLE"
    request_id: str | None = Field(default=None, pattern=r"^\d{1,19}$")


# Since July 2025 GMV Max is the only Sales campaign type for TikTok Shop: manual ones are refused.
RETIRED_SHOP_OBJECTIVE = "PRODUCT_SALES"
_BUDGET_MODES = {"BUDGET_MODE_DAY", "BUDGET_MODE_TOTAL", "BUDGET_MODE_INFINITE", "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"}


def _check_enum(name: str, value: str, allowed: set[str]) -> None:
    if value not in allowed:
        raise Refusal(PARAM_ERROR, f"{name}: {value!r} is not one of {', '.join(sorted(allowed))}")


def _campaign_create(ctx: SimContext, call: AdsCall) -> dict[str, Any]:
    advertiser = _advertiser(ctx, call)
    spec = parse_model(_CreateCampaign, call.params, PARAM_ERROR)
    if spec.request_id and (existing := advertiser.created_by_request_id.get(f"campaign:{spec.request_id}")):
        return campaign_json(advertiser.campaigns[existing])
    if spec.objective_type == RETIRED_SHOP_OBJECTIVE:
        raise Refusal(PARAM_ERROR, "Product Shopping Ads can no longer be created; "
                                   "use GMV Max for TikTok Shop products")
    _check_enum("budget_mode", spec.budget_mode, _BUDGET_MODES)
    _check_enum("operation_status", spec.operation_status, {"ENABLE", "DISABLE"})
    check_budget(advertiser, "campaign", spec.budget_mode, spec.budget)
    now = ctx.clock.now()
    campaign = Campaign(
        id=ctx.ids.numeric(), advertiser_id=advertiser.id, name=spec.campaign_name,
        objective_type=spec.objective_type, budget_mode=spec.budget_mode, budget=spec.budget or Decimal(0),
        operation_status=spec.operation_status, efficiency=1.0, product_ids=[], create_time=now, modify_time=now,
    )
    advertiser.campaigns[campaign.id] = campaign
    if spec.request_id:
        advertiser.created_by_request_id[f"campaign:{spec.request_id}"] = campaign.id
    return campaign_json(campaign)


class _Update(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_LENGTH)
    budget: Decimal | None = Field(default=None, ge=0)
    budget_mode: str | None = None


def _apply_update(ctx: SimContext, advertiser: Advertiser, target: Campaign | AdGroup, level: str,
                  spec: _Update) -> None:
    if spec.budget_mode is not None and spec.budget_mode != target.budget_mode:
        raise Refusal(PARAM_ERROR, "budget_mode cannot be changed once the object exists")
    if spec.budget is not None:
        check_budget(advertiser, level, target.budget_mode, spec.budget)
        target.budget = spec.budget
    if spec.name is not None:
        target.name = spec.name
    target.modify_time = ctx.clock.now()


def _campaign_update(ctx: SimContext, call: AdsCall) -> dict[str, Any]:
    advertiser = _advertiser(ctx, call)
    campaign = live_campaign(advertiser, str(call.params.get("campaign_id", "")))
    spec = parse_model(_Update, {**call.params, "name": call.params.get("campaign_name")}, PARAM_ERROR)
    _apply_update(ctx, advertiser, campaign, "campaign", spec)
    return campaign_json(campaign)


def _adgroup_update(ctx: SimContext, call: AdsCall) -> dict[str, Any]:
    advertiser = _advertiser(ctx, call)
    group = live_adgroup(advertiser, str(call.params.get("adgroup_id", "")))
    spec = parse_model(_Update, {**call.params, "name": call.params.get("adgroup_name")}, PARAM_ERROR)
    _apply_update(ctx, advertiser, group, "adgroup", spec)
    return adgroup_json(group)


class _BudgetLine(BaseModel):
    model_config = ConfigDict(extra="ignore")
    adgroup_id: str
    budget: Decimal = Field(ge=0)


class _BudgetUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    budget: list[_BudgetLine] = Field(min_length=1, max_length=20)


def _adgroup_budget_update(ctx: SimContext, call: AdsCall) -> dict[str, Any]:
    advertiser = _advertiser(ctx, call)
    spec = parse_model(_BudgetUpdate, call.params, PARAM_ERROR)
    groups = [(live_adgroup(advertiser, line.adgroup_id), line.budget) for line in spec.budget]
    for group, budget in groups:
        check_budget(advertiser, "adgroup", group.budget_mode, budget)
    for group, budget in groups:
        group.budget, group.modify_time = budget, ctx.clock.now()
    return {}


class _StatusUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ids: list[str] = Field(min_length=1, max_length=20)
    operation_status: str


def _status_update(ctx: SimContext, call: AdsCall, kind: str) -> dict[str, Any]:
    """Campaigns: all or nothing, answered with `campaign_list` (GMV Max campaigns share this route).
    Ad groups: partial success only with `allow_partial_success=true`, errors as `error_list`."""
    advertiser = _advertiser(ctx, call)
    spec = parse_model(_StatusUpdate, {**call.params, "ids": call.params.get(f"{kind}_ids")}, PARAM_ERROR)
    _check_enum("operation_status", spec.operation_status, {"ENABLE", "DISABLE", "DELETE"})
    objects: dict[str, Any] = (
        {**advertiser.campaigns, **advertiser.gmv_max_campaigns} if kind == "campaign" else advertiser.adgroups)
    label = "Campaign" if kind == "campaign" else "Ad group"
    ready, errors = [], []
    for object_id in spec.ids:
        target = objects.get(str(object_id))
        if target is None:
            errors.append({f"{kind}_id": object_id, "error_message": f"{label} {object_id} does not exist"})
        elif target.operation_status == "DELETE":
            errors.append({f"{kind}_id": object_id,
                           "error_message": f"{label} {object_id} has been deleted; its status cannot change"})
        else:
            ready.append(target)
    partial = kind == "adgroup" and call.params.get("allow_partial_success") in (True, "true")
    if errors and (not ready or not partial):
        raise Refusal(PARAM_ERROR if errors[0]["error_message"].endswith("status cannot change") else NOT_FOUND,
                      errors[0]["error_message"])
    for target in ready:
        target.operation_status, target.modify_time = spec.operation_status, ctx.clock.now()
    done = [str(t.id) for t in ready]
    if kind == "campaign":
        return {"campaign_list": [{"campaign_id": i, "status": spec.operation_status} for i in done]}
    data: dict[str, Any] = {"adgroup_ids": done, "status": spec.operation_status}
    if errors:
        data["error_list"] = errors
    return data


def _advertiser_info(ctx: SimContext, call: AdsCall) -> dict[str, Any]:
    wanted = call.params.get("advertiser_ids")
    if not isinstance(wanted, list) or not wanted:
        raise Refusal(PARAM_ERROR, "advertiser_ids: a JSON list of advertiser ids is required")
    granted = _grants(ctx, call.token)
    refused = [a for a in wanted if str(a) not in granted or str(a) not in ctx.world.advertisers]
    if refused:
        raise Refusal(NO_PERMISSION, f"No permission to operate advertiser {refused[0]}")
    rows = []
    for advertiser_id in wanted:
        a = ctx.world.advertisers[str(advertiser_id)]
        rows.append({"advertiser_id": a.id, "name": a.name, "currency": a.currency, "timezone": a.timezone,
                     "display_timezone": a.timezone, "status": "STATUS_ENABLE", "role": "ROLE_ADVERTISER"})
    return {"list": rows}


ROUTES: dict[tuple[str, str], Callable[[SimContext, AdsCall], Any]] = {
    ("GET", "advertiser/info/"): _advertiser_info,
    ("GET", "campaign/get/"): _campaign_get,
    ("POST", "campaign/create/"): _campaign_create,
    ("POST", "campaign/update/"): _campaign_update,
    ("POST", "campaign/status/update/"): lambda ctx, call: _status_update(ctx, call, "campaign"),
    ("GET", "adgroup/get/"): _adgroup_get,
    ("POST", "adgroup/update/"): _adgroup_update,
    ("POST", "adgroup/status/update/"): lambda ctx, call: _status_update(ctx, call, "adgroup"),
    ("POST", "adgroup/budget/update/"): _adgroup_budget_update,
    ("GET", "report/integrated/get/"): lambda ctx, call: integrated_report(ctx, _advertiser(ctx, call), call.params),
}


def _with_advertiser(handler: Callable[[SimContext, Advertiser, dict[str, Any]], Any]
                      ) -> Callable[[SimContext, AdsCall], Any]:
    return lambda ctx, call: handler(ctx, _advertiser(ctx, call), call.params)


ROUTES.update({route: _with_advertiser(handler) for route, handler in GMV_MAX_ROUTES.items()})


def handle_business_api(ctx: SimContext, request: SimRequest, request_id: str) -> SimResponse:
    if request.method == "GET" and request.path.rstrip("/") == PORTAL_PATH:
        return portal(ctx, request)
    endpoint = request.path.removeprefix(API_PREFIX)
    if (oauth := OAUTH_ROUTES.get((request.method, endpoint))) is not None:
        data = oauth(ctx, _params(request), request.header("access-token"))
        return SimResponse(body=envelope(request_id, data, message="OK"))
    handler = ROUTES.get((request.method, endpoint))
    if handler is None:
        if any(path == endpoint for _, path in ROUTES):
            raise Refusal(PARAM_ERROR, f"Method {request.method} is not allowed on {endpoint}", http_status=405)
        raise Refusal(NOT_FOUND, f"API {request.path} not found", http_status=404)
    token = request.header("access-token")
    if not token:
        raise Refusal(TOKEN_EMPTY, "Access-Token header is missing")
    data = handler(ctx, AdsCall(params=_params(request), token=token))
    return SimResponse(body=envelope(request_id, data, message="OK"))


