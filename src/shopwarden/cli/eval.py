"""`shopwarden eval`: score the agents on a simulator scenario against a do-nothing baseline."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopwarden.cli._common import console, print_json
from shopwarden.domain.vocabulary import AutonomyLiteral


def eval_scenario(
    scenario: Annotated[str, typer.Argument(help="A scenario in evals/scenarios (e.g. small_shop) or a YAML path.")],
    days: Annotated[int, typer.Option(min=1, max=60, help="Simulated days, one growth cycle each.")] = 7,
    seed: Annotated[int, typer.Option(help="Simulator seed (the same seed gives the same market).")] = 0,
    autonomy: Annotated[AutonomyLiteral, typer.Option(help="The merchant's level.")] = (
        "guarded"),
    policies: Annotated[Path | None, typer.Option(help="Decide under the policies in this folder instead.",
                                                  exists=True, file_okay=False)] = None,
    approve_all: Annotated[bool, typer.Option(help="A reviewer approves every queued action.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run a scenario with the agents and without them, and print a scored report."""
    from shopwarden.evals.runner import evaluate

    report = asyncio.run(evaluate(scenario, days=days, seed=seed, autonomy=autonomy, approve_all=approve_all,
                                  policies_dir=policies))
    if as_json:
        print_json(report.as_json())
    else:
        table = Table(title=f"{report.scenario}: {report.days} days, seed {report.seed}, autonomy {report.autonomy}, "
                            f"policy {report.policy_version}")
        for column in ("", "with agents", "baseline (no agents)", "difference"):
            table.add_column(column, justify="right" if column else "left")
        ours, base = report.with_agents, report.baseline
        for label, mine, theirs in (
            ("sales", ours.sales, base.sales), ("units sold", ours.units_sold, base.units_sold),
            ("ad spend", ours.ad_spend, base.ad_spend), ("attributed value", ours.attributed_value,
                                                         base.attributed_value),
            ("units lost to stock-outs", ours.units_lost_to_stockouts, base.units_lost_to_stockouts),
            ("SKUs out of stock at end", ours.skus_out_of_stock_at_end, base.skus_out_of_stock_at_end),
        ):
            table.add_row(label, str(mine), str(theirs), f"{mine - theirs:+}")
        table.add_row("ROAS", str(ours.roas or "-"), str(base.roas or "-"), "")
        console.print(table)
        verdicts = ", ".join(f"{n} {v}" for v, n in sorted(report.verdicts.items())) or "none"
        console.print(f"actions: {verdicts}; waiting for a reviewer at the end: {report.waiting_at_end}",
                      highlight=False)
        console.print(f"sales uplift {report.sales_uplift:+}; {_spend_phrase(ours.ad_spend - base.ad_spend)}: "
                      f"{report.uplift_after_ad_spend:+}", highlight=False)
        console.print(f"audit: {report.audit_rows} rows, hash chain {'OK' if report.audit_ok else 'BROKEN'}; "
                      f"{report.seconds:.1f} s", highlight=False)
    if not report.audit_ok:
        raise typer.Exit(1)


def _spend_phrase(extra_spend: Decimal) -> str:
    """Name the spend difference by its sign: spend that went down is a saving, not "extra" spend."""
    if extra_spend > 0:
        return f"after {extra_spend} of extra ad spend"
    if extra_spend < 0:
        return f"counting {-extra_spend} of ad spend saved"
    return "with the same ad spend"


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_scenario)
