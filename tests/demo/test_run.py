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


def test_after_the_demo_a_leftover_approval_executes_against_the_demos_saved_simulator(tmp_path: Path):
    """`make demo`, then in new processes: approve a leftover with the reviewer token from the env file the demo
    wrote; the change is sent to the demo's simulator (rebuilt from its saved state), audited, and still there
    for the process after that."""
    import json
    import subprocess
    import sys

    data_dir = tmp_path / "demo"
    script = str(Path(sys.executable).with_name("shopwarden"))
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHOPWARDEN_")} | {"COLUMNS": "400"}

    def shopwarden(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([script, *args], env=env, capture_output=True, text=True, timeout=300)

    demo = shopwarden("demo", "--days", "2", "--data-dir", str(data_dir), env=clean)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    text = " ".join(demo.stdout.split())
    env_file = data_dir / "env"
    assert f"point the CLI at the demo's data: source {env_file}" in text
    assert "shopwarden serve --port 8000" in text and "make sandbox" in text
    assert f"source {env_file} && shopwarden approvals approve ID" in text
    exported = dict(clean)
    for line in env_file.read_text().splitlines():
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            exported[name] = value.strip("'")
    assert exported["SHOPWARDEN_SIMULATOR_STATE"] == str((data_dir / "simulator.json").resolve())

    listed = shopwarden("approvals", "list", "--status", "pending", "--json", env=exported)
    assert listed.returncode == 0, listed.stderr
    leftover = json.loads(listed.stdout)[0]
    assert leftover["tool"] == "enable_ads", leftover  # seed 42, two days: the winner waits to be turned on
    campaign = leftover["args"]["object_id"]

    def campaign_status() -> str:
        shown = shopwarden("sim", "snapshot", env=exported)
        assert shown.returncode == 0, shown.stderr
        return json.loads(shown.stdout)["advertisers"][leftover["args"]["advertiser_id"]]["campaigns"][campaign][
            "operation_status"]

    assert campaign_status() == "DISABLE"

    # Pointed at the demo's data but not at its simulator (the settings before this change): nothing is sent.
    data_only = {k: v for k, v in exported.items() if not k.startswith("SHOPWARDEN_")
                 or k in ("SHOPWARDEN_DATA_DIR", "SHOPWARDEN_MASTER_KEY_FILE", "SHOPWARDEN_REVIEWER_TOKEN")}
    tried = shopwarden("approvals", "approve", str(leftover["id"]), env=data_only)
    assert tried.returncode == 1
    assert "nothing was sent to the platform; the approval is pending again" in " ".join(tried.stdout.split())

    approved = shopwarden("approvals", "approve", str(leftover["id"]), env=exported)
    assert approved.returncode == 0, approved.stdout + approved.stderr
    assert "enable_ads: executed" in approved.stdout

    shown = json.loads(shopwarden("approvals", "show", str(leftover["id"]), env=exported).stdout)
    assert shown["status"] == "executed" and shown["reviewer"] == "dana"
    rows = json.loads(shopwarden("audit", "list", "--json", "--limit", "10000", env=exported).stdout)
    executed = [r for r in rows if r["approval_id"] == leftover["id"] and r["outcome"] == "executed"]
    assert len(executed) == 1 and executed[0]["tool"] == "enable_ads"
    assert campaign_status() == "ENABLE"  # a later process sees the change in the simulator's saved state
    assert shopwarden("audit", "verify", "--merchant", leftover["merchant_id"], env=exported).returncode == 0
