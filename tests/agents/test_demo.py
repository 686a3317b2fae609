"""`shopwarden demo` end to end: it acts, waits, gets a reviewer's decisions and verifies its audit log."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from shopwarden.demo import run_demo


@pytest.fixture(autouse=True)
def restore_environment() -> Iterator[None]:
    """The demo points this process's settings at its own data dir, as the CLI process would."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


async def test_demo_runs_cycles_takes_decisions_and_verifies_the_audit_log(tmp_path: Path):
    out = io.StringIO()
    data_dir = tmp_path / "demo"
    (data_dir).mkdir()
    (data_dir / "stale.db").write_text("left over from an earlier run")

    result = await run_demo(Console(file=out, width=160), days=2, data_dir=data_dir)

    text = out.getvalue()
    assert not (data_dir / "stale.db").exists()  # a rerun starts clean
    assert len(result.cycles) == 3  # two days, then the misbehaving model's cycle
    verdicts = {a.verdict for c in result.cycles for a in c.actions}
    assert {"executed", "waiting", "rejected", "refused"} <= verdicts
    refused = {a.tool: a.reasons for a in result.cycles[-1].actions if a.verdict == "refused"}
    assert set(refused) == {"update_budget", "read_trends", "delete_campaign"}
    assert "which no approval can lift" in text and "args.skip_policy: is not an argument of update_budget" in text
    assert "agent growth_marketer is not allowed to use the tool read_trends" in text
    approved = result.approved
    assert approved is not None
    assert any(a.verdict == "executed" and a.after_approval for a in approved.actions)
    # The reviewer's approval is what launches the GMV Max campaign: it was held, then sent once.
    launched = [a for a in approved.actions if a.tool == "launch_gmv_max_campaign" and a.after_approval]
    assert launched and launched[0].verdict == "executed"
    assert "approves #" in text and "launch_gmv_max_campaign campaign name" in text
    assert "rejected by dana: recount the delivery first" in text
    assert result.audit_ok and result.audit_rows > 20
    assert f"audit verify: {result.audit_rows} rows, hash chain OK" in text
    assert "m_glow connected: shop=yes" in text
