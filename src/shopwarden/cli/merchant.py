"""`shopwarden merchant add|list|set|show` and `merchant reviewer ...`: what merchants control."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from shopwarden.agents.limits import LIMITS, check_consistent, merchant_limits, parse_limit
from shopwarden.cli._common import console, get_engine, print_json, require_current_schema, require_merchant
from shopwarden.db.engine import session_scope
from shopwarden.domain.vocabulary import AutonomyLiteral

merchant_app = typer.Typer(help="Merchants: autonomy level, limits, reviewers.", no_args_is_help=True)
reviewer_app = typer.Typer(help="People who may decide a merchant's approvals.", no_args_is_help=True)
Role = Literal["reviewer", "owner", "viewer"]
MERCHANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
NAMED_LIMITS = ("daily_budget_change_pct", "hard_budget_change_pct", "account_daily_increase_max",
                "inventory_change_approval_threshold", "max_skus_per_call", "min_roas_to_scale", "max_roas_to_pause")


def _with_article(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _limits_line(limits: dict[str, Any]) -> str:
    return ", ".join(f"{name} {value}" for name, value in sorted(limits.items())) or "none (all defaults)"


@merchant_app.command("add")
def add(merchant_id: str, name: Annotated[str, typer.Option(help="Display name.")] = "",
        autonomy: Annotated[AutonomyLiteral, typer.Option(help="observe | suggest | guarded")] = "suggest") -> None:
    """Create a merchant (autonomy `suggest` by default: every mutation needs approval)."""
    from shopwarden.audit.chain import start_chain
    from shopwarden.db.models import Merchant

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
    console.print(f"merchant {merchant_id} created with autonomy {autonomy}", highlight=False)


@merchant_app.command("list")
def list_command(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every merchant with its autonomy level and the state of its connections."""
    from sqlmodel import col, select

    from shopwarden.db.models import Connection, Merchant

    require_current_schema()
    with session_scope(get_engine()) as session:
        merchants = session.exec(select(Merchant).order_by(col(Merchant.id))).all()
        links: dict[str, dict[str, str]] = {}
        for link in session.exec(select(Connection)).all():
            links.setdefault(link.merchant_id, {})[link.platform] = link.status
    rows: list[dict[str, Any]] = [
        {"id": m.id, "name": m.name, "autonomy": m.autonomy, "connections": links.get(m.id, {})} for m in merchants]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no merchants yet: add one with `shopwarden merchant add ID`", highlight=False)
        return
    table = Table(title="merchants")
    for column in ("id", "name", "autonomy", "TikTok Shop", "TikTok Ads"):
        table.add_column(column)
    for row in rows:
        table.add_row(escape(row["id"]), escape(row["name"]), row["autonomy"],
                      row["connections"].get("shop", "not connected"), row["connections"].get("ads", "not connected"))
    console.print(table)


@merchant_app.command("set")
def set_(
    merchant_id: str,
    autonomy: Annotated[AutonomyLiteral | None, typer.Option(help="observe | suggest | guarded")] = None,
    daily_budget_change_pct: Annotated[str | None, typer.Option(help=LIMITS["daily_budget_change_pct"].meaning)] = None,
    hard_budget_change_pct: Annotated[str | None, typer.Option(help=LIMITS["hard_budget_change_pct"].meaning)] = None,
    account_daily_increase_max: Annotated[str | None, typer.Option(
        help=LIMITS["account_daily_increase_max"].meaning)] = None,
    inventory_threshold: Annotated[str | None, typer.Option(
        help=LIMITS["inventory_change_approval_threshold"].meaning)] = None,
    max_skus_per_call: Annotated[str | None, typer.Option(help=LIMITS["max_skus_per_call"].meaning)] = None,
    min_roas_to_scale: Annotated[str | None, typer.Option(help=LIMITS["min_roas_to_scale"].meaning)] = None,
    max_roas_to_pause: Annotated[str | None, typer.Option(help=LIMITS["max_roas_to_pause"].meaning)] = None,
    limit: Annotated[list[str] | None, typer.Option(
        "--limit", help=f"NAME=VALUE for any limit ({', '.join(sorted(LIMITS))}); repeatable.")] = None,
    reset: Annotated[list[str] | None, typer.Option(help="Forget the merchant's value of this limit "
                                                         "(back to the default); repeatable.")] = None,
    listing_copy_drafts: Annotated[bool | None, typer.Option(
        "--listing-copy-drafts/--no-listing-copy-drafts",
        help="Let the Creative agent draft listing copy (drafts only; nothing is published).")] = None,
) -> None:
    """Change the autonomy level, limits (policy data; the Rego is never edited) and opt-ins."""
    from shopwarden.db.models import Merchant

    named = dict(zip(NAMED_LIMITS, (daily_budget_change_pct, hard_budget_change_pct, account_daily_increase_max,
                                    inventory_threshold, max_skus_per_call, min_roas_to_scale, max_roas_to_pause),
                     strict=True))
    updates = {name: parse_limit(name, raw) for name, raw in named.items() if raw is not None}
    for pair in limit or []:
        name, sep, raw = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--limit")
        updates[name.strip()] = parse_limit(name.strip(), raw)
    for name in reset or []:
        if name not in LIMITS:
            raise typer.BadParameter(f"unknown limit {name!r}", param_hint="--reset")
    require_current_schema()
    with session_scope(get_engine()) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            from shopwarden.errors import NotFound

            raise NotFound(f"merchant {merchant_id} does not exist (create it with `shopwarden merchant add`)")
        limits = {k: v for k, v in (merchant.limits or {}).items() if k not in (reset or [])}
        limits.update(updates)
        check_consistent(merchant_limits(limits))
        merchant.limits = limits
        if autonomy is not None:
            merchant.autonomy = autonomy
        if listing_copy_drafts is not None:
            merchant.settings = {**(merchant.settings or {}), "listing_copy_drafts": listing_copy_drafts}
        session.add(merchant)
        drafts = "on" if merchant.wants_listing_copy_drafts else "off"
    console.print(f"merchant {merchant_id}: autonomy {merchant.autonomy}; own limits: {_limits_line(limits)}; "
                  f"listing copy drafts {drafts}", highlight=False)


def _connection_view(link: Any) -> dict[str, Any]:
    return {"status": link.status, "reason": link.status_reason, "account": link.external_account_id,
            "access_expires_at": link.access_expires_at.isoformat() if link.access_expires_at else None,
            "refresh_expires_at": link.refresh_expires_at.isoformat() if link.refresh_expires_at else None,
            "updated_at": link.updated_at.isoformat()}


@merchant_app.command("show")
def show(merchant_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The merchant's autonomy, effective limits, connections and reviewers."""
    from sqlmodel import col, select

    from shopwarden.db.models import Connection, Merchant, Reviewer
    from shopwarden.errors import NotFound

    require_current_schema()
    with session_scope(get_engine()) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        reviewers = session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id)
                                 .order_by(col(Reviewer.name))).all()
        links = session.exec(select(Connection).where(Connection.merchant_id == merchant_id)).all()
        view: dict[str, Any] = {"id": merchant.id, "name": merchant.name, "autonomy": merchant.autonomy,
                "limits": merchant_limits(merchant.limits or {}), "overrides": merchant.limits,
                "listing_copy_drafts": merchant.wants_listing_copy_drafts,
                "connections": {link.platform: _connection_view(link) for link in links},
                "reviewers": [{"name": r.name, "role": r.role, "has_token": r.token_hash is not None}
                              for r in reviewers]}
    if as_json:
        print_json(view)
        return
    console.print(f"merchant {escape(view['id'])} ({escape(view['name'])}): autonomy {view['autonomy']}, "
                  f"listing copy drafts {'on' if view['listing_copy_drafts'] else 'off'}", highlight=False)
    for platform, label in (("shop", "TikTok Shop"), ("ads", "TikTok Ads")):
        link = view["connections"].get(platform)
        if link is None:
            console.print(f"  {label}: not connected", highlight=False)
            continue
        reason = f" ({escape(link['reason'])})" if link["reason"] else ""
        account = f", account {escape(link['account'])}" if link["account"] else ""
        console.print(f"  {label}: {link['status']}{reason}{account}", highlight=False)
    console.print("  limits (* = the merchant's own value):", highlight=False)
    for name, value in sorted(view["limits"].items()):
        mark = "*" if name in (view["overrides"] or {}) else " "
        console.print(f"   {mark} {name} = {value}", highlight=False, markup=False)
    people = ", ".join(f"{escape(r['name'])} ({r['role']})" for r in view["reviewers"]) or "none"
    console.print(f"  reviewers: {people}", highlight=False)


@reviewer_app.command("add")
def reviewer_add(merchant_id: str, name: str,
                 role: Annotated[Role, typer.Option(help="reviewer | owner | viewer")] = "reviewer") -> None:
    """Allow a person to decide (reviewer, owner) or only see (viewer) the merchant's approvals."""
    from shopwarden import approvals

    require_current_schema()
    approvals.add_reviewer(get_engine(), merchant_id, name, role)
    console.print(escape(f"{name} is now {_with_article(role)} of merchant {merchant_id}"), highlight=False)


@reviewer_app.command("list")
def reviewer_list(merchant_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The merchant's reviewers, their roles and whether they hold a token."""
    from sqlmodel import col, select

    from shopwarden.db.models import Reviewer

    require_current_schema()
    engine = get_engine()
    require_merchant(engine, merchant_id)
    with session_scope(engine) as session:
        rows = [{"name": r.name, "role": r.role, "has_token": r.token_hash is not None}
                for r in session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id)
                                      .order_by(col(Reviewer.name))).all()]
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print(f"merchant {merchant_id} has no reviewers yet", highlight=False)
    for row in rows:
        token = "has a token" if row["has_token"] else "no token"
        console.print(escape(f"{row['name']}: {row['role']}, {token}"), highlight=False)


def _reviewer(session: Any, merchant_id: str, name: str) -> Any:
    from sqlmodel import select

    from shopwarden.db.models import Merchant, Reviewer
    from shopwarden.errors import NotFound

    if session.get(Merchant, merchant_id) is None:
        raise NotFound(f"merchant {merchant_id} does not exist")
    row = session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id, Reviewer.name == name)).first()
    if row is None:
        raise NotFound(f"{name} is not a reviewer of merchant {merchant_id}")
    return row


@reviewer_app.command("set-role")
def reviewer_set_role(merchant_id: str, name: str, role: Annotated[Role, typer.Argument(
        help="reviewer | owner | viewer")]) -> None:
    """Change what a reviewer may do (their token keeps working with the new role)."""
    require_current_schema()
    with session_scope(get_engine()) as session:
        row = _reviewer(session, merchant_id, name)
        row.role = role
        session.add(row)
    console.print(escape(f"{name} is now {_with_article(role)} of merchant {merchant_id}"), highlight=False)


@reviewer_app.command("remove")
def reviewer_remove(merchant_id: str, name: str) -> None:
    """Remove a reviewer; their token stops working at once. Past decisions stay in the audit log."""
    require_current_schema()
    with session_scope(get_engine()) as session:
        row = _reviewer(session, merchant_id, name)
        session.delete(row)
    console.print(escape(f"{name} removed from merchant {merchant_id}; their token no longer works"),
                  highlight=False)


@reviewer_app.command("revoke-token")
def reviewer_revoke_token(merchant_id: str, name: str) -> None:
    """Invalidate a reviewer's token (issue a new one with `merchant reviewer token`)."""
    require_current_schema()
    with session_scope(get_engine()) as session:
        row = _reviewer(session, merchant_id, name)
        had = row.token_hash is not None
        row.token_hash = None
        session.add(row)
    console.print(escape(f"token of {name} ({merchant_id}) revoked" if had else
                         f"{name} ({merchant_id}) had no token; nothing to revoke"), highlight=False)


def register(app: typer.Typer) -> None:
    merchant_app.add_typer(reviewer_app, name="reviewer")
    app.add_typer(merchant_app, name="merchant")
