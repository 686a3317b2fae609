"""Evaluators' suite: cases with expected outcomes, pass^k over seeds, the injection matrix, saved runs, reports.

    shopwarden eval run --suite evals/cases -k 5      # run, score, save, report
    shopwarden eval compare RUN_A RUN_B               # per-case deltas between two saved runs
"""

from shopwarden.evals.case import Case, CaseError, load_case
from shopwarden.evals.runner import SeedRun, run_case

__all__ = ["Case", "CaseError", "SeedRun", "load_case", "run_case"]
