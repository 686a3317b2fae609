"""A client's own policy limits and autonomy level: the gate applies the stricter of the merchant's and the
client's, never the looser (the SDK client over streamable HTTP against `shopwarden serve`'s app)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from mcp_stack import BUDGET, MERCHANT, WINNER, Served, applied, audit_rows, body, mcp_session
from sqlalchemy import update

from shopwarden.db.engine import session_scope
from shopwarden.db.models import McpClient, Merchant
from shopwarden.errors import ConfigError
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.mcp import add_client
from shopwarden.mcp.agents import mcp_agent_spec
from shopwarden.policy import stricter_autonomy, stricter_limits
from shopwarden.tools import registry

TOOLS = ["list_campaigns", "update_budget"]


async def _budget(served: Served, token: str, budget: str) -> dict:
    async with mcp_session(served.url, token) as session:
        return body(await session.call_tool("update_budget", {**BUDGET, "budget": budget}))


async def test_a_change_inside_the_merchants_limit_but_outside_the_clients_waits_for_that_client_only(
        served: Served) -> None:
    client_id, token = served.add_client("careful", TOOLS, policy_limits={"daily_budget_change_pct": 5})
    # 120 -> 130 is +8.3%: inside the merchant's 20%, outside the client's 5%.
    waiting = await _budget(served, token, "130.00")
    assert waiting["status"] == "waiting_for_reviewer", waiting
    assert waiting["reason_codes"] == ["budget.daily_change_limit"]
    assert "above today's limit of 126.00 (start of day 120.00 + 5%)" in waiting["reasons"][0]
    assert not applied(served.world.sim, "campaign/update/", WINNER)
    [row] = audit_rows(served.engine, MERCHANT, f"mcp:{client_id}")
    assert row.policy_input["merchant"]["limits"]["daily_budget_change_pct"] == 5

    # The merchant's own agent, same change, same gate path: inside the merchant's limit, so it runs.
    own = await served.world.runtime.gate.call(ToolCall(tool="update_budget", args={**BUDGET, "budget": "130.00"},
                                                        agent_id="growth_marketer", merchant_id=MERCHANT))
    assert own.outcome == Outcome.EXECUTED, own
    assert len(applied(served.world.sim, "campaign/update/", WINNER)) == 1
    [agents_row] = audit_rows(served.engine, MERCHANT, "growth_marketer")
    assert agents_row.policy_input["merchant"]["limits"]["daily_budget_change_pct"] == 20


async def test_a_client_without_limits_of_its_own_gets_the_merchants(served: Served) -> None:
    executed = await _budget(served, served.token, "130.00")
    assert executed["status"] == "executed", executed


async def test_a_clients_hard_limit_refuses_what_the_merchant_would_let_a_reviewer_approve(served: Served) -> None:
    _, token = served.add_client("capped", TOOLS, policy_limits={"hard_budget_change_pct": 30})
    refused = await _budget(served, token, "200.00")  # +67%: merchant says approval (hard 100%), client says no
    assert refused["status"] == "refused" and refused["reason_codes"] == ["budget.hard_change_limit"], refused
    assert "approval_id" not in refused


async def test_limits_looser_than_the_merchants_have_no_effect(served: Served) -> None:
    client_id, token = served.add_client("loose", TOOLS, policy_limits={
        "daily_budget_change_pct": 90, "hard_budget_change_pct": 900, "account_daily_increase_max": 10**6,
        "min_campaign_budget": 1})
    waiting = await _budget(served, token, "160.00")  # +33%: the merchant's 20% still applies
    refused = await _budget(served, token, "300.00")  # +150%: the merchant's hard 100% still applies
    low = await _budget(served, token, "30.00")  # below the merchant's minimum of 50
    assert waiting["status"] == "waiting_for_reviewer" and waiting["reason_codes"] == ["budget.daily_change_limit"]
    assert "(start of day 120.00 + 20%)" in waiting["reasons"][0]
    assert refused["status"] == "refused" and refused["reason_codes"] == ["budget.hard_change_limit"]
    assert low["status"] == "refused" and low["reason_codes"] == ["budget.below_minimum"]
    sent = [r.policy_input["merchant"]["limits"] for r in audit_rows(served.engine, MERCHANT, f"mcp:{client_id}")]
    assert {(s["daily_budget_change_pct"], s["hard_budget_change_pct"], s["account_daily_increase_max"],
             s["min_campaign_budget"]) for s in sent} == {(20, 100, 500, 50)}
    assert not applied(served.world.sim, "campaign/update/", WINNER)


async def test_a_clients_autonomy_level_can_only_lower_the_merchants(served: Served) -> None:
    _, suggesting = served.add_client("suggester", TOOLS, max_autonomy="suggest")
    _, observing = served.add_client("observer", TOOLS, max_autonomy="observe")
    waits = await _budget(served, suggesting, "125.00")  # inside every limit: the level decides
    refused = await _budget(served, observing, "125.00")
    assert waits["status"] == "waiting_for_reviewer" and "autonomy.suggest" in waits["reason_codes"], waits
    assert refused["status"] == "refused" and "autonomy.observe" in refused["reason_codes"], refused

    with session_scope(served.engine) as session:
        session.connection().execute(update(Merchant).where(Merchant.id == MERCHANT).values(autonomy="suggest"))
    _, guarded = served.add_client("guarded", TOOLS, max_autonomy="guarded")
    still_waits = await _budget(served, guarded, "125.00")  # the client's "guarded" cannot lift the merchant's
    assert still_waits["status"] == "waiting_for_reviewer" and "autonomy.suggest" in still_waits["reason_codes"]
    assert not applied(served.world.sim, "campaign/update/", WINNER)


async def test_the_prompt_tells_the_client_its_own_stricter_limits(served: Served) -> None:
    _, token = served.add_client("prompted", TOOLS, policy_limits={"daily_budget_change_pct": 5,
                                                                    "hard_budget_change_pct": 500},
                                 max_autonomy="suggest")
    async with mcp_session(served.url, token) as session:
        text = (await session.get_prompt("autonomy")).messages[0].content.text
    assert "- daily_budget_change_pct: 5 (this client's own, stricter than the merchant's)" in text
    assert "- hard_budget_change_pct: 100\n" in text  # the client's looser 500 is not shown as applying
    assert "Autonomy level: suggest" in text and "stricter than the merchant's (guarded)" in text


def test_an_approval_a_client_asked_for_is_rechecked_with_the_clients_limits(served: Served) -> None:
    """The reviewer's gate finds the client's own limits again before it executes (from the database)."""
    client_id, _ = served.add_client("rechecked", TOOLS, policy_limits={"daily_budget_change_pct": "2.5"},
                                     max_autonomy="suggest")
    spec = mcp_agent_spec(served.engine, f"mcp:{client_id}")
    assert spec is not None
    assert (spec.limit_ceilings, spec.autonomy_ceiling) == ({"daily_budget_change_pct": "2.5"}, "suggest")


@pytest.mark.parametrize(("limits", "autonomy", "message"), [
    ({"max_budget": 10}, None, "not a limit a client can carry"),
    ({"daily_budget_change_pct": -1}, None, "is not a number from 0 to"),
    ({"daily_budget_change_pct": "NaN"}, None, "is not a number from 0 to"),
    ({"daily_budget_change_pct": "Infinity"}, None, "is not a number from 0 to"),
    ({"daily_budget_change_pct": True}, None, "is not a number from 0 to"),
    ({"daily_budget_change_pct": '5"; DROP TABLE mcp_clients; --'}, None, "is not a number from 0 to"),
    ({"daily_budget_change_pct": "1" * 10_000}, None, "is not a number from 0 to"),
    ({"daily_budget_change_pct": " 7.50 "}, None, None),
    ({"daily_budget_change_pct\x00": 5}, None, "not a limit a client can carry"),
    ({}, "reckless", "use one of observe, suggest, guarded"),
])
def test_registration_refuses_limits_a_client_cannot_carry(served: Served, limits: dict, autonomy: str | None,
                                                           message: str | None) -> None:
    def register() -> None:
        add_client(served.engine, MERCHANT, "odd", TOOLS, known_tools=registry(), policy_limits=limits,
                   max_autonomy=autonomy)

    if message is None:
        register()
        with session_scope(served.engine) as session:
            assert session.get(McpClient, _client_id(served, "odd")).policy_limits == {"daily_budget_change_pct": "7.5"}
        return
    with pytest.raises(ConfigError, match=message):
        register()


def _client_id(served: Served, name: str) -> str:
    from sqlmodel import select

    with session_scope(served.engine) as session:
        return session.exec(select(McpClient.id).where(McpClient.name == name)).one()


def test_the_stricter_of_each_pair() -> None:
    merchant = {"daily_budget_change_pct": 20, "hard_budget_change_pct": "100", "min_campaign_budget": 50,
                "max_roas_to_pause": 1}
    assert stricter_limits(merchant, {"daily_budget_change_pct": 5, "hard_budget_change_pct": 150,
                                      "min_campaign_budget": 80, "max_roas_to_pause": 0}) == {
        "daily_budget_change_pct": 5, "hard_budget_change_pct": "100", "min_campaign_budget": 80,
        "max_roas_to_pause": 1}  # not a policy limit a client can tighten: ignored
    assert stricter_limits(merchant, {"daily_budget_change_pct": "NaN", "min_campaign_budget": None}) == merchant
    assert stricter_limits({}, {"account_daily_increase_max": Decimal("10")}) == {"account_daily_increase_max":
                                                                                  Decimal("10")}
    assert [stricter_autonomy(m, c) for m, c in [("guarded", "suggest"), ("suggest", "guarded"), ("observe", None),
                                                 ("guarded", "bogus"), ("bogus", "observe")]] == [
        "suggest", "suggest", "observe", "guarded", "bogus"]
