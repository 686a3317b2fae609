"""The fault soak, small: bench/soak.py with real `shopwarden worker` processes, one killed (SIGKILL) mid-cycle
and one mid-execution, on PostgreSQL against the simulator served over HTTP. Nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"
MERCHANTS = 4


def test_killed_workers_lose_nothing_and_repeat_nothing(pg_database: str):
    server = pg_database.rsplit("/", 1)[0] + "/postgres"  # the soak makes (and drops) its own database there
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPWARDEN_")}
    done = subprocess.run([sys.executable, str(SOAK), "--merchants", str(MERCHANTS), "--workers", "2",
                           "--concurrency", "2", "--timeout", "400", "--pg", server, "--json"],
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    [figures] = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]

    assert figures["cycles_queued"] == MERCHANTS
    assert figures["cycles_running_at_kill"] > 0  # the kill landed mid-cycle
    assert figures["cycle_jobs_interrupted"] > 0  # and its jobs were found and queued again
    assert figures["cycles_finished"] + figures["cycles_failed"] == MERCHANTS
    assert figures["cycles_unfinished"] == 0
    assert figures["cycles_run_twice"] == 0
    assert figures["writes_executed_twice"] == 0
    assert figures["approvals_approved"] > 0
    assert figures["approvals_executed"] + figures["approvals_failed"] == figures["approvals_approved"]
    assert figures["approvals_unsettled"] == 0
    assert figures["approvals_executed_twice"] == 0
    assert figures["approval_platform_writes_twice"] == 0
    assert figures["audit_rows_missing"] == 0
    assert figures["chains"] >= MERCHANTS
    assert figures["chains_verified"] == figures["chains"]
    assert figures["verify_exit_code"] == 0
