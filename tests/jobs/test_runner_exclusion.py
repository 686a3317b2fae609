"""`shopwarden schedule` and `shopwarden worker` never run cycles on one database at once (jobs/runners.py):
the one that starts second refuses with exit code 2 and says what is running; any number of workers (or of
schedulers) share a database. Through the installed console script on PostgreSQL, and the lock itself."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cli"))
from installed_cli import installed_script, shopwarden

from shopwarden.db.engine import engine_for
from shopwarden.errors import RunnerConflict
from shopwarden.jobs.runners import LOCK_KEYS, sole_kind_of_runner

HELD = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        "AND classid = %s::bigint::oid AND objid = %s::bigint::oid")  # this database's runners only


def holders(url: str, runner: str) -> int:
    key = LOCK_KEYS[runner]  # type: ignore[index]
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(HELD, (key >> 32, key & 0xFFFF_FFFF)).fetchone()
    return int(row[0]) if row else 0


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([installed_script(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COLUMNS": "200"}, start_new_session=True)


def wait_until_holding(url: str, runner: str, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while holders(url, runner) == 0:
        if process.poll() is not None:
            pytest.fail(f"{runner} ended with {process.returncode}: {process.stderr.read() if process.stderr else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"{runner} did not take its place within {timeout}s")
        time.sleep(0.2)


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_a_schedule_refuses_while_a_worker_runs_and_runs_once_it_stopped(pg_url: str) -> None:
    worker = start("worker", "--concurrency", "1")
    try:
        wait_until_holding(pg_url, "worker", worker)
        refused = shopwarden("schedule", "--once")
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "`shopwarden worker` is running on this database" in refused.stdout + refused.stderr
    finally:
        stop(worker)  # kill -9: its session, and with it the lock, goes
    deadline = time.monotonic() + 30
    while holders(pg_url, "worker") and time.monotonic() < deadline:
        time.sleep(0.2)
    ran = shopwarden("schedule", "--once")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_a_worker_refuses_while_a_schedule_runs(pg_url: str) -> None:
    schedule = start("schedule", "--tick", "3600")
    try:
        wait_until_holding(pg_url, "schedule", schedule)
        refused = shopwarden("worker", timeout=120)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "`shopwarden schedule` is running on this database" in refused.stdout + refused.stderr
        assert schedule.poll() is None  # the running scheduler is untouched
    finally:
        stop(schedule)


async def test_runners_of_one_kind_share_a_database_and_keep_the_other_kind_out(pg_url: str) -> None:
    engine = engine_for(pg_url)
    entered = asyncio.Event()
    release = asyncio.Event()

    async def worker_holding() -> None:
        async with sole_kind_of_runner(engine, "worker"):
            entered.set()
            await release.wait()

    # Two workers starting together: neither mistakes the other for a scheduler.
    both = [asyncio.create_task(worker_holding()), asyncio.create_task(worker_holding())]
    await asyncio.wait_for(entered.wait(), 30)
    while holders(pg_url, "worker") < 2:
        await asyncio.sleep(0.05)
    with pytest.raises(RunnerConflict, match="`shopwarden worker` is running"):
        async with sole_kind_of_runner(engine, "schedule"):
            pytest.fail("a scheduler started beside two workers")
    assert holders(pg_url, "schedule") == 0  # the refused scheduler left nothing held
    release.set()
    await asyncio.gather(*both)
    assert holders(pg_url, "worker") == 0

    async with sole_kind_of_runner(engine, "schedule"), sole_kind_of_runner(engine, "schedule"):
        assert holders(pg_url, "schedule") == 2  # schedulers share too (slots are claimed once)

