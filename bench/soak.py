"""Multi-process fault soak: `shopwarden worker` processes on PostgreSQL against the simulator served over HTTP.

For each worker count W (default 1, 2 and 4), on a fresh PostgreSQL database:

1. `shopwarden db upgrade` (the installed console script) creates the schema;
2. this process serves the simulator over HTTP on a free port (as `shopwarden sandbox` does) and
   connects N merchants to it through the real TikTok Shop OAuth exchange and Composio consent
   (`shopwarden.evals.setup.seed_merchant`); the market runs two simulated days;
3. one growth-cycle job per merchant is deferred (`defer_slots`, the workers' own periodic path);
4. W `shopwarden worker` subprocesses run them; once half of the cycles are done and some still
   run, every worker is killed with SIGKILL and as many are restarted at once (all of them: nothing
   outside a worker says which process holds which job, and an idle victim would interrupt nothing);
5. when every cycle has ended, the pending approvals are approved (queue mode: each approval's
   execution job is deferred in its own transaction) and, with executions in flight, the workers
   are killed with SIGKILL again and restarted;
6. once the queue has drained, `shopwarden approvals recover` settles what the kill left
   `executing`, `shopwarden audit verify` checks every chain, and the figures are read from the
   database and from the simulator's own request log.

Figures per W: cycles per second (steady rate before the first kill, and over the whole phase),
its ratio to W=1, cycles run twice, writes executed twice, approvals executed twice (audit rows and
platform requests), audit rows missing, cycles never finished, and chains verified.

    .venv/bin/python bench/soak.py [--merchants 1000] [--workers 1,2,4] [--concurrency 4] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cycle import _many_merchants

from shopwarden.agents import deps_from_runtime
from shopwarden.approvals import queue as approvals
from shopwarden.cli.serving import bind, server_for
from shopwarden.config import get_settings
from shopwarden.db.engine import engine_for
from shopwarden.evals.setup import REVIEWER, seed_merchant
from shopwarden.jobs.worker import CYCLE_TASK, EXECUTE_TASK, build_app, defer_slots, ensure_schema
from shopwarden.platforms.simulator import Simulator
from shopwarden.runtime import build_runtime
from shopwarden.security.connections import reset_vault_cache

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
SHOPWARDEN = shutil.which("shopwarden") or str(Path(sys.executable).with_name("shopwarden"))
MUTATING_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SMALL_RUN = 20  # fewer cycles than this: kill as soon as some run (no steady rate is measured)


@dataclass
class Figures:
    workers: int
    merchants: int
    concurrency: int
    seed_seconds: float = 0.0
    cycles_queued: int = 0
    cycle_seconds: float = 0.0  # first worker start to the last cycle's end, kill and restart included
    cycles_per_second: float = 0.0  # over the whole phase
    steady_cycles_per_second: float = 0.0  # from the first finished cycle to the kill
    cycles_finished: int = 0  # done or waiting for a reviewer
    cycles_failed: int = 0
    cycles_unfinished: int = 0  # still `running` when the queue drained: lost to the kill
    cycles_running_at_kill: int = 0
    cycle_jobs_interrupted: int = 0  # jobs the kill left `doing` (retried as stalled by a live worker)
    cycles_run_twice: int = 0  # a merchant's slot with more than one cycle run (run id) in the audit log
    writes_executed_twice: int = 0  # the same write (tool and arguments) executed twice within one cycle run
    approvals_approved: int = 0
    approvals_executing_at_kill: int = 0
    approvals_executed: int = 0
    approvals_failed: int = 0
    approvals_settled_by_recovery: int = 0
    approvals_unsettled: int = 0  # still approved or executing at the end
    approvals_executed_twice: int = 0  # more than one `executed` audit row for one approval
    approval_platform_writes_twice: int = 0  # more than one platform write request for one approval's object
    audit_rows_missing: int = 0  # executed/failed approvals without their final audit row
    chains: int = 0
    chains_verified: int = 0
    verify_exit_code: int = -1
    notes: list[str] = field(default_factory=list)


_T0 = time.perf_counter()


def say(message: str) -> None:
    """Progress on stderr, so a long soak shows where it is."""
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


# --- the environment ---------------------------------------------------------------------------

def _create_database(pg: str) -> str:
    name = f"shopwarden_soak_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_database(pg: str, name: str) -> None:
    with psycopg.connect(pg, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _settings_env(data_dir: Path, database_url: str, simulator: Simulator, base: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SHOPWARDEN_")}
    env.update(simulator.credentials.settings_env(base))
    env.update({
        "SHOPWARDEN_DATA_DIR": str(data_dir),
        "SHOPWARDEN_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SHOPWARDEN_DATABASE_URL": database_url,
        "SHOPWARDEN_APPROVAL_EXECUTION": "queue",
    })
    return env


def _adopt(env: dict[str, str]) -> None:
    """This process acts with the same settings as the workers it starts."""
    for name in [n for n in os.environ if n.startswith("SHOPWARDEN_")]:
        del os.environ[name]
    os.environ.update({k: v for k, v in env.items() if k.startswith("SHOPWARDEN_")})
    get_settings.cache_clear()
    reset_vault_cache()
    engine_for.cache_clear()


@contextmanager
def _served(simulator: Simulator) -> Iterator[str]:
    """The simulator over HTTP on a free port, from a thread of this process (like `shopwarden sandbox`)."""
    sock = bind("127.0.0.1", 0)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    simulator.serve_at(base)
    server = server_for(simulator.asgi_app())
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _cli(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SHOPWARDEN, *args], env=env, capture_output=True, text=True, timeout=timeout)


class Workers:
    """`shopwarden worker` subprocesses, each logging to its own file."""

    def __init__(self, env: dict[str, str], concurrency: int, log_dir: Path) -> None:
        self._env, self._concurrency, self._log_dir = env, concurrency, log_dir
        self.procs: list[subprocess.Popen[bytes]] = []
        self._started = 0

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            log = (self._log_dir / f"worker-{self._started}.log").open("wb")
            self._started += 1
            self.procs.append(subprocess.Popen([SHOPWARDEN, "worker", "--concurrency", str(self._concurrency)],
                                               env=self._env, stdout=log, stderr=subprocess.STDOUT))

    def kill_all_and_restart(self) -> None:
        """SIGKILL every worker at once and start as many again.

        Not one of them: nothing outside a worker says which process holds which job (procrastinate
        keeps no process id), and a victim that happened to be idle would interrupt nothing. Killing
        all makes every running job an interrupted one; the restarted workers must find them.
        """
        victims, self.procs = self.procs, []
        for victim in victims:
            os.kill(victim.pid, signal.SIGKILL)
        for victim in victims:
            victim.wait()
        self.start(len(victims))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def check_alive(self) -> None:
        dead = [p for p in self.procs if p.poll() is not None]
        if dead:
            logs = sorted(self._log_dir.glob("worker-*.log"))
            tail = logs[-1].read_text(errors="replace")[-2000:] if logs else ""
            raise RuntimeError(f"a worker exited by itself (code {dead[0].returncode}):\n{tail}")


# --- reading the database ----------------------------------------------------------------------

def _one(conn: psycopg.Connection[Any], sql: str, *params: Any) -> int:
    row = conn.execute(sql, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _cycle_counts(conn: psycopg.Connection[Any]) -> Counter[str]:
    return Counter(dict(conn.execute("SELECT status, count(*) FROM cycle_runs GROUP BY status").fetchall()))


def _jobs(conn: psycopg.Connection[Any], task: str, *statuses: str) -> int:
    return _one(conn, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = %s AND status = ANY(%s)",
                task, list(statuses))


def _approval_counts(conn: psycopg.Connection[Any]) -> Counter[str]:
    return Counter(dict(conn.execute("SELECT status, count(*) FROM approvals GROUP BY status").fetchall()))


def _wait(until: Any, *, timeout: float, workers: Workers, poll: float = 0.25) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        workers.check_alive()
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout:.0f}s")
        time.sleep(poll)


# --- one soak ----------------------------------------------------------------------------------

async def _seed(simulator: Simulator, count: int) -> Any:
    runtime = build_runtime(simulator=simulator)
    for index in range(count):
        await seed_merchant(runtime, autonomy="guarded", merchant_id=f"m_{index:03d}", sim_merchant=f"m_{index:03d}")
    return runtime


def soak(pg: str, merchants: int, workers_count: int, concurrency: int, timeout: float) -> Figures:
    figures = Figures(workers=workers_count, merchants=merchants, concurrency=concurrency)
    name = _create_database(pg)
    url = pg.rsplit("/", 1)[0] + f"/{name}"
    simulator = Simulator.from_scenario(_many_merchants(merchants), seed=3, skew_reference="virtual")
    try:
        with tempfile.TemporaryDirectory(prefix="shopwarden-soak-") as tmp, _served(simulator) as base:
            data_dir = Path(tmp)
            env = _settings_env(data_dir, url, simulator, base)
            _adopt(env)
            upgraded = _cli(env, "db", "upgrade")
            if upgraded.returncode != 0:
                raise RuntimeError(f"shopwarden db upgrade exited {upgraded.returncode}: {upgraded.stderr[-500:]}")
            say(f"schema ready; seeding {merchants} merchants")
            started = time.perf_counter()
            runtime = asyncio.run(_seed(simulator, merchants))
            figures.seed_seconds = time.perf_counter() - started
            simulator.advance(days=2)
            deps = deps_from_runtime(runtime)
            conninfo = url
            app = build_app(conninfo, lambda: deps, periodic=False)

            async def queue_cycles() -> int:
                await ensure_schema(app)
                async with app.open_async():
                    return await defer_slots(app, deps, simulator.now())

            figures.cycles_queued = asyncio.run(queue_cycles())
            say(f"seeded in {figures.seed_seconds:.1f}s; {figures.cycles_queued} cycles queued")
            log_dir = Path(tempfile.mkdtemp(prefix=f"shopwarden-soak-w{workers_count}-"))
            say(f"worker logs in {log_dir}")
            workers = Workers(env, concurrency, log_dir)
            with psycopg.connect(url, autocommit=True) as conn:
                try:
                    _cycle_phase(conn, workers, figures, timeout)
                    _execution_phase(conn, runtime.engine, workers, figures, simulator, timeout)
                finally:
                    workers.stop()
                recovered = _cli(env, "approvals", "recover", "--older-than", "0")
                settled = re.search(r"settled (\d+) approval", recovered.stdout)
                figures.approvals_settled_by_recovery = int(settled.group(1)) if settled else 0
                verified = _cli(env, "audit", "verify")
                figures.verify_exit_code = verified.returncode
                _measure(conn, figures, simulator)
                figures.chains_verified = _chains_verified(runtime.engine)
            runtime.engine.dispose()
    finally:
        engine_for.cache_clear()
        _drop_database(pg, name)
    return figures


def _cycle_phase(conn: psycopg.Connection[Any], workers: Workers, figures: Figures, timeout: float) -> None:
    """Kill the workers (SIGKILL) with half the cycles ended and some running; restart them; wait for the drain.

    The steady rate is measured from the tenth cycle (of each hundred) ending to the kill: worker start-up
    and the half minute a dead worker's jobs take to be noticed (three missed heartbeats) stay outside it.
    """
    total = figures.cycles_queued
    started = time.perf_counter()
    workers.start(figures.workers)

    def ended() -> int:
        counts = _cycle_counts(conn)
        return counts["done"] + counts["waiting"] + counts["failed"]

    window: list[tuple[float, int]] = []

    def half_done() -> bool:
        done = ended()
        if done >= max(1, total // 10) and not window:
            window.append((time.perf_counter(), done))
        # A small run (the test's four merchants) starts every cycle at once and may end them all at once:
        # waiting for half of them to end could miss the only moment with cycles running.
        enough = done >= max(2, total // 2) or total < SMALL_RUN
        return enough and _cycle_counts(conn)["running"] > 0

    _wait(half_done, timeout=timeout, workers=workers, poll=0.05)
    at_kill, done_at_kill = time.perf_counter(), ended()
    figures.cycles_running_at_kill = _cycle_counts(conn)["running"]
    workers.kill_all_and_restart()
    say(f"cycles: killed every worker with {done_at_kill} ended and {figures.cycles_running_at_kill} running")
    if window and done_at_kill > window[0][1]:  # a small run may be killed before its window opened
        window_start, done_at_start = window[0]
        figures.steady_cycles_per_second = (done_at_kill - done_at_start) / (at_kill - window_start)

    def drained() -> bool:
        return _jobs(conn, CYCLE_TASK, "todo", "doing") == 0

    _wait(drained, timeout=timeout, workers=workers)
    figures.cycle_seconds = time.perf_counter() - started
    say(f"cycle jobs drained after {figures.cycle_seconds:.1f}s")
    figures.cycles_per_second = ended() / figures.cycle_seconds
    figures.cycle_jobs_interrupted = _one(conn, INTERRUPTED_JOBS, CYCLE_TASK)
    if figures.cycles_running_at_kill and not figures.cycle_jobs_interrupted:
        figures.notes.append("the cycle kill left no job to retry")


# Jobs a kill left `doing` that a live worker then found stalled (jobs/stalled.py): put back in the queue
# (procrastinate logs doing -> todo as `deferred_for_retry`), or marked failed because a twin under the
# same queueing lock was already queued. `attempts` alone cannot tell: every finished job has one.
INTERRUPTED_JOBS = """
    SELECT count(*) FROM procrastinate_jobs AS job WHERE job.task_name = %s AND (
        EXISTS (SELECT 1 FROM procrastinate_events AS e WHERE e.job_id = job.id AND e.type = 'deferred_for_retry')
        OR (job.status = 'failed' AND EXISTS (SELECT 1 FROM procrastinate_jobs AS twin
                                              WHERE twin.queueing_lock = job.queueing_lock AND twin.id <> job.id)))"""


def _execution_phase(conn: psycopg.Connection[Any], engine: Any, workers: Workers, figures: Figures,
                     simulator: Simulator, timeout: float) -> None:
    """Approve every pending approval (its execution job deferred in the same transaction) and kill the workers
    (SIGKILL) while executions are in flight: the platform answers writes slowly (0.5 s) meanwhile, so
    the kill lands between an approval's claim and its final state."""
    from shopwarden.jobs.worker import enqueue_execution

    pending = approvals.list_approvals(engine, status="pending")
    simulator.faults.add("*", "latency", seconds=0.5, method="POST")
    for approval in pending:
        assert approval.id is not None
        approvals.approve(engine, approval.id, reviewer=REVIEWER, merchant_id=approval.merchant_id,
                          after_approve=enqueue_execution)
    figures.approvals_approved = len(pending)
    if not pending:
        figures.notes.append("no approval was pending after the cycles: the execution kill was not exercised")
        return

    def in_flight() -> bool:
        return _approval_counts(conn)["executing"] > 0 or _jobs(conn, EXECUTE_TASK, "todo", "doing") == 0

    _wait(in_flight, timeout=timeout, workers=workers, poll=0.02)
    figures.approvals_executing_at_kill = _approval_counts(conn)["executing"]
    workers.kill_all_and_restart()
    say(f"executions: killed every worker with {figures.approvals_executing_at_kill} executing")
    _wait(lambda: _jobs(conn, EXECUTE_TASK, "todo", "doing") == 0, timeout=timeout, workers=workers)
    simulator.faults.clear()
    say("execution jobs drained")


def _measure(conn: psycopg.Connection[Any], figures: Figures, simulator: Simulator) -> None:
    cycles = _cycle_counts(conn)
    figures.cycles_finished = cycles["done"] + cycles["waiting"]
    figures.cycles_failed = cycles["failed"]
    figures.cycles_unfinished = cycles["running"]
    figures.cycles_run_twice = _one(conn, """
        SELECT count(*) FROM (SELECT merchant_id FROM tool_executions WHERE run_id LIKE 'run_%%'
                              GROUP BY merchant_id HAVING count(DISTINCT run_id) > 1) AS twice""")
    figures.writes_executed_twice = _one(conn, """
        SELECT count(*) FROM (SELECT 1 FROM tool_executions
                              WHERE mutating AND outcome = 'executed' AND approval_id IS NULL
                              GROUP BY merchant_id, run_id, tool, args_redacted::text HAVING count(*) > 1) AS twice""")
    states = _approval_counts(conn)
    figures.approvals_executed, figures.approvals_failed = states["executed"], states["failed"]
    figures.approvals_unsettled = states["approved"] + states["executing"]
    figures.approvals_executed_twice = _one(conn, """
        SELECT count(*) FROM (SELECT approval_id FROM tool_executions
                              WHERE approval_id IS NOT NULL AND outcome = 'executed' AND surface <> 'approvals'
                              GROUP BY approval_id HAVING count(*) > 1) AS twice""")
    figures.audit_rows_missing = _one(conn, """
        SELECT count(*) FROM approvals a WHERE a.status IN ('executed', 'failed')
          AND NOT EXISTS (SELECT 1 FROM tool_executions t WHERE t.approval_id = a.id AND t.surface <> 'approvals'
                          AND t.outcome IN ('executed', 'failed', 'denied', 'invalid'))""")
    figures.approval_platform_writes_twice = _platform_writes_twice(conn, simulator)
    figures.chains = _one(conn, "SELECT count(DISTINCT merchant_id) FROM tool_executions")


def _platform_writes_twice(conn: psycopg.Connection[Any], simulator: Simulator) -> int:
    """Approvals whose object got more than one write request on the platform after approval began."""
    executed = conn.execute("SELECT id, args FROM approvals WHERE status IN ('executed', 'failed')").fetchall()
    writes: Counter[str] = Counter()
    for request in list(simulator.requests):
        if request.method in MUTATING_METHODS and not request.path.startswith("/sim/"):
            writes[json.dumps(request.body, sort_keys=True, default=str)] += 1
    twice = 0
    for _approval_id, args in executed:
        object_ids = [str(v) for k, v in (args or {}).items() if k.endswith("_id") and k != "advertiser_id"]
        if not object_ids:
            continue
        hits = sum(count for body, count in writes.items() if all(f'"{oid}"' in body for oid in object_ids)
                   and "status" in body.lower())
        if hits > 1:
            twice += 1
    return twice


def _chains_verified(engine: Any) -> int:
    from shopwarden.audit.verify import verify_chain

    report = verify_chain(engine)
    broken = {problem.split(":", 1)[0] for problem in report.problems}
    return report.merchants_checked - len(broken)


# --- the table ---------------------------------------------------------------------------------

def print_table(results: list[Figures]) -> None:
    base = next((r for r in results if r.workers == 1), results[0])
    base_rate = base.steady_cycles_per_second or base.cycles_per_second
    header = (f"{'W':>2} {'merch':>6} {'cyc/s steady':>12} {'ratio':>6} {'cyc/s all':>9} {'unfin':>5} "
              f"{'run2x':>5} {'wr2x':>4} {'appr':>5} {'ex2x':>4} {'plat2x':>6} {'recov':>5} {'unset':>5} "
              f"{'miss':>4} {'chains ok':>11} {'verify':>6}")
    print(header)
    print("-" * len(header))
    for r in results:
        rate = r.steady_cycles_per_second or r.cycles_per_second
        print(f"{r.workers:>2} {r.merchants:>6} {rate:>12.2f} {rate / base_rate:>6.2f} {r.cycles_per_second:>9.2f} "
              f"{r.cycles_unfinished:>5} {r.cycles_run_twice:>5} {r.writes_executed_twice:>4} "
              f"{r.approvals_approved:>5} {r.approvals_executed_twice:>4} {r.approval_platform_writes_twice:>6} "
              f"{r.approvals_settled_by_recovery:>5} {r.approvals_unsettled:>5} {r.audit_rows_missing:>4} "
              f"{r.chains_verified:>5}/{r.chains:<5} {r.verify_exit_code:>6}")
    for r in results:
        print(f"W={r.workers}: seeded {r.merchants} merchants in {r.seed_seconds:.0f}s; {r.cycles_queued} cycles in "
              f"{r.cycle_seconds:.1f}s ({r.cycles_running_at_kill} running at the kill, "
              f"{r.cycle_jobs_interrupted} job(s) retried as stalled); {r.cycles_finished} finished, "
              f"{r.cycles_failed} failed; approvals: {r.approvals_executed} executed, {r.approvals_failed} failed, "
              f"{r.approvals_executing_at_kill} executing at the kill" + "".join(f"; {n}" for n in r.notes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--merchants", type=int, default=1000)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated worker counts")
    parser.add_argument("--concurrency", type=int, default=4, help="jobs per worker process")
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds each phase may take")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON lines instead")
    options = parser.parse_args()
    results = []
    for count in (int(w) for w in options.workers.split(",")):
        figures = soak(options.pg, options.merchants, count, options.concurrency, options.timeout)
        results.append(figures)
        if options.json:
            print(json.dumps(asdict(figures)), flush=True)
        else:  # the table so far after each worker count: a soak cut short still leaves its figures
            print_table(results)
            print(flush=True)


if __name__ == "__main__":
    main()
