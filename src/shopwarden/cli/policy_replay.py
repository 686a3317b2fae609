"""`shopwarden policy replay`: which past decisions a new policy version (or new limits) would change."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from shopwarden.audit.replay import replay
from shopwarden.cli._common import console, get_engine, print_json, require_current_schema
from shopwarden.cli.policy import policy_app
from shopwarden.errors import ConfigError


def read_limits_file(path: Path) -> dict[str, Any]:
    """A JSON object of limits ({"name": value}, or data.json's {"shopwarden": {"limits": {...}}}), validated."""
    from shopwarden.agents.limits import parse_limit

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("--limits", f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError("--limits", f"{path} is not JSON (line {exc.lineno}: {exc.msg})") from None
    if isinstance(document, dict) and isinstance(document.get("shopwarden"), dict):
        document = document["shopwarden"].get("limits")
    if not isinstance(document, dict) or not document:
        raise ConfigError("--limits", f"{path} must hold a JSON object of limits, e.g. "
                                      '{"daily_budget_change_pct": 15}')
    return {str(name): parse_limit(str(name), str(value)) for name, value in document.items()}


def _changed_defaults(policies: Path) -> dict[str, Any]:
    """data.json limits in `policies` that differ from the ones in force (the configured policies)."""
    from shopwarden.policy import default_limits

    current, new = default_limits(), default_limits(policies)
    return {name: value for name, value in new.items() if current.get(name) != value}


@policy_app.command("replay")
def replay_command(
    policies: Annotated[Path | None, typer.Option("--policies", help="Folder with the policy version to try "
                                                                     "(default: the configured policies).")] = None,
    limits: Annotated[Path | None, typer.Option("--limits", help="JSON file of limits to apply over every "
                                                                 "recorded input (preview a limit change).")] = None,
    since: Annotated[datetime | None, typer.Option(help="Only decisions recorded at or after this time (UTC).")] = None,
    merchant: Annotated[str | None, typer.Option(help="Only this merchant.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Re-decide recorded policy inputs under other policies or limits and list the decisions that change."""
    from shopwarden.config import get_settings
    from shopwarden.policy import load_engine

    if policies is None and limits is None:
        raise typer.BadParameter("give --policies DIR, --limits FILE, or both", param_hint="--policies/--limits")
    applied = read_limits_file(limits) if limits is not None else None
    require_current_schema()
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    if merchant is not None:
        from shopwarden.cli._common import require_merchant

        require_merchant(get_engine(), merchant)
    policy = load_engine(get_settings(), policies_dir=policies)
    report = replay(get_engine(), policy, since=since, merchant_id=merchant, limits=applied,
                    changed_defaults=_changed_defaults(policies) if policies is not None else None)
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
    if report.limits_applied:
        applied_text = ", ".join(f"{k} {v}" for k, v in sorted(report.limits_applied.items()))
        console.print(f"with limits applied over each recorded input: {applied_text}", highlight=False)
    console.print(f"{len(report.changes)} of {report.replayed} decisions would change", highlight=False)
    if report.stale_inputs:
        names = ", ".join(report.stale_limits)
        console.print(f"[yellow]warning:[/yellow] {report.stale_inputs} recorded input(s) carry the values of {names} "
                      "in force when they were decided, which win over the new data.json; to preview that "
                      "change, pass the new values with --limits FILE", highlight=False)


def register(_app: typer.Typer) -> None:
    """The command is attached to `policy_app` above, at import."""
