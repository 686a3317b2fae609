"""What a reviewer needs to decide an approval, in the merchant's words.

The gate recorded the platform state it observed when it queued the action (the audit row of
outcome `pending_approval`): the object's name, its budget, its currency. From it a card shows
"Spring Sale: 100.00 -> 130.00 USD/day (+30.0 %, +30.00 per day)".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, ToolExecution, utcnow
from shopwarden.tools import registry

_VERBS = {
    "enable_ads": "Switch on", "pause_ads": "Pause", "update_budget": "Change the budget of",
    "create_campaign": "Create", "create_adgroup": "Create", "update_sku_inventory": "Change stock of",
}


@dataclass(frozen=True)
class Change:
    before: Decimal
    after: Decimal
    currency: str

    @property
    def per_day(self) -> Decimal:
        return self.after - self.before

    @property
    def percent(self) -> Decimal | None:
        return None if self.before == 0 else (self.after - self.before) / self.before * 100

    def describe(self) -> str:
        pct = f"{self.percent:+.1f} %" if self.percent is not None else "from zero"
        return (f"{self.before:.2f} -> {self.after:.2f} {self.currency}/day "
                f"({pct}, {self.per_day:+.2f} {self.currency} per day)")


@dataclass(frozen=True)
class ApprovalCard:
    approval: Approval
    title: str
    object_name: str
    object_label: str
    change: Change | None
    risk: str
    group_key: str

    @property
    def time_left(self) -> str:
        seconds = int((self.approval.expires_at - utcnow()).total_seconds())
        if self.approval.status != "pending":
            return ""
        if seconds <= 0:
            return "expired"
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours} h {minutes} min left" if hours else f"{minutes} min left"

    @property
    def args_text(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.approval.args.items())


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except InvalidOperation:
        return None


def observed_states(engine: Engine, approval_ids: list[int]) -> dict[int, dict[str, Any]]:
    """approval id -> the state the gate observed when it queued the action."""
    if not approval_ids:
        return {}
    query = (select(ToolExecution.approval_id, ToolExecution.policy_input)
             .where(col(ToolExecution.approval_id).in_(approval_ids), ToolExecution.outcome == "pending_approval")
             .order_by(col(ToolExecution.id)))
    with session_scope(engine) as session:
        found: dict[int, dict[str, Any]] = {}
        for approval_id, policy_input in session.exec(query).all():
            assert approval_id is not None  # the IN filter never matches NULL
            found.setdefault(approval_id, (policy_input or {}).get("state") or {})
        return found


def adgroup_campaigns(engine: Engine, run_ids: list[str]) -> dict[str, str]:
    """adgroup id -> campaign id, for the ad groups created in these cycles (from their audit rows)."""
    if not run_ids:
        return {}
    query = select(ToolExecution.args_redacted, ToolExecution.result_summary).where(
        col(ToolExecution.run_id).in_(run_ids), ToolExecution.tool == "create_adgroup",
        ToolExecution.outcome == "executed")
    with session_scope(engine) as session:
        return {str(summary.get("adgroup_id")): str(args.get("campaign_id"))
                for args, summary in session.exec(query).all()
                if summary and summary.get("adgroup_id") and args and args.get("campaign_id")}


def card(approval: Approval, state: dict[str, Any], risks: Mapping[str, str],
         campaign_of: dict[str, str] | None = None) -> ApprovalCard:
    args = approval.args
    object_type = str(args.get("object_type") or ("campaign" if approval.tool == "create_campaign" else
                                                   "ad group" if approval.tool == "create_adgroup" else ""))
    name = str(state.get("object_name") or args.get("campaign_name") or args.get("adgroup_name")
               or args.get("product_id") or "")
    object_id = str(args.get("object_id") or "")
    label = " ".join(p for p in (object_type.replace("adgroup", "ad group"), name or object_id) if p)
    change = None
    before, after = _decimal(state.get("current_budget")), _decimal(args.get("budget"))
    if approval.tool == "update_budget" and before is not None and after is not None:
        change = Change(before, after, str(state.get("currency") or ""))
    elif approval.tool in ("create_campaign", "create_adgroup") and after is not None:
        change = Change(Decimal(0), after, str(state.get("currency") or ""))
    title = f"{_VERBS.get(approval.tool, approval.tool)} {label}".strip()
    # A campaign and the ad groups it was launched with are decided together (one run, one campaign).
    campaign = str(args.get("campaign_id") or (object_id if object_type == "campaign" else "")
                   or (campaign_of or {}).get(object_id, ""))
    group_key = f"{approval.run_id}:{campaign}" if approval.run_id and campaign else f"approval:{approval.id}"
    return ApprovalCard(approval, title, name, label, change, risks.get(approval.tool, "unknown"), group_key)


def cards(engine: Engine, rows: list[Approval]) -> list[ApprovalCard]:
    states = observed_states(engine, [a.id for a in rows if a.id is not None])
    risks = {name: tool.risk for name, tool in registry().items()}
    campaign_of = adgroup_campaigns(engine, sorted({a.run_id for a in rows if a.run_id}))
    return [card(a, states.get(a.id or 0, {}), risks, campaign_of) for a in rows]


def group_of(engine: Engine, approval: Approval) -> list[Approval]:
    """The pending approvals decided together with this one (itself included), campaign first."""
    with session_scope(engine) as session:
        same_run = list(session.exec(select(Approval).where(
            Approval.merchant_id == approval.merchant_id, Approval.run_id == approval.run_id,
            Approval.status == "pending")).all()) if approval.run_id else [approval]
    mine = {c.approval.id: c.group_key for c in cards(engine, same_run)}
    key = mine.get(approval.id)
    together = [a for a in same_run if mine.get(a.id) == key] or [approval]
    return sorted(together, key=lambda a: (a.args.get("object_type") != "campaign", a.id or 0))

