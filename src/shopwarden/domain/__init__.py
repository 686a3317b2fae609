"""Shared vocabulary every package speaks (`vocabulary`): autonomy levels, budget modes, approval
statuses, ad object types; `reason_codes`: the policy reason codes and what they mean.
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
