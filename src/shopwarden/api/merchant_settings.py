"""A merchant's autonomy level, limits and the agents' thresholds as the console and the JSON API
edit them, and the 7-day replay preview.

Every value goes through `agents.limits.parse_limit` and `check_consistent`, the validation of
`shopwarden merchant set`, so page, API and CLI accept the same values.

The preview re-decides the last 7 days' recorded policy inputs of this merchant with the new
autonomy and limits put in their place (the Rego is never edited), so an owner sees
"3 actions that ran would have needed approval" before saving. The agents' own thresholds
(min_roas_to_scale, ...) are not read by the policy: the preview lists them as changes to what
the agents will propose from their next cycle, never as changed decisions.
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
from shopwarden.agents.limits import LIMITS, check_consistent, is_agent_threshold, merchant_limits, parse_limit
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, ToolExecution, utcnow
from shopwarden.errors import ConfigError, NotFound, ShopwardenError
from shopwarden.policy import PolicyEngine

AUTONOMY_LEVELS = ("observe", "suggest", "guarded")
PREVIEW_DAYS = 7
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
    # agents' thresholds the settings change: (name, now, after); they change proposals, not decisions
    thresholds: list[tuple[str, Any, Any]] = field(default_factory=list)
    limits: list[tuple[str, Any, Any]] = field(default_factory=list)  # the gate's limits that change

    def sentences(self) -> list[str]:
        return [f"{n} {'action' if n == 1 else 'actions'} that "
                f"{_BEFORE.get(a, a).format(was='was' if n == 1 else 'were')} would have {_AFTER.get(b, b)}"
                for (a, b), n in sorted(self.moves.items())]


def label(name: str) -> str:
    """The limit's meaning as a form label ("ROAS at which ..."; only the first letter is raised)."""
    meaning = LIMITS[name].meaning
    return meaning[:1].upper() + meaning[1:]


def groups() -> dict[str, list[str]]:
    """The settable limits as the page shows them: the gate's limits, then the agents' thresholds."""
    return {"gate": [n for n in LIMITS if not is_agent_threshold(n)],
            "agents": [n for n in LIMITS if is_agent_threshold(n)]}


def parse(autonomy: str, values: dict[str, Any], current_limits: dict[str, Any]) -> Settings:
    """The new settings from submitted values (blank = unchanged), validated as `merchant set` does.

    Only values that differ from what is in force become the merchant's own; the others stay
    defaults. Cross-limit rules (a refusal threshold above the approval one, ROAS bands that
    do not overlap) are checked on the result."""
    if autonomy not in AUTONOMY_LEVELS:
        raise InvalidSettings(f"autonomy must be one of {', '.join(AUTONOMY_LEVELS)}")
    unknown = sorted(str(k)[:40] for k in values if k not in LIMITS)
    if unknown:
        raise InvalidSettings(f"unknown limit {unknown[0]!r}; settable: {', '.join(LIMITS)}")
    in_force = merchant_limits(current_limits)
    limits = dict(current_limits)
    try:
        for name, raw in values.items():
            text = str(raw).strip() if raw is not None else ""
            if text == "":
                continue
            value = parse_limit(name, text)
            if name in current_limits or not _same(value, in_force.get(name)):
                limits[name] = value
        check_consistent(merchant_limits(limits))
    except ConfigError as exc:
        field_name = exc.variable.removeprefix("--").replace("-", "_").removeprefix("limit ")
        reason = str(exc).partition(": ")[2]
        shown = f"{label(field_name)} ({field_name})" if field_name in LIMITS else field_name
        raise InvalidSettings(f"{shown}: {reason}") from None
    return Settings(autonomy, limits)


def parse_form(form: dict[str, str], current_limits: dict[str, Any]) -> Settings:
    return parse(form.get("autonomy", ""), {k: v for k, v in form.items() if k in LIMITS}, current_limits)


def threshold_changes(current_limits: dict[str, Any], settings: Settings, *,
                      agents: bool = True) -> list[tuple[str, Any, Any]]:
    """(name, in force now, after) for each agents' threshold (or, agents=False, each gate limit)
    the new settings change."""
    before, after = merchant_limits(current_limits), merchant_limits(settings.limits)
    return [(n, before.get(n), after.get(n)) for n in LIMITS
            if is_agent_threshold(n) == agents and not _same(before.get(n), after.get(n))]


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except InvalidOperation:
        return str(a) == str(b)


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
    own = dict(current(engine, merchant_id).limits or {})
    result = Preview(thresholds=threshold_changes(own, settings), limits=threshold_changes(own, settings, agents=False))
    for before, policy_input in rows:
        merchant = {**policy_input["merchant"], "autonomy": settings.autonomy,
                    "limits": {**policy_input["merchant"].get("limits", {}), **settings.limits}}
        after = policy.decide({**policy_input, "merchant": merchant}).decision
        result.replayed += 1
        if after != before:
            result.moves[(before or "", after)] += 1
    return result


def save(engine: Engine, merchant_id: str, settings: Settings, *, by: str, surface: str = "console") -> None:
    """Store the new settings; the change is an audit row with the before and after values."""
    with session_scope(engine) as session:
        merchant = session.get(Merchant, merchant_id)
        if merchant is None:
            raise NotFound(f"merchant {merchant_id} does not exist")
        before = {"autonomy": merchant.autonomy, "limits": dict(merchant.limits or {})}
        merchant.autonomy, merchant.limits = settings.autonomy, settings.limits
        session.add(merchant)
        audit.record_execution(session, audit.AuditEntry(
            merchant_id=merchant_id, agent_id=f"reviewer:{by}", tool="merchant.settings", surface=surface,
            args={"before": before, "after": {"autonomy": settings.autonomy, "limits": settings.limits}},
            outcome="executed", reasons=[f"autonomy {before['autonomy']} -> {settings.autonomy}"]))
