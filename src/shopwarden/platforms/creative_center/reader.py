"""`CreativeReader`: the one interface the Creative agent's tools read public creative data through.

Two sources: the official ad library (needs Commercial Content API client credentials, from which
it fetches and renews its own client token; without them, or for a country the library does not
cover such as the US, it reports itself unavailable) and Creative Center trends (no auth; reported
unavailable when Creative Center answers "no permission"). Answers are cached for a while; every
text field in them is `UntrustedText`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx

from shopwarden.config import Settings
from shopwarden.errors import InvalidRequest
from shopwarden.platforms.creative_center._http import PLATFORM, PublicHttp
from shopwarden.platforms.creative_center.ad_library import ALL_COUNTRIES, coverage_gap, query_ads
from shopwarden.platforms.creative_center.cache import DEFAULT_TTL_SECONDS, TTLCache
from shopwarden.platforms.creative_center.client_token import (
    KEY_VARIABLE,
    SECRET_VARIABLE,
    ClientCredentials,
    ClientTokenSource,
)
from shopwarden.platforms.creative_center.models import (
    AD_LIBRARY,
    TRENDS,
    AdLibraryResult,
    SourceStatus,
    TrendKind,
    TrendsResult,
)
from shopwarden.platforms.creative_center.trends import TREND_ENDPOINTS, TrendsNoPermission, fetch_trends
from shopwarden.platforms.creative_center.untrusted import UntrustedText

DEFAULT_TRENDS_COUNTRY = "US"
NO_CREDENTIALS = f"no Commercial Content API client credentials (set {KEY_VARIABLE} and {SECRET_VARIABLE})"
MAX_COUNT = 50


def _today_utc() -> date:
    return datetime.now(UTC).date()


def _country(country: str | None, default: str) -> str:
    value = (country or default).upper()
    if value != default and (len(value) != 2 or not value.isalpha() or not value.isascii()):
        raise InvalidRequest(f"country must be a two-letter code, not {country!r}", platform=PLATFORM)
    return value


def _credentials(settings: Settings) -> ClientCredentials | None:
    key, secret = settings.commercial_content_client_key, settings.commercial_content_client_secret
    if not key or secret is None or not secret.get_secret_value():
        return None
    return ClientCredentials(client_key=key, client_secret=secret.get_secret_value())


def _bounded(name: str, value: int) -> int:
    if not 1 <= value <= MAX_COUNT:
        raise InvalidRequest(f"{name} must be between 1 and {MAX_COUNT}, not {value}", platform=PLATFORM)
    return value


class CreativeReader:
    """Public creative data for one process (no merchant auth, so one reader serves everyone)."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 ttl_seconds: float = DEFAULT_TTL_SECONDS, cache_clock: Callable[[], float] | None = None,
                 token_clock: Callable[[], float] | None = None, today: Callable[[], date] = _today_utc) -> None:
        self._http = PublicHttp(transport)
        credentials = _credentials(settings)
        token_kwargs: dict[str, Any] = {"clock": token_clock} if token_clock is not None else {}
        self._tokens = (ClientTokenSource(self._http, credentials, **token_kwargs)
                        if credentials is not None else None)
        self._today = today
        cache_kwargs: dict[str, Any] = {"clock": cache_clock} if cache_clock is not None else {}
        self._cache: TTLCache[Any] = TTLCache(ttl_seconds, **cache_kwargs)

    def __repr__(self) -> str:
        return f"CreativeReader(ad_library={'on' if self._tokens else 'off'}, cached={len(self._cache)})"

    def sources(self) -> list[SourceStatus]:
        """Which sources can be read right now, and why not."""
        return [
            SourceStatus(name=AD_LIBRARY, available=self._tokens is not None,
                         reason=None if self._tokens else NO_CREDENTIALS),
            SourceStatus(name=TRENDS, available=True),
        ]

    async def ad_library(self, search_term: str, *, country: str | None = None,
                         max_count: int = 10) -> AdLibraryResult:
        """Ads from the official ad library matching `search_term`; no country means every country it covers.

        Unavailable (with the reason, and no request sent) without client credentials or for a country
        the library does not cover: a US merchant is told there are no US ads, not given an error.
        """
        code, count = _country(country, ALL_COUNTRIES), _bounded("max_count", max_count)
        term = UntrustedText(search_term, AD_LIBRARY)
        gap = coverage_gap(code)
        if gap is not None:
            return AdLibraryResult(available=False, reason=gap, search_term=term, country=code)
        if self._tokens is None:
            return AdLibraryResult(available=False, reason=NO_CREDENTIALS, search_term=term, country=code)
        tokens = self._tokens

        async def load() -> AdLibraryResult:
            ads = await query_ads(self._http, tokens, search_term=search_term, country=code, max_count=count,
                                  today=self._today())
            return AdLibraryResult(available=True, search_term=term, country=code, ads=ads)

        return await self._cache.get_or_load((AD_LIBRARY, search_term, code, count), load)

    async def trends(self, kind: TrendKind, *, country: str | None = DEFAULT_TRENDS_COUNTRY,
                     limit: int = 20) -> TrendsResult:
        """Trending hashtags, keywords or top ads from Creative Center (unavailable, not failing, when
        Creative Center refuses unsigned callers)."""
        if kind not in TREND_ENDPOINTS:
            raise InvalidRequest(f"kind must be one of {', '.join(TREND_ENDPOINTS)}, not {kind!r}", platform=PLATFORM)
        code, size = _country(country, DEFAULT_TRENDS_COUNTRY), _bounded("limit", limit)

        async def load() -> TrendsResult:
            try:
                items = await fetch_trends(self._http, kind, country=code, limit=size)
            except TrendsNoPermission as refused:
                return TrendsResult(kind=kind, country=code, available=False, reason=str(refused), items=[])
            return TrendsResult(kind=kind, country=code, items=items)

        return await self._cache.get_or_load((TRENDS, kind, code, size), load)
