"""A worker killed with SIGKILL mid-job: its jobs go back to the queue, and an interrupted cycle is finished once.

Found by bench/soak.py: before, the killed worker's jobs stayed `doing` forever (procrastinate never
re-runs them) and a retried cycle job found its slot taken and skipped it, so the cycle never ended.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cycle_fakes import FakeGate, connect_ads, make_deps
from sqlalchemy import text
from sqlmodel import select

from shopwarden.agents import run_cycle
from shopwarden.agents.checkpoint import postgres_conninfo
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import engine_for, session_scope
from shopwarden.db.models import CycleRun, Merchant
from shopwarden.jobs.scheduler import current_slot, slot_key
from shopwarden.jobs.stalled import retry_stalled
from shopwarden.jobs.worker import CYCLE_TASK, build_app, defer_slots, ensure_schema, worker_options

MERCHANT = "m-killed"
NOW = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)


class Killed(BaseException):
    """The process dies here: nothing after this line runs, not even the cycle's own failure handling."""


class DyingGate(FakeGate):
    """Dies on the first write it is asked for, once (the next process's gate works)."""

    dies: bool = True

    async def call(self, call):
        if self.dies and call.tool in self.MUTATING:
            self.dies = False
            self.calls.append(call)
            raise Killed
        return await super().call(call)


def _seed(engine) -> None:
    with session_scope(engine) as session:
        session.add(Merchant(id=MERCHANT, name="Killed", autonomy="guarded"))
    connect_ads(engine, MERCHANT)
    approvals.add_reviewer(engine, MERCHANT, "alice")


async def _drain(app) -> None:
    async with app.open_async():
        await app.run_worker_async(**worker_options(2, wait=False, name="survivor"))


async def _empty_queue(engine, deps_factory):
    """The job queue on `engine`'s database, its schema in place and no job or worker left from before."""
    app = build_app(postgres_conninfo(engine), deps_factory, periodic=False)
    await ensure_schema(app)
    _clean_queue(engine)
    return app


def _clean_queue(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM procrastinate_jobs"))
        conn.execute(text("DELETE FROM procrastinate_workers"))


async def test_a_cycle_interrupted_mid_act_is_continued_from_its_checkpoint_once(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    _seed(engine)
    gate = DyingGate(engine)
    deps = make_deps(gate, engine, tmp_path)
    app = await _empty_queue(engine, lambda: deps)
    slot = slot_key(current_slot(deps.spec("growth_marketer").schedule, NOW))

    with pytest.raises(Killed):
        await run_cycle(deps, MERCHANT, slot=slot)  # the first worker dies while it acts
    with session_scope(engine) as session:
        [dead] = session.exec(select(CycleRun)).all()
    assert dead.status == "running"

    async with app.open_async():
        assert await defer_slots(app, deps, NOW) == 1  # the job again (as the stalled-job retry puts it back)
    await _drain(app)

    with session_scope(engine) as session:
        runs = session.exec(select(CycleRun.id, CycleRun.status)).all()
    assert runs == [(dead.id, "done")]  # the same run finished; no second cycle for the slot
    assert [c.tool for c in gate.calls].count("list_shops") == 1  # gather was not run again
    writes = [c.tool for c in gate.executed]
    assert writes and len(writes) == len(set(writes))  # the write that died is sent once more, nothing twice
    assert {c.run_id for c in gate.calls} == {dead.id}


async def test_a_completed_slot_is_still_a_no_op_for_a_late_job(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    _seed(engine)
    gate = FakeGate(engine)
    deps = make_deps(gate, engine, tmp_path)
    app = await _empty_queue(engine, lambda: deps)
    slot = slot_key(current_slot(deps.spec("growth_marketer").schedule, NOW))
    await run_cycle(deps, MERCHANT, slot=slot)
    calls = len(gate.calls)

    async with app.open_async():
        await defer_slots(app, deps, NOW)
    await _drain(app)
    assert len(gate.calls) == calls  # nothing was run again


_WORKER_WITH_HEARTBEAT = text("INSERT INTO procrastinate_workers (last_heartbeat) VALUES (:at) RETURNING id")


async def _doing_job(app, engine, *, heartbeat_age: timedelta | None) -> tuple[int, int | None]:
    """A cycle job marked `doing` by a worker whose last heartbeat is `heartbeat_age` old (None: no worker)."""
    async with app.open_async():
        job_id = await app.configure_task(CYCLE_TASK).defer_async(merchant_id=MERCHANT, slot="s")
    with engine.begin() as conn:
        worker_id = None
        if heartbeat_age is not None:
            worker_id = conn.execute(_WORKER_WITH_HEARTBEAT, {"at": datetime.now(UTC) - heartbeat_age}).scalar_one()
        conn.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w WHERE id = :id"),
                     {"w": worker_id, "id": job_id})
    return job_id, worker_id


def _status(engine, job_id: int) -> tuple[str, int]:
    with engine.begin() as conn:
        status, attempts = conn.execute(text("SELECT status, attempts FROM procrastinate_jobs WHERE id = :id"),
                                        {"id": job_id}).one()
    return status, attempts


async def test_only_jobs_of_silent_workers_are_queued_again_and_only_once(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    app = await _empty_queue(engine, lambda: make_deps(FakeGate(engine), engine, tmp_path))
    dead_job, _ = await _doing_job(app, engine, heartbeat_age=timedelta(minutes=2))
    orphan_job, _ = await _doing_job(app, engine, heartbeat_age=None)  # its worker was pruned already
    live_job, _ = await _doing_job(app, engine, heartbeat_age=timedelta(seconds=1))

    async with app.open_async():
        first, second = await asyncio.gather(retry_stalled(app), retry_stalled(app))  # two workers look at once
        third = await retry_stalled(app)

    assert sorted(first + second) == sorted([dead_job, orphan_job])  # each retried by exactly one of them
    assert third == []
    assert _status(engine, dead_job) == ("todo", 1)
    assert _status(engine, orphan_job) == ("todo", 1)
    assert _status(engine, live_job) == ("doing", 0)  # a worker with a fresh heartbeat keeps its job


async def test_a_job_fetched_again_since_is_not_reset_under_its_new_worker(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    app = await _empty_queue(engine, lambda: make_deps(FakeGate(engine), engine, tmp_path))
    job_id, dead_worker = await _doing_job(app, engine, heartbeat_age=timedelta(minutes=2))
    async with app.open_async():
        [stale] = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=30)
        assert stale.worker_id == dead_worker
        with engine.begin() as conn:  # meanwhile another worker retried it and a live one fetched it
            live = conn.execute(text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")).scalar_one()
            conn.execute(text("UPDATE procrastinate_jobs SET worker_id = :w, attempts = 1 WHERE id = :id"),
                         {"w": live, "id": job_id})
        app.job_manager.get_stalled_jobs = _returning([stale])  # the first worker acts on what it read before
        assert await retry_stalled(app) == []
    assert _status(engine, job_id) == ("doing", 1)


def _returning(jobs):
    async def get_stalled_jobs(**_: object):
        return jobs
    return get_stalled_jobs


async def test_a_stalled_job_with_a_twin_queued_since_gives_way_to_it(pg_url: str, tmp_path: Path):
    engine = engine_for(pg_url)
    _seed(engine)
    gate = FakeGate(engine)
    deps = make_deps(gate, engine, tmp_path)
    app = await _empty_queue(engine, lambda: deps)
    async with app.open_async():
        assert await defer_slots(app, deps, NOW) == 1
    with engine.begin() as conn:  # its worker took it, then died
        dead = conn.execute(_WORKER_WITH_HEARTBEAT, {"at": datetime.now(UTC) - timedelta(minutes=2)}).scalar_one()
        [job_id] = conn.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w RETURNING id"),
                                {"w": dead}).scalars().all()
    async with app.open_async():
        assert await defer_slots(app, deps, NOW) == 1  # the periodic schedule queued the slot again meanwhile
        assert await retry_stalled(app) == [job_id]
    assert _status(engine, job_id) == ("failed", 1)
    await _drain(app)  # the twin runs: it no longer waits on the dead job's lock
    with session_scope(engine) as session:
        assert session.exec(select(CycleRun.status)).all() == ["done"]
