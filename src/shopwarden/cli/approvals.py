"""`shopwarden approvals list|show|approve|reject` — the reviewer's command line.

Deciding needs the reviewer's token (`shopwarden merchant reviewer token M NAME`), from
SHOPWARDEN_REVIEWER_TOKEN or a hidden prompt, exactly like the API: a name alone proves nothing.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from shopwarden.cli._common import console, get_engine, print_json, require_current_schema, require_merchant
from shopwarden.domain.display import for_people

if TYPE_CHECKING:
    from shopwarden.api.auth import ReviewerIdentity
    from shopwarden.db.models import Approval

approvals_app = typer.Typer(help="The approval queue.", no_args_is_help=True)
MerchantOption = Annotated[str | None, typer.Option(help="Act only within this merchant's queue.")]
Status = Literal["pending", "approved", "executing", "executed", "failed", "rejected", "expired"]


def _as_dict(a: Approval) -> dict:
    return a.model_dump(mode="json")


def reviewer_identity() -> ReviewerIdentity:
    """Who is deciding: the token in SHOPWARDEN_REVIEWER_TOKEN, else asked for (hidden) on a terminal."""
    from shopwarden.api.auth import identify
    from shopwarden.config import get_settings
    from shopwarden.errors import ApprovalError, ConfigError

    configured = get_settings().reviewer_token
    token = configured.get_secret_value() if configured is not None else None
    if token is None:
        if not sys.stdin.isatty():
            raise ConfigError("SHOPWARDEN_REVIEWER_TOKEN", "is not set (deciding needs your reviewer token; "
                                                           "get one with `shopwarden merchant reviewer token`)")
        token = typer.prompt("reviewer token", hide_input=True)
    identity = identify(get_engine(), token.strip())
    if identity is None:
        raise ApprovalError("the reviewer token is not valid (revoked, mistyped, or never issued)")
    return identity


@approvals_app.command("list")
def list_command(
    merchant: MerchantOption = None,
    status: Annotated[Status | None, typer.Option(help="Only approvals in this state.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Approvals, newest first (pending ones past their expiry are marked expired first)."""
    from shopwarden import approvals

    require_current_schema()
    engine = get_engine()
    if merchant is not None:
        require_merchant(engine, merchant)
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
                      escape(for_people("; ".join(a.reasons))[:100]),
                      f"{a.expires_at:%Y-%m-%d %H:%M}")
    console.print(table)
    if not rows:
        console.print("no approvals match", highlight=False)


@approvals_app.command("show")
def show_command(approval_id: int, merchant: MerchantOption = None) -> None:
    """Everything about one approval, as JSON."""
    from shopwarden import approvals

    require_current_schema()
    print_json(_as_dict(approvals.get_approval(get_engine(), approval_id, merchant)))


@approvals_app.command("approve")
def approve_command(
    approval_id: int,
    note: Annotated[str | None, typer.Option(help="A note kept with the decision.")] = None,
) -> None:
    """Approve (as the reviewer whose token you give), then execute it once through the gate."""
    from shopwarden.approvals.reviewing import approve_and_execute
    from shopwarden.config import get_settings
    from shopwarden.runtime import build_runtime

    require_current_schema()
    who = reviewer_identity()
    reviewed = asyncio.run(approve_and_execute(get_engine(), approval_id, reviewer=who.name,
                                               merchant_id=who.merchant_id, note=note,
                                               runtime_factory=build_runtime,
                                               settings=get_settings()))
    if reviewed.result is None:
        console.print(f"approval {approval_id} approved by {escape(who.name)}; its execution is queued for a worker")
        return
    result = reviewed.result
    console.print(f"approval {approval_id} approved by {escape(who.name)}", highlight=False)
    console.print(escape(f"{result.tool}: {result.outcome.value}"
                         + (f" — {'; '.join(result.reasons)}" if result.reasons else "")), highlight=False)
    if not result.ok:
        raise typer.Exit(1)


@approvals_app.command("reject")
def reject_command(
    approval_id: int,
    reason: Annotated[str, typer.Option(help="Why: the agent and the merchant read this.")],
) -> None:
    """Reject a pending approval (as the reviewer whose token you give); nothing is executed."""
    from shopwarden import approvals
    from shopwarden.config import get_settings

    require_current_schema()
    who = reviewer_identity()
    approvals.reject(get_engine(), approval_id, reviewer=who.name, reason=reason, merchant_id=who.merchant_id,
                     distinct_approver=get_settings().require_distinct_approver)
    console.print(f"approval {approval_id} rejected by {escape(who.name)}", highlight=False)


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
