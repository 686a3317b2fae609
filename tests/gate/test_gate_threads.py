"""Where the gate's blocking work runs, and what an unknown merchant's call may touch, on both databases."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from gate_fakes import ADVERTISER, FakeAds
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import BudgetLedgerEntry, ToolExecution
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import Gate


def budget_call(budget: str, merchant_id: str = "m-acme") -> ToolCall:
    args = {"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1", "budget": budget}
    return ToolCall(tool="update_budget", args=args, agent_id="growth", merchant_id=merchant_id, run_id="run-1")


async def test_a_call_completes_while_every_default_executor_thread_is_busy(gate: Gate, engine,
                                                                          fake_ads: FakeAds) -> None:
    """Platform SDK calls occupy the default executor; the gate's database and policy work must not queue behind
    them."""
    loop = asyncio.get_running_loop()
    busy = ThreadPoolExecutor(max_workers=1)
    loop.set_default_executor(busy)
    release = threading.Event()
    blocker = loop.run_in_executor(None, release.wait)
    try:
        result = await asyncio.wait_for(gate.call(budget_call("110")), timeout=20)
    finally:
        release.set()
        await blocker
    assert result.outcome == Outcome.EXECUTED, result.reasons
    assert fake_ads.mutations() == ["update_budget c1 110"]
    with session_scope(engine) as session:
        [entry] = session.exec(select(BudgetLedgerEntry)).all()
        [row] = session.exec(select(ToolExecution)).all()
    assert (entry.budget_after, entry.execution_id) == (Decimal("110"), row.id)
    assert row.id == result.execution_id


async def test_an_unknown_merchants_mutation_is_denied_before_any_platform_read(gate: Gate, engine,
                                                                                 fake_ads: FakeAds) -> None:
    result = await gate.call(budget_call("110", merchant_id="m-ghost"))
    assert result.outcome == Outcome.DENIED
    assert result.reasons == ["merchant m-ghost does not exist"]
    assert result.reason_codes == ["merchant.unknown"]
    assert fake_ads.reads == 0 and fake_ads.mutations() == []
    with session_scope(engine) as session:
        [row] = session.exec(select(ToolExecution)).all()
    assert (row.merchant_id, row.outcome, row.id) == ("m-ghost", "denied", result.execution_id)


async def test_concurrent_budget_changes_each_enter_the_ledger_once(gate: Gate, engine, fake_ads: FakeAds) -> None:
    """Ten calls in flight on the gate's worker threads: every executed change has its ledger entry and audit row."""
    results = await asyncio.gather(*(gate.call(budget_call(str(101 + i))) for i in range(10)))
    executed = [r for r in results if r.outcome == Outcome.EXECUTED]
    assert len(executed) == 10, [r.reasons for r in results]
    with session_scope(engine) as session:
        entries = session.exec(select(BudgetLedgerEntry)).all()
        rows = session.exec(select(ToolExecution)).all()
    assert sorted(e.execution_id for e in entries) == sorted(r.execution_id for r in executed)
    assert sorted(e.budget_after for e in entries) == [Decimal(101 + i) for i in range(10)]
    assert len(rows) == 10 and len(fake_ads.mutations()) == 10
