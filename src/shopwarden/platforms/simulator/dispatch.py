"""Route a request to its surface, apply injected faults, record it, never leak a traceback."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shopwarden.platforms.simulator.ads_api import handle_business_api
from shopwarden.platforms.simulator.composio_backend import BUSINESS_HOSTS, error_response, handle_composio
from shopwarden.platforms.simulator.context import RecordedRequest, SimContext
from shopwarden.platforms.simulator.creative_sources import adlib_error, handle_ad_library, handle_trends
from shopwarden.platforms.simulator.faults import FaultRule
from shopwarden.platforms.simulator.shop_api import handle_shop_api
from shopwarden.platforms.simulator.shop_auth import handle_token_host
from shopwarden.platforms.simulator.wire import Refusal, SimRequest, SimResponse, envelope, refusal_response

log = logging.getLogger(__name__)

MALFORMED_BODY = b'{"code":0,"message":"Success","data":{"list":[{"id":'


class Surface(StrEnum):
    SHOP = "shop"
    SHOP_AUTH = "shop_auth"
    COMPOSIO = "composio"
    BUSINESS = "business"
    AD_LIBRARY = "ad_library"
    TRENDS = "trends"


HOSTS: dict[str, Surface] = {
    "open-api.tiktokglobalshop.com": Surface.SHOP,
    "auth.tiktok-shops.com": Surface.SHOP_AUTH,
    "backend.composio.dev": Surface.COMPOSIO,
    "open.tiktokapis.com": Surface.AD_LIBRARY,
    "ads.tiktok.com": Surface.TRENDS,
    **dict.fromkeys(BUSINESS_HOSTS, Surface.BUSINESS),
}
# When served on 127.0.0.1 (or any unknown host) the path prefix decides; the prefixes do not overlap.
PATH_PREFIXES: tuple[tuple[str, Surface], ...] = (
    ("/api/v2/token/", Surface.SHOP_AUTH),
    ("/api/v3", Surface.COMPOSIO),
    ("/sim/consent/", Surface.COMPOSIO),
    ("/open_api/", Surface.BUSINESS),
    ("/portal/auth", Surface.BUSINESS),  # native Business OAuth's consent page (SHOPWARDEN_ADS_AUTHORIZE_BASE)
    ("/v2/research/", Surface.AD_LIBRARY),
    ("/v2/oauth/", Surface.AD_LIBRARY),
    ("/creative_radar_api/", Surface.TRENDS),
)


def surface_for(host: str, path: str, extra_composio_hosts: frozenset[str] = frozenset()) -> Surface:
    if host in HOSTS:
        return HOSTS[host]
    if host in extra_composio_hosts:
        return Surface.COMPOSIO
    return next((surface for prefix, surface in PATH_PREFIXES if path.startswith(prefix)), Surface.SHOP)


@dataclass
class Outcome:
    """What the transport should do: answer `response` after `delay` seconds, or time out."""

    response: SimResponse | None
    delay: float = 0.0
    timeout: bool = False
    timeout_seconds: float = 0.0


class _TimedOut(Exception):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds


def _fault_response(surface: Surface, rule: FaultRule, request_id: str) -> SimResponse:
    retry = {"retry-after": str(rule.retry_after)}
    if rule.kind == "malformed":
        return SimResponse(status=200, raw=MALFORMED_BODY)
    limited = rule.kind == "rate_limit"
    if surface is Surface.COMPOSIO:
        if limited:
            response = error_response(429, "Rate limit exceeded", "RateLimit_Exceeded", request_id)
            response.headers.update(retry)
            return response
        return error_response(502, "Bad gateway: upstream service unavailable", "Internal_ServerError", request_id)
    if surface is Surface.AD_LIBRARY:
        if limited:
            response = adlib_error(429, "rate_limit_exceeded", "API rate limit exceeded", request_id)
            response.headers.update(retry)
            return response
        return adlib_error(500, "internal_error", "Something went wrong. Please try again later.", request_id)
    if surface is Surface.BUSINESS:
        if limited:
            return SimResponse(body=envelope(request_id, code=40100,
                                             message="Too many requests. Please retry in some time."))
        return SimResponse(status=503, body=envelope(request_id, code=50002,
                                                     message="Service is temporarily unavailable, try again later"))
    key = "msg" if surface is Surface.TRENDS else "message"
    if limited:
        return SimResponse(status=429, headers=retry, body=envelope(
            request_id, code=36009002, message="Too many requests, please retry later", message_key=key))
    return SimResponse(status=503, body=envelope(
        request_id, code=36009003, message="Internal system error, please try again later", message_key=key))


def _decoded_body(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode(errors="replace")


class Dispatcher:
    def __init__(self, ctx: SimContext, extra_composio_hosts: frozenset[str] = frozenset()) -> None:
        self.ctx = ctx
        self.extra_composio_hosts = extra_composio_hosts
        self._delay = 0.0

    def handle(self, request: SimRequest, wall_now: float) -> Outcome:
        self._delay = 0.0
        surface = surface_for(request.host, request.path, self.extra_composio_hosts)
        try:
            response = self._apply(surface, request, wall_now, via=None)
        except _TimedOut as timed_out:
            return Outcome(response=None, delay=self._delay, timeout=True, timeout_seconds=timed_out.seconds)
        return Outcome(response=response, delay=self._delay)

    def _record(self, request: SimRequest, via: str | None) -> RecordedRequest:
        record = RecordedRequest(method=request.method, host=request.host, path=request.path,
                                 query=dict(request.query), body=_decoded_body(request.body), via=via)
        self.ctx.requests.append(record)
        return record

    def _apply(self, surface: Surface, request: SimRequest, wall_now: float, via: str | None) -> SimResponse:
        record = self._record(request, via)
        request_id = self.ctx.ids.request_id()
        rule = self.ctx.faults.take(request.method, request.path)
        if rule is not None:
            record.fault = rule.kind
            if rule.kind == "latency":
                self._delay += rule.seconds
            elif rule.kind == "timeout":
                raise _TimedOut(rule.seconds)
            elif rule.kind != "timeout_after_commit":
                response = _fault_response(surface, rule, request_id)
                record.status, record.code = response.status, response.envelope_code()
                return response
        response = self._answer(surface, request, request_id, wall_now)
        record.status, record.code = response.status, response.envelope_code()
        if rule is not None and rule.kind == "timeout_after_commit":
            raise _TimedOut(rule.seconds)
        return response

    def _forward_business(self, inner: SimRequest) -> SimResponse:
        return self._apply(Surface.BUSINESS, inner, 0.0, via="composio")

    def _answer(self, surface: Surface, request: SimRequest, request_id: str, wall_now: float) -> SimResponse:
        key = "msg" if surface is Surface.TRENDS else "message"
        try:
            if surface is Surface.SHOP:
                return handle_shop_api(self.ctx, request, request_id, wall_now)
            if surface is Surface.SHOP_AUTH:
                return handle_token_host(self.ctx, request, request_id)
            if surface is Surface.BUSINESS:
                return handle_business_api(self.ctx, request, request_id)
            if surface is Surface.COMPOSIO:
                return handle_composio(self.ctx, request, request_id, self._forward_business)
            if surface is Surface.AD_LIBRARY:
                return handle_ad_library(self.ctx, request, request_id)
            return handle_trends(self.ctx, request, request_id)
        except Refusal as refusal:
            return refusal_response(refusal, request_id, message_key=key)
        except _TimedOut:
            raise
        except Exception:  # a simulator bug must still look like a platform 500, not a traceback
            log.exception("simulator handler failed for %s %s", request.method, request.path)
            return SimResponse(status=500, body=envelope(request_id, code=50000, message="Internal error",
                                                         message_key=key))
