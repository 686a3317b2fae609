"""Growth cycle figures, in one run (real gate, embedded policies, in-process simulator):

1. wall time of one growth cycle on the small_shop and large_catalog scenarios (SQLite);
2. guarded vs. unguarded: the same rule strategies, once through the gate and once calling the
   tools' executors directly (same graph, same checkpointer, same simulator seed) — target <= 1.10;
3. cycles per second across N merchants (default 100) run as procrastinate jobs on PostgreSQL with
   1 and 2 workers (the workers share this process and its in-process simulator; each worker runs
   one job at a time).

    .venv/bin/python bench/cycle.py [--cycles 5] [--merchants 100] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import copy
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import yaml

from shopwarden.agents import CycleDeps, deps_from_runtime, run_cycle
from shopwarden.agents.checkpoint import postgres_conninfo
from shopwarden.config import get_settings
from shopwarden.db.engine import engine_for, upgrade
from shopwarden.evals.setup import point_settings_at, seed_merchant
from shopwarden.gate.calls import Outcome, ToolCall, ToolResult
from shopwarden.jobs.worker import build_app, defer_slots, ensure_schema, worker_options
from shopwarden.platforms.simulator import Simulator
from shopwarden.resources import resource_dir
from shopwarden.runtime import Runtime, build_runtime
from shopwarden.security.connections import reset_vault_cache
from shopwarden.tools import registry


class Unguarded:
    """The same calls, straight to the tools' executors: no validation beyond the model, no policy, no audit."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._tools = registry()

    async def call(self, call: ToolCall) -> ToolResult:
        tool = self._tools.get(call.tool)
        if tool is None:
            return ToolResult(tool=call.tool, outcome=Outcome.INVALID)
        args = tool.args_model.model_validate(call.args)
        ctx = self._runtime.tool_context(call.merchant_id)
        try:
            data = await tool.execute(ctx, args, uuid.uuid4().hex)
        except Exception as exc:  # same as the gate: a failed call is a result, not a crash
            return ToolResult(tool=call.tool, outcome=Outcome.FAILED, reasons=[str(exc)])
        return ToolResult(tool=call.tool, outcome=Outcome.EXECUTED if tool.mutating else Outcome.READ, data=data)

    async def execute_approved(self, approval_id: int) -> ToolResult:
        raise NotImplementedError


def _fresh_settings(root: Path, database_url: str | None = None) -> None:
    for name in [n for n in os.environ if n.startswith("SHOPWARDEN_")]:
        del os.environ[name]
    os.environ["SHOPWARDEN_DATA_DIR"] = str(root)
    os.environ["SHOPWARDEN_MASTER_KEY"] = base64.b64encode(os.urandom(32)).decode()
    if database_url:
        os.environ["SHOPWARDEN_DATABASE_URL"] = database_url
    get_settings.cache_clear()
    reset_vault_cache()


async def _stack(scenario: Any, root: Path, database_url: str | None = None) -> tuple[Simulator, Runtime]:
    _fresh_settings(root, database_url)
    simulator = Simulator.from_scenario(scenario, seed=3)
    point_settings_at(simulator)
    upgrade(engine_for(get_settings().effective_database_url))
    runtime = build_runtime(simulator=simulator)
    return simulator, runtime


async def _timed_cycles(deps: CycleDeps, simulator: Simulator, merchant_id: str, cycles: int) -> list[float]:
    times = []
    for index in range(cycles):
        simulator.advance(hours=6)
        started = time.perf_counter()
        await run_cycle(deps, merchant_id, slot=f"bench-{index}")
        times.append(time.perf_counter() - started)
    return times


async def one_cycle(scenario: str, cycles: int, latency_ms: float = 0) -> dict[str, float]:
    """Median wall time of a cycle, guarded and unguarded, each on its own simulator with the same seed,
    and the platform requests each made per cycle."""
    figures: dict[str, float] = {}
    for mode in ("guarded", "unguarded"):
        with tempfile.TemporaryDirectory() as tmp:
            simulator, runtime = await _stack(scenario, Path(tmp))
            seeded = await seed_merchant(runtime, autonomy="guarded")
            simulator.advance(days=2)
            if latency_ms:
                simulator.faults.add("*", "latency", seconds=latency_ms / 1000)
            deps = deps_from_runtime(runtime)
            if mode == "unguarded":
                deps.gate = Unguarded(runtime)
            await run_cycle(deps, seeded.merchant_id, slot="warm-up")  # first catalog sync, imports, caches
            before = len(simulator.requests)
            figures[mode] = statistics.median(await _timed_cycles(deps, simulator, seeded.merchant_id, cycles))
            # Not like for like: unguarded also runs what the gate only queues (an enable, over-limit raises).
            figures[f"{mode} requests"] = (len(simulator.requests) - before) / cycles
    return figures


def _many_merchants(count: int) -> dict[str, Any]:
    """small_shop with `count` merchants, every id made unique per merchant."""
    base = yaml.safe_load((resource_dir("evals") / "scenarios" / "small_shop.yaml").read_text())
    template = base.pop("merchant")
    base["composio"]["connected_accounts"] = []
    merchants = []
    for index in range(count):
        text = yaml.safe_dump(template)
        for old in _ids(template):
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(old)}(?![A-Za-z0-9_])", f"{old}x{index:03d}", text)
        merchant = yaml.safe_load(text)
        merchant["id"] = f"m_{index:03d}"
        merchants.append(merchant)
    base["merchants"] = merchants
    return base


def _ids(merchant: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("id", "cipher") and isinstance(value, str):
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(copy.deepcopy(merchant))
    return sorted(set(found), key=len, reverse=True)


async def throughput(pg_server: str, merchants: int, workers: int) -> tuple[float, int]:
    name = f"shopwarden_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            simulator, runtime = await _stack(_many_merchants(merchants), Path(tmp), url)
            for index in range(merchants):
                await seed_merchant(runtime, autonomy="guarded", merchant_id=f"m_{index:03d}",
                                    sim_merchant=f"m_{index:03d}")
            simulator.advance(days=2)
            deps = deps_from_runtime(runtime)
            app = build_app(postgres_conninfo(runtime.engine), lambda: deps, periodic=False)
            await ensure_schema(app)
            async with app.open_async():
                queued = await defer_slots(app, deps, simulator.now())
                started = time.perf_counter()
                await asyncio.gather(*(app.run_worker_async(**worker_options(1, wait=False, name=f"w{i}"))
                                       for i in range(workers)))
                elapsed = time.perf_counter() - started
            runtime.engine.dispose()
            executed = _executed_per_cycle(runtime)
        print(f"  ({executed:.1f} actions executed per cycle on average)")
        return queued / elapsed, queued
    finally:
        engine_for.cache_clear()
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _executed_per_cycle(runtime: Runtime) -> float:
    from sqlmodel import Session, select

    from shopwarden.db.models import CycleRun

    with Session(runtime.engine) as session:
        summaries = [row.summary for row in session.exec(select(CycleRun)).all()]
    executed = [sum(1 for a in s.get("actions", []) if a["verdict"] == "executed") for s in summaries]
    return statistics.mean(executed) if executed else 0.0


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--merchants", type=int, default=100)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--latency-ms", type=float, default=30, help="platform latency per request, 2nd run")
    options = parser.parse_args()

    scenarios = ["small_shop"] if options.skip_large else ["small_shop", "large_catalog"]
    for scenario in scenarios:
        for latency in (0, options.latency_ms):
            figures = await one_cycle(scenario, options.cycles, latency)
            print(f"{scenario:<14} {latency:>3g} ms/request, one cycle (median of {options.cycles}): "
                  f"guarded {figures['guarded'] * 1000:7.1f} ms, unguarded {figures['unguarded'] * 1000:7.1f} ms, "
                  f"ratio {figures['guarded'] / figures['unguarded']:.2f}   (platform requests per cycle: "
                  f"guarded {figures['guarded requests']:.1f}, unguarded {figures['unguarded requests']:.1f})")
    try:
        with psycopg.connect(options.pg, connect_timeout=3):
            pass
    except psycopg.Error:
        print(f"PostgreSQL at {options.pg} is not reachable: throughput skipped", file=sys.stderr)
        return
    for workers in (1, 2):
        rate, count = await throughput(options.pg, options.merchants, workers)
        print(f"{count} merchants, {workers} procrastinate worker(s) on PostgreSQL: {rate:.2f} cycles/s")


if __name__ == "__main__":
    asyncio.run(main())
