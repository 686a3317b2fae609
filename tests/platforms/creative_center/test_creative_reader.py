"""The public creative reader: wire format, paging, caching, host allowlist, unavailable sources."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx

from shopwarden.config import Settings
from shopwarden.errors import ConfigError, InvalidRequest, PlatformUnavailable, RateLimited
from shopwarden.platforms.creative_center import CreativeReader, HostNotAllowed, UntrustedText, check_url
from shopwarden.platforms.creative_center._http import PublicHttp

ADLIB = "https://open.tiktokapis.com/v2/research/adlib/ad/query/"
TOKEN_URL = "https://open.tiktokapis.com/v2/oauth/token/"
HASHTAGS = "https://ads.tiktok.com/creative_radar_api/v1/popular_trend/hashtag/list"
KEYWORDS = "https://ads.tiktok.com/creative_radar_api/v1/popular_trend/keyword/list"
TOP_ADS = "https://ads.tiktok.com/creative_radar_api/v1/top_ads/v2/list"
CLIENT_KEY, CLIENT_SECRET = "research-client-key", "SECRET_client_secret_7"
CLIENT_TOKEN = "clt.SECRET_client_token_42"
TODAY = date(2026, 3, 2)


def library_ad(ad_id: str, text: str) -> dict[str, Any]:
    return {"ad": {"id": ad_id, "first_shown_date": 20260201, "last_shown_date": 20260228, "status": "active",
                   "videos": [{"url": "https://example.invalid/v.mp4", "cover_image_url": "https://example.invalid/c"}],
                   "image_urls": [], "reach": {"unique_users_seen": "10K-20K"}, "text": text},
            "advertiser": {"business_id": "88000001", "business_name": "Dewy Labs", "paid_by": "Dewy Labs"}}


def adlib_page(ads: list[dict[str, Any]], has_more: bool, search_id: str = "") -> dict[str, Any]:
    return {"data": {"ads": ads, "has_more": has_more, "search_id": search_id},
            "error": {"code": "ok", "message": "", "log_id": "log-1"}}


def trends(key: str, items: list[dict[str, Any]], code: int = 0) -> dict[str, Any]:
    return {"code": code, "msg": "OK", "request_id": "tr-1", "data": {key: items}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def router() -> Iterator[respx.Router]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        mock.post(TOKEN_URL).respond(200, json={"access_token": CLIENT_TOKEN, "expires_in": 7200,
                                                "token_type": "Bearer"})
        yield mock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def reader(clock: Clock) -> CreativeReader:
    return CreativeReader(Settings(commercial_content_client_key=CLIENT_KEY,
                                   commercial_content_client_secret=CLIENT_SECRET),
                          ttl_seconds=60, cache_clock=clock, today=lambda: TODAY)


async def test_ad_library_sends_the_documented_query_and_pages_by_search_id(
        reader: CreativeReader, router: respx.Router) -> None:
    route = router.post(ADLIB).mock(side_effect=[
        httpx.Response(200, json=adlib_page([library_ad("1", "first")], True, "s-2")),
        httpx.Response(200, json=adlib_page([library_ad("2", "second")], False)),
    ])
    result = await reader.ad_library("serum", country="gb", max_count=5)
    first, second = (call.request for call in route.calls)
    assert first.url.params["fields"] == ("ad.id,ad.first_shown_date,ad.last_shown_date,ad.status,ad.videos,"
                                          "ad.image_urls,ad.reach,advertiser.business_id,advertiser.business_name,"
                                          "advertiser.paid_by")
    assert first.headers["authorization"] == f"bearer {CLIENT_TOKEN}"
    assert json.loads(first.content) == {
        "filters": {"ad_published_date_range": {"min": "20250302", "max": "20260302"}, "country_code": "GB"},
        "search_term": "serum", "max_count": 5}
    assert json.loads(second.content)["search_id"] == "s-2"
    assert json.loads(second.content)["max_count"] == 4
    assert result.available and result.country == "GB"
    assert [ad.id for ad in result.ads] == ["1", "2"]
    assert result.ads[0].first_shown_date == date(2026, 2, 1)
    assert result.ads[0].advertiser is not None
    assert result.ads[0].advertiser.business_name == UntrustedText("Dewy Labs", "ad_library")


@pytest.mark.parametrize(("first", "pages"), [("true", 2), ("false", 1), (True, 2), (False, 1)])
async def test_has_more_is_read_as_a_boolean_or_a_string(
        reader: CreativeReader, router: respx.Router, first: object, pages: int) -> None:
    route = router.post(ADLIB).mock(side_effect=[
        httpx.Response(200, json={**adlib_page([library_ad("1", "a")], False, "s-2"),
                                  "data": {"ads": [library_ad("1", "a")], "has_more": first, "search_id": "s-2"}}),
        httpx.Response(200, json=adlib_page([library_ad("2", "b")], False)),
    ])
    result = await reader.ad_library("serum", country="de", max_count=5)
    assert route.call_count == pages and len(result.ads) == pages


async def test_ad_library_stops_at_max_count_even_if_more_pages_exist(
        reader: CreativeReader, router: respx.Router) -> None:
    route = router.post(ADLIB).respond(200, json=adlib_page([library_ad("1", "a"), library_ad("2", "b")], True, "s"))
    result = await reader.ad_library("serum", max_count=2)
    assert len(result.ads) == 2 and route.call_count == 1


@pytest.mark.parametrize("settings", [
    Settings(), Settings(commercial_content_client_key=CLIENT_KEY),
    Settings(commercial_content_client_secret=CLIENT_SECRET),
])
async def test_without_client_credentials_the_ad_library_is_unavailable_and_trends_still_work(
        router: respx.Router, settings: Settings) -> None:
    reader = CreativeReader(settings)
    adlib = router.post(ADLIB).respond(200, json=adlib_page([], False))
    router.get(HASHTAGS).respond(200, json=trends("list", [{"hashtag_name": "glassskin", "rank": 1}]))
    result = await reader.ad_library("serum", country="DE")
    assert (result.available, result.ads) == (False, [])
    assert "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_KEY and SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_SECRET" in (
        result.reason or "")
    assert adlib.call_count == 0 and router.routes[0].call_count == 0  # no token fetched either
    assert [s.available for s in reader.sources()] == [False, True]
    hashtags = await reader.trends("hashtags")
    assert hashtags.items[0].hashtag_name.raw == "glassskin"


async def test_trends_follow_the_contract_table(reader: CreativeReader, router: respx.Router) -> None:
    tags = router.get(HASHTAGS).respond(200, json=trends("list", [
        {"hashtag_name": "glassskin", "rank": 1, "publish_cnt": 48210, "video_views": 912000000}]))
    words = router.get(KEYWORDS).respond(200, json=trends("list", [
        {"keyword": "serum routine", "rank": 1, "post_cnt": 22000, "ctr": 2.4, "cvr": "3.1"}]))
    ads = router.get(TOP_ADS).respond(200, json=trends("materials", [
        {"id": "74001", "ad_title": "Glass skin in 3 drops", "brand_name": "Dewy Labs", "industry_key": "beauty",
         "ctr": 2.8, "like": 152000, "video_info": {"duration": 17, "cover": "https://example.invalid/c/1.jpg"}}]))
    hashtag = (await reader.trends("hashtags", country="de", limit=5)).items[0]
    keyword = (await reader.trends("keywords", limit=5)).items[0]
    top = (await reader.trends("top_ads", limit=5)).items[0]
    assert dict(tags.calls.last.request.url.params) == {"page": "1", "limit": "5", "period": "7",
                                                        "country_code": "DE", "sort_by": "popular"}
    assert dict(words.calls.last.request.url.params) == {"page": "1", "limit": "5", "period": "7",
                                                         "country_code": "US", "sort_by": "popular"}
    assert dict(ads.calls.last.request.url.params) == {"page": "1", "limit": "5", "period": "7",
                                                       "country_code": "US"}
    assert tags.calls.last.request.url.path == "/creative_radar_api/v1/popular_trend/hashtag/list"
    assert ads.calls.last.request.url.path == "/creative_radar_api/v1/top_ads/v2/list"
    assert (hashtag.rank, hashtag.video_views) == (1, 912000000)
    assert (keyword.ctr, keyword.cvr) == (Decimal("2.4"), Decimal("3.1"))
    assert top.ad_title == UntrustedText("Glass skin in 3 drops", "creative_center") and top.like == 152000


async def test_answers_are_cached_until_the_ttl_passes(reader: CreativeReader, router: respx.Router,
                                                       clock: Clock) -> None:
    route = router.get(HASHTAGS).respond(200, json=trends("list", [{"hashtag_name": "a", "rank": 1}]))
    first = await reader.trends("hashtags")
    clock.now += 59
    assert await reader.trends("hashtags") is first
    assert route.call_count == 1
    await reader.trends("hashtags", country="GB")
    assert route.call_count == 2  # another country is another entry
    clock.now += 1
    await reader.trends("hashtags")
    assert route.call_count == 3


async def test_a_failed_or_malformed_answer_is_not_cached(reader: CreativeReader, router: respx.Router) -> None:
    route = router.get(HASHTAGS).mock(side_effect=[
        httpx.Response(200, json={"msg": "no code here"}),
        httpx.Response(200, json=trends("list", [{"hashtag_name": "ok", "rank": 1}])),
    ])
    with pytest.raises(PlatformUnavailable, match="/creative_radar_api/v1/popular_trend/hashtag/list: unreadable"):
        await reader.trends("hashtags")
    assert (await reader.trends("hashtags")).items[0].hashtag_name.raw == "ok"
    assert route.call_count == 2


@pytest.mark.parametrize(("status", "body", "kind", "text"), [
    (403, {"data": {}, "error": {"code": "scope_not_authorized", "message": "The research scope is missing"}},
     ConfigError, "SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_KEY / SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_SECRET: was "
                  "refused by TikTok (HTTP 403"),
    (429, {"data": {}, "error": {"code": "rate_limit_exceeded", "message": "slow down"}}, RateLimited, "slow down"),
    (500, {"data": {}, "error": {"code": "internal_error", "message": "oops"}}, PlatformUnavailable, "HTTP 500"),
    (400, {"data": {}, "error": {"code": "invalid_params", "message": "bad max_count"}}, InvalidRequest,
     "bad max_count"),
    (200, {"data": {"ads": "nope", "has_more": False}, "error": {"code": "ok"}}, PlatformUnavailable,
     "`data.ads` is missing or not a list"),
])
async def test_ad_library_errors_are_typed_and_never_show_the_client_token(
        reader: CreativeReader, router: respx.Router, status: int, body: dict[str, Any], kind: type[Exception],
        text: str) -> None:
    router.post(ADLIB).respond(status, json=body)
    with pytest.raises(kind) as caught:
        await reader.ad_library("serum")
    assert text in str(caught.value)
    assert CLIENT_TOKEN not in str(caught.value) and CLIENT_SECRET not in str(caught.value)


@pytest.mark.parametrize("url", [
    "https://evil.example/steal", "http://ads.tiktok.com/creative_radar_api/v1/top_ads/v2/list",
    "https://ads.tiktok.com.evil.example/x", "https://user@ads.tiktok.com/x", "https://ads.tiktok.com:8443/x",
    "file:///etc/passwd",
])
def test_urls_outside_the_allowlist_are_refused(url: str) -> None:
    with pytest.raises(HostNotAllowed, match=re.escape("only reads https://ads.tiktok.com and https://open.tiktokapis.com")):
        check_url(url)


async def test_the_http_layer_refuses_other_hosts_before_any_request(router: respx.Router) -> None:
    anything = router.route().respond(200, json={})
    with pytest.raises(HostNotAllowed):
        await PublicHttp().request("GET", "https://example.invalid/v/serum.mp4")
    assert anything.call_count == 0


async def test_redirects_are_not_followed(reader: CreativeReader, router: respx.Router) -> None:
    router.get(HASHTAGS).respond(302, headers={"location": "https://evil.example/"})
    evil = router.get("https://evil.example/").respond(200, json=trends("list", []))
    with pytest.raises(PlatformUnavailable, match="redirects are not followed"):
        await reader.trends("hashtags")
    assert evil.call_count == 0


@pytest.mark.parametrize(("call", "message"), [
    ({"kind": "sounds"}, "kind must be one of hashtags, keywords, top_ads"),
    ({"kind": "hashtags", "limit": 0}, "limit must be between 1 and 50"),
    ({"kind": "hashtags", "country": "USA"}, "country must be a two-letter code"),
])
async def test_bad_reader_arguments_are_refused_without_a_request(
        reader: CreativeReader, router: respx.Router, call: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequest, match=message):
        await reader.trends(**call)
    assert router.calls.call_count == 0


async def test_no_country_asks_for_every_covered_country(reader: CreativeReader, router: respx.Router) -> None:
    route = router.post(ADLIB).respond(200, json=adlib_page([library_ad("1", "a")], False))
    result = await reader.ad_library("serum", max_count=3)
    assert json.loads(route.calls.last.request.content) == {
        "filters": {"ad_published_date_range": {"min": "20250302", "max": "20260302"}, "country_code": "ALL"},
        "search_term": "serum", "max_count": 3}
    assert result.available and result.country == "ALL"


@pytest.mark.parametrize("country", ["US", "us", "CA", "BR", "TR", "JP"])
async def test_a_country_the_library_does_not_cover_is_unavailable_and_nothing_is_sent(
        reader: CreativeReader, router: respx.Router, country: str) -> None:
    result = await reader.ad_library("serum", country=country)
    assert (result.available, result.ads, result.country) == (False, [], country.upper())
    assert f"no {country.upper()} ads" in (result.reason or "")
    assert "EU/EEA, the UK and Switzerland" in (result.reason or "")
    assert router.calls.call_count == 0  # neither a query nor a token fetch


@pytest.mark.parametrize("country", ["GB", "CH", "NO", "IS", "LI", "FR", "SE", "all"])
async def test_covered_countries_are_queried(reader: CreativeReader, router: respx.Router, country: str) -> None:
    route = router.post(ADLIB).respond(200, json=adlib_page([], False))
    result = await reader.ad_library("serum", country=country)
    assert result.available
    assert json.loads(route.calls.last.request.content)["filters"]["country_code"] == country.upper()


@pytest.mark.parametrize("country", ["U$", "ÄÖ", "USA", "1A", "A\"", "ALL\n"])
async def test_malformed_countries_are_refused_before_any_request(reader: CreativeReader, router: respx.Router,
                                                                  country: str) -> None:
    with pytest.raises(InvalidRequest, match="country must be a two-letter code"):
        await reader.ad_library("serum", country=country)
    assert router.calls.call_count == 0


@pytest.mark.parametrize(("kind", "url"), [("hashtags", HASHTAGS), ("keywords", KEYWORDS), ("top_ads", TOP_ADS)])
@pytest.mark.parametrize(("status", "code"), [(200, 40101), (403, 40101), (200, 40001)])
async def test_no_permission_from_creative_center_is_an_unavailable_source_not_a_failure(
        reader: CreativeReader, router: respx.Router, kind: str, url: str, status: int, code: int) -> None:
    route = router.get(url).respond(status, json={"code": code, "msg": "no permission", "request_id": "r-9",
                                                  "data": {}})
    result = await reader.trends(kind)  # type: ignore[arg-type]
    assert (result.available, result.items) == (False, [])
    assert f"{code} no permission" in (result.reason or "") and "unavailable" in (result.reason or "")
    await reader.trends(kind)  # type: ignore[arg-type]
    assert route.call_count == 1  # the answer is kept like any other for the cache's lifetime


async def test_other_trend_errors_still_fail(reader: CreativeReader, router: respx.Router) -> None:
    router.get(HASHTAGS).respond(200, json={"code": 40002, "msg": "limit is invalid", "request_id": "r", "data": {}})
    with pytest.raises(InvalidRequest, match="limit is invalid"):
        await reader.trends("hashtags")


async def test_keywords_may_arrive_under_keyword_list(reader: CreativeReader, router: respx.Router) -> None:
    router.get(KEYWORDS).respond(200, json=trends("keyword_list", [{"keyword": "serum", "rank": 1}]))
    result = await reader.trends("keywords")
    assert result.available and result.items[0].keyword.raw == "serum"
