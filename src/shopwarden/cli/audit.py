"""`shopwarden audit list|verify`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shopwarden.audit import list_executions, verify_chain
from shopwarden.cli._common import console, for_people, print_json, require_merchant
from shopwarden.db.engine import get_engine, require_current_schema

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


@audit_app.command("verify")
def verify_command(merchant: Annotated[str | None, typer.Option(help="Only this merchant.")] = None) -> None:
    """Check the hash chain; exit 1 naming the first broken row of each merchant."""
    require_current_schema()
    report = verify_chain(get_engine(), merchant)
    if report.ok:
        console.print(f"audit log intact: {report.rows_checked} rows, {report.merchants_checked} merchant(s)")
        return
    for problem in report.problems:
        console.print(f"[red]broken:[/red] {escape(problem)}", highlight=False)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
