"""The ad library's client token: fetched with client credentials, cached, renewed before expiry, and
renewed exactly once when a query says the token is invalid. Neither secret nor token is ever shown."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from shopwarden.config import Settings
from shopwarden.errors import ConfigError, PlatformUnavailable, RateLimited
from shopwarden.platforms.creative_center import CreativeReader
from shopwarden.platforms.creative_center._http import PublicHttp
from shopwarden.platforms.creative_center.client_token import (
    RENEW_MARGIN_SECONDS,
    ClientCredentials,
    ClientTokenSource,
)

ADLIB = "https://open.tiktokapis.com/v2/research/adlib/ad/query/"
TOKEN_URL = "https://open.tiktokapis.com/v2/oauth/token/"
KEY, SECRET = "research-key-1", "SECRET-research-secret-1"


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0

    def __call__(self) -> float:
        return self.now


def issued(token: str, expires_in: Any = 7200) -> httpx.Response:
    return httpx.Response(200, json={"access_token": token, "expires_in": expires_in, "token_type": "Bearer"})


def page(ad_id: str = "1") -> dict[str, Any]:
    return {"data": {"ads": [{"ad": {"id": ad_id}, "advertiser": {"business_name": "x"}}], "has_more": "false",
                     "search_id": ""}, "error": {"code": "ok", "message": "", "log_id": "l"}}


EXPIRED = {"data": {}, "error": {"code": "access_token_invalid",
                                 "message": "The access token is invalid or not found in the request.",
                                 "log_id": "l-2"}}


@pytest.fixture
def router() -> Iterator[respx.Router]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def clock() -> Clock:
    return Clock()


def reader_with(clock: Clock) -> CreativeReader:
    # cache TTL 0: every call is a fresh query, so the token lifecycle is all that is under test
    return CreativeReader(Settings(commercial_content_client_key=KEY, commercial_content_client_secret=SECRET),
                          ttl_seconds=0, token_clock=clock, today=lambda: date(2026, 3, 2))


async def test_the_token_request_is_form_encoded_client_credentials(router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(return_value=issued("clt.one"))
    query = router.post(ADLIB).respond(200, json=page())
    await reader_with(clock).ad_library("serum", country="DE")
    sent = tokens.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.content.decode()) == {"client_key": [KEY], "client_secret": [SECRET],
                                               "grant_type": ["client_credentials"]}
    assert "authorization" not in sent.headers
    assert query.calls.last.request.headers["authorization"] == "bearer clt.one"


async def test_a_fresh_token_is_reused_until_the_renewal_margin(router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(side_effect=[issued("clt.one"), issued("clt.two")])
    query = router.post(ADLIB).respond(200, json=page())
    reader = reader_with(clock)
    await reader.ad_library("serum", country="DE")
    clock.now += 7200 - RENEW_MARGIN_SECONDS - 1  # one second before the margin starts
    await reader.ad_library("serum", country="DE")
    assert tokens.call_count == 1
    clock.now += 1  # inside the margin: renewed before TikTok's expiry, not after it
    await reader.ad_library("serum", country="DE")
    assert tokens.call_count == 2
    assert [c.request.headers["authorization"] for c in query.calls] == [
        "bearer clt.one", "bearer clt.one", "bearer clt.two"]


async def test_an_expired_token_answer_renews_once_and_retries_the_same_query(
        router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(side_effect=[issued("clt.one"), issued("clt.two")])
    query = router.post(ADLIB).mock(side_effect=[httpx.Response(401, json=EXPIRED), httpx.Response(200, json=page())])
    result = await reader_with(clock).ad_library("serum", country="GB", max_count=4)
    assert result.available and [ad.id for ad in result.ads] == ["1"]
    assert tokens.call_count == 2 and query.call_count == 2
    first, second = (c.request for c in query.calls)
    assert (first.headers["authorization"], second.headers["authorization"]) == ("bearer clt.one", "bearer clt.two")
    assert json.loads(first.content) == json.loads(second.content)
    assert first.url.params["fields"] == second.url.params["fields"]


async def test_a_renewed_token_refused_again_is_a_configuration_error_not_a_loop(
        router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(side_effect=[issued("clt.one"), issued("clt.two"), issued("clt.three")])
    query = router.post(ADLIB).respond(401, json=EXPIRED)
    with pytest.raises(ConfigError) as caught:
        await reader_with(clock).ad_library("serum", country="GB")
    assert tokens.call_count == 2 and query.call_count == 2
    text = str(caught.value)
    assert "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_KEY / SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_SECRET" in text
    assert "clt.one" not in text and "clt.two" not in text and SECRET not in text


async def test_a_refused_token_is_not_renewed_for_other_errors(router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(return_value=issued("clt.one"))
    router.post(ADLIB).respond(500, json={"data": {}, "error": {"code": "internal_error", "message": "oops"}})
    with pytest.raises(PlatformUnavailable):
        await reader_with(clock).ad_library("serum", country="GB")
    assert tokens.call_count == 1


@pytest.mark.parametrize(("response", "kind", "text"), [
    (httpx.Response(401, json={"error": "invalid_client", "error_description": f"Client key {KEY} with secret "
                                                                                f"{SECRET} is incorrect.",
                               "log_id": "l"}),
     ConfigError, "TikTok refused the client credentials (HTTP 401"),
    (httpx.Response(200, json={"error": "invalid_request", "error_description": "grant_type is missing"}),
     ConfigError, "grant_type is missing"),
    (httpx.Response(429, json={"error": "rate_limit_exceeded", "error_description": "slow down"}), RateLimited,
     "slow down"),
    (httpx.Response(503, text="<html>"), PlatformUnavailable, "HTTP 503"),
    (httpx.Response(200, json={"expires_in": 7200}), PlatformUnavailable, "no `access_token`"),
    (httpx.Response(200, json={"access_token": "clt.x"}), PlatformUnavailable, "`expires_in` is missing"),
    (httpx.Response(200, json={"access_token": "clt.x", "expires_in": True}), PlatformUnavailable, "`expires_in`"),
    (httpx.Response(200, json={"access_token": "clt.x", "expires_in": "-5"}), PlatformUnavailable, "`expires_in`"),
    (httpx.Response(200, json=["not", "an", "object"]), PlatformUnavailable, "no `access_token`"),
])
async def test_token_endpoint_failures_are_typed_and_never_show_the_secret(
        router: respx.Router, clock: Clock, response: httpx.Response, kind: type[Exception], text: str) -> None:
    router.post(TOKEN_URL).mock(return_value=response)
    query = router.post(ADLIB).respond(200, json=page())
    with pytest.raises(kind) as caught:
        await reader_with(clock).ad_library("serum", country="GB")
    assert text in str(caught.value)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    assert query.call_count == 0


async def test_the_expiry_may_arrive_as_a_string(router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(side_effect=[issued("clt.one", "7200"), issued("clt.two")])
    router.post(ADLIB).respond(200, json=page())
    reader = reader_with(clock)
    await reader.ad_library("serum", country="GB")
    clock.now += 3600
    await reader.ad_library("serum", country="GB")
    assert tokens.call_count == 1


async def test_a_short_lived_token_is_used_for_its_first_half(router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(side_effect=[issued("clt.one", 60), issued("clt.two", 60)])
    source = ClientTokenSource(PublicHttp(), ClientCredentials(KEY, SECRET), clock=clock)
    assert await source.token() == "clt.one"
    clock.now += 29
    assert await source.token() == "clt.one"
    clock.now += 1
    assert await source.token() == "clt.two"
    assert tokens.call_count == 2


async def test_concurrent_callers_share_one_token_fetch(router: respx.Router, clock: Clock) -> None:
    import asyncio

    tokens = router.post(TOKEN_URL).mock(return_value=issued("clt.one"))
    source = ClientTokenSource(PublicHttp(), ClientCredentials(KEY, SECRET), clock=clock)
    got = await asyncio.gather(*(source.token() for _ in range(5)))
    assert got == ["clt.one"] * 5 and tokens.call_count == 1


async def test_discard_keeps_a_newer_token(router: respx.Router, clock: Clock) -> None:
    tokens = router.post(TOKEN_URL).mock(side_effect=[issued("clt.one"), issued("clt.two")])
    source = ClientTokenSource(PublicHttp(), ClientCredentials(KEY, SECRET), clock=clock)
    assert await source.token() == "clt.one"
    source.discard("clt.older")  # someone else's stale token: ours stays
    assert await source.token() == "clt.one" and tokens.call_count == 1
    source.discard("clt.one")
    assert await source.token() == "clt.two"


async def test_reprs_hide_the_secret_and_the_token(router: respx.Router, clock: Clock) -> None:
    router.post(TOKEN_URL).mock(return_value=issued("clt.visible-if-leaked"))
    credentials = ClientCredentials(KEY, SECRET)
    source = ClientTokenSource(PublicHttp(), credentials, clock=clock)
    await source.token()
    shown = " ".join([repr(credentials), repr(source), str(credentials), repr(reader_with(clock))])
    assert SECRET not in shown and "clt.visible-if-leaked" not in shown
    assert KEY in repr(credentials)
