"""Fixtures for the TikTok Shop tests: a fake token provider and a client on respx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx
from shop_fakes import API, APP_KEY, APP_SECRET, NOW, FakeTokens, SleepRecorder

from shopwarden.platforms.shop import ShopClient


@pytest.fixture
def tokens() -> FakeTokens:
    return FakeTokens()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=API, assert_all_called=False) as router:
        yield router


@pytest.fixture
async def client(api: respx.MockRouter, tokens: FakeTokens, sleeps: SleepRecorder) -> AsyncIterator[ShopClient]:
    async with ShopClient(APP_KEY, APP_SECRET, tokens, api_base=API, clock=lambda: NOW, sleep=sleeps) as shop:
        yield shop

