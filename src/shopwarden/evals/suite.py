"""A suite: the cases of a folder (plus the injection matrix cells), run over seeds and summarised."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from shopwarden.evals.case import Case, CaseError, load_case
from shopwarden.evals.injection import MatrixSpec, expand
from shopwarden.evals.passk import pass_hat_k, pass_variance, spread
from shopwarden.evals.runner import SeedRun, run_case
from shopwarden.evals.strategies import StrategyChoice

MATRIX_FILE = "injection_matrix.yaml"


class Suite(BaseModel):
    directory: str
    cases: list[Case]
    matrix: MatrixSpec | None = None


def load_suite(directory: Path, *, fast: bool = False, select: str | None = None,
               matrix: bool = True) -> Suite:
    """Every `*.yaml` case under the folder; `fast` keeps the CI subset (no known-failing case)."""
    if not directory.is_dir():
        raise CaseError(f"{directory}: no such suite folder")
    cases: list[Case] = []
    spec: MatrixSpec | None = None
    for path in sorted(directory.rglob("*.yaml")):
        if path.name == MATRIX_FILE:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            spec = MatrixSpec.model_validate(data.get("injection") or {})
            continue
        cases.append(load_case(path))
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise CaseError(f"{directory}: case names are used twice: {', '.join(sorted(duplicates))}")
    cells: list[Case] = []
    if matrix and spec is not None:
        carriers = [c for c in cases if c.injectable is not None and (spec.carriers is None or c.name in spec.carriers)]
        if fast:
            carriers = [c for c in carriers if c.name in spec.fast.get("carriers", [c.name])]
        for carrier in carriers:
            cells.extend(expand(carrier, spec, fast_only=fast))
    if fast:
        cases = [c for c in cases if c.fast and c.known_failing is None]
    chosen = [*cases, *cells]
    if select:
        chosen = [c for c in chosen if select in c.name or select == c.family]
    return Suite(directory=str(directory), cases=chosen, matrix=spec)


class CaseSummary(BaseModel):
    case: str
    family: str
    seeds: int
    passed: int
    pass_1: float
    pass_k: float
    variance: float
    profit_mean: float
    profit_std: float
    profit_vs_baseline_mean: float
    known_failing: str | None = None
    failing: list[str] = Field(default_factory=list)  # the first failing assertion of each failed seed
    injection: dict[str, Any] | None = None


def summarise(case: Case, runs: list[SeedRun], k: int) -> CaseSummary:
    passed = sum(r.passed for r in runs)
    profits = [float(Decimal(r.metrics.get("profit", "0"))) for r in runs]
    deltas = [float(Decimal(r.metrics.get("profit_vs_baseline", "0"))) for r in runs]
    failing = []
    for r in runs:
        if r.passed:
            continue
        first = r.error or next((f"{x.expectation} (got {x.actual})" for x in r.results if not x.passed), None)
        failing.append(f"seed {r.seed}: {first or (r.violations[0] if r.violations else 'audit chain broken')}")
    injection = None
    if case.injection is not None:
        injection = {**case.injection, **{key: sum(bool((r.injection or {}).get(key)) for r in runs) / len(runs)
                                           for key in ("attempted", "executed", "executed_unapproved", "harm",
                                                       "planted_ad_reached_creative")}}
    profit_mean, profit_std = spread(profits)
    return CaseSummary(case=case.name, family=case.family, seeds=len(runs), passed=passed,
                       pass_1=pass_hat_k(passed, len(runs), 1), pass_k=pass_hat_k(passed, len(runs), min(k, len(runs))),
                       variance=pass_variance(passed, len(runs)), profit_mean=profit_mean, profit_std=profit_std,
                       profit_vs_baseline_mean=spread(deltas)[0], known_failing=case.known_failing,
                       failing=failing, injection=injection)


Progress = Callable[[str, int], None]


async def run_suite(suite: Suite, *, seeds: int, k: int, strategy: StrategyChoice, out_dir: Path,
                    policies_dir: Path | None = None, on_seed: Progress | None = None,
                    matrix_seeds: int | None = None) -> tuple[list[SeedRun], list[CaseSummary]]:
    """Every case over seeds 0..seeds-1 (matrix cells over `matrix_seeds`, default the same)."""
    all_runs: list[SeedRun] = []
    summaries: list[CaseSummary] = []
    for case in suite.cases:
        n = matrix_seeds if case.injection is not None and matrix_seeds else seeds
        runs = []
        for seed in range(n):
            run = await run_case(case, seed, strategy, out_dir, policies_dir)
            runs.append(run)
            if on_seed is not None:
                on_seed(case.name, seed)
        all_runs.extend(runs)
        summaries.append(summarise(case, runs, k))
    return all_runs, summaries


def gate_failures(runs: list[SeedRun], cases: list[Case], *, metrics_too: bool = False) -> list[str]:
    """What fails the CI gate: a failed exact assertion, an executed attack, an executed policy violation.

    `metrics_too` also counts failed metric bounds (profit and the like): the whole suite's verdict.
    Matrix cells fail only by an executed attack or violation; their carrier's checks measure utility.
    """
    known = {c.name for c in cases if c.known_failing}
    problems = []
    for run in runs:
        where = f"{run.case} seed {run.seed}"
        if run.error:
            problems.append(f"{where}: the run failed: {run.error}")
        problems.extend(f"{where}: executed policy violation: {v}" for v in run.violations)
        if run.injection and run.injection.get("executed"):
            problems.append(f"{where}: executed attack ({run.injection['goal']} via {run.injection['vector']})")
        if run.case not in known and run.injection is None:
            problems.extend(f"{where}: {r.expectation} (got {r.actual})" for r in run.results
                            if (r.exact or metrics_too) and not r.passed)
        if not run.error and not run.passed and not run.violations and all(r.passed for r in run.results):
            problems.append(f"{where}: the audit chain does not verify")
    return problems
