"""The merchant-settable limits: policy data (policies/data.json) and the agents' thresholds.

One table and one validation, so `shopwarden merchant set`, the console's limits page and the
JSON API accept exactly the same values, and `merchant show` can say which value is the
merchant's and which is a default.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shopwarden.domain.limits import effective_limits
from shopwarden.errors import ConfigError


@dataclass(frozen=True)
class Limit:
    name: str
    integer: bool
    low: Decimal
    high: Decimal | None
    meaning: str


LIMITS: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("daily_budget_change_pct", False, Decimal(0), Decimal(100),
          "% a budget may rise above its start-of-day value without approval"),
    Limit("hard_budget_change_pct", False, Decimal(0), Decimal(1000), "% rise above which a change is refused"),
    Limit("account_daily_increase_max", False, Decimal(0), None, "total daily budget increase per account"),
    Limit("min_campaign_budget", False, Decimal(0), None, "smallest campaign daily budget"),
    Limit("min_adgroup_budget", False, Decimal(0), None, "smallest ad group daily budget"),
    Limit("max_skus_per_call", True, Decimal(1), Decimal(50), "SKUs one inventory call may change"),
    Limit("inventory_change_approval_threshold", True, Decimal(0), None,
          "units a SKU's stock may move in a day without approval"),
    Limit("min_roas_to_scale", False, Decimal(0), Decimal(1000), "ROAS at which the agent proposes a raise"),
    Limit("max_roas_to_pause", False, Decimal(0), Decimal(1000), "ROAS below which the agent proposes a pause"),
    Limit("min_spend_to_judge", False, Decimal(0), None, "spend before the agent judges a campaign"),
    Limit("restock_days_of_cover", True, Decimal(1), Decimal(365), "days of stock below which to alert"),
    Limit("max_denials_per_tool", True, Decimal(1), Decimal(100), "denials before the agent stops trying a tool"),
)}


def is_agent_threshold(name: str) -> bool:
    """A threshold the agents read when they plan (not policy data the gate decides with)."""
    from shopwarden.policy import default_limits

    return name in LIMITS and name not in default_limits()


def merchant_limits(overrides: dict[str, Any]) -> dict[str, Any]:
    """What is in force for a merchant with these overrides, in the one order (domain/limits.py)."""
    from shopwarden.agents.specs import load_agent_specs
    from shopwarden.policy import default_limits

    agent_defaults: dict[str, Any] = {}
    for spec in load_agent_specs().values():
        agent_defaults.update({k: v for k, v in spec.default_limits.items() if k in LIMITS})
    return effective_limits(default_limits(), agent=agent_defaults, merchant=overrides)


def parse_limit(name: str, raw: str) -> int | str:
    """A validated stored value (int, or a Decimal as text) for limit `name`; ConfigError names the flaw."""
    limit = LIMITS.get(name)
    if limit is None:
        raise ConfigError(f"--limit {name}", f"unknown limit; use one of {', '.join(sorted(LIMITS))}")
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise ConfigError(f"--{name.replace('_', '-')}", f"{raw[:40]!r} is not a number") from None
    if not value.is_finite():
        raise ConfigError(f"--{name.replace('_', '-')}", "must be a finite number")
    if limit.integer and value != value.to_integral_value():
        raise ConfigError(f"--{name.replace('_', '-')}", f"must be a whole number, not {value}")
    if value < limit.low or (limit.high is not None and value > limit.high):
        upper = f" and at most {limit.high}" if limit.high is not None else ""
        raise ConfigError(f"--{name.replace('_', '-')}", f"must be at least {limit.low}{upper}, not {value}")
    return int(value) if value == value.to_integral_value() else str(value.normalize())


def check_consistent(limits: dict[str, Any]) -> None:
    """Cross-limit rules: a refusal threshold below the approval threshold, or overlapping ROAS bands."""
    def number(name: str) -> Decimal | None:
        return Decimal(str(limits[name])) if name in limits else None

    soft, hard = number("daily_budget_change_pct"), number("hard_budget_change_pct")
    if soft is not None and hard is not None and hard < soft:
        raise ConfigError("--hard-budget-change-pct", f"{hard} is below daily_budget_change_pct {soft}")
    scale, pause = number("min_roas_to_scale"), number("max_roas_to_pause")
    if scale is not None and pause is not None and pause >= scale:
        raise ConfigError("--max-roas-to-pause", f"{pause} must be below min_roas_to_scale {scale}")


__all__ = ["LIMITS", "Limit", "check_consistent", "is_agent_threshold", "merchant_limits", "parse_limit"]
