"""`shopwarden demo` end to end: it acts, waits, gets a reviewer's decisions and verifies its audit log."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from shopwarden.demo.run import run_demo


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


async def test_after_the_demo_its_last_lines_say_how_to_continue_and_leftovers_stay_retryable(tmp_path: Path):
    import json
    import subprocess
    import sys

    out = io.StringIO()
    data_dir = tmp_path / "demo"
    await run_demo(Console(file=out, width=400), days=2, data_dir=data_dir)
    text = out.getvalue()
    env_file = data_dir / "env"
    assert f"point the CLI at the demo's data:  source {env_file}" in text
    assert "shopwarden serve --port 8000" in text and "make sandbox" in text
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPWARDEN_")} | {"COLUMNS": "200"}
    for line in env_file.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.strip("'")
    script = str(Path(sys.executable).with_name("shopwarden"))

    def shopwarden(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=120)

    listed = shopwarden("approvals", "list", "--status", "pending", "--json")
    assert listed.returncode == 0, listed.stderr
    leftover = json.loads(listed.stdout)[0]["id"]
    tried = shopwarden("approvals", "approve", str(leftover))
    assert tried.returncode == 1
    assert "nothing was sent to the platform; the approval is pending again" in " ".join(tried.stdout.split())
    again = json.loads(shopwarden("approvals", "show", str(leftover)).stdout)
    assert again["status"] == "pending" and again["error"].startswith("not executed: ")
