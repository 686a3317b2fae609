"""`shopwarden policy replay`: which past decisions a new policy version would change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shopwarden.cli._common import console, print_json
from shopwarden.cli.policy import policy_app
from shopwarden.db.engine import get_engine, require_current_schema


@policy_app.command("replay")
def replay_command(
    policies: Annotated[Path, typer.Option("--policies", help="Folder with the policy version to try.")],
    since: Annotated[datetime | None, typer.Option(help="Only decisions recorded at or after this time (UTC).")] = None,
    merchant: Annotated[str | None, typer.Option(help="Only this merchant.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Re-decide recorded policy inputs under the policies in DIR and list the decisions that change."""
    from shopwarden.policy import load_engine
    from shopwarden.replay import replay

    require_current_schema()
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    report = replay(get_engine(), load_engine(policies_dir=policies), since=since, merchant_id=merchant)
    if as_json:
        print_json(report.as_dict())
        return
    table = Table(title=f"policy replay: {report.replayed} decisions under {report.policy_version[:16]}")
    for column in ("execution", "recorded", "merchant", "tool", "from → to", "why (new policy)"):
        table.add_column(column)
    for change in report.changes:
        table.add_row(str(change.execution_id), change.created_at[:19], escape(change.merchant_id), escape(change.tool),
                      f"{change.before} → {change.after} ({change.direction})", escape("; ".join(change.reasons)))
    console.print(table)
    console.print(f"{len(report.changes)} of {report.replayed} decisions would change")


def register(_app: typer.Typer) -> None:
    """The command is attached to `policy_app` above, at import."""
