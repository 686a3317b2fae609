"""Bad days on the platforms: the cycle finishes with a clear summary, the audit log is complete,
and the next cycle works."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select
from stack import WINNER_ADGROUP, make_stack

from shopwarden.agents import run_cycle
from shopwarden.audit.chain import list_executions
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection


def _audited(stack, run_id: str) -> list[tuple[str, str]]:
    return [(r.tool, r.outcome) for r in list_executions(stack.runtime.engine, run_id=run_id)]


async def test_an_outage_mid_cycle_leaves_a_gap_and_the_next_cycle_catches_up(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    stack = await make_stack(monkeypatch, tmp_path)
    stack.sim.faults.add("*/report/integrated/get/", "server_error")

    hit = await run_cycle(stack.deps(), "m_glow", slot="s1")

    assert hit.failed_reads == 2  # the campaign and the ad group reports
    assert any(note.startswith("could not read performance of 7000000000000000001") for note in hit.notes)
    assert not any(a.tool in ("update_budget", "pause_ads") for a in hit.actions)
    assert ("get_performance_report", "failed") in _audited(stack, hit.run_id)
    stack.sim.faults.clear()
    stack.sim.advance(hours=6)
    after = await run_cycle(stack.deps(), "m_glow", slot="s2")
    assert any(a.tool == "update_budget" and WINNER_ADGROUP in a.target and a.verdict == "executed"
               for a in after.actions)
    assert verify_chain(stack.runtime.engine, "m_glow").ok


async def test_a_rate_limited_write_is_reported_not_retried_in_a_loop(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    stack = await make_stack(monkeypatch, tmp_path)
    stack.sim.faults.add("*/adgroup/budget/update/", "rate_limit", times=1, retry_after=60)

    hit = await run_cycle(stack.deps(), "m_glow", slot="s1")

    first = next(a for a in hit.actions if a.tool == "update_budget" and WINNER_ADGROUP in a.target)
    assert first.verdict == "failed" and "rate" in first.reasons[0].lower()
    assert any(a.tool == "pause_ads" and a.verdict == "executed" for a in hit.actions)  # the rest carried on
    limited = [r for r in stack.sim.requests if r.fault == "rate_limit"]
    assert len(limited) == 1
    assert ("update_budget", "failed") in _audited(stack, hit.run_id)
    stack.sim.advance(hours=6)
    after = await run_cycle(stack.deps(), "m_glow", slot="s2")
    assert any(a.tool == "update_budget" and WINNER_ADGROUP in a.target and a.verdict == "executed"
               for a in after.actions)
    assert verify_chain(stack.runtime.engine, "m_glow").ok


async def test_a_revoked_ads_connection_is_reported_and_the_shop_side_still_runs(
        sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    stack = await make_stack(monkeypatch, tmp_path)
    with session_scope(stack.runtime.engine) as session:
        account_id = session.exec(select(Connection.external_account_id).where(Connection.platform == "ads")).one()
    stack.sim.revoke_connection(account_id)

    hit = await run_cycle(stack.deps(), "m_glow", slot="s1")
    later = await run_cycle(stack.restarted().deps(), "m_glow", slot="s2")

    assert hit.failed_reads >= 1
    assert not any(a.tool in ("update_budget", "pause_ads", "create_campaign") for a in hit.actions)
    assert later.failed_reads == 0
    assert any("TikTok Ads (the connection is needs_reauth" in note and "shopwarden connect ads --merchant m_glow"
               in note for note in later.notes)
    assert later.briefs  # the shop and the creative side still ran
    assert verify_chain(stack.runtime.engine, "m_glow").ok
