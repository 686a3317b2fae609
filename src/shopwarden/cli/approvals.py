"""`shopwarden approvals list|show|approve|reject` — the reviewer's command line."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shopwarden.approvals import queue as approvals
from shopwarden.approvals.reviewing import approve_and_execute
from shopwarden.cli._common import console, print_json
from shopwarden.db.engine import get_engine, require_current_schema
from shopwarden.db.models import Approval

approvals_app = typer.Typer(help="The approval queue.", no_args_is_help=True)
MerchantOption = Annotated[str | None, typer.Option(help="Act only within this merchant's queue.")]


def _as_dict(a: Approval) -> dict:
    return a.model_dump(mode="json")


@approvals_app.command("list")
def list_command(
    merchant: MerchantOption = None,
    status: Annotated[str | None, typer.Option(help="pending | approved | executed | failed | rejected | expired")]
    = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approvals, newest first (pending ones past their expiry are marked expired first)."""
    require_current_schema()
    engine = get_engine()
    approvals.expire_due(engine)
    rows = approvals.list_approvals(engine, merchant_id=merchant, status=status)
    if as_json:
        print_json([_as_dict(a) for a in rows])
        return
    table = Table(title="approvals")
    for column in ("id", "merchant", "status", "tool", "agent", "why it needs a human", "expires"):
        table.add_column(column)
    for a in rows:
        table.add_row(str(a.id), escape(a.merchant_id), a.status, escape(a.tool), escape(a.agent_id),
                      escape("; ".join(a.reasons)[:100]),
                      f"{a.expires_at:%Y-%m-%d %H:%M}")
    console.print(table)


@approvals_app.command("show")
def show_command(approval_id: int, merchant: MerchantOption = None) -> None:
    """Everything about one approval, as JSON."""
    require_current_schema()
    print_json(_as_dict(approvals.get_approval(get_engine(), approval_id, merchant)))


@approvals_app.command("approve")
def approve_command(
    approval_id: int,
    reviewer: Annotated[str, typer.Option(help="Your reviewer name (must have the reviewer or owner role).")],
    note: Annotated[str | None, typer.Option(help="A note kept with the decision.")] = None,
    merchant: MerchantOption = None,
) -> None:
    """Approve, then execute it once through the gate (fresh state, second policy pass)."""
    require_current_schema()
    from shopwarden.runtime import build_runtime

    reviewed = asyncio.run(approve_and_execute(get_engine(), approval_id, reviewer=reviewer, merchant_id=merchant,
                                               note=note, runtime_factory=build_runtime))
    if reviewed.result is None:
        console.print(f"approval {approval_id} approved by {reviewer}; its execution is queued for a worker")
        return
    result = reviewed.result
    console.print(f"approval {approval_id} approved by {reviewer}")
    console.print(escape(f"{result.tool}: {result.outcome.value}"
                         + (f" — {'; '.join(result.reasons)}" if result.reasons else "")), highlight=False)
    if not result.ok:
        raise typer.Exit(1)


@approvals_app.command("reject")
def reject_command(
    approval_id: int,
    reviewer: Annotated[str, typer.Option(help="Your reviewer name.")],
    reason: Annotated[str, typer.Option(help="Why: the agent and the merchant read this.")],
    merchant: MerchantOption = None,
) -> None:
    """Reject a pending approval; nothing is executed."""
    require_current_schema()
    approvals.reject(get_engine(), approval_id, reviewer=reviewer, reason=reason, merchant_id=merchant)
    console.print(f"approval {approval_id} rejected by {reviewer}")


@approvals_app.command("recover")
def recover_command(
    merchant: MerchantOption = None,
    older_than: Annotated[float, typer.Option(help="Minutes since an execution was claimed before it counts as "
                                                   "interrupted.", min=0)] = 5.0,
) -> None:
    """Settle executions a crash interrupted (and settled approvals missing their audit row); print each one."""
    require_current_schema()
    from datetime import timedelta

    from shopwarden.jobs.recovering import recover_now
    from shopwarden.runtime import build_runtime

    results = asyncio.run(recover_now(build_runtime().gate, merchant_id=merchant,
                                      older_than=timedelta(minutes=older_than)))
    if not results:
        console.print("nothing to recover")
        return
    for result in results:
        console.print(escape(f"approval {result.approval_id} ({result.tool}): {result.outcome.value} — "
                             + "; ".join(result.reasons)), highlight=False)
    unknown = [r for r in results if not r.ok]
    console.print(f"settled {len(results)} approval(s); {len(unknown)} need a person to check the platform")
    if unknown:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(approvals_app, name="approvals")
