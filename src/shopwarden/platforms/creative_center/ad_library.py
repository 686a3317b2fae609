"""TikTok's Commercial Content API ad library (official; EU/EEA, UK and Swiss ads), paged by `search_id`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError

from shopwarden.errors import InvalidRequest
from shopwarden.platforms.creative_center._http import AD_LIBRARY_HOST, PLATFORM, PublicHttp, malformed, status_error
from shopwarden.platforms.creative_center.client_token import KEY_VARIABLE, SECRET_VARIABLE, ClientTokenSource
from shopwarden.platforms.creative_center.models import LibraryAd

QUERY_URL = f"https://{AD_LIBRARY_HOST}/v2/research/adlib/ad/query/"
ENDPOINT = "/v2/research/adlib/ad/query/"
# The API takes dotted field names (a bare "ad" is not a field).
FIELDS = ",".join([
    "ad.id", "ad.first_shown_date", "ad.last_shown_date", "ad.status", "ad.videos", "ad.image_urls", "ad.reach",
    "advertiser.business_id", "advertiser.business_name", "advertiser.paid_by",
])
CREDENTIALS_VARIABLE = f"{KEY_VARIABLE} / {SECRET_VARIABLE}"
ALL_COUNTRIES = "ALL"  # the API's own default for `country_code`: every country it covers
# The library exists for the EU's Digital Services Act: the EU, the rest of the EEA, Switzerland and
# the UK. There is no US (nor any other) edition. (uncertain) Some third-party lists add Türkiye (TR);
# the references we follow do not, so TR is reported unavailable rather than queried.
COVERED_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",  # EU
    "IS", "LI", "NO",  # rest of the EEA
    "CH", "GB",
})
# A 401 with one of these codes (or with no readable code) means the client token lapsed or was
# revoked: renew once and retry. (uncertain) TikTok's v2 error table names access_token_invalid for
# a bad or missing token; whether an expired one says access_token_expired instead is not documented.
TOKEN_REFUSED_CODES = frozenset({"access_token_invalid", "access_token_expired"})
MAX_PAGES = 20
LOOKBACK_DAYS = 365


def coverage_gap(country: str) -> str | None:
    """Why the ad library has nothing for `country` (None when it covers it)."""
    if country == ALL_COUNTRIES or country in COVERED_COUNTRIES:
        return None
    return (f"TikTok's ad library covers only ads shown in the EU/EEA, the UK and Switzerland; it has no "
            f"{country} ads to read (ask for one of those countries, or ALL)")


def _date(day: date) -> str:
    return day.strftime("%Y%m%d")


async def query_ads(http: PublicHttp, tokens: ClientTokenSource, *, search_term: str, country: str, max_count: int,
                    today: date) -> list[LibraryAd]:
    """Up to `max_count` ads matching `search_term` shown in `country` (covered, or ALL) during the last year."""
    gap = coverage_gap(country)
    if gap:  # the reader answers "unavailable" before this; no caller may send an uncovered country
        raise InvalidRequest(gap, platform=PLATFORM, endpoint=ENDPOINT)
    ads: list[LibraryAd] = []
    search_id: str | None = None
    for _ in range(MAX_PAGES):
        body: dict[str, Any] = {
            "filters": {"ad_published_date_range": {"min": _date(today - timedelta(days=LOOKBACK_DAYS)),
                                                    "max": _date(today)},
                        "country_code": country},
            "search_term": search_term,
            "max_count": max_count - len(ads),
        }
        if search_id:
            body["search_id"] = search_id
        data = await _query_page(http, tokens, body)
        ads.extend(_parse_ads(data.get("ads")))
        search_id = data.get("search_id") if isinstance(data.get("search_id"), str) else None
        if not _has_more(data.get("has_more")) or not search_id or len(ads) >= max_count:
            return ads[:max_count]
    raise malformed(ENDPOINT, f"has_more was still true after {MAX_PAGES} pages")


async def _query_page(http: PublicHttp, tokens: ClientTokenSource, body: dict[str, Any]) -> dict[str, Any]:
    """One page; a token the API calls invalid is discarded and the page asked once more with a new one."""
    token = await tokens.token()
    status, payload = await _send(http, token, body)
    if _token_refused(status, payload):
        tokens.discard(token)
        token = await tokens.token()
        status, payload = await _send(http, token, body)
    return _checked(status, payload, token)


async def _send(http: PublicHttp, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    return await http.request("POST", QUERY_URL, params={"fields": FIELDS}, json_body=body,
                              headers={"authorization": f"bearer {token}"}, secrets=(token,))


def _token_refused(status: int, payload: Any) -> bool:
    if status != 401:
        return False
    error = payload.get("error") if isinstance(payload, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return code is None or code in TOKEN_REFUSED_CODES


def _has_more(value: Any) -> bool:
    """`has_more` arrives as a boolean or as the string "true"/"false"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if value is None:
        return False
    raise malformed(ENDPOINT, f"`has_more` is neither a boolean nor \"true\"/\"false\" ({value!r})")


def _checked(status: int, payload: Any, client_token: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        if status >= 400:
            raise status_error(status, ENDPOINT, "no readable body", None, None, token_variable=CREDENTIALS_VARIABLE)
        raise malformed(ENDPOINT, "the body is not a JSON object")
    raw_error = payload.get("error")
    error = raw_error if isinstance(raw_error, dict) else {}
    code = error.get("code")
    message = str(error.get("message") or "").replace(client_token, "[redacted]")
    log_id = error.get("log_id") if isinstance(error.get("log_id"), str) else None
    if status >= 400 or (code not in (None, "ok")):
        raise status_error(status if status >= 400 else 400, ENDPOINT, message or str(code), code, log_id,
                           token_variable=CREDENTIALS_VARIABLE)
    data = payload.get("data")
    if not isinstance(data, dict):
        raise malformed(ENDPOINT, "`data` is missing or not an object")
    return data


def _parse_ads(raw: Any) -> list[LibraryAd]:
    if not isinstance(raw, list):
        raise malformed(ENDPOINT, "`data.ads` is missing or not a list")
    try:
        return [LibraryAd.model_validate({**(item.get("ad") or {}), "advertiser": item.get("advertiser")})
                for item in raw]
    except (ValidationError, AttributeError, TypeError) as exc:
        raise malformed(ENDPOINT, f"an ad does not have the documented shape ({type(exc).__name__})") from None
