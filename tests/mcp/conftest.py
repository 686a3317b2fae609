from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp_stack import MERCHANT, OTHER, READ_TOOLS, WRITE_TOOLS, Served, client, reviewer_token, seeded, serving

from shopwarden.api import create_app


@pytest.fixture
async def served(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Served]:
    world = await seeded(monkeypatch)
    client_id, token = client(world.runtime.engine, MERCHANT, "desk-assistant", READ_TOOLS + WRITE_TOOLS)
    client(world.runtime.engine, OTHER, "other-agent", ["list_campaigns", "update_budget"])
    with serving(create_app(world.runtime.engine, lambda: world.runtime)) as base:
        yield Served(base, world, client_id, token, reviewer_token(world.runtime.engine))
