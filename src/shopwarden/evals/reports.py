"""Write a saved run's reports beside its run.jsonl: report.md, report.html, junit.xml."""

from __future__ import annotations

from pathlib import Path

from shopwarden.evals.report_html import render
from shopwarden.evals.report_md import junit, markdown
from shopwarden.evals.storage import load_run


def write_reports(run_file: Path) -> list[Path]:
    run = load_run(run_file)
    folder = Path(run.path).parent
    written = []
    for name, text in (("report.md", markdown(run)), ("report.html", render(run)), ("junit.xml", junit(run))):
        target = folder / name
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
