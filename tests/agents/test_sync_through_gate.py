"""`shopwarden sync catalog|orders` read the platform through the gate: validated, tenancy-checked, audited."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import col, select
from stack import MERCHANT, make_stack
from typer.testing import CliRunner

from shopwarden.cli import app
from shopwarden.db.engine import session_scope
from shopwarden.db.models import ToolExecution


def _rows(engine, tool: str) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).where(ToolExecution.tool == tool)
                                 .order_by(col(ToolExecution.id))))


def test_sync_commands_are_audited_reads_and_refuse_a_foreign_shop(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    stack = asyncio.run(make_stack(monkeypatch, tmp_path))
    monkeypatch.setattr("shopwarden.runtime.build_runtime", lambda *a, **k: stack.runtime)
    engine = stack.runtime.engine
    runner = CliRunner()

    catalog = runner.invoke(app, ["sync", "catalog", "--merchant", MERCHANT, "--full"], env={"COLUMNS": "200"})
    assert catalog.exit_code == 0, catalog.output
    assert " products, " in catalog.output and "(full" in catalog.output
    [row] = _rows(engine, "sync_catalog")[-1:]
    assert (row.agent_id, row.outcome, row.merchant_id, row.args_redacted) == ("operator:cli", "read", MERCHANT,
                                                                             {"full": True})

    orders = runner.invoke(app, ["sync", "orders", "--merchant", MERCHANT, "--days", "3"])
    assert orders.exit_code == 0, orders.output
    assert "cached " in orders.output and " orders from " in orders.output
    [order_row] = _rows(engine, "sync_orders")
    assert (order_row.agent_id, order_row.outcome) == ("operator:cli", "read")

    before = len(stack.sim.requests)
    foreign = runner.invoke(app, ["sync", "catalog", "--merchant", MERCHANT, "--shop", "7777777"],
                            env={"COLUMNS": "200"})
    assert foreign.exit_code == 1
    assert "sync_catalog denied: shop 7777777 is not in merchant m_glow's synced shops" in foreign.output
    assert len(stack.sim.requests) == before  # nothing reached the platform
    assert _rows(engine, "sync_catalog")[-1].outcome == "denied"
