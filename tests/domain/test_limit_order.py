"""Limits combine in one order: policy defaults, then the agent's, then the merchant's own."""

from shopwarden.domain.limits import effective_limits


def test_the_merchant_overrides_the_agent_which_overrides_the_policy_defaults() -> None:
    limits = effective_limits({"daily_budget_change_pct": 20, "min_campaign_budget": 50},
                              agent={"daily_budget_change_pct": 15, "min_roas_to_scale": "2.0"},
                              merchant={"daily_budget_change_pct": 10})
    assert limits == {"daily_budget_change_pct": 10, "min_campaign_budget": 50, "min_roas_to_scale": "2.0"}


def test_missing_layers_leave_the_defaults_and_nothing_is_mutated() -> None:
    defaults = {"daily_budget_change_pct": 20}
    assert effective_limits(defaults, agent=None, merchant=None) == {"daily_budget_change_pct": 20}
    effective_limits(defaults, merchant={"daily_budget_change_pct": 5})
    assert defaults == {"daily_budget_change_pct": 20}
