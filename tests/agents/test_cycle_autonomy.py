"""The same cycle on the real gate, policies and simulator under observe, suggest and guarded."""

from __future__ import annotations

from pathlib import Path

import pytest
from stack import LOSER, WINNER_ADGROUP, make_stack

from shopwarden.agents import run_cycle
from shopwarden.audit.verify import verify_chain


def _action(summary, tool: str, target_contains: str):
    return next(a for a in summary.actions if a.tool == tool and target_contains in a.target)


async def test_guarded_runs_changes_inside_the_limits(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path):
    stack = await make_stack(monkeypatch, tmp_path, autonomy="guarded")

    summary = await run_cycle(stack.deps(), "m_glow")

    raise_budget = _action(summary, "update_budget", WINNER_ADGROUP)
    assert (raise_budget.verdict, raise_budget.target) == ("executed", f"adgroup {WINNER_ADGROUP} -> 120.00")
    assert _action(summary, "pause_ads", LOSER).verdict == "executed"
    assert len(stack.mutations("adgroup/budget/update/", WINNER_ADGROUP)) == 1
    assert verify_chain(stack.runtime.engine, "m_glow").ok


async def test_suggest_queues_every_change_for_a_reviewer(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path):
    stack = await make_stack(monkeypatch, tmp_path, autonomy="suggest")

    summary = await run_cycle(stack.deps(), "m_glow")

    assert summary.status == "waiting"
    assert {a.verdict for a in summary.actions} == {"waiting"}
    assert _action(summary, "update_budget", WINNER_ADGROUP).approval_id is not None
    assert stack.mutations("campaign/update/") == [] and stack.mutations("campaign/status/update/") == []


async def test_observe_records_recommendations_and_changes_nothing(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path):
    stack = await make_stack(monkeypatch, tmp_path, autonomy="observe")

    summary = await run_cycle(stack.deps(), "m_glow")

    assert summary.status == "done"
    budget = _action(summary, "update_budget", WINNER_ADGROUP)
    assert budget.verdict == "recommended"
    assert "recorded as a recommendation and not carried out" in budget.reasons[0]
    assert summary.blocked_tools == []  # recommendations are not refusals
    assert stack.mutations("campaign/update/") == [] and stack.mutations("campaign/status/update/") == []
