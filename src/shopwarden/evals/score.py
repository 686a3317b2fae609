"""`shopwarden eval`: replay a scenario with the agents and score what they did against doing nothing.

Two simulators start from the same scenario and seed. One runs a growth cycle per simulated day
through the real gate, policies and audit log; the other only lets the days pass. The market is
deterministic for a seed, so the difference between the two is the agents' doing. The report
scores sales, ad spend, attributed ROAS and sales lost to stock-outs, lists the actions by
verdict, and checks the audit chain. `--policies DIR` replays the same scenario under another
policy version; `approve_all` stands in for a reviewer who approves every queued action.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from shopwarden import audit
from shopwarden.agents import CycleSummary, deps_from_runtime, resume_cycle, run_cycle
from shopwarden.agents.deps import rule_strategies
from shopwarden.approvals import queue as approvals
from shopwarden.approvals.reviewing import approve_and_execute
from shopwarden.config import Settings
from shopwarden.db.engine import engine_for, upgrade
from shopwarden.evals.isolation import isolated_settings
from shopwarden.evals.setup import REVIEWER, seed_merchant
from shopwarden.platforms.simulator import Simulator
from shopwarden.runtime import build_runtime

CENTS = Decimal("0.01")


class MarketTotals(BaseModel):
    """What happened in the simulated market over the evaluated days."""

    sales: Decimal = Decimal(0)
    units_sold: int = 0
    ad_spend: Decimal = Decimal(0)
    attributed_value: Decimal = Decimal(0)
    units_lost_to_stockouts: int = 0
    skus_out_of_stock_at_end: int = 0

    @property
    def roas(self) -> Decimal | None:
        return (self.attributed_value / self.ad_spend).quantize(CENTS) if self.ad_spend else None


class EvalReport(BaseModel):
    scenario: str
    seed: int
    days: int
    autonomy: str
    policy_version: str
    approve_all: bool
    with_agents: MarketTotals
    baseline: MarketTotals
    verdicts: dict[str, int]
    waiting_at_end: int
    audit_rows: int
    audit_ok: bool
    seconds: float

    @property
    def sales_uplift(self) -> Decimal:
        return self.with_agents.sales - self.baseline.sales

    @property
    def uplift_after_ad_spend(self) -> Decimal:
        """Extra sales minus extra ad spend (not profit: the scenarios have no product costs)."""
        return self.sales_uplift - (self.with_agents.ad_spend - self.baseline.ad_spend)

    def as_json(self) -> dict[str, Any]:
        return {**self.model_dump(mode="json"), "sales_uplift": str(self.sales_uplift),
                "uplift_after_ad_spend": str(self.uplift_after_ad_spend),
                "roas_with_agents": _text(self.with_agents.roas), "roas_baseline": _text(self.baseline.roas)}


@dataclass
class _Window:
    """The market's state when evaluation starts, to count only what happens after."""

    first_order_time: int
    days_before: set[date]
    lost_before: int
    cycles: list[CycleSummary] = field(default_factory=list)


async def evaluate(scenario: str | Path, *, days: int = 7, seed: int = 0, autonomy: str = "guarded",
                   approve_all: bool = False, policies_dir: Path | None = None,
                   data_dir: Path | None = None) -> EvalReport:
    """Run the scenario with the agents and without them; score both over the same days."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="shopwarden-eval-") as scratch:
        data = data_dir or Path(scratch) / "data"
        if data.exists():
            shutil.rmtree(data)
        simulator = Simulator.from_scenario(scenario, seed=seed)
        baseline = Simulator.from_scenario(scenario, seed=seed)
        # The run's own settings, put back exactly afterwards (`--policies` used to stay set).
        with isolated_settings(data, simulator.credentials.settings_env(), policies_dir) as settings:
            result = await _score(scenario, settings, simulator, baseline, days=days, seed=seed,
                                  autonomy=autonomy, approve_all=approve_all, started=started)
    return result


async def _score(scenario: str | Path, settings: Settings, simulator: Simulator, baseline: Simulator, *, days: int,
                 seed: int, autonomy: str, approve_all: bool, started: float) -> EvalReport:
    upgrade(engine_for(settings.effective_database_url))
    runtime = build_runtime(settings, simulator=simulator)
    deps = deps_from_runtime(runtime, rule_strategies())
    seeded = await seed_merchant(runtime, autonomy=autonomy)

    window, baseline_window = _window(simulator), _window(baseline)
    for day in range(1, days + 1):
        simulator.advance(days=1)
        baseline.advance(days=1)
        summary = await run_cycle(deps, seeded.merchant_id, slot=f"eval-day-{day}")
        if approve_all and summary.waiting_approval_ids():
            summary = await _approve_everything(runtime, deps, summary)
        window.cycles.append(summary)
    # The last cycle's changes take effect over one more day, in both worlds.
    simulator.advance(days=1)
    baseline.advance(days=1)

    verdicts: dict[str, int] = {}
    for summary in window.cycles:
        for verdict, count in summary.counts().items():
            verdicts[verdict] = verdicts.get(verdict, 0) + count
    report = audit.verify_chain(runtime.engine, seeded.merchant_id)
    result = EvalReport(
        scenario=str(scenario), seed=seed, days=days, autonomy=autonomy, policy_version=runtime.policy.version,
        approve_all=approve_all, with_agents=_totals(simulator, window),
        baseline=_totals(baseline, baseline_window),
        verdicts=verdicts, waiting_at_end=len(approvals.list_approvals(
            runtime.engine, merchant_id=seeded.merchant_id, status="pending", limit=10_000)),
        audit_rows=report.rows_checked, audit_ok=report.ok, seconds=round(time.perf_counter() - started, 2))
    runtime.engine.dispose()
    return result


async def _approve_everything(runtime: Any, deps: Any, summary: CycleSummary) -> CycleSummary:
    """A reviewer who approves every queued action, through the same calls reviewers make."""
    decisions = {}
    for approval_id in summary.waiting_approval_ids():
        await approve_and_execute(runtime.engine, approval_id, reviewer=REVIEWER, runtime_factory=lambda: runtime,
                                  settings=runtime.settings, note="eval: approve all")
        decisions[str(approval_id)] = "approved"
    return await resume_cycle(deps, summary.run_id, decisions)


def _window(simulator: Simulator) -> _Window:
    world = simulator.world
    return _Window(first_order_time=int(simulator.now().timestamp()), days_before=set(world.days_closed),
                   lost_before=sum(world.lost_sales.values()))


def _totals(simulator: Simulator, window: _Window) -> MarketTotals:
    world = simulator.world
    totals = MarketTotals()
    for shop in world.shops.values():
        for order in shop.orders.values():
            if order.create_time >= window.first_order_time:
                totals.sales += order.sale_price * order.quantity
                totals.units_sold += order.quantity
        totals.skus_out_of_stock_at_end += sum(
            1 for product in shop.products.values() if product.status == "ACTIVATE"
            for sku in product.skus if sum(sku.stock.values()) == 0)
    for advertiser in world.advertisers.values():
        for stat in advertiser.stats:
            if stat.day not in window.days_before:
                totals.ad_spend += stat.spend
                totals.attributed_value += stat.conversion_value
    totals.units_lost_to_stockouts = sum(world.lost_sales.values()) - window.lost_before
    return totals


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
