"""Evaluators' suite: cases with expected outcomes (`case`), run per seed (`runner`) and over a suite
(`suite`) with pass^k, the injection matrix, saved runs and reports; `score` is the single-scenario
agents-vs-baseline comparison behind `shopwarden eval score`; `setup` is the set-up shared with the demo.

    shopwarden eval run --suite evals/cases -k 5      # run, score, save, report
    shopwarden eval compare RUN_A RUN_B               # per-case deltas between two saved runs
"""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.evals.runner`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.evals.case import Case, CaseError, load_case
    from shopwarden.evals.runner import SeedRun, run_case
    from shopwarden.evals.score import EvalReport, MarketTotals, evaluate
    from shopwarden.evals.setup import REVIEWER, Seeded, point_settings_at, prepare_environment, seed_merchant

_EXPORTS = {
    "Case": "case",
    "CaseError": "case",
    "load_case": "case",
    "SeedRun": "runner",
    "run_case": "runner",
    "EvalReport": "score",
    "MarketTotals": "score",
    "evaluate": "score",
    "REVIEWER": "setup",
    "Seeded": "setup",
    "point_settings_at": "setup",
    "prepare_environment": "setup",
    "seed_merchant": "setup",
}

__all__ = [
    "REVIEWER",
    "Case",
    "CaseError",
    "EvalReport",
    "MarketTotals",
    "SeedRun",
    "Seeded",
    "evaluate",
    "load_case",
    "point_settings_at",
    "prepare_environment",
    "run_case",
    "seed_merchant",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
