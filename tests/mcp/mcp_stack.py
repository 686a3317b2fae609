"""A simulator merchant served over real HTTP, and MCP clients of it (helpers for tests/mcp).

Servers start with tests/api/browser_support.py's helpers (one way to run uvicorn on a free port);
tests/mcp/conftest.py puts that folder on the path."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from sqlmodel import col, select

from shopwarden.api.auth import issue_token
from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, ToolExecution
from shopwarden.evals.setup import REVIEWER, seed_merchant
from shopwarden.mcp import add_client
from shopwarden.platforms.simulator import Simulator
from shopwarden.runtime import Runtime, build_runtime
from shopwarden.security.connections import reset_vault_cache
from shopwarden.tools import registry
from shopwarden.tools.base import utc_now

MERCHANT = "m_glow"
OTHER = "m_other"
ADVERTISER = "7000000000000000001"
WINNER = "1800000000000000001"  # budget 120 at the start of the day
BUDGET = {"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": WINNER}  # its campaign budget
READ_TOOLS = ["list_campaigns", "get_performance_report", "sync_catalog", "read_ad_library"]
WRITE_TOOLS = ["update_budget", "enable_ads"]


SHOPWARDEN = str(Path(sys.executable).with_name("shopwarden"))  # the installed console script


@dataclass
class Merchants:
    sim: Simulator
    runtime: Runtime


@dataclass
class World:
    """The merchants, and the environment a `shopwarden` subprocess needs to act on the served simulator."""

    merchants: Merchants
    env: dict[str, str]

    @property
    def engine(self) -> Any:
        return self.merchants.runtime.engine


def subprocess_env(sim: Simulator, base: str) -> dict[str, str]:
    """This test's settings plus the simulator served at `base`, with this worktree's source first."""
    env = {**os.environ, **sim.credentials.settings_env(base)}
    env.pop("SHOPWARDEN_ADS_API_BASE")  # Composio proxies to TikTok's own host, which the simulator answers
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(Path(__file__).parents[2] / "src"),
                                                    os.environ.get("PYTHONPATH", "")) if p)
    return env


async def seeded(monkeypatch: pytest.MonkeyPatch, *, autonomy: str = "guarded", skew: str = "virtual") -> Merchants:
    """m_glow on the small_shop simulator (Shop and Ads connected) and a second merchant, m_other."""
    sim = Simulator.from_scenario("small_shop", seed=7, skew_reference=skew)
    for name, value in sim.credentials.settings_env().items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    reset_vault_cache()
    runtime = build_runtime(simulator=sim)
    if skew == "wall":  # signed Shop calls are checked against the wall clock: stamp them with it
        runtime = dataclasses.replace(runtime, clock=utc_now)
    await seed_merchant(runtime, autonomy=autonomy)
    with session_scope(runtime.engine) as session:
        session.add(Merchant(id=OTHER, name="Other Shop", autonomy="guarded", limits={}))
    sim.advance(days=1)
    return Merchants(sim, runtime)


def client(engine: Any, merchant: str, name: str, tools: list[str], **limits: Any) -> tuple[str, str]:
    issued = add_client(engine, merchant, name, tools, known_tools=registry(), **limits)
    return issued.client.id, issued.token


def reviewer_token(engine: Any, merchant: str = MERCHANT) -> str:
    return issue_token(engine, merchant, REVIEWER)


@asynccontextmanager
async def mcp_session(url: str, token: str | None) -> AsyncIterator[ClientSession]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(headers=headers, timeout=30) as http, \
            streamable_http_client(url, http_client=http) as (read, write, _), \
            ClientSession(read, write) as session:
        await session.initialize()
        yield session


def body(result: Any) -> dict[str, Any]:
    """The structured result, checked against the text the model reads (the same JSON)."""
    assert result.structuredContent is not None
    assert json.loads(result.content[0].text) == result.structuredContent
    return dict(result.structuredContent)


def audit_rows(engine: Any, merchant: str, agent_id: str | None = None) -> list[ToolExecution]:
    with session_scope(engine) as session:
        # The chain's opening row (`merchant.create`) is the merchant's registration, not a call.
        query = select(ToolExecution).where(ToolExecution.merchant_id == merchant, ToolExecution.surface != "merchants")
        if agent_id is not None:
            query = query.where(ToolExecution.agent_id == agent_id)
        rows = session.exec(query.order_by(col(ToolExecution.id))).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def applied(sim: Simulator, endpoint: str, object_id: str) -> list[Any]:
    """Business API writes to `endpoint` (e.g. 'campaign/update/') that the simulated platform applied."""
    return [r for r in sim.requests
            if r.method == "POST" and r.path.endswith("/" + endpoint) and r.fault is None
            and r.code in (0, None) and r.status in (200, None) and object_id in str(r.body)]


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

    def add_client(self, name: str, tools: list[str], merchant: str = MERCHANT, **limits: Any) -> tuple[str, str]:
        return client(self.engine, merchant, name, tools, **limits)
