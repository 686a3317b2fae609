"""langchain-mcp-adapters loads the server's tools into a LangGraph agent; a scripted model acts through
them on the simulator, and every call lands in the audit log under the MCP client."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langchain_mcp_adapters.client import MultiServerMCPClient
from langgraph.prebuilt import create_react_agent
from mcp_stack import ADVERTISER, BUDGET, MERCHANT, WINNER, Served, applied, audit_rows


class ScriptedModel(FakeMessagesListChatModel):
    """Answers with the scripted messages in turn; tools are bound by the agent, the script ignores them."""

    def bind_tools(self, tools: Sequence[Any], **_kwargs: Any) -> ScriptedModel:
        return self


def _script() -> Iterator[AIMessage]:
    calls = [("list_campaigns", {"advertiser_id": ADVERTISER}),
             ("update_budget", {**BUDGET, "budget": "138.00"}),
             ("update_budget", {**BUDGET, "budget": "200.00"}),
             ("update_budget", {**BUDGET, "budget": "900.00"}),
             ("enable_ads", BUDGET)]
    for n, (tool, args) in enumerate(calls):
        yield AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": f"call-{n}"}])
    yield AIMessage(content="done: one budget change ran, the rest wait for a reviewer")


@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
async def test_a_langgraph_agent_acts_on_the_simulator_through_the_mcp_tools(served: Served) -> None:
    mcp = MultiServerMCPClient({"shopwarden": {"transport": "streamable_http", "url": served.url,
                                               "headers": {"Authorization": f"Bearer {served.token}"}}})
    tools = await mcp.get_tools()
    assert {t.name for t in tools} >= {"list_campaigns", "update_budget", "enable_ads", "approval_status"}
    assert "update_sku_inventory" not in {t.name for t in tools}

    agent = create_react_agent(ScriptedModel(responses=list(_script())), tools)
    state = await agent.ainvoke({"messages": [("user", "grow the winning campaign")]})

    replies = [m for m in state["messages"] if isinstance(m, ToolMessage)]
    answers = [json.loads(_text(m)) for m in replies]
    assert [a["status"] for a in answers] == ["read", "executed", "waiting_for_reviewer", "refused",
                                              "waiting_for_reviewer"]
    assert isinstance(answers[2]["approval_id"], int) and isinstance(answers[4]["approval_id"], int)
    assert replies[3].status == "error" and answers[3]["reasons"]  # the model reads why, and can adjust
    [write] = applied(served.world.sim, "campaign/update/", WINNER)
    assert "138" in str(write.body)
    rows = audit_rows(served.engine, MERCHANT, f"mcp:{served.client_id}")
    assert [(r.tool, r.outcome) for r in rows] == [
        ("list_campaigns", "read"), ("update_budget", "executed"), ("update_budget", "pending_approval"),
        ("update_budget", "denied"), ("enable_ads", "pending_approval")]


def _text(message: ToolMessage) -> str:
    content = message.content
    if isinstance(content, list):
        return "".join(part["text"] if isinstance(part, dict) else str(part) for part in content)
    return str(content)
