"""The SDK's own client over streamable HTTP, against `shopwarden serve`'s app (/mcp) on a simulator merchant."""

from __future__ import annotations

import httpx
import pytest
from mcp_stack import (
    ADVERTISER,
    BUDGET,
    MERCHANT,
    OTHER,
    READ_TOOLS,
    WINNER,
    WRITE_TOOLS,
    Served,
    applied,
    audit_rows,
    body,
    mcp_session,
)

from shopwarden.tools import load_manifests, registry


async def test_lists_only_the_clients_tools_with_the_gates_schemas_and_annotations(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        listed = {tool.name: tool for tool in (await session.list_tools()).tools}

    assert list(listed) == [*READ_TOOLS, *WRITE_TOOLS, "approval_status"]
    manifests = load_manifests()
    for name in READ_TOOLS + WRITE_TOOLS:
        tool, schema = listed[name], registry()[name].args_model.model_json_schema()
        schema.pop("title")
        assert tool.inputSchema == schema
        assert tool.inputSchema.get("additionalProperties") is False
        assert tool.description == manifests[name].description
    budget = listed["update_budget"]
    assert set(budget.inputSchema["properties"]) == {"advertiser_id", "object_type", "object_id", "budget",
                                                     "budget_mode"}
    assert (budget.annotations.readOnlyHint, budget.annotations.destructiveHint,
            budget.annotations.idempotentHint) == (False, True, True)
    assert listed["list_campaigns"].annotations.readOnlyHint is True
    assert listed["approval_status"].annotations.readOnlyHint is True
    # Strangers' text never reaches a description (the scenario's ad library carries an injection attempt).
    assert not any("ignore your previous" in (t.description or "").lower() for t in listed.values())


async def test_a_read_is_answered_and_audited_under_the_clients_id(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        result = await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER})

    answer = body(result)
    assert (answer["status"], result.isError) == ("read", False)
    assert WINNER in {str(c["campaign_id"]) for c in answer["data"]}
    [row] = audit_rows(served.engine, MERCHANT, f"mcp:{served.client_id}")
    assert (row.tool, row.outcome, row.id) == ("list_campaigns", "read", answer["execution_id"])


async def test_a_budget_change_inside_the_limits_executes_and_names_the_client(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        result = await session.call_tool("update_budget", {**BUDGET, "budget": "140.00"})

    answer = body(result)
    assert answer["status"] == "executed", answer
    assert answer["changed"]["requested"]["budget"] == "140.00"
    [write] = applied(served.world.sim, "campaign/update/", WINNER)
    assert "140" in str(write.body)
    rows = audit_rows(served.engine, MERCHANT, f"mcp:{served.client_id}")
    assert [(r.tool, r.outcome, r.decision) for r in rows] == [("update_budget", "executed", "allow")]
    assert rows[0].policy_input["agent"]["id"] == f"mcp:{served.client_id}"


async def test_over_the_limit_waits_a_reviewer_approves_and_approval_status_reports_it(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        waiting = body(await session.call_tool("update_budget", {**BUDGET, "budget": "200.00"}))
        assert waiting["status"] == "waiting_for_reviewer", waiting
        approval_id = waiting["approval_id"]
        assert waiting["expires_at"] and waiting["reviewer_sees"]["args"]["budget"] == "200.00"
        assert waiting["reviewer_sees"]["requested_by"] == f"mcp:{served.client_id}"
        pending = body(await session.call_tool("approval_status", {"approval_id": approval_id}))
        assert pending["data"]["status"] == "pending"

        async with httpx.AsyncClient(base_url=served.base, timeout=30,
                                     headers={"Authorization": f"Bearer {served.reviewer}"}) as reviewer:
            response = await reviewer.post(f"/api/approvals/{approval_id}/approve", json={"note": "ok"})
        assert response.status_code == 200, response.text
        assert response.json()["result"]["outcome"] == "executed", response.json()

        done = body(await session.call_tool("approval_status", {"approval_id": approval_id}))
    assert (done["data"]["status"], done["data"]["reviewer"]) == ("executed", "dana")


async def test_approval_status_can_never_approve(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        waiting = body(await session.call_tool("update_budget", {**BUDGET, "budget": "200.00"}))
        sneaky = body(await session.call_tool("approval_status", {"approval_id": waiting["approval_id"],
                                                                  "status": "approved"}))
        again = body(await session.call_tool("approval_status", {"approval_id": waiting["approval_id"]}))
    assert sneaky["status"] == "invalid" and "args.status: is not an argument of approval_status" in sneaky["reasons"]
    assert again["data"]["status"] == "pending"


async def test_an_enable_always_waits_for_a_reviewer(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        answer = body(await session.call_tool("enable_ads", BUDGET))
    assert answer["status"] == "waiting_for_reviewer" and answer["approval_id"] is not None


async def test_a_forbidden_field_is_refused_by_the_gate_and_audited(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        result = await session.call_tool("update_budget", {**BUDGET, "budget": "130.00",
                                                           "objective_type": "REACH"})
    answer = body(result)
    assert result.isError and answer["status"] == "invalid"
    assert "args.objective_type: is not an argument of update_budget" in answer["reasons"]
    [row] = audit_rows(served.engine, MERCHANT, f"mcp:{served.client_id}")
    assert (row.tool, row.outcome) == ("update_budget", "invalid")


async def test_a_tool_outside_the_allowlist_is_refused_and_unknown_names_list_only_its_tools(served: Served) -> None:
    async with mcp_session(served.url, served.token) as session:
        outside = body(await session.call_tool("update_sku_inventory", {
            "product_id": "1729000000000000001",
            "skus": [{"sku_id": "1729000000000001001", "warehouse_id": "7300000000000000101", "quantity": 1}]}))
        unknown = body(await session.call_tool("drop_tables", {}))
        resource_read = body(await session.call_tool("pending_approvals", {}))
    assert outside["status"] == "refused" and outside["reason_codes"] == ["allowlist.tool_not_allowed"]
    assert unknown["status"] == "invalid" and "create_campaign" not in unknown["reasons"][0]
    assert "update_budget" in unknown["reasons"][0]
    assert resource_read["status"] == "invalid" and "pending" not in resource_read  # a resource, not a tool
    rows = audit_rows(served.engine, MERCHANT, f"mcp:{served.client_id}")
    assert [(r.tool, r.outcome) for r in rows] == [("update_sku_inventory", "denied"), ("drop_tables", "invalid"),
                                                   ("resource:pending_approvals", "invalid")]


async def test_another_merchants_campaign_is_refused(served: Served) -> None:
    _, token = served.add_client("intruder", ["list_campaigns", "update_budget"], merchant=OTHER)
    async with mcp_session(served.url, token) as session:
        read = body(await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER}))
        write = body(await session.call_tool("update_budget", {**BUDGET, "budget": "121.00"}))
    assert read["status"] == "refused" and read["reason_codes"] == ["tenancy.cross_tenant"] and "data" not in read
    # A write is observed through the caller's own connection first: m_other has none to m_glow's account.
    assert write["status"] in ("refused", "failed") and "changed" not in write
    assert not applied(served.world.sim, "campaign/update/", WINNER)
    assert not audit_rows(served.engine, MERCHANT)  # and nothing of it in m_glow's log


@pytest.mark.parametrize("header", [None, "Bearer swm_not-a-real-token", "Basic Zm9vOmJhcg==", "Bearer"])
async def test_a_missing_or_wrong_token_gets_401_before_any_mcp_message(served: Served, header: str | None) -> None:
    headers = {"Accept": "application/json, text/event-stream"} | ({"Authorization": header} if header else {})
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(served.url, headers=headers,
                                   json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert response.status_code == 401
    assert "swm_" not in response.text
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_the_sdk_client_with_a_wrong_token_cannot_connect(served: Served) -> None:
    with pytest.raises(BaseException) as caught:  # anyio wraps the HTTP error in an exception group
        async with mcp_session(served.url, served.token + "x"):
            pass
    assert "401" in repr(caught.value) or "Unauthorized" in repr(caught.value)


async def test_a_flooding_client_is_rate_limited_with_a_clear_error(served: Served) -> None:
    client_id, token = served.add_client("flooder", ["list_campaigns"], calls_per_minute=3)
    async with mcp_session(served.url, token) as session:
        answers = [body(await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER})) for _ in range(6)]
    assert [a["status"] for a in answers] == ["read"] * 3 + ["limited"] * 3
    assert answers[3]["code"] == "limit.rate"
    assert "3 calls per minute" in answers[3]["message"] and answers[3]["retry_after_seconds"] > 0
    rows = audit_rows(served.engine, MERCHANT, f"mcp:{client_id}")
    assert [(r.outcome, r.reason_codes) for r in rows] == ([("read", ["allow.read"])] * 3
                                                           + [("denied", ["limit.rate"])] * 3)


async def test_the_daily_call_budget_is_spent_once(served: Served) -> None:
    _, token = served.add_client("frugal", ["list_campaigns"], daily_calls=2)
    async with mcp_session(served.url, token) as session:
        answers = [body(await session.call_tool("list_campaigns", {"advertiser_id": ADVERTISER})) for _ in range(3)]
    assert [a["status"] for a in answers] == ["read", "read", "limited"]
    assert answers[2]["code"] == "limit.daily_calls" and "2 calls per day" in answers[2]["message"]
