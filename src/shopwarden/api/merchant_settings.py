"""A merchant's autonomy level and limits as the console edits them, and the 7-day replay preview.

The preview re-decides the last 7 days' recorded policy inputs of this merchant with the new
autonomy and limits put in their place (the Rego is never edited), so an owner sees
"3 actions that ran would have needed approval" before saving.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden import audit
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, ToolExecution, utcnow
from shopwarden.errors import NotFound, ShopwardenError
from shopwarden.policy import PolicyEngine

AUTONOMY_LEVELS = ("observe", "suggest", "guarded")
PREVIEW_DAYS = 7
# limit key -> (label, smallest, largest, whole numbers only)
EDITABLE_LIMITS: dict[str, tuple[str, Decimal, Decimal, bool]] = {
    "daily_budget_change_pct": ("Daily budget change limit (%)", Decimal(0), Decimal(100), False),
    "account_daily_increase_max": ("Account-wide daily budget increase cap (money)", Decimal(0),
                                   Decimal(10_000_000), False),
    "inventory_change_approval_threshold": ("Stock change needing approval (units)", Decimal(0),
                                            Decimal(10_000_000), True),
}
_BEFORE = {"allow": "ran", "require_approval": "waited for approval", "deny": "{was} refused"}
_AFTER = {"allow": "run on its own", "require_approval": "needed approval", "deny": "been refused"}


class InvalidSettings(ShopwardenError):
    """A form value outside what the policy data accepts; the message names the field."""


@dataclass(frozen=True)
class Settings:
    autonomy: str
    limits: dict[str, Any]


@dataclass
class Preview:
    replayed: int = 0
    moves: Counter[tuple[str, str]] = field(default_factory=Counter)

    def sentences(self) -> list[str]:
        return [f"{n} {'action' if n == 1 else 'actions'} that "
                f"{_BEFORE.get(a, a).format(was='was' if n == 1 else 'were')} would have {_AFTER.get(b, b)}"
                for (a, b), n in sorted(self.moves.items())]


def parse(form: dict[str, str], current: dict[str, Any]) -> Settings:
    autonomy = form.get("autonomy", "")
    if autonomy not in AUTONOMY_LEVELS:
        raise InvalidSettings(f"autonomy must be one of {', '.join(AUTONOMY_LEVELS)}")
    limits = dict(current)
    for key, (label, low, high, whole) in EDITABLE_LIMITS.items():
        raw = form.get(key, "").strip()
        if raw == "":
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise InvalidSettings(f"{label}: {raw[:20]!r} is not a number") from None
        if not value.is_finite() or not low <= value <= high or (whole and value != value.to_integral_value()):
            raise InvalidSettings(f"{label}: must be {'a whole number ' if whole else ''}between {low} and {high}")
        limits[key] = int(value) if value == value.to_integral_value() else str(value)
    return Settings(autonomy, limits)


def current(engine: Engine, merchant_id: str) -> Merchant:
    with session_scope(engine) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        return merchant


def preview(engine: Engine, policy: PolicyEngine, merchant_id: str, settings: Settings) -> Preview:
    """Re-decide the merchant's last 7 days of recorded decisions under `settings`."""
    since = utcnow() - timedelta(days=PREVIEW_DAYS)
    query = (select(ToolExecution.decision, ToolExecution.policy_input)
             .where(ToolExecution.merchant_id == merchant_id, col(ToolExecution.decision).is_not(None),
                    col(ToolExecution.created_at) >= since).order_by(col(ToolExecution.id)))
    with session_scope(engine) as session:
        rows = [(d, p) for d, p in session.exec(query).all() if p and p.get("merchant")]
    result = Preview()
    for before, policy_input in rows:
        merchant = {**policy_input["merchant"], "autonomy": settings.autonomy,
                    "limits": {**policy_input["merchant"].get("limits", {}), **settings.limits}}
        after = policy.decide({**policy_input, "merchant": merchant}).decision
        result.replayed += 1
        if after != before:
            result.moves[(before or "", after)] += 1
    return result


def save(engine: Engine, merchant_id: str, settings: Settings, *, by: str) -> None:
    """Store the new settings; the change is an audit row with the before and after values."""
    with session_scope(engine) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        before = {"autonomy": merchant.autonomy, "limits": dict(merchant.limits or {})}
        merchant.autonomy, merchant.limits = settings.autonomy, settings.limits
        session.add(merchant)
        audit.record_execution(session, audit.AuditEntry(
            merchant_id=merchant_id, agent_id=f"reviewer:{by}", tool="merchant.settings", surface="console",
            args={"before": before, "after": {"autonomy": settings.autonomy, "limits": settings.limits}},
            outcome="executed", reasons=[f"autonomy {before['autonomy']} -> {settings.autonomy}"]))
