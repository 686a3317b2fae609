"""50 concurrent executions of one approved action run the platform call exactly once,
from threads and from separate processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from typing import Any

from gate_fakes import FakeAds
from test_pipeline import budget_call

from conftest import make_gate
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import make_engine
from shopwarden.errors import ApprovalConflict
from shopwarden.gate.calls import Outcome
from shopwarden.gate.pipeline import Gate

WORKERS = 50


async def approved_action(gate: Gate, engine) -> int:
    pending = await gate.call(budget_call("150"))
    assert pending.outcome == Outcome.PENDING_APPROVAL and pending.approval_id is not None
    approvals.approve(engine, pending.approval_id, reviewer="alice")
    return pending.approval_id


def execute(gate: Gate, approval_id: int) -> str:
    try:
        return asyncio.run(gate.execute_approved(approval_id)).outcome.value
    except ApprovalConflict:
        return "conflict"


def test_fifty_threads_execute_an_approval_exactly_once(gate: Gate, engine, fake_ads: FakeAds) -> None:
    approval_id = asyncio.run(approved_action(gate, engine))
    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []

    def worker() -> None:
        barrier.wait()
        outcomes.append(execute(gate, approval_id))

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == ["conflict", "executed"]
    assert outcomes.count("executed") == 1
    assert fake_ads.mutations() == ["update_budget c1 150"]


def _process_worker(url: str, policy: Any, fake_ads: FakeAds, approval_id: int, barrier: Any, results: Any) -> None:
    gate = make_gate(make_engine(url), policy, fake_ads)  # a process never reuses its parent's connections
    barrier.wait()
    results.put(execute(gate, approval_id))


def test_fifty_processes_execute_an_approval_exactly_once(gate: Gate, engine, db_url: str, policy,
                                                          fake_ads: FakeAds) -> None:
    approval_id = asyncio.run(approved_action(gate, engine))
    engine.dispose()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(WORKERS), context.Queue()
    processes = [context.Process(target=_process_worker, args=(db_url, policy, fake_ads, approval_id, barrier, results))
                 for _ in range(WORKERS)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert outcomes.count("executed") == 1
    assert outcomes.count("conflict") == WORKERS - 1
    assert fake_ads.mutations() == ["update_budget c1 150"]
