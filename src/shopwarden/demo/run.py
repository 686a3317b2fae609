"""`shopwarden demo`: a merchant's first few days with shopwarden, against the in-process simulator.

No account, no key, no network: a fresh demo data dir (SQLite, a local master key), the embedded
policy engine, the Shop connected through the real OAuth code path and Ads through the Composio
SDK (both answered by the simulator), a few simulated days of growth cycles, one more cycle with a
scripted misbehaving model (refused by the gate), one queued action approved and one rejected through
the reviewer's code path, then the audit log summary and its verification.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shopwarden import audit
from shopwarden.agents import CycleSummary, deps_from_runtime, resume_cycle, run_cycle
from shopwarden.agents.render import actions_table, print_summary
from shopwarden.approvals import queue as approvals
from shopwarden.approvals.reviewing import approve_and_execute
from shopwarden.db.engine import engine_for, upgrade
from shopwarden.demo.misbehaving import misbehaving_strategies
from shopwarden.evals.setup import REVIEWER, point_settings_at, prepare_environment, seed_merchant
from shopwarden.platforms.simulator import Simulator
from shopwarden.runtime import build_runtime

DEFAULT_DATA_DIR = Path(".shopwarden-demo")
SIMULATOR_STATE = "simulator.json"  # in the data dir: the demo's simulator, for the processes that come after
SCENARIO = "small_shop"
# Warehouse counts the merchant reports: the warm-white lamp is back in stock in Dallas (a small
# correction), and a large matcha delivery arrived in Los Angeles (big enough to need a reviewer).
STOCK_COUNTS = [
    {"product_id": "1729000000000000004", "sku_id": "1729000000000004001", "warehouse_id": "7300000000000000103",
     "quantity": 40},
    {"product_id": "1729000000000000003", "sku_id": "1729000000000003001", "warehouse_id": "7300000000000000101",
     "quantity": 400},
]
# A tight account-wide cap on daily budget increases, so the demo shows a refusal with its reason.
DEMO_LIMITS = {"account_daily_increase_max": 30}


@dataclass
class DemoResult:
    merchant_id: str
    cycles: list[CycleSummary] = field(default_factory=list)
    approved: CycleSummary | None = None
    audit_rows: int = 0
    audit_ok: bool = False
    seconds: float = 0.0
    runtime: Any = None  # the runtime on the demo's simulator (`shopwarden serve --demo` keeps using it)


async def run_demo(console: Console, *, days: int = 3, data_dir: Path = DEFAULT_DATA_DIR, seed: int = 42) -> DemoResult:
    started = time.perf_counter()
    prepare_environment(data_dir)
    simulator = Simulator.from_scenario(SCENARIO, seed=seed)
    settings = point_settings_at(simulator)
    upgrade(engine_for(settings.effective_database_url))
    runtime = build_runtime(settings, simulator=simulator)
    deps = deps_from_runtime(runtime)

    with console.status("connecting the demo merchant's TikTok Shop (OAuth) and TikTok Ads (Composio)..."):
        seeded = await seed_merchant(runtime, autonomy="guarded", limits=DEMO_LIMITS,
                                  settings={"stock_counts": STOCK_COUNTS})
    console.print(f"[bold]{seeded.merchant_id}[/bold] connected: shop={'yes' if seeded.shop_connected else 'no'}, "
                  f"advertisers={', '.join(seeded.advertiser_ids)}; autonomy guarded, reviewer {REVIEWER}")
    for note in seeded.notes:
        console.print(f"[yellow]{escape(note)}[/yellow]")

    result = DemoResult(seeded.merchant_id, runtime=runtime)
    for day in range(1, days + 1):
        with console.status(f"day {day}: the market moves, then the growth cycle runs..."):
            simulator.advance(days=1)
            summary = await run_cycle(deps, seeded.merchant_id, slot=f"demo-day-{day}")
        result.cycles.append(summary)
        console.rule(f"day {day} — {simulator.now():%Y-%m-%d}")
        print_summary(console, summary, table=False)

    result.cycles.append(await _misbehaving_model_cycle(console, runtime, simulator, seeded.merchant_id))
    result.approved = await _approve_one(console, runtime, deps, result.cycles)
    await _reject_one(console, runtime, result.cycles)
    result.cycles = [await resume_cycle(deps, c.run_id) if c.status == "waiting" else c for c in result.cycles]
    console.rule("all actions")
    console.print(actions_table(result.cycles, title=f"{len(result.cycles)} cycles"))
    _audit_summary(console, runtime, result)
    result.seconds = time.perf_counter() - started
    simulator.keep_in(data_dir / SIMULATOR_STATE)  # the world the leftover approvals act on, for later processes
    console.print(f"demo finished in {result.seconds:.1f}s; data in {data_dir}/ (rerun starts clean)")
    _how_to_continue(console, runtime, simulator, data_dir, result.merchant_id)
    return result


def _how_to_continue(console: Console, runtime, simulator: Simulator, data_dir: Path, merchant_id: str) -> None:
    """The last lines: how to look at the demo's data with the CLI and the console, and where to go on."""
    from shopwarden.api.auth import issue_token
    from shopwarden.demo.sandbox import write_env_file

    env_file = data_dir / "env"
    token = issue_token(runtime.engine, merchant_id, REVIEWER)
    write_env_file(env_file, {**simulator.credentials.settings_env(),
                              "SHOPWARDEN_SIMULATOR_STATE": str((data_dir / SIMULATOR_STATE).resolve()),
                              "SHOPWARDEN_DATA_DIR": str(data_dir.resolve()),
                              "SHOPWARDEN_MASTER_KEY_FILE": str((data_dir / "master.key").resolve()),
                              "SHOPWARDEN_REVIEWER_TOKEN": token})
    console.rule("look further")
    console.print(f"point the CLI at the demo's data:  source {env_file}   (then e.g. `shopwarden audit list`, "
                  f"`shopwarden approvals list`, `shopwarden merchant show {merchant_id}`)", highlight=False)
    console.print(f"serve the console on it:          source {env_file} && shopwarden serve --port 8000, then open "
                  f"http://127.0.0.1:8000/review with {REVIEWER}'s fresh token (in {env_file})", highlight=False)
    console.print(f"approve what is still waiting:    source {env_file} && shopwarden approvals approve ID   (it "
                  f"executes against the demo's simulator, saved in {data_dir / SIMULATOR_STATE}; "
                  f"`shopwarden sim snapshot` shows its state); a served simulator and console: make sandbox",
                  highlight=False)


async def _misbehaving_model_cycle(console: Console, runtime, simulator: Simulator, merchant_id: str) -> CycleSummary:
    """One more cycle with a scripted model in the Growth Marketer's seat: the gate refuses what it tries."""
    advertiser = simulator.scenario.merchants[0].advertisers[0]
    paused = next(c.id for c in advertiser.campaigns if c.status == "DISABLE")  # the reviewer may turn it on later
    deps = deps_from_runtime(runtime, misbehaving_strategies(advertiser.id, advertiser.campaigns[0].id, paused))
    with console.status("a misbehaving model takes the Growth Marketer's seat..."):
        summary = await run_cycle(deps, merchant_id, slot="demo-misbehaving-model")
    console.rule("same day — a scripted, misbehaving model as the Growth Marketer")
    print_summary(console, summary, table=False)
    for action in summary.actions:
        console.print(f"[red]{action.verdict}[/red] " + escape(f"{action.tool} {action.target}: "
                                                               f"{'; '.join(action.reasons)}"), highlight=False)
    return summary


async def _approve_one(console: Console, runtime, deps, cycles: list[CycleSummary]) -> CycleSummary | None:
    """A reviewer approves one queued action through the reviewers' one approve path (CLI, API, page).

    A GMV Max launch goes first when one waits: it is the action no autonomy level runs alone."""
    waiting = [(c, a, a.approval_id) for c in cycles for a in c.actions
               if a.verdict == "waiting" and a.approval_id is not None]
    waiting.sort(key=lambda triple: triple[1].tool != "launch_gmv_max_campaign")
    if not waiting:
        console.print("nothing is waiting for a reviewer")
        return None
    cycle, action, approval_id = waiting[0]
    console.rule(f"{REVIEWER} approves #{approval_id}: {action.tool} {action.target}")
    reviewed = await approve_and_execute(runtime.engine, approval_id, reviewer=REVIEWER,
                                         runtime_factory=lambda: runtime, note="looks good, go live",
                                         settings=runtime.settings)
    result = reviewed.result
    assert result is not None  # inline: the demo's environment never queues executions
    console.print(escape(f"gate: {result.outcome.value} — {'; '.join(result.reasons)}"), highlight=False)
    resumed = await resume_cycle(deps, cycle.run_id, {str(action.approval_id): "approved"})
    line = next(a for a in resumed.actions if a.approval_id == action.approval_id)
    console.print(f"cycle {resumed.run_id} resumed: #{action.approval_id} is {line.verdict}; "
                  f"{len(resumed.waiting_approval_ids())} still waiting", highlight=False)
    return resumed


async def _reject_one(console: Console, runtime, cycles: list[CycleSummary]) -> None:
    """A reviewer turns one queued action down, with the reason the agent and the merchant will read."""
    waiting = [(a, a.approval_id) for c in cycles for a in c.actions if a.verdict == "waiting"
               and a.approval_id is not None
               and approvals.get_approval(runtime.engine, a.approval_id).status == "pending"]  # not the one approved
    decided = {i for a, i in waiting if a.tool == "update_sku_inventory"} or {i for _, i in waiting}
    if len(waiting) < 2 or not decided:  # one stays waiting, for the person who looks further
        return
    approval_id = min(decided)
    approvals.reject(runtime.engine, approval_id, reviewer=REVIEWER, reason="recount the delivery first",
                     distinct_approver=runtime.settings.require_distinct_approver)
    console.print(f"{REVIEWER} rejects #{approval_id}: recount the delivery first", highlight=False)


def _audit_summary(console: Console, runtime, result: DemoResult) -> None:
    rows = audit.list_executions(runtime.engine, merchant_id=result.merchant_id, limit=100_000)
    table = Table(title="audit log (tool_executions)")
    table.add_column("outcome")
    table.add_column("rows", justify="right")
    for outcome, count in sorted(audit.summarize_outcomes(rows).items()):
        table.add_row(outcome, str(count))
    console.print(table)
    report = audit.verify_chain(runtime.engine, result.merchant_id)
    result.audit_rows, result.audit_ok = report.rows_checked, report.ok
    verdict = "[green]OK[/green]" if report.ok else f"[red]BROKEN[/red]: {'; '.join(report.problems)}"
    console.print(f"audit verify: {report.rows_checked} rows, hash chain {verdict}")
