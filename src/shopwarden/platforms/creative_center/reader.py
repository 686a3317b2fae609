"""`CreativeReader`: the one interface the Creative agent's tools read public creative data through.

Two sources: the official ad library (needs a Commercial Content API client token; without one it
reports itself unavailable) and Creative Center trends (no auth). Answers are cached for a while;
every text field in them is `UntrustedText`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx

from shopwarden.config import Settings
from shopwarden.errors import InvalidRequest
from shopwarden.platforms.creative_center._http import PLATFORM, PublicHttp
from shopwarden.platforms.creative_center.ad_library import query_ads
from shopwarden.platforms.creative_center.cache import DEFAULT_TTL_SECONDS, TTLCache
from shopwarden.platforms.creative_center.models import (
    AD_LIBRARY,
    TRENDS,
    AdLibraryResult,
    SourceStatus,
    TrendKind,
    TrendsResult,
)
from shopwarden.platforms.creative_center.trends import TREND_ENDPOINTS, fetch_trends
from shopwarden.platforms.creative_center.untrusted import UntrustedText

DEFAULT_COUNTRY = "US"
NO_TOKEN = "no Commercial Content API client token (set SHOPWARDEN_COMMERCIAL_CONTENT_CLIENT_TOKEN)"
MAX_COUNT = 50


def _today_utc() -> date:
    return datetime.now(UTC).date()


def _country(country: str | None) -> str:
    value = (country or DEFAULT_COUNTRY).upper()
    if len(value) != 2 or not value.isalpha():
        raise InvalidRequest(f"country must be a two-letter code, not {country!r}", platform=PLATFORM)
    return value


def _bounded(name: str, value: int) -> int:
    if not 1 <= value <= MAX_COUNT:
        raise InvalidRequest(f"{name} must be between 1 and {MAX_COUNT}, not {value}", platform=PLATFORM)
    return value


class CreativeReader:
    """Public creative data for one process (no merchant auth, so one reader serves everyone)."""

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None,
                 ttl_seconds: float = DEFAULT_TTL_SECONDS, cache_clock: Callable[[], float] | None = None,
                 today: Callable[[], date] = _today_utc) -> None:
        token = settings.commercial_content_client_token
        self._client_token = token.get_secret_value() if token is not None else None
        self._http = PublicHttp(transport)
        self._today = today
        cache_kwargs: dict[str, Any] = {"clock": cache_clock} if cache_clock is not None else {}
        self._cache: TTLCache[Any] = TTLCache(ttl_seconds, **cache_kwargs)

    def __repr__(self) -> str:
        return f"CreativeReader(ad_library={'on' if self._client_token else 'off'}, cached={len(self._cache)})"

    def sources(self) -> list[SourceStatus]:
        """Which sources can be read right now, and why not."""
        return [
            SourceStatus(name=AD_LIBRARY, available=self._client_token is not None,
                         reason=None if self._client_token else NO_TOKEN),
            SourceStatus(name=TRENDS, available=True),
        ]

    async def ad_library(self, search_term: str, *, country: str | None = DEFAULT_COUNTRY,
                         max_count: int = 10) -> AdLibraryResult:
        """Ads from the official ad library matching `search_term` (unavailable without a client token)."""
        code, count = _country(country), _bounded("max_count", max_count)
        term = UntrustedText(search_term, AD_LIBRARY)
        if self._client_token is None:
            return AdLibraryResult(available=False, reason=NO_TOKEN, search_term=term, country=code)
        token = self._client_token

        async def load() -> AdLibraryResult:
            ads = await query_ads(self._http, token, search_term=search_term, country=code, max_count=count,
                                  today=self._today())
            return AdLibraryResult(available=True, search_term=term, country=code, ads=ads)

        return await self._cache.get_or_load((AD_LIBRARY, search_term, code, count), load)

    async def trends(self, kind: TrendKind, *, country: str | None = DEFAULT_COUNTRY, limit: int = 20) -> TrendsResult:
        """Trending hashtags, keywords or top ads from Creative Center."""
        if kind not in TREND_ENDPOINTS:
            raise InvalidRequest(f"kind must be one of {', '.join(TREND_ENDPOINTS)}, not {kind!r}", platform=PLATFORM)
        code, size = _country(country), _bounded("limit", limit)

        async def load() -> TrendsResult:
            items = await fetch_trends(self._http, kind, country=code, limit=size)
            return TrendsResult(kind=kind, country=code, items=items)

        return await self._cache.get_or_load((TRENDS, kind, code, size), load)
