"""Creative Center trends (unofficial JSON endpoints behind the Creative Center pages; docs/CONTRACTS.md).

The paths are the Creative Center's own (`/creative_radar_api/...`). Creative Center answers callers
it does not recognise with code 40101 "no permission"; that is raised as `TrendsNoPermission`, which
the reader reports as an unavailable source, not a failure.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from shopwarden.errors import InvalidRequest
from shopwarden.platforms.creative_center._http import PLATFORM, TRENDS_HOST, PublicHttp, malformed, status_error
from shopwarden.platforms.creative_center.models import TopAd, TrendingHashtag, TrendingKeyword, TrendKind

PERIOD_DAYS = "7"
FIRST_PAGE = "1"
# Codes Creative Center sends an unsigned or unrecognised caller. (uncertain) Only 40101 is seen in
# public references; 40001 is TikTok's general "no permission" and is read the same way.
NO_PERMISSION_CODES = frozenset({40101, 40001})
# kind -> (path, keys of the list inside `data` in the order tried, item model, extra query).
# (uncertain) The list keys are what public clients read: `list` for hashtags, `list` or `keyword_list`
# for keywords, `materials` for top ads. sort_by=popular is documented for the two popular_trend lists only.
TREND_ENDPOINTS: dict[TrendKind, tuple[str, tuple[str, ...], type[BaseModel], dict[str, str]]] = {
    "hashtags": ("/creative_radar_api/v1/popular_trend/hashtag/list", ("list",), TrendingHashtag,
                 {"sort_by": "popular"}),
    "keywords": ("/creative_radar_api/v1/popular_trend/keyword/list", ("list", "keyword_list"), TrendingKeyword,
                 {"sort_by": "popular"}),
    "top_ads": ("/creative_radar_api/v1/top_ads/v2/list", ("materials",), TopAd, {}),
}


class TrendsNoPermission(InvalidRequest):
    """Creative Center refused the call with "no permission": the source is unavailable to us."""


async def fetch_trends(http: PublicHttp, kind: TrendKind, *, country: str, limit: int) -> list[Any]:
    path, keys, model, extra = TREND_ENDPOINTS[kind]
    status, payload = await http.request("GET", f"https://{TRENDS_HOST}{path}", params={
        "page": FIRST_PAGE, "limit": str(limit), "period": PERIOD_DAYS, "country_code": country, **extra})
    if not isinstance(payload, dict) or "code" not in payload:
        if status >= 400:
            raise status_error(status, path, "no readable body", None, None)
        raise malformed(path, "the body has no envelope (missing `code`)")
    code, message = payload.get("code"), str(payload.get("msg") or payload.get("message") or "")[:300]
    request_id = payload.get("request_id") if isinstance(payload.get("request_id"), str) else None
    if isinstance(code, bool) or not isinstance(code, int):
        raise malformed(path, f"`code` is not an integer ({type(code).__name__})")
    if code in NO_PERMISSION_CODES:
        raise TrendsNoPermission(f"Creative Center refused the read ({code} {message or 'no permission'}): "
                                 "its trend endpoints answer only callers it signs in; trends are unavailable",
                                 platform=PLATFORM, endpoint=path, code=code, request_id=request_id)
    if code != 0 or status >= 400:
        raise status_error(status if status >= 400 else 400, path, message or f"code {code}", code, request_id)
    data = payload.get("data")
    items = next((data[key] for key in keys if isinstance(data, dict) and isinstance(data.get(key), list)), None)
    if items is None:
        raise malformed(path, f"`data.{keys[0]}` is missing or not a list")
    try:
        return [model.model_validate(item) for item in items[:limit]]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise malformed(path, f"{where}: {first.get('msg')}") from None
