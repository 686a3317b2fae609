from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# tests/api/browser_support.py serves apps on free ports and drives Chromium for both folders.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from browser_support import serve_app
from mcp_stack import (
    MERCHANT,
    OTHER,
    READ_TOOLS,
    WRITE_TOOLS,
    Served,
    World,
    client,
    reviewer_token,
    seeded,
    subprocess_env,
)

from shopwarden.api import create_app


@pytest.fixture
async def served(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Served]:
    world = await seeded(monkeypatch)
    client_id, token = client(world.runtime.engine, MERCHANT, "desk-assistant", READ_TOOLS + WRITE_TOOLS)
    client(world.runtime.engine, OTHER, "other-agent", ["list_campaigns", "update_budget"])
    with serve_app(create_app(world.runtime.engine, lambda: world.runtime)) as base:
        yield Served(base, world, client_id, token, reviewer_token(world.runtime.engine))


@pytest.fixture
async def world(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[World]:
    """The simulator served over HTTP for `shopwarden` subprocesses sharing this test's SQLite file."""
    merchants = await seeded(monkeypatch, skew="wall")  # the subprocess signs with the wall clock
    with serve_app(merchants.sim.asgi_app()) as base:
        yield World(merchants, subprocess_env(merchants.sim, base))
