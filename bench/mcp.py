"""Per-call overhead of the MCP path against a direct gate call, on the in-process simulator.

The same calls (a read, `list_campaigns`, and a mutation inside the limits, `update_budget` moving
between 121 and 124) are made four ways, in blocks that alternate so drift hits every side alike:

    gate      Gate.call(ToolCall) -- what the LangGraph agents do
    service   McpService.call_tool -- + the client's limits (size, rate, daily budget CAS) + result shaping
    sdk       the SDK's ClientSession over in-memory streams -- + JSON-RPC and the low-level server
    http      the SDK's client over streamable HTTP on loopback (uvicorn) -- + HTTP, auth, a stateless
              session per request

    .venv/bin/python bench/mcp.py [--calls 200]

Measured here (2 shared CPUs, load ~2.5, 200 calls per side), median ms per call:
    list_campaigns  gate 2.25 | service +1.24 | sdk in memory +1.77 | streamable HTTP +6.92
    update_budget   gate 6.21 | service +1.14 | sdk in memory +1.66 | streamable HTTP +7.18
The service's share is mostly the daily budget's compare-and-set (one small write transaction);
HTTP's is uvicorn, the token lookup and a fresh stateless SDK session per request.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

# Run as a script, this file's folder comes first on sys.path and its name would hide the SDK's `mcp`.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent / "tests" / "api"))

import httpx  # noqa: E402
from browser_support import serve_app  # noqa: E402  -- uvicorn on a free port, in a thread
from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared.memory import create_connected_server_and_client_session  # noqa: E402

from shopwarden.evals.setup import point_settings_at, prepare_environment, seed_merchant  # noqa: E402
from shopwarden.gate.calls import ToolCall  # noqa: E402
from shopwarden.mcp import McpService, add_client, build_server, standalone_app  # noqa: E402
from shopwarden.platforms.simulator import Simulator  # noqa: E402
from shopwarden.runtime import build_runtime  # noqa: E402
from shopwarden.tools import registry  # noqa: E402

ADVERTISER, CAMPAIGN = "7000000000000000001", "1800000000000000001"
BLOCK = 20
Call = Callable[[str, dict[str, Any]], Awaitable[str]]


def _args(tool: str, n: int) -> dict[str, Any]:
    if tool == "list_campaigns":
        return {"advertiser_id": ADVERTISER}
    return {"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": CAMPAIGN,
            "budget": f"{121 + n % 4}.00"}


async def _measure(sides: dict[str, Call], tool: str, calls: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in sides}
    n = 0
    while min(len(t) for t in times.values()) < calls:
        for name, call in sides.items():
            for _ in range(BLOCK):
                n += 1
                started = time.perf_counter()
                status = await call(tool, _args(tool, n))
                times[name].append((time.perf_counter() - started) * 1000)
                if status not in ("read", "executed"):
                    raise SystemExit(f"{name} {tool}: unexpected status {status}")
    return times


async def main(calls: int) -> None:
    prepare_environment(Path(tempfile.mkdtemp(prefix="shopwarden-bench-mcp-")) / "data")
    sim = Simulator.from_scenario("small_shop", seed=7)
    point_settings_at(sim)
    runtime = build_runtime(simulator=sim)
    from shopwarden.db.engine import upgrade

    upgrade(runtime.engine)
    seeded = await seed_merchant(runtime, autonomy="guarded")
    issued = add_client(runtime.engine, seeded.merchant_id, "bench", ["list_campaigns", "update_budget"],
                        known_tools=registry(), calls_per_minute=10**6, daily_calls=10**7)
    client = issued.client
    service = McpService(runtime)
    gate = service.gate_for(client)

    async def direct(tool: str, args: dict[str, Any]) -> str:
        result = await gate.call(ToolCall(tool=tool, args=args, agent_id=client.agent_id,
                                          merchant_id=client.merchant_id))
        return result.outcome.value

    async def through_service(tool: str, args: dict[str, Any]) -> str:
        return str((await service.call_tool(client, tool, args)).structuredContent["status"])

    def status(result: Any) -> str:
        return str(result.structuredContent["status"])

    with serve_app(standalone_app(lambda: runtime)) as base:
        async with create_connected_server_and_client_session(build_server(service, client)) as memory, \
                httpx.AsyncClient(headers={"Authorization": f"Bearer {issued.token}"}, timeout=30) as http, \
                streamable_http_client(f"{base}/mcp/", http_client=http) as (read, write, _), \
                ClientSession(read, write) as remote:
            await remote.initialize()

            async def sdk(tool: str, args: dict[str, Any]) -> str:
                return status(await memory.call_tool(tool, args))

            async def over_http(tool: str, args: dict[str, Any]) -> str:
                return status(await remote.call_tool(tool, args))

            sides = {"gate": direct, "service": through_service, "sdk": sdk, "http": over_http}
            for tool in ("list_campaigns", "update_budget"):
                await _measure(sides, tool, 5)  # warm-up: adapters, compiled SQL, connections
                times = await _measure(sides, tool, calls)
                _report(tool, times)
    print(f"({calls} calls per side and tool, in-process simulator, SQLite, {os.cpu_count()} CPUs, "
          f"blocks of {BLOCK} alternating)")


def _report(tool: str, times: dict[str, list[float]]) -> None:
    base = statistics.median(times["gate"])
    print(f"\n{tool}: median ms per call (p90), overhead over the direct gate call")
    for name, values in times.items():
        p50 = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        extra = "" if name == "gate" else f"   +{p50 - base:6.2f} ms  ({p50 / base:4.2f}x)"
        print(f"  {name:8s} {p50:7.2f} ({p90:7.2f}){extra}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=200)
    asyncio.run(main(parser.parse_args().calls))
