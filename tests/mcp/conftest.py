from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mcp_stack import MERCHANT, OTHER, READ_TOOLS, WRITE_TOOLS, Merchants, client, reviewer_token, seeded, serving

from shopwarden.api import create_app


@dataclass
class Served:
    """`shopwarden serve`'s app (reviewer API + /mcp) on a real port, over a simulator merchant."""

    base: str
    world: Merchants
    client_id: str
    token: str
    reviewer: str

    @property
    def url(self) -> str:
        return f"{self.base}/mcp/"

    @property
    def engine(self) -> Any:
        return self.world.runtime.engine

    def add_client(self, name: str, tools: list[str], merchant: str = MERCHANT, **limits: int) -> tuple[str, str]:
        return client(self.engine, merchant, name, tools, **limits)


@pytest.fixture
async def served(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> AsyncIterator[Served]:
    world = await seeded(monkeypatch)
    client_id, token = client(world.runtime.engine, MERCHANT, "desk-assistant", READ_TOOLS + WRITE_TOOLS)
    client(world.runtime.engine, OTHER, "other-agent", ["list_campaigns", "update_budget"])
    with serving(create_app(world.runtime.engine, lambda: world.runtime)) as base:
        yield Served(base, world, client_id, token, reviewer_token(world.runtime.engine))
