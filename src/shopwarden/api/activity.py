"""The merchant's activity: the audit timeline (filtered) and daily performance with change days."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.api.charts import Series
from shopwarden.db.engine import session_scope
from shopwarden.db.models import BudgetLedgerEntry, CachedPerformance, ToolExecution, utcnow

CHART_DAYS = 14


@dataclass(frozen=True)
class Filters:
    agent: str = ""
    tool: str = ""
    outcome: str = ""
    since: date | None = None
    include_reads: bool = False  # reads are most rows; people look for changes and decisions first


def timeline(engine: Engine, merchant_id: str, filters: Filters, *, offset: int, limit: int) -> list[ToolExecution]:
    query = select(ToolExecution).where(ToolExecution.merchant_id == merchant_id)
    if filters.agent:
        query = query.where(ToolExecution.agent_id == filters.agent)
    if filters.tool:
        query = query.where(ToolExecution.tool == filters.tool)
    if filters.outcome:
        query = query.where(ToolExecution.outcome == filters.outcome)
    elif not filters.include_reads:
        query = query.where(ToolExecution.outcome != "read")
    if filters.since:
        start = datetime.combine(filters.since, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
        query = query.where(col(ToolExecution.created_at) >= start)
    with session_scope(engine) as session:
        return list(session.exec(query.order_by(col(ToolExecution.id).desc()).offset(offset).limit(limit)).all())


def choices(engine: Engine, merchant_id: str) -> dict[str, list[str]]:
    with session_scope(engine) as session:
        rows = session.exec(select(ToolExecution.agent_id, ToolExecution.tool, ToolExecution.outcome)
                            .where(ToolExecution.merchant_id == merchant_id).distinct()).all()
    return {"agents": sorted({r[0] for r in rows}), "tools": sorted({r[1] for r in rows}),
            "outcomes": sorted({r[2] for r in rows})}


@dataclass
class Performance:
    days: list[date]
    shop: dict[str, Series]  # spend, sales, roas for the whole shop
    campaigns: list[tuple[str, Series, Series]]  # campaign id, spend, sales
    changed_days: set[date]


def latest_day(engine: Engine, merchant_id: str) -> date | None:
    """The newest day with cached performance (the simulator's calendar may differ from ours)."""
    with session_scope(engine) as session:
        return session.exec(select(func.max(CachedPerformance.stat_date)).where(
            CachedPerformance.merchant_id == merchant_id)).one()


def performance(engine: Engine, merchant_id: str, today: date | None = None) -> Performance:
    """The last 14 days up to `today` (default: the newest day with data, else the real today)."""
    today = today or latest_day(engine, merchant_id) or utcnow().date()
    with session_scope(engine) as session:
        first = session.exec(select(func.min(CachedPerformance.stat_date)).where(
            CachedPerformance.merchant_id == merchant_id)).one()
    window = min(CHART_DAYS, max(7, (today - first).days + 1)) if first else CHART_DAYS
    days = [today - timedelta(days=n) for n in range(window - 1, -1, -1)]
    with session_scope(engine) as session:
        ledger_days = set(session.exec(select(col(BudgetLedgerEntry.day)).where(
            BudgetLedgerEntry.merchant_id == merchant_id, col(BudgetLedgerEntry.day) >= days[0])).all())
        rows = session.exec(select(CachedPerformance).where(
            CachedPerformance.merchant_id == merchant_id, CachedPerformance.level == "campaign",
            col(CachedPerformance.stat_date) >= days[0])).all()
        changes = session.exec(select(ToolExecution.created_at).where(
            ToolExecution.merchant_id == merchant_id, col(ToolExecution.mutating).is_(True),
            ToolExecution.outcome == "executed")).all()
    names = campaign_names(engine, merchant_id)
    spend: dict[date, Decimal] = defaultdict(Decimal)
    sales: dict[date, Decimal] = defaultdict(Decimal)
    per_campaign: dict[str, tuple[dict[date, Decimal], dict[date, Decimal]]] = {}
    for r in rows:
        spend[r.stat_date] += r.spend or 0
        sales[r.stat_date] += r.conversion_value or 0
        s, v = per_campaign.setdefault(r.object_id, ({}, {}))
        s[r.stat_date] = r.spend or Decimal(0)
        v[r.stat_date] = r.conversion_value or Decimal(0)
    roas = {d: sales[d] / spend[d] for d in spend if spend[d]}
    return Performance(
        days=days,
        shop={"spend": Series("spend", dict(spend)), "sales": Series("sales", dict(sales)),
              "roas": Series("ROAS", roas)},
        campaigns=[(names.get(cid, cid), Series("spend", s), Series("sales", v))
                   for cid, (s, v) in sorted(per_campaign.items())],
        # Budget changes carry the advertiser's day; other executed changes the day they were recorded.
        changed_days=ledger_days | {c.date() for c in changes if days[0] <= c.date() <= today},
    )


def campaign_names(engine: Engine, merchant_id: str, limit: int = 2000) -> dict[str, str]:
    """campaign id -> name, from what the gate observed (policy inputs) and what agents created."""
    query = (select(ToolExecution.tool, ToolExecution.args_redacted, ToolExecution.policy_input,
                    ToolExecution.result_summary)
             .where(ToolExecution.merchant_id == merchant_id,
                    col(ToolExecution.tool).in_(["update_budget", "enable_ads", "pause_ads", "create_campaign"]))
             .order_by(col(ToolExecution.id).desc()).limit(limit))
    names: dict[str, str] = {}
    with session_scope(engine) as session:
        for tool, args, policy_input, summary in session.exec(query).all():
            state = (policy_input or {}).get("state") or {}
            if state.get("object_type") == "campaign" and state.get("object_name"):
                names.setdefault(str(state.get("object_id")), str(state["object_name"]))
            if tool == "create_campaign" and (summary or {}).get("campaign_id") and (args or {}).get("campaign_name"):
                names.setdefault(str(summary["campaign_id"]), str(args["campaign_name"]))
    return names
