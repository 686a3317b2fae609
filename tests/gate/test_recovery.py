"""A crash between claiming an approval and the platform's answer is settled by checking the
platform (the tool's verify), never by blind replay."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from gate_fakes import FakeAds
from sqlmodel import select
from test_exactly_once import approved_action

from conftest import make_gate
from shopwarden.db.engine import make_engine, session_scope
from shopwarden.db.models import Approval, BudgetLedgerEntry, ToolExecution
from shopwarden.errors import PlatformUnavailable
from shopwarden.gate.calls import Outcome
from shopwarden.gate.pipeline import Gate


@dataclass
class DyingAds(FakeAds):
    """Kills its own process inside the platform call, before or after the change lands."""

    die_after_applying: bool = False

    async def update_budget(self, advertiser_id: str, object_type: str, object_id: str, *, budget: Decimal,
                            budget_mode: str | None = None) -> dict[str, Any]:
        if self.die_after_applying:
            self._mutated(f"update_budget {object_id} {budget}")
        os._exit(9)


def _crashing_worker(url: str, policy: Any, ads: FakeAds, approval_id: int) -> None:
    asyncio.run(make_gate(make_engine(url), policy, ads).execute_approved(approval_id))


def crash_during_execution(gate: Gate, engine, db_url: str, policy: Any, fake_ads: FakeAds, *, applied: bool) -> int:
    approval_id = asyncio.run(approved_action(gate, engine))
    engine.dispose()
    dying = DyingAds(calls_file=fake_ads.calls_file, campaigns=fake_ads.campaigns, die_after_applying=applied)
    process = multiprocessing.get_context("fork").Process(target=_crashing_worker,
                                                          args=(db_url, policy, dying, approval_id))
    process.start()
    process.join(timeout=60)
    assert process.exitcode == 9
    assert status(engine, approval_id) == "executing"
    return approval_id


def status(engine, approval_id: int) -> str:
    with session_scope(engine) as session:
        approval = session.get(Approval, approval_id)
        assert approval is not None
        return approval.status


def test_a_change_that_landed_before_the_crash_is_marked_executed_without_resending(
        gate: Gate, engine, db_url: str, policy, fake_ads: FakeAds) -> None:
    approval_id = crash_during_execution(gate, engine, db_url, policy, fake_ads, applied=True)
    [result] = asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    assert result.outcome == Outcome.EXECUTED
    assert result.reason_codes == ["recovery.already_applied"]
    assert fake_ads.mutations() == ["update_budget c1 150"]
    assert status(engine, approval_id) == "executed"


def test_a_change_that_never_landed_is_executed_once_on_recovery(gate: Gate, engine, db_url: str, policy,
                                                                fake_ads: FakeAds) -> None:
    approval_id = crash_during_execution(gate, engine, db_url, policy, fake_ads, applied=False)
    assert fake_ads.mutations() == []
    [result] = asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    assert result.outcome == Outcome.EXECUTED
    assert fake_ads.mutations() == ["update_budget c1 150"]
    assert status(engine, approval_id) == "executed"
    assert asyncio.run(gate.recover_stuck(older_than=timedelta(0))) == []  # settled: nothing runs twice
    assert fake_ads.mutations() == ["update_budget c1 150"]


def test_when_the_platform_cannot_be_checked_the_approval_fails_for_a_human(gate: Gate, engine, db_url: str,
                                                                           policy, fake_ads: FakeAds) -> None:
    approval_id = crash_during_execution(gate, engine, db_url, policy, fake_ads, applied=False)

    async def unreachable(*_args: Any, **_kw: Any) -> list[dict[str, Any]]:
        raise PlatformUnavailable("timed out", platform="ads")

    fake_ads.list_campaigns = unreachable  # type: ignore[method-assign]
    [result] = asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    assert result.outcome == Outcome.FAILED
    assert result.reasons[0].startswith("execution was interrupted and it is unknown whether it took effect")
    assert fake_ads.mutations() == []
    assert status(engine, approval_id) == "failed"
    with session_scope(engine) as session:
        row = session.get(ToolExecution, result.execution_id)
    assert row is not None and (row.outcome, row.approval_id) == ("failed", approval_id)


def test_recent_executions_are_left_to_the_worker_running_them(gate: Gate, engine, db_url: str, policy,
                                                              fake_ads: FakeAds) -> None:
    crash_during_execution(gate, engine, db_url, policy, fake_ads, applied=False)
    assert asyncio.run(gate.recover_stuck(older_than=timedelta(hours=1))) == []
    assert fake_ads.mutations() == []


def test_a_change_that_landed_before_the_crash_is_entered_in_the_budget_ledger(
        gate: Gate, engine, db_url: str, policy, fake_ads: FakeAds) -> None:
    """Otherwise today's cumulative and account-wide increases would not count it, and later raises
    could pass limits they should not."""
    approval_id = crash_during_execution(gate, engine, db_url, policy, fake_ads, applied=True)
    asyncio.run(gate.recover_stuck(older_than=timedelta(0)))
    with session_scope(engine) as session:
        entries = session.exec(select(BudgetLedgerEntry)).all()
        audit_row = session.exec(select(ToolExecution).where(ToolExecution.approval_id == approval_id,
                                                             ToolExecution.outcome == "executed")).one()
    assert [(e.object_id, e.budget_before, e.budget_after, e.approval_id) for e in entries] == [
        ("c1", Decimal("100"), Decimal("150"), approval_id)]
    assert entries[0].execution_id == audit_row.id
