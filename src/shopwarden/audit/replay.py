"""Policy replay for evaluators: re-decide recorded policy inputs under another policy version.

Every mutating call's exact policy input is kept (redacted) in `tool_executions.policy_input`,
so a new policy can be tried against real history before it ships.

A recorded input carries the limits in force when it was decided (`merchant.limits`), and those
win over `data.json`. So a limit change is previewed with `limits=` (applied over each recorded
input's limits); a report whose new data.json changes a limit that the inputs carry says so
(`stale_inputs`), instead of quietly reporting that nothing would change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import ToolExecution
from shopwarden.policy import PolicyEngine

_SEVERITY = {"allow": 0, "require_approval": 1, "deny": 2}


@dataclass(frozen=True)
class ReplayedDecision:
    execution_id: int
    merchant_id: str
    created_at: str
    tool: str
    before: str
    after: str
    before_version: str
    after_version: str
    reasons: list[str]
    reason_codes: list[str]

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def direction(self) -> str:
        if not self.changed:
            return "same"
        return "stricter" if _SEVERITY.get(self.after, 3) > _SEVERITY.get(self.before, 3) else "looser"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "changed": self.changed, "direction": self.direction}


@dataclass
class ReplayReport:
    policy_version: str
    replayed: int
    changes: list[ReplayedDecision]
    limits_applied: dict[str, Any] = field(default_factory=dict)
    stale_inputs: int = 0  # inputs whose own limits hide a limit the new data.json changes
    stale_limits: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"policy_version": self.policy_version, "replayed": self.replayed,
                "changed": len(self.changes), "changes": [c.as_dict() for c in self.changes],
                "limits_applied": self.limits_applied, "stale_inputs": self.stale_inputs,
                "stale_limits": self.stale_limits}


def _with_limits(policy_input: dict[str, Any], limits: dict[str, Any]) -> dict[str, Any]:
    merchant = dict(policy_input.get("merchant") or {})
    merchant["limits"] = {**(merchant.get("limits") or {}), **limits}
    return {**policy_input, "merchant": merchant}


def replay(engine: Engine, policy: PolicyEngine, *, since: datetime | None = None, merchant_id: str | None = None,
           limits: dict[str, Any] | None = None, changed_defaults: dict[str, Any] | None = None) -> ReplayReport:
    """Re-decide every recorded decision (those that carry a policy input); report the ones that change.

    `limits` are applied over each recorded input's limits; `changed_defaults` (data.json limits that
    differ from those in force) are checked against the recorded inputs to warn when they cannot apply.
    """
    query = (select(ToolExecution).where(col(ToolExecution.decision).is_not(None))
             .order_by(col(ToolExecution.id)))
    if since is not None:
        query = query.where(col(ToolExecution.created_at) >= since)
    if merchant_id is not None:
        query = query.where(ToolExecution.merchant_id == merchant_id)
    replayed, changes, stale = 0, [], set()
    hidden = set(changed_defaults or {}) - set(limits or {})
    stale_inputs = 0
    with session_scope(engine) as session:
        rows = [r for r in session.exec(query).all() if r.policy_input]
    for row in rows:
        recorded_limits = (row.policy_input.get("merchant") or {}).get("limits") or {}
        carried = hidden & set(recorded_limits)
        if carried:
            stale_inputs += 1
            stale |= carried
        decision = policy.decide(_with_limits(row.policy_input, limits) if limits else row.policy_input)
        replayed += 1
        result = ReplayedDecision(
            execution_id=row.id or 0, merchant_id=row.merchant_id, created_at=row.created_at.isoformat(),
            tool=row.tool, before=row.decision or "", after=decision.decision,
            before_version=row.policy_version or "", after_version=decision.policy_version,
            reasons=decision.reasons, reason_codes=decision.reason_codes,
        )
        if result.changed:
            changes.append(result)
    return ReplayReport(policy_version=policy.version, replayed=replayed, changes=changes,
                        limits_applied=dict(limits or {}), stale_inputs=stale_inputs, stale_limits=sorted(stale))
