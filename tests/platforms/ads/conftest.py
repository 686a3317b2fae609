"""Fixtures for the Ads adapter tests (helpers live in ads_fakes.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import respx
from ads_fakes import API_KEY, COMPOSIO_BASE, FakeComposio, build_client

from shopwarden.config import Settings
from shopwarden.platforms.ads.client import AdsClient


@pytest.fixture
def settings() -> Settings:
    return Settings(composio_api_key=API_KEY, composio_base_url=COMPOSIO_BASE, composio_auth_config_id="ac_tiktok")


@pytest.fixture
def router() -> Iterator[respx.Router]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def composio(router: respx.Router) -> FakeComposio:
    return FakeComposio(router)


@pytest.fixture
def ads(settings: Settings, composio: FakeComposio) -> AdsClient:
    return build_client(settings)
