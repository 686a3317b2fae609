"""What each reason code means for a decision, and the check that a decision agrees with its codes.

The policy engine's verdict is only believed when its own reason codes support it: an `allow` may
carry allowing codes only, a `require_approval` no denying code. Anything else is treated as a deny
(`engine.inconsistent_decision`), so a forged or broken verdict can never let a call through.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopwarden.policy.contract import Decision


class Effect(StrEnum):
    ALLOW = "allow"
    APPROVAL = "require_approval"
    DENY = "deny"


ALLOW_CODES = frozenset({
    "allow.read",
    "allow.within_limits",
    "gmv_max.voids_roi_protection",  # allowed, and the reason says what it costs (ROI protection for the day)
})

APPROVAL_CODES = frozenset({
    "autonomy.suggest",
    "budget.account_daily_cap",
    "budget.daily_change_limit",
    "enable.needs_approval",
    "gmv_max.launch_needs_approval",
    "gmv_max.roi_target_change_limit",
    "gmv_max.roi_target_changes_per_day",
    "inventory.large_change",
    "inventory.unknown_current_stock",
    "policy.unverified",
})

DENY_CODES = frozenset({
    "allowlist.tool_not_allowed",
    "autonomy.observe",
    "autonomy.unknown",
    "budget.below_minimum",
    "budget.hard_change_limit",
    "budget.stale_day",
    "creation.not_disabled",
    "gmv_max.not_authorized",
    "gmv_max.products_not_launchable",
    "gmv_max.store_unavailable",
    "input.invalid",
    "inventory.bulk_update",
    "inventory.negative_quantity",
    "inventory.no_skus",
    "policy.unknown_tool",
    "tenancy.cross_tenant",
    # said by shopwarden itself when the engine cannot be asked or answers nonsense
    "engine.error",
    "engine.inconsistent_decision",
    "engine.malformed_decision",
    "engine.no_decision",
    "engine.unavailable",
})

INCONSISTENT = "engine.inconsistent_decision"


def effect_of(code: str) -> Effect | None:
    """The effect a code stands for; None for a code shopwarden does not know."""
    if code in ALLOW_CODES:
        return Effect.ALLOW
    if code in APPROVAL_CODES:
        return Effect.APPROVAL
    if code in DENY_CODES:
        return Effect.DENY
    return None


def inconsistency(decision: Decision) -> str | None:
    """Why the verdict disagrees with its reason codes, or None when they agree.

    A deny is always believed. A require_approval may carry codes shopwarden does not know yet (a
    reviewer still decides), never a denying one. An allow needs at least one code, all allowing.
    """
    codes = decision.reason_codes
    if decision.details and ([d.reason for d in decision.details] != decision.reasons
                             or {d.code for d in decision.details} != set(codes)):
        return f"the policy engine answered {decision.decision}, but its reasons and their details disagree"
    if decision.decision == "deny":
        return None
    if not codes or not decision.reasons:
        if decision.decision == "allow":
            return "the policy engine answered allow, but its reason codes do not allow it: it gave none"
        return f"the policy engine answered {decision.decision} without any reason code"
    if decision.decision == "require_approval":
        denying = sorted(code for code in codes if effect_of(code) == Effect.DENY)
        if denying:
            return ("the policy engine answered require_approval, but its reason codes deny the call: "
                    + ", ".join(denying))
        return None
    refusing = sorted(code for code in codes if effect_of(code) != Effect.ALLOW)
    if refusing:
        return "the policy engine answered allow, but its reason codes do not allow it: " + ", ".join(refusing)
    return None
