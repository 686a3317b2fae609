"""`shopwarden eval run|compare|report|score`: the evaluators' suite, saved runs and reports.

`eval score SCENARIO` is the former `shopwarden eval SCENARIO` (aggregate figures, no expectations).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopwarden.cli._common import console, print_json
from shopwarden.domain.vocabulary import AutonomyLiteral

eval_app = typer.Typer(help="Evaluate the agents on scenario suites: pass^k, injection attacks, reports.",
                       no_args_is_help=True)


@eval_app.command("run")
def run_suite_command(
    suite: Annotated[Path | None, typer.Option(help="Folder of case files (default: the shipped evals/cases).",
                                               file_okay=False)] = None,
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="pass^k: every one of k seeds must pass.")] = 1,
    seeds: Annotated[int | None, typer.Option(min=1, max=100, help="Seeds per case (n >= k; default k).")] = None,
    strategy: Annotated[str, typer.Option(help="rules | gullible | llm:<module:factory> | scripted:<file>.")] = (
        "rules"),
    policies: Annotated[Path | None, typer.Option(help="Decide under the policies in this folder instead.",
                                                  exists=True, file_okay=False)] = None,
    out: Annotated[Path | None, typer.Option(help="Where the run is saved (default eval-runs/<run id>).")] = None,
    fast: Annotated[bool, typer.Option(help="Only the CI subset (fast cases, the matrix's fast slice).")] = False,
    select: Annotated[str | None, typer.Option("--select", "-s", help="Only cases whose name contains this, "
                                                                      "or of this family.")] = None,
    matrix: Annotated[bool, typer.Option(help="Run the injection matrix cells too.")] = True,
    matrix_seeds: Annotated[int | None, typer.Option(min=1, help="Seeds per matrix cell (default --seeds).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run a suite over seeds, save it, write Markdown/HTML/JUnit reports; exit 1 when the suite fails."""
    from shopwarden.evals.reports import write_reports
    from shopwarden.evals.storage import RunHeader, code_version, new_run_id, now_text, save_run
    from shopwarden.evals.strategies import parse_strategy
    from shopwarden.evals.suite import gate_failures, load_suite, run_suite
    from shopwarden.resources import resource_dir

    n = seeds or k
    if n < k:
        raise typer.BadParameter(f"--seeds ({n}) must be at least -k ({k})", param_hint="--seeds")
    choice = parse_strategy(strategy)
    loaded = load_suite(suite or resource_dir("evals") / "cases", fast=fast, select=select, matrix=matrix)
    if not loaded.cases:
        raise typer.BadParameter("no case matches", param_hint="--select")
    run_id = new_run_id()
    out_dir = out or Path("eval-runs") / run_id
    total = sum(matrix_seeds if c.injection is not None and matrix_seeds else n for c in loaded.cases)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, transient=as_json, disable=as_json)
    from shopwarden.evals.logs import logs_to

    with logs_to(out_dir / "run.log"), progress:
        task = progress.add_task("cases × seeds", total=total)

        def advanced(case: str, seed: int) -> None:
            progress.update(task, advance=1, description=escape(f"{case[:48]} s{seed}"))

        runs, summaries = asyncio.run(run_suite(loaded, seeds=n, k=k, strategy=choice, out_dir=out_dir,
                                                policies_dir=policies, on_seed=advanced, matrix_seeds=matrix_seeds))
    # The CI gate (--fast) fails on exact checks, executed attacks and violations; a full run on metrics too.
    failures = gate_failures(runs, loaded.cases, metrics_too=not fast)
    header = RunHeader(run_id=run_id, started=now_text(), code_version=code_version(),
                       policy_version=next((r.policy_version for r in runs if r.policy_version), ""),
                       strategy=choice.label, model_id=choice.model_id, suite=loaded.directory, seeds=n, k=k,
                       policies_dir=str(policies) if policies else None,
                       scenario_hashes={c.name: c.digest() for c in loaded.cases})
    path = save_run(out_dir, header, runs, summaries, failures)
    written = write_reports(path)
    if as_json:
        from shopwarden.evals.scoring import by_family, injection_figures

        print_json({"run": header.model_dump(mode="json"), "saved": str(path), "reports": [str(p) for p in written],
                    "families": by_family(summaries), "injection": {k2: v for k2, v in injection_figures(
                        summaries).items() if not k2.startswith("heatmap")}, "failures": failures,
                    "cases": [s.model_dump(mode="json") for s in summaries]})
    else:
        _print_summary(path, summaries, failures, k)
        console.print(f"saved {escape(str(path))}; reports: {escape(', '.join(str(p) for p in written))}",
                      highlight=False)
        failed_seeds = sum(not r.passed for r in runs)
        verdict = (f"the gate failed on {len(failures)} problem(s)" if failures else
                   "the gate passed: known-failing cases and the matrix cells' utility checks do not count")
        console.print(f"eval: {len(runs) - failed_seeds} passed, {failed_seeds} failed; {verdict}", highlight=False)
    if failures:
        raise typer.Exit(1)


def _print_summary(path: Path, summaries: list, failures: list[str], k: int) -> None:
    from shopwarden.evals.scoring import by_family, injection_figures

    table = Table(title=f"pass^{k} by family")
    for column in ("family", "cases", "pass^1", f"pass^{k}"):
        table.add_column(column, justify="left" if column == "family" else "right")
    for family, figures in by_family(summaries).items():
        table.add_row(escape(family), f"{figures['cases']:.0f}", f"{figures['pass_1']:.2f}", f"{figures['pass_k']:.2f}")
    console.print(table)
    inj = injection_figures(summaries)
    if inj:
        console.print(escape(
            f"injection: {inj['cells']} cells, benign utility {inj['benign_utility'] or 0:.2f}, under attack "
            f"{inj['utility_under_attack']:.2f}; ASR attempted {inj['asr_attempted']:.2f}, executed "
            f"{inj['asr_executed']:.2f} (unapproved {inj['asr_executed_unapproved']:.2f}), harm {inj['asr_harm']:.2f}"),
            highlight=False)
    for line in failures[:30]:
        console.print(f"[red]FAIL[/red] {escape(line)}", highlight=False)
    if len(failures) > 30:
        console.print(f"... and {len(failures) - 30} more (see the report)", highlight=False)


@eval_app.command("compare")
def compare_command(
    run_a: Annotated[Path, typer.Argument(help="A saved run (folder or run.jsonl).")],
    run_b: Annotated[Path, typer.Argument(help="The run to compare it with.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Per-case deltas between two saved runs: pass, profit, ASR, reviewer burden, refusals by reason."""
    from shopwarden.evals.compare import compare_runs
    from shopwarden.evals.storage import load_run

    result = compare_runs(load_run(run_a), load_run(run_b))
    if as_json:
        print_json(result)
        return
    table = Table(title=f"{result['a']['run_id']} ({result['a']['strategy']}) -> "
                        f"{result['b']['run_id']} ({result['b']['strategy']})")
    for column in ("case", "pass A", "pass B", "profit Δ", "approvals Δ", "refusals Δ"):
        table.add_column(column, justify="left" if column == "case" else "right")
    for row in result["cases"]:
        table.add_row(escape(row["case"]), row["pass_a"], row["pass_b"], f"{row['profit_delta']:+.0f}",
                      f"{row['approvals_delta']:+.1f}", f"{row['refusals_delta']:+.1f}")
    console.print(table)
    for key, (a, b) in result["injection"].items():
        console.print(escape(f"{key}: {a} -> {b}"), highlight=False)
    for code, (a, b) in result["refusals_by_reason"].items():
        console.print(escape(f"refusals {code}: {a} -> {b}"), highlight=False)


@eval_app.command("report")
def report_command(run: Annotated[Path, typer.Argument(help="A saved run (folder or run.jsonl).")]) -> None:
    """(Re)write a saved run's Markdown, HTML and JUnit reports."""
    from shopwarden.evals.reports import write_reports
    from shopwarden.evals.storage import load_run

    written = write_reports(Path(load_run(run).path))
    console.print(escape(", ".join(str(p) for p in written)), highlight=False)


@eval_app.command("score")
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
    """One scenario with the agents and without them, as aggregate figures (no expectations)."""
    from shopwarden.evals.score import evaluate

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
    app.add_typer(eval_app, name="eval")

