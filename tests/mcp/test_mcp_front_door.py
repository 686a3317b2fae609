"""The installed `shopwarden` as a subprocess: `mcp client add`, `mcp` over stdio (the SDK's stdio client
spawning it) and `mcp --http --port N`, against a simulator merchant served over real HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from browser_support import free_port, serve_command
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp_stack import (
    ADVERTISER,
    BUDGET,
    MERCHANT,
    SHOPWARDEN,
    WINNER,
    World,
    applied,
    audit_rows,
    body,
    client,
    mcp_session,
)


def shopwarden(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SHOPWARDEN, *args], env=env, capture_output=True, text=True, timeout=120)


def add_client(env: dict[str, str], name: str, tools: str) -> dict[str, str]:
    done = shopwarden(env, "mcp", "client", "add", MERCHANT, name, "--tools", tools)
    assert done.returncode == 0, done.stderr
    pairs = dict(line.split("=", 1) for line in done.stdout.splitlines() if line.startswith("SHOPWARDEN_MCP_"))
    assert set(pairs) == {"SHOPWARDEN_MCP_CLIENT_ID", "SHOPWARDEN_MCP_TOKEN"}
    return pairs


@asynccontextmanager
async def stdio_session(env: dict[str, str]) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=SHOPWARDEN, args=["mcp"], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


async def test_a_local_assistant_acts_over_stdio_through_the_gate(world: World) -> None:
    named = add_client(world.env, "desktop", "list_campaigns,update_budget")
    async with stdio_session({**world.env, **named}) as session:
        tools = [t.name for t in (await session.list_tools()).tools]
        read = body(await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER}))
        changed = body(await session.call_tool("update_budget", {**BUDGET, "budget": "130.00"}))
        forbidden = body(await session.call_tool("update_budget", {**BUDGET, "budget": "125.00",
                                                                   "operation_status": "ENABLE"}))

    assert tools == ["list_campaigns", "update_budget", "approval_status"]
    assert read["status"] == "read" and WINNER in {str(c["campaign_id"]) for c in read["data"]}
    assert changed["status"] == "executed", changed
    assert applied(world.merchants.sim, "campaign/update/", WINNER)
    assert forbidden["status"] == "invalid"
    assert "args.operation_status: is not an argument of update_budget" in forbidden["reasons"]
    agent = f"mcp:{named['SHOPWARDEN_MCP_CLIENT_ID']}"
    rows = audit_rows(world.merchants.runtime.engine, MERCHANT, agent)
    assert [(r.tool, r.outcome) for r in rows] == [("list_campaigns", "read"), ("update_budget", "executed"),
                                                   ("update_budget", "invalid")]


def registered(world: World, name: str, tools: list[str]) -> dict[str, str]:
    """A client registered in-process (the CLI's own `client add` is tested once above, to save start-ups)."""
    client_id, token = client(world.merchants.runtime.engine, MERCHANT, name, tools)
    return {"SHOPWARDEN_MCP_CLIENT_ID": client_id, "SHOPWARDEN_MCP_TOKEN": token}


def test_stdio_refuses_to_start_without_the_clients_id_and_a_matching_token(world: World) -> None:
    named = registered(world, "desktop", ["list_campaigns"])
    missing = {**world.env, **named}
    missing.pop("SHOPWARDEN_MCP_TOKEN")
    wrong = {**world.env, **named, "SHOPWARDEN_MCP_TOKEN": named["SHOPWARDEN_MCP_TOKEN"][:-2] + "zz"}
    for env in (missing, wrong):
        done = subprocess.run([SHOPWARDEN, "mcp"], env=env, capture_output=True, text=True, timeout=120, input="")
        assert done.returncode == 2
        assert "SHOPWARDEN_MCP_TOKEN" in done.stderr and named["SHOPWARDEN_MCP_TOKEN"][4:] not in done.stderr
        assert done.stdout == ""  # nothing an MCP client could mistake for a message


def test_client_add_refuses_unknown_tools_and_list_never_shows_tokens(world: World) -> None:
    bad = shopwarden(world.env, "mcp", "client", "add", MERCHANT, "x", "--tools", "list_campaigns,rm_rf")
    assert bad.returncode == 2 and "unknown tools: rm_rf" in bad.stderr
    named = registered(world, "lister", ["list_campaigns"])
    listed = shopwarden(world.env, "mcp", "client", "list", MERCHANT, "--json")
    assert listed.returncode == 0 and named["SHOPWARDEN_MCP_CLIENT_ID"] in listed.stdout
    assert "token" not in listed.stdout and named["SHOPWARDEN_MCP_TOKEN"] not in listed.stdout


@pytest.fixture
def standalone(world: World, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp/"
    with serve_command([SHOPWARDEN, "mcp", "--http", "--port", str(port)], world.env, url, tmp_path / "mcp.log"):
        yield url


async def test_standalone_http_serves_the_same_gate(world: World, standalone: str) -> None:
    named = registered(world, "remote", ["list_campaigns"])
    async with mcp_session(standalone, named["SHOPWARDEN_MCP_TOKEN"]) as session:
        read = body(await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER}))
        outside = body(await session.call_tool("update_budget", {**BUDGET, "budget": "130.00"}))
    assert read["status"] == "read"
    assert outside["status"] == "refused" and outside["reason_codes"] == ["allowlist.tool_not_allowed"]
    async with httpx.AsyncClient() as http:
        assert (await http.post(standalone, json={})).status_code == 401
