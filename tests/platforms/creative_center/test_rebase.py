"""SHOPWARDEN_CREATIVE_SOURCES_BASE: the reader's requests for the official hosts go to another base."""

from __future__ import annotations

import httpx

from shopwarden.platforms.creative_center.rebase import RebasedTransport


async def test_only_the_allowlisted_hosts_are_rebased_keeping_path_and_query() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"ok": True})

    transport = RebasedTransport("http://127.0.0.1:8765", inner=httpx.MockTransport(answer))
    async with httpx.AsyncClient(transport=transport) as client:
        await client.get("https://ads.tiktok.com/creative_api/v1/popular_trend/hashtag/list", params={"page": 1})
        await client.post("https://open.tiktokapis.com/v2/research/adlib/ad/query/?fields=ad")
        await client.get("https://example.com/elsewhere")
    async with httpx.AsyncClient(transport=transport) as client:  # still usable after a client closed
        await client.get("https://ads.tiktok.com/creative_api/v1/x")
    assert seen == ["http://127.0.0.1:8765/creative_api/v1/popular_trend/hashtag/list?page=1",
                    "http://127.0.0.1:8765/v2/research/adlib/ad/query/?fields=ad",
                    "https://example.com/elsewhere",
                    "http://127.0.0.1:8765/creative_api/v1/x"]
