"""`shopwarden audit list|verify|anchor|rekey`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shopwarden.audit.anchor import Anchor, AnchorError, build_anchor, load_anchor, write_anchor
from shopwarden.audit.chain import list_executions
from shopwarden.audit.rekey import rekey
from shopwarden.audit.verify import VerifyReport, verify_chain
from shopwarden.cli._common import console, get_engine, print_json, require_current_schema, require_merchant
from shopwarden.domain.display import for_people

audit_app = typer.Typer(help="The tool_executions audit log.", no_args_is_help=True)


@audit_app.command("list")
def list_command(
    merchant: Annotated[str | None, typer.Option(help="Only this merchant.")] = None,
    since: Annotated[datetime | None, typer.Option(help="Only rows at or after this time (UTC).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest audit rows."""
    require_current_schema()
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if merchant is not None:
        require_merchant(get_engine(), merchant)
    rows = list_executions(get_engine(), merchant_id=merchant, since=since, limit=limit)
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    table = Table(title="tool executions (newest first)")
    for column in ("id", "time", "merchant", "agent", "tool", "outcome", "decision", "reasons"):
        table.add_column(column)
    for r in rows:
        table.add_row(str(r.id), f"{r.created_at:%Y-%m-%d %H:%M:%S}", escape(r.merchant_id), escape(r.agent_id),
                      escape(r.tool), r.outcome, r.decision or "", escape(for_people("; ".join(r.reasons))[:120]))
    console.print(table)


def _print_problems(problems: list[str]) -> None:
    for problem in problems:
        console.print(f"[red]broken:[/red] {escape(problem)}", highlight=False)


def _what_was_checked(report: VerifyReport, anchors: list[Anchor]) -> str:
    lines = [f"checked {report.rows_checked} row(s) in {report.merchants_checked} chain(s); "
             f"{report.merchants_registered} registered merchant(s) must each have a chain"]
    for anchor in anchors:
        lines.append(f"anchor {anchor.source}: signature valid (audit key {anchor.key_id}, written "
                     f"{anchor.created_at}), {len(anchor.chains)} chain head(s) checked")
    if not anchors:
        lines.append("no anchor given: newest rows truncated together with their head cannot be detected")
    return "\n".join(lines)


@audit_app.command("verify")
def verify_command(
    merchant: Annotated[str | None, typer.Option(help="Only this merchant.")] = None,
    anchor: Annotated[list[Path] | None, typer.Option(help="An anchor file from `audit anchor` (repeatable).")] = None,
) -> None:
    """Check every chain's keyed hashes (and the anchors); exit 1 naming the first break of each chain."""
    require_current_schema()
    anchors: list[Anchor] = []
    for path in anchor or []:
        try:
            anchors.append(load_anchor(path))
        except AnchorError as exc:
            _print_problems([str(exc)])
            raise typer.Exit(1) from None
    report = verify_chain(get_engine(), merchant, anchors=anchors)
    console.print(escape(_what_was_checked(report, anchors)), highlight=False)
    if not report.ok:
        _print_problems(report.problems)
        raise typer.Exit(1)
    console.print(f"audit log intact: {report.rows_checked} rows, {report.merchants_checked} chain(s)")


@audit_app.command("anchor")
def anchor_command(out: Annotated[Path, typer.Option(help="Where to write the signed anchor (JSON).")]) -> None:
    """Write a signed statement of every chain's head; keep it outside the database."""
    require_current_schema()
    engine = get_engine()
    report = verify_chain(engine)
    if not report.ok:
        _print_problems(report.problems)
        console.print("no anchor written: the chains above do not verify")
        raise typer.Exit(1)
    document = build_anchor(engine)
    write_anchor(document, out)
    console.print(f"anchored {len(document['chains'])} chain head(s) ({report.rows_checked} row(s)) under audit key "
                  f"{document['key_id']} to {escape(str(out))}", highlight=False)


@audit_app.command("rekey")
def rekey_command() -> None:
    """Re-chain the log under the primary audit key (after upgrading past 0004a, or a key rotation)."""
    require_current_schema()
    result = rekey(get_engine())
    console.print(f"re-keyed {result.rows_rekeyed} row(s) in {result.chains_rekeyed} chain(s) under audit key "
                  f"{result.key_id}; started {result.chains_started} chain(s) of merchants that had none; anchors "
                  "written before this no longer match: write a new one now")
    if result.refused:
        _print_problems(result.refused)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
