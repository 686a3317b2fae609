"""Start-up time of the installed `shopwarden` command for commands that touch no platform.

Each command runs as a fresh subprocess (the way a person or a cron job runs it) in a fresh data
directory made by `shopwarden init`; the median of --runs wall-clock times is printed, with the
1.5 s target beside it.

    .venv/bin/python bench/startup.py [--runs 5] [--exe PATH]

Measured on the 2-core shared machine (medians, seconds), before (heavy clients imported at
start-up: Composio alone ~2.4 s) and after (lazy imports, alembic only when the schema is read):

    command            quiet machine        load ~10 on 2 cores
                       before   after       before   after
    --help              4.17    0.54        10.07    1.55
    approvals --help    3.71    0.55         9.36    1.41
    approvals list      4.21    0.73        10.32    2.19
    audit verify        3.67    0.80        17.15    3.60
    merchant show       3.70    1.01        15.30    3.16
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 1.5
COMMANDS: tuple[tuple[str, ...], ...] = (
    ("--help",),
    ("approvals", "--help"),
    ("merchant", "list"),
    ("approvals", "list"),
    ("audit", "verify"),
    ("merchant", "show", "m1"),
)


def installed_command(explicit: str | None) -> str:
    if explicit:
        return explicit
    beside = Path(sys.executable).with_name("shopwarden")
    return str(beside) if beside.exists() else (shutil.which("shopwarden") or "shopwarden")


def time_command(exe: str, args: tuple[str, ...], env: dict[str, str], runs: int) -> tuple[float, int]:
    seconds: list[float] = []
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run([exe, *args], env=env, capture_output=True, check=False)
        seconds.append(time.perf_counter() - started)
        code = done.returncode
    return statistics.median(seconds), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exe", default=None, help="The shopwarden script (default: beside this Python).")
    args = parser.parse_args()
    exe = installed_command(args.exe)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "SHOPWARDEN_DATA_DIR": tmp, "COLUMNS": "200"}
        env.pop("SHOPWARDEN_DATABASE_URL", None)
        subprocess.run([exe, "init"], env=env, capture_output=True, check=True)
        subprocess.run([exe, "merchant", "add", "m1"], env=env, capture_output=True, check=False)
        print(f"{'command':<32} {'median s':>9} {'exit':>5}  target {TARGET_SECONDS} s ({args.runs} runs each)")
        worst = 0.0
        for command in COMMANDS:
            median, code = time_command(exe, command, env, args.runs)
            worst = max(worst, median)
            print(f"{' '.join(command):<32} {median:>9.2f} {code:>5}")
        verdict = "within" if worst <= TARGET_SECONDS else "OVER"
        print(f"slowest median {worst:.2f} s: {verdict} the {TARGET_SECONDS} s target")


if __name__ == "__main__":
    main()
