"""How much database work one update_budget call costs: statements, transactions and (PostgreSQL) round
trips counted on the wire, so a change that adds any of them shows up here (bench/gate.py has the times).

The call's shape is asserted too: everything before the platform write is one read pass with no
transaction, and the audit row and ledger entry are written in one transaction after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from gate_fakes import ADVERTISER, FakeAds
from sqlalchemy import event
from sqlmodel import col, select

from conftest import AGENTS
from shopwarden.db.engine import session_scope
from shopwarden.db.models import BudgetLedgerEntry, ToolExecution
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import Gate
from shopwarden.policy import PolicyEngine, default_limits
from shopwarden.tools import ToolContext, registry

# Measured when this test was written: SQLite 12 statements (6 reads; BEGIN IMMEDIATE, with the busy
# timeout set to 0 and back around it, and 4 writes), PostgreSQL 9 statements in 11 round trips (before:
# 16 / 13 statements, 25 round trips in four transactions). Since: the ledger's two reads are one, and on
# PostgreSQL the audit row's INSERT and the head's UPDATE are one statement, which chains onto the head the
# read pass saw (no SELECT ... FOR UPDATE first while no other writer moved it; on SQLite no SELECT of the
# head under the write lock): SQLite 10, PostgreSQL 6 in 8.
MAX_STATEMENTS = {"sqlite": 10, "postgresql": 6}
MAX_PG_ROUND_TRIPS = 8
WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN")


def budget_call(budget: str) -> ToolCall:
    return ToolCall(tool="update_budget", agent_id="growth", merchant_id="m-acme", run_id="run-1", args={
        "advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1", "budget": budget})


class Wire:
    """SQL statements as SQLAlchemy sends them, and (PostgreSQL) libpq's protocol trace of every connection."""

    def __init__(self, engine: Any, trace_file: Path) -> None:
        self.statements: list[str] = []
        self._trace_path = trace_file
        self._trace = trace_file.open("w")
        self._offset = 0
        event.listen(engine, "before_cursor_execute", self._statement)
        if engine.dialect.name == "postgresql":
            engine.dispose()  # connections opened from now on are traced
            event.listen(engine, "connect", self._trace_connection)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements.append(" ".join(statement.split()))

    def _trace_connection(self, dbapi_connection: Any, _record: Any) -> None:
        import psycopg

        dbapi_connection.pgconn.trace(self._trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def start(self) -> None:
        self.statements.clear()
        self._trace.flush()
        self._offset = os.path.getsize(self._trace_path)

    def protocol(self) -> list[str]:
        """Protocol messages since `start`; each request the client waits for ends with the server's ReadyForQuery."""
        self._trace.flush()
        with self._trace_path.open() as trace:
            trace.seek(self._offset)
            return trace.read().splitlines()

    def close(self) -> None:
        self._trace.close()


@pytest.fixture
def wire(engine: Any, tmp_path: Path) -> Iterator[Wire]:
    counted = Wire(engine, tmp_path / "libpq-trace.txt")
    yield counted
    event.remove(engine, "before_cursor_execute", counted._statement)
    if engine.dialect.name == "postgresql":
        event.remove(engine, "connect", counted._trace_connection)
        engine.dispose()
    counted.close()


def runtime_like_gate(engine: Any, policy: PolicyEngine, ads: FakeAds) -> Gate:
    """As the runtime wires it: one ToolContext per merchant for the gate's life (the ad account's time zone
    is learnt once, so the ledger is read in the gate's read pass)."""
    contexts: dict[str, ToolContext] = {}

    def context_for(merchant_id: str) -> ToolContext:
        return contexts.setdefault(merchant_id, ToolContext(merchant_id, engine, ads_factory=lambda: ads))

    return Gate(engine=engine, policy=policy, agent_specs=AGENTS, default_limits=default_limits(),
                context_for=context_for, tools=registry())


async def test_an_update_budget_call_costs_one_read_pass_and_one_transaction(
        gate: Gate, engine: Any, policy: PolicyEngine, fake_ads: FakeAds, wire: Wire) -> None:
    gate = runtime_like_gate(engine, policy, fake_ads)  # the fixture's gate set up the merchant's connection
    # The first call learns the ad account's time zone and fixes the day's start-of-day budget.
    assert (await gate.call(budget_call("110"))).outcome == Outcome.EXECUTED
    before_platform: list[str] = []
    send = fake_ads.update_budget

    async def note_then_send(*args: Any, **kwargs: Any) -> Any:
        before_platform.extend(wire.statements)
        return await send(*args, **kwargs)

    fake_ads.update_budget = note_then_send  # type: ignore[method-assign]
    wire.start()
    result = await gate.call(budget_call("100"))
    statements, protocol = list(wire.statements), wire.protocol()

    assert result.outcome == Outcome.EXECUTED, result.reasons
    assert fake_ads.mutations()[-1] == "update_budget c1 100"
    with session_scope(engine) as session:  # what was counted is the real path: audit row and ledger entry
        row = session.get(ToolExecution, result.execution_id)
        [*_, entry] = session.exec(select(BudgetLedgerEntry).order_by(col(BudgetLedgerEntry.id))).all()
    assert row is not None and row.outcome == "executed"
    assert (entry.start_of_day_budget, entry.budget_before, entry.budget_after, entry.execution_id) == (
        Decimal("100"), Decimal("110"), Decimal("100"), result.execution_id)

    # Before the platform: reads only, no transaction (and no write lock on SQLite).
    assert before_platform, "the read pass ran no statement"
    assert [s for s in before_platform if s.upper().startswith(WRITES)] == []
    after = statements[len(before_platform):]
    assert sum(s.upper().startswith("BEGIN") for s in statements) == (
        1 if engine.dialect.name == "sqlite" else 0)  # psycopg sends PostgreSQL's BEGIN itself (counted below)
    writes = [s.split()[0].upper() for s in after if s.upper().startswith(("INSERT", "UPDATE", "WITH"))]
    if engine.dialect.name == "sqlite":
        assert writes == ["UPDATE", "INSERT", "INSERT"]  # chain head, audit row, ledger entry: one transaction
    else:  # the audit row is inserted by the statement that moves the chain head, then the ledger entry
        assert writes == ["WITH", "INSERT"]
        [moved] = [s for s in after if s.upper().startswith("WITH")]
        assert "UPDATE audit_heads" in moved and "INSERT INTO tool_executions" in moved
    ledger_reads = [s for s in statements if s.upper().startswith("SELECT") and "start_of_day_budget" in s
                    and "FROM budget_ledger" in s]
    assert len(ledger_reads) == 1  # read once (in the read pass, with the account's increase), not again
    assert len(statements) <= MAX_STATEMENTS[engine.dialect.name], statements

    if engine.dialect.name == "postgresql":
        sent = [line for line in protocol if line.startswith("F\t")]
        assert sum('"BEGIN' in line for line in sent) == 1, sent  # the write transaction, nothing else
        assert sum(line.startswith("F\t") and "Query" in line and '"COMMIT"' in line for line in sent) == 1
        round_trips = sum(line.startswith("B\t") and "\tReadyForQuery" in line for line in protocol)
        assert 0 < round_trips <= MAX_PG_ROUND_TRIPS, "\n".join(sent)
