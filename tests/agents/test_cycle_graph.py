"""The growth cycle graph on a fake gate: the plan it makes, pausing for approvals, resuming, bounds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cycle_fakes import HOODIE, MATCHA, MERCHANT, PLANTED, SERUM, FakeGate, make_deps
from sqlalchemy import update

from shopwarden.agents import SlotTaken, resume_cycle, resume_decided, run_cycle
from shopwarden.agents.records import AgentStep, ProposedCall
from shopwarden.agents.strategies import CreativeRules
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, CycleRun, utcnow


def _by_tool(summary) -> dict[str, list]:
    out: dict[str, list] = {}
    for action in summary.actions:
        out.setdefault(action.tool, []).append(action)
    return out


async def test_cycle_plans_budget_shift_pause_launch_and_briefs(fake_gate: FakeGate, sqlite_engine, tmp_path: Path):
    summary = await run_cycle(make_deps(fake_gate, sqlite_engine, tmp_path), MERCHANT)

    assert summary.status == "done"
    actions = _by_tool(summary)
    raise_budget = actions["update_budget"][0]
    assert (raise_budget.target, raise_budget.verdict) == ("campaign c_win -> 120.00", "executed")
    assert actions["pause_ads"][0].target == "campaign c_lose"
    # The best seller without ads is launched as GMV Max (TikTok's only Shop campaign type), with
    # TikTok's recommended budget and the merchant's ROAS floor over TikTok's lower ROI target.
    launched = actions["launch_gmv_max_campaign"][0]
    assert launched.target == "campaign name Matcha Starter Kit - GMV Max"
    launch = next(c for c in fake_gate.calls if c.tool == "launch_gmv_max_campaign")
    assert launch.args == {"advertiser_id": "adv1", "store_id": "shop1",
                           "campaign_name": "Matcha Starter Kit - GMV Max", "item_group_ids": [MATCHA],
                           "budget": "75.50", "roas_bid": "2.00"}
    recommend = next(c for c in fake_gate.calls if c.tool == "recommend_gmv_max_bid")
    assert recommend.args == {"advertiser_id": "adv1", "store_id": "shop1", "item_group_ids": [MATCHA]}
    assert not {"create_campaign", "create_adgroup", "enable_ads"} & {c.tool for c in fake_gate.calls}
    assert {b.product_id for b in summary.briefs} == {SERUM, MATCHA}
    assert HOODIE not in {b.product_id for b in summary.briefs}
    assert any("restock Glow Serum (SERUM): 5 left, about 2.5 days" in note for note in summary.notes)
    # 7 growth reads + the GMV Max campaigns (none, so no GMV Max report) + 2 GMV Max reads (products, bid)
    # + 2 trends + 2 ad library reads
    assert summary.reads == 14


async def test_untrusted_ad_text_is_set_aside_and_never_becomes_a_call(fake_gate: FakeGate, sqlite_engine,
                                                                      tmp_path: Path):
    summary = await run_cycle(make_deps(fake_gate, sqlite_engine, tmp_path), MERCHANT)

    serum = next(b for b in summary.briefs if b.product_id == SERUM)
    assert serum.set_aside == [f"ad a2: {PLANTED}"]
    assert serum.references == ["ad a1: 3 drops, glass skin by Friday"]
    assert not any("10000" in str(c.args) for c in fake_gate.calls)
    assert {c.tool for c in fake_gate.calls if c.agent_id == "creative"} == {"read_trends", "read_ad_library"}


async def test_queued_action_pauses_the_cycle_and_runs_once_after_approval(fake_gate: FakeGate, sqlite_engine,
                                                                          tmp_path: Path):
    fake_gate.rules = {"update_budget": "require_approval"}
    deps = make_deps(fake_gate, sqlite_engine, tmp_path)
    paused = await run_cycle(deps, MERCHANT)
    assert paused.status == "waiting"
    [approval_id] = paused.waiting_approval_ids()

    approvals.approve(sqlite_engine, approval_id, reviewer="alice")
    done = await resume_cycle(deps, paused.run_id, {str(approval_id): "approved"})
    again = await resume_cycle(deps, paused.run_id, {str(approval_id): "approved"})

    line = next(a for a in done.actions if a.approval_id == approval_id)
    assert (line.verdict, line.after_approval, line.reasons) == ("executed", True, ["approved by alice"])
    assert done.status == again.status == "done"
    assert [c.tool for c in fake_gate.executed].count("update_budget") == 1


async def test_resume_before_anyone_decides_pauses_again_and_runs_nothing(fake_gate: FakeGate, sqlite_engine,
                                                                        tmp_path: Path):
    fake_gate.rules = {"update_budget": "require_approval"}
    deps = make_deps(fake_gate, sqlite_engine, tmp_path)
    paused = await run_cycle(deps, MERCHANT)

    still = await resume_cycle(deps, paused.run_id, {})

    assert still.status == "waiting" and still.waiting_approval_ids() == paused.waiting_approval_ids()
    assert "update_budget" not in [c.tool for c in fake_gate.executed]


async def test_a_new_graph_and_saver_resume_the_paused_cycle(fake_gate: FakeGate, sqlite_engine, tmp_path: Path):
    fake_gate.rules = {"pause_ads": "require_approval"}
    paused = await run_cycle(make_deps(fake_gate, sqlite_engine, tmp_path), MERCHANT)
    [approval_id] = paused.waiting_approval_ids()
    approvals.reject(sqlite_engine, approval_id, reviewer="alice", reason="the hoodie drop is next week")

    fresh_gate = FakeGate(sqlite_engine)  # as a restarted process would build it
    [done] = await resume_decided(make_deps(fresh_gate, sqlite_engine, tmp_path))

    line = next(a for a in done.actions if a.approval_id == approval_id)
    assert (line.verdict, line.reasons) == ("rejected", ["rejected by alice: the hoodie drop is next week"])
    assert fresh_gate.calls == [] and fresh_gate.executed == []  # nothing was gathered or proposed again


async def test_an_expired_approval_is_reported_and_never_runs(fake_gate: FakeGate, sqlite_engine, tmp_path: Path):
    fake_gate.rules = {"update_budget": "require_approval"}
    deps = make_deps(fake_gate, sqlite_engine, tmp_path)
    paused = await run_cycle(deps, MERCHANT)
    [approval_id] = paused.waiting_approval_ids()
    with session_scope(sqlite_engine) as session:
        session.execute(update(Approval).where(Approval.id == approval_id)
                        .values(expires_at=utcnow() - timedelta(minutes=1)))

    done = await resume_cycle(deps, paused.run_id, {str(approval_id): "approved"})

    line = next(a for a in done.actions if a.approval_id == approval_id)
    assert line.verdict == "expired"
    assert line.reasons == ["no reviewer decided before it expired; it was not carried out"]
    assert "update_budget" not in [c.tool for c in fake_gate.executed]


class _Stubborn:
    """Proposes the same refused call on every turn."""

    async def step(self, turn) -> AgentStep:
        call = ProposedCall(agent_id=turn.spec.id, tool="update_budget",
                            args={"advertiser_id": "adv1", "object_type": "campaign", "object_id": "c_win",
                                  "budget": "9999"})
        return AgentStep(calls=[call, call], done=False)


async def test_a_tool_refused_three_times_is_blocked_for_the_rest_of_the_cycle(fake_gate: FakeGate, sqlite_engine,
                                                                              tmp_path: Path):
    fake_gate.rules = {"update_budget": "deny"}
    deps = make_deps(fake_gate, sqlite_engine, tmp_path,
                     strategies={"growth_marketer": _Stubborn(), "creative": CreativeRules()})

    summary = await run_cycle(deps, MERCHANT)

    sent = [c for c in fake_gate.calls if c.tool == "update_budget"]
    assert len(sent) == 3
    verdicts = [a.verdict for a in summary.actions if a.tool == "update_budget"]
    assert verdicts == ["refused"] * 3 + ["blocked"] * 5  # 4 turns x 2 proposals
    assert summary.blocked_tools == ["update_budget"]
    assert "update_budget was refused 3 times; growth_marketer stops proposing it this cycle" in summary.notes
    assert "growth_marketer stopped after 4 turns (the limit for one cycle)" in summary.notes
    assert summary.status == "done"


async def test_failed_reads_leave_gaps_and_the_cycle_still_finishes(fake_gate: FakeGate, sqlite_engine,
                                                                   tmp_path: Path):
    fake_gate.failing = {"get_performance_report", "read_trends"}

    summary = await run_cycle(make_deps(fake_gate, sqlite_engine, tmp_path), MERCHANT)

    assert summary.status == "done"
    assert summary.failed_reads == 4  # both performance reports (campaign, ad group) and both trend reads
    assert "could not read performance of adv1 (get_performance_report: platform unavailable); decisions that " \
           "need it were skipped" in summary.notes
    assert not any(a.tool in ("update_budget", "pause_ads") for a in summary.actions)  # no performance, no judgement
    assert any(a.tool == "launch_gmv_max_campaign" for a in summary.actions)  # sales still show the unadvertised seller


async def test_a_slot_runs_once(fake_gate: FakeGate, sqlite_engine, tmp_path: Path):
    deps = make_deps(fake_gate, sqlite_engine, tmp_path)
    await run_cycle(deps, MERCHANT, slot="2026-03-02T12:00Z")

    with pytest.raises(SlotTaken, match="merchant m-acme for slot 2026-03-02T12:00Z has already run"):
        await run_cycle(deps, MERCHANT, slot="2026-03-02T12:00Z")
    with session_scope(sqlite_engine) as session:
        assert session.get(CycleRun, next(iter(_runs(sqlite_engine)))).status == "done"


def _runs(engine) -> list[str]:
    from sqlmodel import select

    with session_scope(engine) as session:
        return list(session.exec(select(CycleRun.id)).all())


async def test_resume_without_decisions_still_settles_what_reviewers_decided(fake_gate: FakeGate, sqlite_engine,
                                                                            tmp_path: Path):
    fake_gate.rules = {"update_budget": "require_approval", "pause_ads": "require_approval"}
    deps = make_deps(fake_gate, sqlite_engine, tmp_path)
    paused = await run_cycle(deps, MERCHANT)
    by_tool = {a.tool: a.approval_id for a in paused.actions if a.verdict == "waiting"}
    assert sorted(paused.waiting_approval_ids()) == sorted(by_tool.values())
    budget_id, pause_id = by_tool["update_budget"], by_tool["pause_ads"]
    approvals.approve(sqlite_engine, budget_id, reviewer="alice")

    partly = await resume_cycle(deps, paused.run_id)  # no decisions passed: the approval rows are the truth

    assert partly.status == "waiting" and partly.waiting_approval_ids() == [pause_id]
    assert next(a for a in partly.actions if a.approval_id == budget_id).verdict == "executed"
    assert [c.tool for c in fake_gate.executed].count("update_budget") == 1
