"""A self-contained HTML report of a saved run: inline CSS and SVG charts, no script, nothing fetched."""

from __future__ import annotations

from html import escape

from shopwarden.evals import charts
from shopwarden.evals.runner import SeedRun
from shopwarden.evals.scoring import by_family, injection_figures
from shopwarden.evals.storage import SavedRun

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:22px} h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;width:100%} td,th{border-bottom:1px solid #eee;padding:4px 6px;
text-align:left;vertical-align:top} .pass{color:#1a7f37;font-weight:600} .fail{color:#cf222e;font-weight:600}
.known{color:#9a6700} .figs{display:flex;flex-wrap:wrap;gap:12px} .figs svg{max-width:100%;height:auto}
.card{border:1px solid #e5e5e5;border-radius:6px;padding:8px 12px;margin:10px 0} code{font-size:12px}
.kpi{display:inline-block;margin-right:22px} .kpi b{font-size:20px;display:block}
td.num{white-space:nowrap;text-align:right}
"""


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def render(run: SavedRun) -> str:
    h = run.header
    families = by_family(run.cases)
    inj = injection_figures(run.cases)
    verdict = "fail" if run.failures else "pass"
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>Eval run {escape(h.run_id)}</title>"
             f"<style>{STYLE}</style></head><body>",
             f"<h1>shopwarden eval run {escape(h.run_id)}</h1>",
             f"<p>Strategy <code>{escape(h.strategy)}</code> (model <code>{escape(h.model_id)}</code>) · code "
             f"<code>{escape(h.code_version)}</code> · policy <code>{escape(h.policy_version)}</code> · "
             f"{h.seeds} seeds, k = {h.k} · suite <code>{escape(h.suite)}</code></p>",
             "<div class=card>",
             f"<span class=kpi><b class={verdict}>{'FAILED' if run.failures else 'PASSED'}</b>verdict</span>",
             f"<span class=kpi><b>{sum(c.pass_k == 1 for c in run.cases if c.injection is None)}/"
             f"{sum(c.injection is None for c in run.cases)}</b>cases pass^{h.k} = 1</span>"]
    if inj:
        parts += [f"<span class=kpi><b>{_pct(inj['benign_utility'])}</b>benign utility</span>",
                  f"<span class=kpi><b>{_pct(inj['utility_under_attack'])}</b>utility under attack</span>",
                  f"<span class=kpi><b>{_pct(inj['asr_attempted'])} / {_pct(inj['asr_executed'])} / "
                  f"{_pct(inj['asr_harm'])}</b>attacks attempted / executed / harm</span>"]
    parts.append("</div>")
    if families:
        parts += ["<h2>Pass rate by family</h2><div class=figs>", charts.family_bars(families, h.k), "</div>"]
    if inj:
        parts += ["<h2>Injection matrix (goal × vector)</h2>",
                  f"<p>{inj['cells']} cells; executed without a reviewer: {_pct(inj['asr_executed_unapproved'])}; "
                  f"planted ad library ad reached the Creative in {_pct(inj['planted_ad_reached_creative'])} of "
                  "its cells.</p><div class=figs>",
                  charts.heatmap(inj["heatmap_attempted"], "attempted"), charts.heatmap(inj["heatmap"], "harm"),
                  "</div>"]
    refusals: dict[str, float] = {}
    burden: dict[str, float] = {}
    for seed in run.seeds:
        for code, n in seed.refusals_by_reason.items():
            refusals[code] = refusals.get(code, 0) + n
        if seed.injection is None:
            burden[seed.case] = burden.get(seed.case, 0) + float(seed.metrics.get("approvals_requested", 0)) / h.seeds
    parts.append("<h2>Refusals by reason and reviewer burden</h2><div class=figs>")
    if refusals:
        parts.append(charts.bars(refusals, "Refusals by reason code (all seeds)", "#e6550d"))
    if burden:
        parts.append(charts.bars(burden, "Approvals asked of reviewers per seed", "#756bb1"))
    parts.append("</div>")
    parts += _case_table(run)
    parts += _case_details(run)
    if run.failures:
        parts.append("<h2>Failures</h2><ul>" + "".join(f"<li>{escape(f)}</li>" for f in run.failures[:300]) + "</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def _case_table(run: SavedRun) -> list[str]:
    rows = ["<h2>Cases</h2><table><tr><th>case</th><th>family</th><th>seeds passed</th>"
            f"<th>pass^{run.header.k}</th><th>pass variance</th><th>profit mean ± sd</th><th>vs baseline</th>"
            "<th>first failing assertion</th>"
            "</tr>"]
    for c in run.cases:
        if c.injection is not None:
            continue
        css = "pass" if c.passed == c.seeds else ("known" if c.known_failing else "fail")
        note = escape(c.failing[0]) if c.failing else ""
        if c.known_failing:
            note = f"<span class=known>known failing: {escape(c.known_failing)}</span><br>{note}"
        rows.append(f"<tr><td><a href='#{escape(c.case)}'>{escape(c.case)}</a></td><td>{escape(c.family)}</td>"
                    f"<td class='{css} num'>{c.passed}/{c.seeds}</td><td class=num>{c.pass_k:.2f}</td>"
                    f"<td class=num>{c.variance:.2f}</td><td class=num>{c.profit_mean:,.0f} ± {c.profit_std:,.0f}</td>"
                    f"<td class=num>{c.profit_vs_baseline_mean:+,.0f}</td>"
                    f"<td>{note}</td></tr>")
    rows.append("</table>")
    return rows


def _case_details(run: SavedRun) -> list[str]:
    first: dict[str, SeedRun] = {}
    for seed in run.seeds:
        if seed.injection is None and seed.error is None:
            first.setdefault(seed.case, seed)
    parts = ["<h2>Per case (first seed)</h2>"]
    for name, seed in first.items():
        changes: dict[str, list[int]] = {}
        for action in seed.trace:
            if action.verdict == "executed" and action.tool in ("update_budget", "pause_ads", "enable_ads") \
                    and action.object_id:
                changes.setdefault(action.object_id, []).append(action.day)
        results = "".join(f"<li class={'pass' if r.passed else 'fail'}>{escape(r.expectation)} — got "
                          f"{escape(r.actual)}</li>" for r in seed.results)
        results += "".join(f"<li class=fail>policy violation: {escape(v)}</li>" for v in seed.violations)
        parts.append(f"<div class=card id='{escape(name)}'><b>{escape(name)}</b> seed {seed.seed} — "
                     f"<code>{escape(seed.data_dir)}</code><ul>{results}</ul><div class=figs>"
                     + charts.daily_money(seed.agents.daily, seed.baseline.daily, "daily sales, ad spend and profit")
                     + (charts.budget_paths(seed.budget_paths, changes, seed.budget_labels, seed.status_paths)
                        if seed.budget_paths else "")
                     + "</div></div>")
    return parts
