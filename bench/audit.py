"""Audit log figures: the cost of one HMAC-chained `tool_executions` write, and of verifying a chain.

Our CPU per write (this process only) is printed next to the wall-clock figures, which a busy
machine inflates.

1. `audit.record` (own transaction: chain lock, head read, row insert, head move, commit), p50/p99,
   on SQLite and PostgreSQL, with gate-sized arguments and policy input;
2. the same write inside a transaction the caller already holds (how the gate writes it);
3. `verify_chain` throughput over the rows written.

    .venv/bin/python bench/audit.py [--writes 2000] [--pg URL]
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from shopwarden.audit.chain import AuditEntry, record, record_execution
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import make_engine, session_scope, upgrade
from shopwarden.db.models import Merchant

POLICY_INPUT: dict[str, Any] = {
    "tool": "update_budget", "action": "mutate", "now": "2026-11-20T18:00:00+00:00",
    "args": {"advertiser_id": "7000000000000000001", "object_type": "campaign", "object_id": "1800000000000000001",
             "budget": "110"},
    "merchant": {"id": "m-bench", "autonomy": "guarded", "limits": {"daily_budget_change_pct": 20}},
    "agent": {"id": "growth_marketer", "allowed_tools": ["update_budget", "pause_ads", "enable_ads"]},
    "state": {"object_type": "campaign", "object_id": "1800000000000000001", "object_name": "Summer", "currency": "USD",
              "budget_mode": "BUDGET_MODE_DAY", "current_budget": "100", "start_of_day_budget": "100",
              "day": "2026-11-20", "account_increase_today": "0", "status": "ENABLE",
              "resource_merchant_id": "m-bench"},
    "request": {},
}


def _entry(i: int) -> AuditEntry:
    return AuditEntry(
        merchant_id="m-bench", agent_id="growth_marketer", run_id="run-bench", tool="update_budget", surface="ads",
        mutating=True, args=POLICY_INPUT["args"], input_bytes=140, decision="allow", reasons=[], reason_codes=[],
        policy_version="sha256:bench", policy_input=POLICY_INPUT, duration_ms=0.8, outcome="executed",
        platform_request_id=f"req-{i}", result_summary={"object_id": "1800000000000000001"},
    )


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _figures(label: str, what: str, samples: list[float], cpu_ms: float) -> None:
    print(f"audit {what:<28} {label:<10} p50 {statistics.median(samples):6.3f} ms   p99 {_p(samples, 0.99):6.3f} ms"
          f"   our CPU {cpu_ms / len(samples):6.3f} ms/write   ({len(samples)} writes)")


def bench(url: str, label: str, writes: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        session.add(Merchant(id="m-bench", autonomy="guarded"))
    for i in range(50):  # warm up the pool and statement caches
        record(engine, _entry(i))

    own: list[float] = []
    cpu = time.process_time()
    for i in range(writes):
        start = time.perf_counter()
        record(engine, _entry(i))
        own.append((time.perf_counter() - start) * 1000)
    _figures(label, "write (own transaction)", own, (time.process_time() - cpu) * 1000)

    inside: list[float] = []
    cpu = time.process_time()
    for i in range(writes):
        with session_scope(engine) as session:
            session.connection()  # the caller's transaction is already open, as in the gate
            start = time.perf_counter()
            record_execution(session, _entry(i))
            inside.append((time.perf_counter() - start) * 1000)
    _figures(label, "write (caller's transaction)", inside, (time.process_time() - cpu) * 1000)

    start = time.perf_counter()
    report = verify_chain(engine, "m-bench")
    seconds = time.perf_counter() - start
    assert report.ok, report.problems
    print(f"audit verify                       {label:<10} {report.rows_checked} rows in {seconds * 1000:.0f} ms "
          f"({report.rows_checked / seconds:,.0f} rows/s)")
    engine.dispose()


def _pg_database(server_url: str) -> str | None:
    name = f"shopwarden_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"PostgreSQL skipped: {str(exc).splitlines()[0]}")
        return None
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def _drop(server_url: str, url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    # Rows are chained under an audit key derived from the master key: a throw-away one for the bench.
    os.environ.setdefault("SHOPWARDEN_MASTER_KEY", base64.b64encode(os.urandom(32)).decode())
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{Path(tmp) / 'audit.db'}", "SQLite", options.writes)
    pg = _pg_database(options.pg)
    if pg is not None:
        try:
            bench(pg, "PostgreSQL", options.writes)
        finally:
            _drop(options.pg, pg)


if __name__ == "__main__":
    main()
