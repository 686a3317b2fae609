"""What an owner does on the merchant pages, once for the console and the JSON API.

Each action checks its input, changes one thing and writes one audit row naming the person and
the surface (console or api). Refusals are `ShopwardenError`s whose message is safe to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden import audit
from shopwarden.api.activity import latest_day
from shopwarden.api.auth import ReviewerIdentity, issue_token
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import (
    Approval,
    CachedPerformance,
    Connection,
    CycleRun,
    DeletionRequest,
    Reviewer,
    utcnow,
)
from shopwarden.domain.notes import has_control_characters
from shopwarden.errors import NotFound, ShopwardenError
from shopwarden.security import connections, retention

PLATFORMS = {"shop": "TikTok Shop", "ads": "TikTok Ads"}
NAME_MAX_CHARS = 120
REVIEWER_ID_MAX = 2**31 - 1


class ActionRefused(ShopwardenError):
    """The owner asked for something this merchant page cannot do (the message says why)."""


def require_platform(platform: str) -> str:
    if platform not in PLATFORMS:
        raise NotFound(f"no platform {platform[:20]!r}; use shop or ads")
    return platform


def overview(engine: Engine, merchant_id: str) -> dict[str, Any]:
    """Today's spend, sales and ROAS (the latest reported day), pending approvals, the last cycles."""
    today = latest_day(engine, merchant_id) or utcnow().date()
    with session_scope(engine) as session:
        spend = session.exec(select(func.coalesce(func.sum(CachedPerformance.spend), 0)).where(
            CachedPerformance.merchant_id == merchant_id, CachedPerformance.level == "campaign",
            CachedPerformance.stat_date == today)).one()
        sales = session.exec(select(func.coalesce(func.sum(CachedPerformance.conversion_value), 0)).where(
            CachedPerformance.merchant_id == merchant_id, CachedPerformance.level == "campaign",
            CachedPerformance.stat_date == today)).one()
        pending = session.exec(select(func.count()).select_from(Approval).where(
            Approval.merchant_id == merchant_id, Approval.status == "pending")).one()
        cycles = list(session.exec(select(CycleRun).where(CycleRun.merchant_id == merchant_id)
                                   .order_by(col(CycleRun.started_at).desc()).limit(5)).all())
    spend, sales = Decimal(str(spend)), Decimal(str(sales))
    return {"day": today, "spend": spend, "sales": sales, "roas": (sales / spend) if spend else None,
            "pending": pending, "cycles": cycles}


@dataclass(frozen=True)
class ConnectionsView:
    links: list[Connection]
    deletions: list[DeletionRequest]


def connections_view(engine: Engine, merchant_id: str) -> ConnectionsView:
    with session_scope(engine) as session:
        links = list(session.exec(select(Connection).where(Connection.merchant_id == merchant_id)
                                  .order_by(col(Connection.platform))).all())
        deletions = list(session.exec(select(DeletionRequest).where(DeletionRequest.merchant_id == merchant_id)
                                      .order_by(col(DeletionRequest.id).desc()).limit(10)).all())
    return ConnectionsView(links, deletions)


def people(engine: Engine, merchant_id: str) -> list[Reviewer]:
    with session_scope(engine) as session:
        return list(session.exec(select(Reviewer).where(Reviewer.merchant_id == merchant_id)
                                 .order_by(col(Reviewer.name))).all())


def _record(session: Any, who: ReviewerIdentity, tool: str, surface: str, args: dict[str, Any],
            reasons: list[str] | None = None) -> None:
    audit.record_execution(session, audit.AuditEntry(
        merchant_id=who.merchant_id, agent_id=f"reviewer:{who.name}", tool=tool, surface=surface, args=args,
        outcome="executed", reasons=reasons or []))


def disconnect(engine: Engine, settings_of: Any, who: ReviewerIdentity, platform: str, surface: str) -> str:
    """Disconnect and delete the tokens now; for TikTok Ads also delete the account at Composio (or
    revoke a native token). Returns the sentence to show. `settings_of` gives the Settings when needed."""
    require_platform(platform)
    reason = f"disconnected by {who.name}"
    remote_note = ""
    if platform == "ads" and _needs_remote_step(engine, who.merchant_id):
        from shopwarden.platforms.ads.connect import disconnect_ads

        result = disconnect_ads(engine, who.merchant_id, settings_of(), reason=reason)
        if not result.remote_deleted:
            remote_note = f"; the remote account is not deleted yet ({(result.remote_error or '')[:120]}): " \
                          "disconnect again to retry"
    else:
        with session_scope(engine) as session:
            connections.disconnect(session, who.merchant_id, platform, reason=reason)
    with session_scope(engine) as session:
        _record(session, who, "connections.disconnect", surface, {"platform": platform},
                ["tokens deleted at disconnect"])
    return f"{PLATFORMS[platform]} disconnected; its tokens are deleted{remote_note}"


def _needs_remote_step(engine: Engine, merchant_id: str) -> bool:
    with session_scope(engine) as session:
        link = session.exec(select(Connection).where(Connection.merchant_id == merchant_id,
                                                     Connection.platform == "ads")).first()
        if link is None:
            raise NotFound("TikTok Ads is not connected for this merchant")
        return bool(link.external_account_id) or ((link.details or {}).get("mode") == "native"
                                                  and link.access_token_enc is not None)


def delete_cached_data(engine: Engine, who: ReviewerIdentity, surface: str) -> retention.PurgeReport:
    report = retention.delete_merchant_cache(engine, who.merchant_id, "all_cached")
    with session_scope(engine) as session:
        _record(session, who, "data.delete", surface, {"scope": "all_cached"},
                [f"{report.performance_rows} performance rows, {report.order_rows} orders deleted"])
    return report


def invite(engine: Engine, who: ReviewerIdentity, name: str, role: str, surface: str) -> str:
    """Add a person with a role (or give an existing one a new token); returns the token, shown once."""
    name = name.strip()
    if not name or len(name) > NAME_MAX_CHARS or role not in approvals.REVIEWER_ROLES:
        raise ActionRefused(f"give a name (up to {NAME_MAX_CHARS} characters) and a role "
                            f"({', '.join(approvals.REVIEWER_ROLES)})")
    if has_control_characters(name):
        raise ActionRefused("the name contains control characters (such as NUL); remove them")
    if name == who.name:
        raise ActionRefused("you cannot change your own role or token here")
    approvals.add_reviewer(engine, who.merchant_id, name, role)
    token = issue_token(engine, who.merchant_id, name)
    with session_scope(engine) as session:
        _record(session, who, "reviewers.invite", surface, {"reviewer": name, "role": role})
    return token


def change_reviewer(engine: Engine, who: ReviewerIdentity, reviewer_id: int, action: str, role: str | None,
                    surface: str) -> str:
    """`action` is "role" (with `role`) or "revoke" (the token stops working at once)."""
    with session_scope(engine) as session:
        row = session.get(Reviewer, reviewer_id) if 0 < reviewer_id <= REVIEWER_ID_MAX else None
        if row is None or row.merchant_id != who.merchant_id:
            raise NotFound("no such reviewer at this merchant")
        if row.name == who.name:
            raise ActionRefused("you cannot change your own role or token here")
        if action == "revoke":
            row.token_hash = None
            message = f"{row.name}'s token is revoked"
        elif action == "role" and role in approvals.REVIEWER_ROLES:
            row.role = role
            message = f"{row.name} is now {row.role}"
        else:
            raise ActionRefused(f"unknown change: use role (with one of {', '.join(approvals.REVIEWER_ROLES)}) "
                                "or revoke")
        session.add(row)
        _record(session, who, f"reviewers.{action}", surface, {"reviewer": row.name, "role": row.role})
    return message

