"""`shopwarden audit anchor|verify|rekey` through the front door: the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from shopwarden.cli import app
from shopwarden.db.engine import session_scope

SHOPWARDEN = shutil.which("shopwarden") or "/work/main/.venv/bin/shopwarden"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([SHOPWARDEN, *args], capture_output=True, text=True, env=env, timeout=120)


def test_anchor_then_verify_then_truncation_is_caught(db_url, tmp_path: Path) -> None:
    assert _run("merchant", "add", "m-cli", "--autonomy", "guarded").returncode == 0
    assert _run("merchant", "add", "m-two").returncode == 0
    anchor = tmp_path / "anchors" / "heads.json"
    made = _run("audit", "anchor", "--out", str(anchor))
    assert made.returncode == 0, made.stdout + made.stderr
    assert "anchored 2 chain head(s) (2 row(s))" in made.stdout
    assert {c["merchant_id"] for c in json.loads(anchor.read_text())["chains"]} == {"m-cli", "m-two"}

    ok = _run("audit", "verify", "--anchor", str(anchor))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "checked 2 row(s) in 2 chain(s); 2 registered merchant(s) must each have a chain" in ok.stdout
    assert "signature valid" in ok.stdout and "1 chain head(s)" not in ok.stdout
    assert "audit log intact" in ok.stdout

    from shopwarden.db.engine import engine_for

    with session_scope(engine_for(db_url)) as session:
        session.execute(text("DELETE FROM tool_executions WHERE merchant_id = 'm-two'"))
        session.execute(text("DELETE FROM audit_heads WHERE merchant_id = 'm-two'"))
    broken = _run("audit", "verify", "--anchor", str(anchor))
    assert "broken: merchant m-two: no audit chain, although it is a registered merchant" in broken.stdout
    assert "audit log intact" not in broken.stdout


def test_failures_end_the_command_with_exit_1(sqlite_url, tmp_path: Path) -> None:
    """The exit code itself, through typer (the console script's central exit-code handling is the cli's)."""
    runner = CliRunner()
    assert runner.invoke(app, ["merchant", "add", "m-x"]).exit_code == 0
    anchor = tmp_path / "a.json"
    assert runner.invoke(app, ["audit", "anchor", "--out", str(anchor)]).exit_code == 0
    document = json.loads(anchor.read_text())
    document["chains"][0]["seq"] = 0
    anchor.write_text(json.dumps(document))
    forged = runner.invoke(app, ["audit", "verify", "--anchor", str(anchor)])
    assert forged.exit_code == 1
    assert "the signature does not match its content" in forged.output

    from shopwarden.db.engine import engine_for

    with session_scope(engine_for(sqlite_url)) as session:
        session.execute(text("UPDATE tool_executions SET outcome = 'denied'"))
    edited = runner.invoke(app, ["audit", "verify"])
    assert edited.exit_code == 1 and "the row was edited" in edited.output
    refused = runner.invoke(app, ["audit", "anchor", "--out", str(tmp_path / "b.json")])
    assert refused.exit_code == 1 and "no anchor written" in refused.output
    assert not (tmp_path / "b.json").exists()
    rekeyed = runner.invoke(app, ["audit", "rekey"])
    assert rekeyed.exit_code == 1 and "not re-keyed" in rekeyed.output
