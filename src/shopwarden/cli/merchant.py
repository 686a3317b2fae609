"""`shopwarden merchant add|set|show` and `merchant reviewer add`: what merchants control."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

import typer
from sqlmodel import col, select

from shopwarden.approvals import queue as approvals
from shopwarden.audit.chain import start_chain
from shopwarden.cli._common import console, print_json
from shopwarden.db.engine import get_engine, require_current_schema, session_scope
from shopwarden.db.models import Merchant, Reviewer
from shopwarden.domain.vocabulary import AutonomyLiteral
from shopwarden.errors import NotFound

merchant_app = typer.Typer(help="Merchants: autonomy level, limits, reviewers.", no_args_is_help=True)
reviewer_app = typer.Typer(help="People who may decide a merchant's approvals.", no_args_is_help=True)
Role = Literal["reviewer", "owner", "viewer"]
MERCHANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


@merchant_app.command("add")
def add(merchant_id: str, name: Annotated[str, typer.Option(help="Display name.")] = "",
        autonomy: Annotated[AutonomyLiteral, typer.Option(help="observe | suggest | guarded")] = "suggest") -> None:
    """Create a merchant (autonomy `suggest` by default: every mutation needs approval)."""
    if not MERCHANT_ID.fullmatch(merchant_id):
        raise typer.BadParameter("use 1-64 letters, digits, '_', '-', '.' or ':', starting with a letter or digit",
                                 param_hint="MERCHANT_ID")
    require_current_schema()
    with session_scope(get_engine()) as session:
        if session.get(Merchant, merchant_id) is not None:
            raise typer.BadParameter(f"merchant {merchant_id} already exists", param_hint="MERCHANT_ID")
        session.add(Merchant(id=merchant_id, name=name or merchant_id, autonomy=autonomy, limits={}))
        session.flush()
        start_chain(session, merchant_id, created_by="cli")
    console.print(f"merchant {merchant_id} created with autonomy {autonomy}")


@merchant_app.command("set")
def set_(
    merchant_id: str,
    autonomy: Annotated[AutonomyLiteral | None, typer.Option(help="observe | suggest | guarded")] = None,
    daily_budget_change_pct: Annotated[float | None, typer.Option(min=0, max=100)] = None,
    account_daily_increase_max: Annotated[float | None, typer.Option(min=0)] = None,
    inventory_threshold: Annotated[int | None, typer.Option(min=0, help="Units above which a stock change "
                                                             "needs approval.")] = None,
    max_skus_per_call: Annotated[int | None, typer.Option(min=1, max=50)] = None,
    listing_copy_drafts: Annotated[bool | None, typer.Option(
        "--listing-copy-drafts/--no-listing-copy-drafts",
        help="Let the Creative agent draft listing copy (drafts only; nothing is published).")] = None,
) -> None:
    """Change the autonomy level, limits (policy data; the Rego is never edited) and opt-ins."""
    require_current_schema()
    updates = {
        "daily_budget_change_pct": daily_budget_change_pct,
        "account_daily_increase_max": account_daily_increase_max,
        "inventory_change_approval_threshold": inventory_threshold,
        "max_skus_per_call": max_skus_per_call,
    }
    with session_scope(get_engine()) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"merchant {merchant_id} does not exist (create it with `shopwarden merchant add`)")
        limits = dict(merchant.limits or {})
        for key, value in updates.items():
            if value is not None:
                limits[key] = int(value) if float(value).is_integer() else str(Decimal(str(value)))
        merchant.limits = limits
        if autonomy is not None:
            merchant.autonomy = autonomy
        if listing_copy_drafts is not None:
            merchant.settings = {**(merchant.settings or {}), "listing_copy_drafts": listing_copy_drafts}
        session.add(merchant)
        drafts = "on" if merchant.wants_listing_copy_drafts else "off"
    console.print(f"merchant {merchant_id}: autonomy {merchant.autonomy}, limits {merchant.limits}, "
                  f"listing copy drafts {drafts}")


@merchant_app.command("show")
def show(merchant_id: str) -> None:
    """The merchant's autonomy and effective limits (overrides over the policy defaults)."""
    from shopwarden.policy import default_limits

    require_current_schema()
    with session_scope(get_engine()) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        reviewers = session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id)
                                 .order_by(col(Reviewer.name))).all()
        print_json({"id": merchant.id, "name": merchant.name, "autonomy": merchant.autonomy,
                    "limits": {**default_limits(), **(merchant.limits or {})}, "overrides": merchant.limits,
                    "listing_copy_drafts": merchant.wants_listing_copy_drafts,
                    "reviewers": [{"name": r.name, "role": r.role} for r in reviewers]})


@reviewer_app.command("add")
def reviewer_add(merchant_id: str, name: str,
                 role: Annotated[Role, typer.Option(help="reviewer | owner | viewer")] = "reviewer") -> None:
    """Allow a person to decide (reviewer, owner) or only see (viewer) the merchant's approvals."""
    require_current_schema()
    approvals.add_reviewer(get_engine(), merchant_id, name, role)
    console.print(f"{name} is now a {role} of merchant {merchant_id}")


def register(app: typer.Typer) -> None:
    merchant_app.add_typer(reviewer_app, name="reviewer")
    app.add_typer(merchant_app, name="merchant")
