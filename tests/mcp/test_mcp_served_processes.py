"""The installed `shopwarden serve` and `shopwarden mcp --http` as real processes on free ports, sharing the
test's database: a reviewer approves an MCP client's over-limit change on the console's inbox in Chromium,
and a client's per-minute rate holds across two server processes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from browser_support import chromium, free_port, serve_command, shot, sign_in
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
    reviewer_token,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def served_command(world: World, tmp_path: Path) -> Iterator[str]:
    """`shopwarden serve --port N`: the console, the reviewer API and /mcp in one process."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serve_command([SHOPWARDEN, "serve", "--port", str(port)], world.env, f"{base}/healthz",
                       tmp_path / "serve.log"):
        yield base


def approve_in_the_browser(base: str, token: str, approval_id: int, requested_by: str) -> str:
    """Sign in, find the approval's card on the inbox, approve it with a note; the flash message."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        sign_in(page, base, token)
        card = page.locator(f"#approval-{approval_id}")
        text = card.inner_text()
        assert requested_by in text and "200" in text, text  # the card names the client that asked, and the budget
        card.locator("summary", has_text="Approve…").click()
        card.locator("textarea[name=note]").fill("fine for the weekend")
        card.locator("button[name=approve]").click()
        page.wait_for_selector("p.flash", timeout=60_000)
        shot(page, "mcp-approval-approved")
        return str(page.inner_text("p.flash"))


@pytest.mark.browser
async def test_a_reviewer_approves_an_mcp_clients_over_limit_change_on_the_inbox_page(
        world: World, served_command: str) -> None:
    base = served_command
    client_id, token = client(world.engine, MERCHANT, "desk-assistant", ["list_campaigns", "update_budget"])
    async with mcp_session(f"{base}/mcp/", token) as session:
        waiting = body(await session.call_tool("update_budget", {**BUDGET, "budget": "200.00"}))
        assert waiting["status"] == "waiting_for_reviewer", waiting
        approval_id = waiting["approval_id"]
        assert not applied(world.merchants.sim, "campaign/update/", WINNER)

        # The reviewer, in Chromium, on the console of the same `shopwarden serve` (Playwright's sync API
        # runs off this test's event loop).
        flash = await asyncio.to_thread(approve_in_the_browser, base, reviewer_token(world.engine), approval_id,
                                        f"mcp:{client_id}")
        assert f"approval {approval_id}: executed" in flash, flash

        done = body(await session.call_tool("approval_status", {"approval_id": approval_id}))
    assert (done["data"]["status"], done["data"]["reviewer"]) == ("executed", "dana"), done
    assert done["data"]["review_note"] == "fine for the weekend"
    [write] = applied(world.merchants.sim, "campaign/update/", WINNER)
    assert "200" in str(write.body)
    rows = audit_rows(world.engine, MERCHANT, f"mcp:{client_id}")
    # The executed row is written by `serve`'s gate when the reviewer approved; it still names the client.
    assert [(r.tool, r.outcome, r.approval_id) for r in rows] == [
        ("update_budget", "pending_approval", approval_id), ("update_budget", "executed", approval_id),
        ("approval_status", "read", None)]

async def test_the_rate_limit_is_the_clients_total_across_two_server_processes(world: World, tmp_path: Path) -> None:
    client_id, token = client(world.engine, MERCHANT, "busy", ["list_campaigns"], calls_per_minute=4)
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{port}/mcp/" for port in ports]
    with ExitStack() as servers:
        for index, (port, url) in enumerate(zip(ports, urls, strict=True)):
            servers.enter_context(serve_command([SHOPWARDEN, "mcp", "--http", "--port", str(port)], world.env, url,
                                                tmp_path / f"mcp-{index}.log"))
        async with mcp_session(urls[0], token) as first, mcp_session(urls[1], token) as second:
            answers = []
            for _ in range(3):  # alternate: each process alone would allow all six
                for session in (first, second):
                    answers.append(body(await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER})))
    assert [a["status"] for a in answers] == ["read"] * 4 + ["limited"] * 2
    assert {a["code"] for a in answers[4:]} == {"limit.rate"}
    assert "4 calls per minute" in answers[5]["message"]
    rows = audit_rows(world.engine, MERCHANT, f"mcp:{client_id}")
    assert [r.reason_codes for r in rows] == [["allow.read"]] * 4 + [["limit.rate"]] * 2
