"""Two saved runs side by side: per-case pass, profit, reviewer burden, refusals; ASR; refusals by reason."""

from __future__ import annotations

from statistics import mean
from typing import Any

from shopwarden.evals.scoring import injection_figures
from shopwarden.evals.storage import SavedRun


def _per_case(run: SavedRun) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, list[float]]] = {}
    for seed in run.seeds:
        row = figures.setdefault(seed.case, {"approvals": [], "refusals": []})
        row["approvals"].append(float(seed.metrics.get("approvals_requested", 0)))
        row["refusals"].append(float(seed.metrics.get("refusals", 0)))
    return {case: {k: mean(v) if v else 0.0 for k, v in row.items()} for case, row in figures.items()}


def _refusals(run: SavedRun) -> dict[str, int]:
    counts: dict[str, int] = {}
    for seed in run.seeds:
        for code, n in seed.refusals_by_reason.items():
            counts[code] = counts.get(code, 0) + n
    return counts


def compare_runs(a: SavedRun, b: SavedRun) -> dict[str, Any]:
    """Cases of either run (a case only one of them has shows '-' for the other)."""
    cases_a = {c.case: c for c in a.cases if c.injection is None}
    cases_b = {c.case: c for c in b.cases if c.injection is None}
    extra_a, extra_b = _per_case(a), _per_case(b)
    rows = []
    for name in sorted(set(cases_a) | set(cases_b)):
        ca, cb = cases_a.get(name), cases_b.get(name)
        rows.append({
            "case": name,
            "pass_a": f"{ca.passed}/{ca.seeds}" if ca else "-", "pass_b": f"{cb.passed}/{cb.seeds}" if cb else "-",
            "pass_k_a": ca.pass_k if ca else None, "pass_k_b": cb.pass_k if cb else None,
            "profit_delta": (cb.profit_mean if cb else 0.0) - (ca.profit_mean if ca else 0.0),
            "approvals_delta": (extra_b.get(name, {}).get("approvals", 0.0)
                                - extra_a.get(name, {}).get("approvals", 0.0)),
            "refusals_delta": extra_b.get(name, {}).get("refusals", 0.0) - extra_a.get(name, {}).get("refusals", 0.0),
            "same_scenario": a.header.scenario_hashes.get(name) == b.header.scenario_hashes.get(name),
        })
    inj_a, inj_b = injection_figures(a.cases), injection_figures(b.cases)
    keys = ("benign_utility", "utility_under_attack", "asr_attempted", "asr_executed", "asr_harm")
    refusals_a, refusals_b = _refusals(a), _refusals(b)
    return {
        "a": a.header.model_dump(mode="json"), "b": b.header.model_dump(mode="json"), "cases": rows,
        "injection": {k: (_round(inj_a.get(k)), _round(inj_b.get(k))) for k in keys if k in inj_a or k in inj_b},
        "refusals_by_reason": {code: (refusals_a.get(code, 0), refusals_b.get(code, 0))
                               for code in sorted(set(refusals_a) | set(refusals_b))},
    }


def _round(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value
