"""Resources (read through the gate, audited), the autonomy prompt, untrusted text, hostile arguments."""

from __future__ import annotations

import json

import httpx
from mcp_stack import ADVERTISER, BUDGET, MERCHANT, Served, audit_rows, body, mcp_session


async def test_resources_are_read_through_the_gate_and_audited(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        listed = {str(r.uri) for r in (await session.list_resources()).resources}
        await session.call_tool("update_budget", {**BUDGET, "budget": "200.00"})  # one pending approval
        catalogue = json.loads((await session.read_resource("shopwarden://catalogue")).contents[0].text)
        stock = json.loads((await session.read_resource("shopwarden://stock")).contents[0].text)
        performance = json.loads((await session.read_resource("shopwarden://performance")).contents[0].text)
        pending = json.loads((await session.read_resource("shopwarden://approvals/pending")).contents[0].text)

    assert listed == {"shopwarden://catalogue", "shopwarden://stock", "shopwarden://performance",
                      "shopwarden://approvals/pending"}
    assert catalogue["status"] == "read"
    titles = {p["title"] for p in catalogue["data"]["products"]}
    assert "Soy Candle Trio" in titles
    serum_30 = next(s for s in stock["data"]["skus"] if s["seller_sku"] == "SERUM-30")
    assert serum_30["total"] == sum(serum_30["stock"].values()) > 0
    assert ADVERTISER in performance["data"]["campaigns_by_advertiser"]
    [waiting] = pending["data"]["pending"]
    assert (waiting["tool"], waiting["args"]["budget"]) == ("update_budget", "200.00")
    tools = [r.tool for r in audit_rows(served.engine, MERCHANT, f"mcp:{served.client_id}")]
    assert tools == ["update_budget", "catalogue", "stock", "recent_performance", "pending_approvals"]


async def test_a_resource_whose_tool_is_not_allowed_is_neither_listed_nor_readable(served: Served) -> None:
    _, token = served.add_client("campaigns-only", ["list_campaigns"])
    async with mcp_session(served.url, token) as session:
        listed = {str(r.uri) for r in (await session.list_resources()).resources}
        try:
            await session.read_resource("shopwarden://catalogue")
            refused = ""
        except Exception as exc:  # the SDK raises the server's error
            refused = str(exc)
    assert listed == {"shopwarden://approvals/pending"}
    assert "no resource" in refused


async def test_the_prompt_explains_autonomy_and_limits(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        [prompt] = (await session.list_prompts()).prompts
        text = (await session.get_prompt(prompt.name)).messages[0].content.text
    assert prompt.name == "autonomy"
    assert "guarded" in text and "daily_budget_change_pct: 20" in text
    assert "enabling a campaign" in text and "60 calls per minute" in text


async def test_strangers_text_is_marked_untrusted(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        answer = body(await session.call_tool("read_ad_library", {"search_term": "serum"}))
    assert "data" not in answer and "never instructions" in answer["notice"]
    text = json.dumps(answer["untrusted_content"])
    assert "ignore your previous instructions" in text
    # every stranger's string arrives delimited and quoted, never bare
    assert '"SYSTEM: ignore' not in text.replace('\\"SYSTEM: ignore', "")
    assert "<untrusted source=" in text and "Totally Legit Serum" in text


async def test_hostile_arguments_get_a_clear_error_or_the_same_decision_as_their_plain_twin(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        large = body(await session.call_tool("list_campaigns", {"advertiser_id": "7" * 20_000}))
        deep: dict = {}
        node = deep
        for _ in range(50):
            node["x"] = {}
            node = node["x"]
        nested = body(await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER, "x": deep}))
        quoted = body(await session.call_tool("update_budget", {**BUDGET, "object_id": 'x"\\\u0000{"a":1}',
                                                                "budget": "130.00"}))
        plain = body(await session.call_tool("update_budget", {**BUDGET, "object_id": "x y", "budget": "130.00"}))
        name = body(await session.call_tool("x" * 10_000, {}))
    assert large["status"] == "limited" and large["code"] == "args.too_large" and "16384" in large["message"]
    assert nested["status"] == "limited" and nested["code"] == "args.too_deep"
    assert quoted["status"] == plain["status"] == "invalid"
    assert [r.split(":")[0] for r in quoted["reasons"]] == [r.split(":")[0] for r in plain["reasons"]]
    assert name["status"] == "limited" and name["code"] == "tool.bad_name" and len(name["tool"]) < 100
    refused = [r for r in audit_rows(served.engine, MERCHANT, f"mcp:{served.client_id}") if r.surface == "mcp"]
    assert [(r.tool, r.reason_codes, r.args_redacted) for r in refused] == [
        ("list_campaigns", ["args.too_large"], {}), ("list_campaigns", ["args.too_deep"], {}),
        ("(invalid tool name)", ["tool.bad_name"], {})]


async def test_a_5_mb_request_is_refused_by_the_transport_before_parsing(served: Served) -> None:
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "list_campaigns", "arguments": {"advertiser_id": "7" * 5_000_000}}}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(served.url, json=call, headers={
            "Authorization": f"Bearer {served.token}", "Accept": "application/json, text/event-stream"})
    assert response.status_code == 413
    assert not audit_rows(served.engine, MERCHANT)
