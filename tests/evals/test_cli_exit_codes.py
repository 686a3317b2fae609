"""The installed command passes a command's `typer.Exit(n)` on as its exit status (not 0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

SHOPWARDEN = str(Path(sys.executable).parent / "shopwarden")


def test_a_command_that_exits_1_makes_the_process_exit_1(tmp_path: Path):
    case = {"name": "wrong", "family": "t", "world": {"scenario": "small_shop"}, "days": 1,
            "expect": [{"state": "campaign:1800000000000000001", "field": "status", "eq": "DISABLE"}]}
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "wrong.yaml").write_text(yaml.safe_dump(case))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPWARDEN_")}
    done = subprocess.run([SHOPWARDEN, "eval", "run", "--suite", str(tmp_path / "s"), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "eval: 0 passed, 1 failed" in done.stdout
