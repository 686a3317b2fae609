"""Growth cycles as procrastinate jobs: two workers on the local PostgreSQL never run a merchant's slot twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cycle_fakes import FakeGate, connect_ads, make_deps
from sqlalchemy import text
from sqlmodel import select

from shopwarden.agents.checkpoint import postgres_conninfo
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import engine_for, session_scope
from shopwarden.db.models import CycleRun, Merchant
from shopwarden.errors import ConfigError
from shopwarden.jobs.worker import (
    EXECUTE_TASK,
    build_app,
    defer_approved_execution,
    defer_slots,
    enqueue_execution,
    ensure_schema,
    worker_options,
)

MERCHANTS = [f"m-{i}" for i in range(6)]
NOW = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)


def _seed(engine) -> None:
    with session_scope(engine) as session:
        for merchant_id in MERCHANTS:
            session.add(Merchant(id=merchant_id, name=merchant_id, autonomy="guarded"))
    for merchant_id in MERCHANTS:
        connect_ads(engine, merchant_id)
        approvals.add_reviewer(engine, merchant_id, "alice")


async def _run_two_workers(app) -> None:
    async with app.open_async():
        await asyncio.gather(app.run_worker_async(**worker_options(2, wait=False, name="w1")),
                             app.run_worker_async(**worker_options(2, wait=False, name="w2")))


async def test_two_workers_run_each_merchants_slot_once(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    _seed(engine)
    gate = FakeGate(engine)
    deps = make_deps(gate, engine, tmp_path)
    app = build_app(postgres_conninfo(engine), lambda: deps, periodic=False)
    await ensure_schema(app)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs"))

    async with app.open_async():
        first = await defer_slots(app, deps, NOW)
        again = await defer_slots(app, deps, NOW)  # the periodic task fired twice for the same slot
    await _run_two_workers(app)
    async with app.open_async():
        late = await defer_slots(app, deps, NOW)  # queued again after it ran: the job finds the slot taken
    await _run_two_workers(app)

    assert (first, again, late) == (len(MERCHANTS), 0, len(MERCHANTS))
    with session_scope(engine) as session:
        runs = session.exec(select(CycleRun.merchant_id, CycleRun.slot, CycleRun.status)).all()
    assert sorted(runs) == [(m, "2026-03-02T12:00Z", "done") for m in MERCHANTS]
    shop_reads = [c.merchant_id for c in gate.calls if c.tool == "list_shops"]
    assert sorted(shop_reads) == MERCHANTS  # one gather per merchant
    with engine.begin() as conn:
        statuses = conn.execute(text("SELECT status, count(*) FROM procrastinate_jobs GROUP BY status")).all()
    assert dict(statuses) == {"succeeded": 2 * len(MERCHANTS)}


async def test_an_approval_and_its_execution_job_commit_together(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    _seed(engine)
    gate = FakeGate(engine, rules={"update_budget": "require_approval"})
    deps = make_deps(gate, engine, tmp_path)
    app = build_app(postgres_conninfo(engine), lambda: deps, periodic=False)
    await ensure_schema(app)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs"))
    from shopwarden.agents import run_cycle

    paused = await run_cycle(deps, MERCHANTS[0])
    [approval_id] = paused.waiting_approval_ids()
    approvals.approve(engine, approval_id, reviewer="alice", after_approve=enqueue_execution)
    await _run_two_workers(app)

    assert approvals.get_approval(engine, approval_id).status == "executed"
    assert [c.tool for c in gate.executed].count("update_budget") == 1
    with session_scope(engine) as session:
        assert session.get(CycleRun, paused.run_id).status == "done"  # the waiting cycle was resumed by the job


def _execution_jobs(engine) -> list[tuple[str, dict]]:
    with engine.begin() as conn:
        return [tuple(row) for row in conn.execute(
            text("SELECT task_name, args FROM procrastinate_jobs WHERE task_name = :task"), {"task": EXECUTE_TASK})]


async def test_a_deferred_execution_lives_and_dies_with_the_callers_transaction(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    app = build_app(postgres_conninfo(engine), lambda: make_deps(FakeGate(engine), engine, tmp_path), periodic=False)
    await ensure_schema(app)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs"))

    with pytest.raises(RuntimeError), engine.begin() as conn:
        defer_approved_execution(conn, 41)
        raise RuntimeError("the approval failed to commit")
    assert _execution_jobs(engine) == []
    with engine.begin() as conn:
        defer_approved_execution(conn, 42)
    assert _execution_jobs(engine) == [(EXECUTE_TASK, {"approval_id": 42})]


def test_deferring_an_execution_on_sqlite_says_it_needs_postgresql(sqlite_url: str):
    with engine_for(sqlite_url).begin() as conn, pytest.raises(ConfigError) as raised:
        defer_approved_execution(conn, 1)
    assert str(raised.value).startswith("SHOPWARDEN_DATABASE_URL: approved actions are queued as procrastinate jobs "
                                        "only on PostgreSQL, not sqlite")
