"""`shopwarden run --merchant M` prints the cycle's summary; `--resume` continues a paused one."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from stack import WINNER_ADGROUP, make_stack
from typer.testing import CliRunner

from shopwarden.cli import app


def test_run_prints_what_ran_what_waits_and_why(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    stack = asyncio.run(make_stack(monkeypatch, tmp_path, autonomy="suggest"))
    monkeypatch.setattr("shopwarden.runtime.build_runtime", lambda *a, **k: stack.runtime)

    result = CliRunner().invoke(app, ["run", "--merchant", "m_glow", "--json"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["status"] == "waiting"
    budget = next(a for a in summary["actions"] if a["tool"] == "update_budget" and WINNER_ADGROUP in a["target"])
    assert budget["verdict"] == "waiting" and budget["approval_id"] is not None

    plain = CliRunner().invoke(app, ["run", "--resume", summary["run_id"]], env={"COLUMNS": "200"})
    assert plain.exit_code == 0, plain.output
    assert f"cycle {summary['run_id']} for m_glow: waiting" in plain.output


def test_run_needs_a_merchant_or_a_run_to_resume():
    result = CliRunner().invoke(app, ["run"])
    assert result.exit_code != 0
    assert "give either --merchant (a new cycle) or --resume RUN_ID" in result.output


def test_dry_run_proposes_but_sends_and_queues_nothing(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path):
    from shopwarden import approvals

    stack = asyncio.run(make_stack(monkeypatch, tmp_path, autonomy="guarded"))
    monkeypatch.setattr("shopwarden.runtime.build_runtime", lambda *a, **k: stack.runtime)
    writes_before = [r for r in stack.sim.requests if r.method == "POST"]

    result = CliRunner().invoke(app, ["run", "--merchant", "m_glow", "--dry-run", "--json"])

    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    proposals = [a for a in summary["actions"] if a["tool"] in ("update_budget", "pause_ads", "create_campaign",
                                                                 "update_sku_inventory", "enable_ads")]
    assert proposals, "the agents proposed nothing to preview"
    assert {a["verdict"] for a in proposals} == {"recommended"}
    assert all("dry run: not sent, nothing queued" in " ".join(a["reasons"]) for a in proposals)
    assert approvals.list_approvals(stack.runtime.engine, merchant_id="m_glow") == []
    assert stack.mutations("campaign/update/") == [] and stack.mutations("campaign/create/") == []
    assert len([r for r in stack.sim.requests if r.method == "POST" and "inventory" in r.path]) == len(
        [r for r in writes_before if "inventory" in r.path])
