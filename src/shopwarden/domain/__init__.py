"""Shared vocabulary every package speaks (`vocabulary`): autonomy levels, budget modes, approval
statuses, ad object types; `reason_codes`: the policy reason codes and what they mean;
`notes`: the one rule for reviewer notes and reasons; `display`: names as people read them.
It imports nothing from shopwarden, so any module may use it."""

from shopwarden.domain.vocabulary import (
    ApprovalStatus,
    Autonomy,
    AutonomyLiteral,
    BudgetMode,
    BudgetModeLiteral,
    ObjectType,
    ObjectTypeLiteral,
)

__all__ = [
    "ApprovalStatus",
    "Autonomy",
    "AutonomyLiteral",
    "BudgetMode",
    "BudgetModeLiteral",
    "ObjectType",
    "ObjectTypeLiteral",
]
