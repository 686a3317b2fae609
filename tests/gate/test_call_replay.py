"""A mutating call made again under its call key (a cycle resumed after a crash re-runs its `act` step)
is answered from its first audit row: nothing reaches the platform twice, no second approval is queued,
and the chain, which covers the key, still verifies. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from gate_fakes import ADVERTISER, FakeAds
from sqlmodel import col, select

from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, ToolExecution
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import Gate


def budget(value: str, key: str = "run-1/growth/0/0", **args: Any) -> ToolCall:
    return ToolCall(tool="update_budget", agent_id="growth", merchant_id="m-acme", run_id="run-1", call_key=key,
                    args={"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1", "budget": value,
                          **args})


def rows(engine: Any) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).order_by(col(ToolExecution.id))).all())


async def test_an_executed_write_repeated_under_its_key_is_not_sent_again(gate: Gate, engine, fake_ads: FakeAds):
    first = await gate.call(budget("110"))
    again = await gate.call(budget("110"))

    assert first.outcome == again.outcome == Outcome.EXECUTED
    assert fake_ads.mutations() == ["update_budget c1 110"]
    assert again.execution_id == first.execution_id
    assert again.reasons[-1].startswith("not sent again") and str(first.execution_id) in again.reasons[-1]
    [row] = rows(engine)
    assert row.call_key is not None and row.call_key.startswith("run-1/growth/0/0#")
    assert verify_chain(engine, "m-acme").ok


async def test_the_same_key_with_other_arguments_or_no_key_is_a_new_call(gate: Gate, engine, fake_ads: FakeAds):
    await gate.call(budget("110"))
    await gate.call(budget("115"))  # the re-run step proposed something else at the same place: it runs
    await gate.call(budget("115", key=""))
    await gate.call(budget("115", key=""))  # without a key every call is its own

    assert fake_ads.mutations() == ["update_budget c1 110", "update_budget c1 115", "update_budget c1 115",
                                    "update_budget c1 115"]
    assert [r.call_key is None for r in rows(engine)] == [False, False, True, True]


async def test_a_queued_approval_is_not_queued_twice(gate: Gate, engine, fake_ads: FakeAds):
    fake_ads.campaigns["c1"].operation_status = "DISABLE"  # enabling it needs a reviewer
    enable = ToolCall(tool="enable_ads", agent_id="growth", merchant_id="m-acme", run_id="run-1",
                      call_key="run-1/growth/1/0",
                      args={"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1"})
    first = await gate.call(enable)
    again = await gate.call(enable)

    assert first.outcome == again.outcome == Outcome.PENDING_APPROVAL
    assert again.approval_id == first.approval_id is not None
    with session_scope(engine) as session:
        assert len(session.exec(select(Approval)).all()) == 1
    assert len(rows(engine)) == 1


async def test_a_denied_call_keeps_its_denial_and_reads_are_never_replayed(gate: Gate, engine, fake_ads: FakeAds):
    over = budget("100000", key="run-1/growth/2/0")
    first, again = await gate.call(over), await gate.call(over)
    assert first.outcome == again.outcome == Outcome.DENIED
    assert again.reason_codes == first.reason_codes
    read = ToolCall(tool="list_campaigns", agent_id="growth", merchant_id="m-acme", run_id="run-1",
                    call_key="run-1/growth/2/1", args={"advertiser_id": ADVERTISER})
    assert (await gate.call(read)).outcome == (await gate.call(read)).outcome == Outcome.READ
    assert [r.outcome for r in rows(engine)] == ["denied", "read", "read"]
    assert [r.call_key for r in rows(engine)][1:] == [None, None]
    assert fake_ads.mutations() == []
