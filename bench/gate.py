"""Gate figures, in one run:

1. overhead per call (validate + observe from memory + decide + audit write), p50/p99, on SQLite
   and PostgreSQL, with a platform that answers instantly;
2. wall time of 1,000 mutating calls through the gate vs. calling the adapter directly, with
   20-50 ms of platform latency per request (create_campaign: no fresh read needed; update_budget:
   one fresh read of the live budget before every change, as the design requires).

    .venv/bin/python bench/gate.py [--calls 1000] [--concurrency 10] [--pg postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

from shopwarden.agent_specs import AgentSpec
from shopwarden.calls import Outcome, ToolCall
from shopwarden.db.engine import make_engine, session_scope, upgrade
from shopwarden.db.models import Connection, Merchant
from shopwarden.gate import Gate
from shopwarden.policy import default_limits, load_engine
from shopwarden.tools import ToolContext

ADVERTISER = "7000000000000000001"
AGENT = AgentSpec(id="growth", allowed_tools=["create_campaign", "update_budget"])


class LatencyAds:
    """An in-memory ad account whose every request takes `latency` seconds (0 = instant)."""

    def __init__(self, latency: tuple[float, float] = (0.0, 0.0)) -> None:
        self.latency = latency
        self.budgets: dict[str, Decimal] = {"c1": Decimal(100)}
        self.created = 0

    async def _request(self) -> None:
        low, high = self.latency
        if high:
            await asyncio.sleep(random.uniform(low, high))

    async def advertiser_info(self, advertiser_ids: list[str]) -> list[dict[str, Any]]:
        await self._request()
        return [{"advertiser_id": ADVERTISER, "currency": "USD", "timezone": "America/Los_Angeles"}]

    async def list_campaigns(self, advertiser_id: str, campaign_ids: list[str] | None = None) -> list[dict[str, Any]]:
        await self._request()
        wanted = [cid for cid in self.budgets if not campaign_ids or cid in campaign_ids]
        return [{"campaign_id": cid, "campaign_name": cid, "budget": float(self.budgets[cid]),
                 "budget_mode": "BUDGET_MODE_DAY", "operation_status": "ENABLE"} for cid in wanted]

    async def update_budget(self, advertiser_id: str, object_type: str, object_id: str, *, budget: Decimal,
                            budget_mode: str | None = None) -> dict[str, Any]:
        await self._request()
        self.budgets[object_id] = budget
        return {"campaign_id": object_id}

    async def create_campaign(self, advertiser_id: str, **fields: Any) -> dict[str, Any]:
        await self._request()
        self.created += 1
        return {"campaign_id": f"c{self.created + 1}"}


def _prepare(url: str) -> Any:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(Merchant(id="m-bench", autonomy="guarded"))
        session.flush()
        session.add(Connection(merchant_id="m-bench", platform="ads", details={"advertiser_ids": [ADVERTISER]}))
    return engine


def _gate(engine: Any, ads: LatencyAds) -> Gate:
    contexts: dict[str, ToolContext] = {}

    def context_for(merchant_id: str) -> ToolContext:
        return contexts.setdefault(merchant_id, ToolContext(merchant_id, engine, ads_factory=lambda: ads))

    return Gate(engine=engine, policy=load_engine(), context_for=context_for, agent_specs={"growth": AGENT},
                default_limits=default_limits())


def _create(i: int) -> ToolCall:
    return ToolCall(tool="create_campaign", agent_id="growth", merchant_id="m-bench", args={
        "advertiser_id": ADVERTISER, "campaign_name": f"Bench {i}", "objective_type": "PRODUCT_SALES",
        "budget_mode": "BUDGET_MODE_DAY", "budget": "60"})


def _budget(i: int) -> ToolCall:
    return ToolCall(tool="update_budget", agent_id="growth", merchant_id="m-bench", args={
        "advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1", "budget": "110" if i % 2 else "100"})


async def overhead(url: str, label: str, calls: int) -> None:
    engine = _prepare(url)
    gate = _gate(engine, LatencyAds())
    for tool, make in (("update_budget", _budget), ("create_campaign", _create)):
        for i in range(20):  # warm up: pools, caches, compiled policy
            await gate.call(make(i))
        samples = []
        for i in range(calls):
            start = time.perf_counter()
            result = await gate.call(make(i))
            samples.append((time.perf_counter() - start) * 1000)
            assert result.outcome == Outcome.EXECUTED, result.reasons
        samples.sort()
        p50, p99 = statistics.median(samples), samples[int(len(samples) * 0.99) - 1]
        print(f"gate overhead {label:<10} {tool:<16} p50 {p50:6.3f} ms   p99 {p99:6.3f} ms   ({calls} calls)")
    engine.dispose()


async def _wall(calls: int, concurrency: int, run: Any) -> float:
    gate_slots = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate_slots:
            await run(i)

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(calls)))
    return time.perf_counter() - start


async def ratio(url: str, calls: int, concurrency: int) -> None:
    engine = _prepare(url)
    ads = LatencyAds(latency=(0.020, 0.050))
    gate = _gate(engine, ads)

    async def through_gate(i: int, make: Any) -> None:
        result = await gate.call(make(i))
        assert result.outcome == Outcome.EXECUTED, result.reasons

    async def direct_create(i: int) -> None:
        await ads.create_campaign(ADVERTISER, campaign_name=f"Bench {i}", budget=Decimal(60))

    async def direct_budget(i: int) -> None:
        await ads.update_budget(ADVERTISER, "campaign", "c1", budget=Decimal(110 if i % 2 else 100))

    for tool, make, direct in (("create_campaign", _create, direct_create), ("update_budget", _budget, direct_budget)):
        await through_gate(0, make)
        direct_s = await _wall(calls, concurrency, direct)
        gate_s = await _wall(calls, concurrency, lambda i, make=make: through_gate(i, make))
        print(f"{calls} x {tool:<16} direct {direct_s:6.2f} s   through gate {gate_s:6.2f} s   "
              f"ratio {gate_s / direct_s:5.3f}   (20-50 ms latency, {concurrency} in flight)")
    engine.dispose()


def _pg_database(server_url: str) -> str | None:
    name = f"shopwarden_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def _drop(server_url: str, url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--overhead-calls", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        await overhead(f"sqlite:///{Path(tmp) / 'overhead.db'}", "SQLite", options.overhead_calls)
        pg = _pg_database(options.pg)
        if pg:
            try:
                await overhead(pg, "PostgreSQL", options.overhead_calls)
            finally:
                _drop(options.pg, pg)
        await ratio(f"sqlite:///{Path(tmp) / 'ratio.db'}", options.calls, options.concurrency)


if __name__ == "__main__":
    asyncio.run(main())
