"""Run the installed `shopwarden` console script as a subprocess, the way a person or a cron job does."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def installed_script() -> str:
    """The console script installed beside this Python (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("shopwarden")
    if beside.exists():
        return str(beside)
    found = shutil.which("shopwarden")
    if found is None:
        pytest.fail("the shopwarden console script is not installed (pip install -e .)", pytrace=False)
    return found


def shopwarden(*args: str, env: dict[str, str] | None = None, input: str | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`shopwarden ARGS...` with the test's environment (isolated settings) plus `env`."""
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([installed_script(), *args], capture_output=True, text=True, env=full_env,
                          input=input, timeout=timeout, check=False)
