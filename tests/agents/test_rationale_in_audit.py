"""Both strategies' rationale reaches the audit row of each call (tool_executions.rationale), chained:
on the real gate, policies and simulator, an edited rationale then fails `verify_chain`."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from sqlalchemy import update
from stack import ADVERTISER, WINNER_ADGROUP, Stack, make_stack

from shopwarden.agents import run_cycle
from shopwarden.agents.strategies import LLMStrategy
from shopwarden.audit.chain import list_executions
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import ToolExecution
from shopwarden.db.tables import table_of

MODEL_WHY = "ad group 1810000000000000001 returns 10x on its spend and its budget binds; +10% stays in the limit"


def _edit_rationale(stack: Stack, row_id: int) -> None:
    rows = table_of(ToolExecution)
    with session_scope(stack.runtime.engine) as session:
        session.execute(update(rows).where(rows.c.id == row_id).values(rationale="a quieter reason"))


async def test_the_rules_strategy_rationale_is_in_every_audit_row_of_its_proposals(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stack = await make_stack(monkeypatch, tmp_path, autonomy="guarded")
    summary = await run_cycle(stack.deps(), "m_glow")
    rows = [r for r in list_executions(stack.runtime.engine, merchant_id="m_glow") if r.run_id == summary.run_id]
    proposed = [a for a in summary.actions if a.agent_id == "growth_marketer"]
    assert proposed, "the scenario gives the rules something to do"
    for action in proposed:
        logged = [r.rationale for r in rows if r.tool == action.tool and r.mutating]
        assert action.rationale and action.rationale in logged, action
    assert all(r.rationale and r.rationale.startswith("gather ") for r in rows if r.agent_id and not r.mutating
               and r.tool == "list_gmv_max_campaigns")
    assert verify_chain(stack.runtime.engine, "m_glow").ok


async def test_the_models_own_rationale_is_in_the_audit_row_and_chained(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stack = await make_stack(monkeypatch, tmp_path, autonomy="guarded")
    model = GenericFakeChatModel(messages=iter([
        AIMessage(content="", tool_calls=[{"name": "update_budget", "id": "c1", "args": {
            "advertiser_id": ADVERTISER, "object_type": "adgroup", "object_id": WINNER_ADGROUP, "budget": "110",
            "rationale": MODEL_WHY}}]),
        AIMessage(content="Raised the winner's ad group."),
    ]))
    quiet = GenericFakeChatModel(messages=iter([AIMessage(content="nothing to add")]))
    summary = await run_cycle(stack.deps({"growth_marketer": LLMStrategy(model), "creative": LLMStrategy(quiet)}),
                              "m_glow")

    (action,) = [a for a in summary.actions if a.tool == "update_budget"]
    assert (action.verdict, action.rationale) == ("executed", MODEL_WHY)
    (row,) = [r for r in list_executions(stack.runtime.engine, merchant_id="m_glow")
              if r.run_id == summary.run_id and r.tool == "update_budget"]
    assert (row.outcome, row.rationale) == ("executed", MODEL_WHY)
    assert "rationale" not in row.args_redacted  # it is the reason, not an argument of the tool
    assert verify_chain(stack.runtime.engine, "m_glow").ok

    assert row.id is not None
    _edit_rationale(stack, row.id)
    report = verify_chain(stack.runtime.engine, "m_glow")
    assert not report.ok and f"row seq {row.seq} (id {row.id}): content does not match its hash" in report.problems[0]
