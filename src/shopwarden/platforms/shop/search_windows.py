"""Product search stops at 10,000 results: a bigger catalogue is read in update_time windows,
halved until each holds fewer results than the limit (`shop_facts.MAX_SEARCH_RESULTS`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable

from shopwarden.errors import InvalidRequest
from shopwarden.platforms.shop import shop_facts
from shopwarden.platforms.shop.models import ProductPage

PLATFORM = "tiktok_shop"
SearchPages = Callable[[int | None, int | None], AsyncGenerator[ProductPage, None]]  # closed early by aclose()


async def windowed_search(pages: SearchPages, start: int | None, end: int | None, *, now: Callable[[], int],
                          limit: int = shop_facts.MAX_SEARCH_RESULTS) -> AsyncIterator[ProductPage]:
    """Every page of products updated in [start, end], never paging one query to `limit` results.

    The first query carries only the caller's bounds (None: unbounded). A window's first page
    tells its total; a window at or over the limit is halved by update_time (its first page is
    dropped, the halves re-read; an open end is closed at `now()`), so a small catalogue costs
    no extra call.
    """
    windows: list[tuple[int | None, int | None]] = [(start, end)]
    while windows:
        low, high = windows.pop()
        window = pages(low, high)
        first = await anext(window, None)
        total = first.total_count if first is not None and first.total_count is not None else 0
        if first is not None and total >= limit:
            await window.aclose()
            low, high = low or 0, high if high is not None else now()
            if low >= high:
                raise InvalidRequest(f"{total} products share update_time {low}; the search cannot be split under "
                                     f"TikTok's {limit}-result limit", platform=PLATFORM,
                                     endpoint="POST /product/202309/products/search")
            middle = (low + high) // 2
            windows.extend([(middle + 1, high), (low, middle)])  # the older half is read first
            continue
        if first is not None:
            yield first
        async for page in window:
            yield page
