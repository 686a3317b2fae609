"""Creative Center trends (unofficial JSON endpoints; the table in docs/CONTRACTS.md)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from shopwarden.platforms.creative_center._http import TRENDS_HOST, PublicHttp, malformed, status_error
from shopwarden.platforms.creative_center.models import TopAd, TrendingHashtag, TrendingKeyword, TrendKind

PERIOD_DAYS = "7"
# kind -> (path, key of the list inside `data`, item model)
TREND_ENDPOINTS: dict[TrendKind, tuple[str, str, type[BaseModel]]] = {
    "hashtags": ("/creative_api/v1/popular_trend/hashtag/list", "list", TrendingHashtag),
    "keywords": ("/creative_api/v1/popular_trend/keyword/list", "list", TrendingKeyword),
    "top_ads": ("/creative_api/v1/top_ads/list", "materials", TopAd),
}


async def fetch_trends(http: PublicHttp, kind: TrendKind, *, country: str, limit: int) -> list[Any]:
    path, key, model = TREND_ENDPOINTS[kind]
    status, payload = await http.request("GET", f"https://{TRENDS_HOST}{path}", params={
        "period": PERIOD_DAYS, "country_code": country, "limit": str(limit)})
    if not isinstance(payload, dict) or "code" not in payload:
        if status >= 400:
            raise status_error(status, path, "no readable body", None, None)
        raise malformed(path, "the body has no envelope (missing `code`)")
    code, message = payload.get("code"), str(payload.get("msg") or "")
    request_id = payload.get("request_id") if isinstance(payload.get("request_id"), str) else None
    if isinstance(code, bool) or not isinstance(code, int):
        raise malformed(path, f"`code` is not an integer ({type(code).__name__})")
    if code != 0 or status >= 400:
        raise status_error(status if status >= 400 else 400, path, message or f"code {code}", code, request_id)
    data = payload.get("data")
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise malformed(path, f"`data.{key}` is missing or not a list")
    try:
        return [model.model_validate(item) for item in items[:limit]]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise malformed(path, f"{where}: {first.get('msg')}") from None
