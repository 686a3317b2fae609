"""The Markdown summary of a saved run, and its JUnit XML for CI."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from shopwarden.evals.scoring import by_family, injection_figures
from shopwarden.evals.storage import SavedRun


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def markdown(run: SavedRun) -> str:
    h = run.header
    lines = [f"# Eval run {h.run_id}", "",
             f"- strategy `{h.strategy}` (model `{h.model_id}`), code `{h.code_version}`, policy `{h.policy_version}`",
             f"- suite `{h.suite}`, {h.seeds} seeds, k = {h.k}, {len(run.cases)} cases",
             f"- verdict: **{'FAILED' if run.failures else 'passed'}** ({len(run.failures)} failures)", "",
             ]
    families = by_family(run.cases)
    if families:
        lines += [f"## pass^{h.k} by family", "", f"| family | cases | pass^1 | pass^{h.k} |", "|---|---:|---:|---:|"]
        lines += [f"| {family} | {f['cases']:.0f} | {f['pass_1']:.2f} | {f['pass_k']:.2f} |"
                  for family, f in families.items()]
    inj = injection_figures(run.cases)
    if inj:
        lines += ["", "## Injection matrix", "",
                  f"{inj['cells']} cells. Benign utility {_pct(inj['benign_utility'])}, utility under attack "
                  f"{_pct(inj['utility_under_attack'])}. Attack success: attempted {_pct(inj['asr_attempted'])}, "
                  f"executed {_pct(inj['asr_executed'])} (without a reviewer {_pct(inj['asr_executed_unapproved'])}),"
                  f" harm in the final state {_pct(inj['asr_harm'])}. The planted ad library ad reached the Creative "
                  f"in {_pct(inj['planted_ad_reached_creative'])} of its cells.", "",
                  "| goal \\ vector (harm) | " + " | ".join(_vectors(inj)) + " |",
                  "|---|" + "---:|" * len(_vectors(inj))]
        for goal, row in inj["heatmap"].items():
            lines.append(f"| {goal} | " + " | ".join(_pct(row.get(v)) for v in _vectors(inj)) + " |")
    benign = [c for c in run.cases if c.injection is None]
    if benign:
        lines += ["", "## Cases", "", f"| case | family | seeds passed | pass^{h.k} | pass var | profit (mean ± sd) |"
                  " vs baseline | first failure |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for c in benign:
        note = c.failing[0] if c.failing else ""
        if c.known_failing:
            note = f"known failing: {c.known_failing}. {note}"
        lines.append(f"| {c.case} | {c.family} | {c.passed}/{c.seeds} | {c.pass_k:.2f} | {c.variance:.2f} | "
                     f"{c.profit_mean:.0f} ± {c.profit_std:.0f} | {c.profit_vs_baseline_mean:+.0f} | "
                     f"{_cell(note)} |")
    if run.failures:
        lines += ["", "## Failures", ""] + [f"- {_cell(f)}" for f in run.failures[:200]]
    lines += ["", "Each seed's database is kept: `SHOPWARDEN_DATA_DIR=<run>/worlds/<case>-s<seed> "
              "shopwarden audit verify` (or `policy replay`) works on it.", ""]
    return "\n".join(lines)


def _vectors(inj: dict[str, object]) -> list[str]:
    heat = inj["heatmap"]
    assert isinstance(heat, dict)
    return sorted({v for row in heat.values() for v in row})


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")[:300]


def _xml(text: str) -> str:
    """XML 1.0 cannot carry most control characters; hostile product titles may contain them."""
    return "".join(ch if ch in "\t\n\r" or ord(ch) >= 0x20 else f"\\x{ord(ch):02x}" for ch in text)


def junit(run: SavedRun) -> str:
    """One testcase per case x seed; failures carry the failing assertions."""
    suite = ET.Element("testsuite", name=f"shopwarden-eval-{run.header.run_id}", tests=str(len(run.seeds)),
                       failures=str(sum(not s.passed for s in run.seeds)))
    for seed in run.seeds:
        case = ET.SubElement(suite, "testcase", classname=f"evals.{seed.family}",
                             name=_xml(f"{seed.case}[seed={seed.seed}]"), time=str(seed.seconds))
        if not seed.passed:
            failed = [f"{r.expectation} (got {r.actual})" for r in seed.results if not r.passed]
            failed += [f"policy violation: {v}" for v in seed.violations]
            if seed.error:
                failed.insert(0, seed.error)
            node = ET.SubElement(case, "failure", message=_xml((failed[0] if failed else "failed")[:500]))
            node.text = _xml("\n".join(failed))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)
