"""Policy inputs the policy tests share (a module of its own: `conftest` names clash across folders)."""

from __future__ import annotations


def budget_input(**overrides: object) -> dict:
    """A guarded update_budget input for campaign Summer Sale (start of day 100.00)."""
    document: dict = {
        "tool": "update_budget",
        "action": "mutate",
        "now": "2024-05-01T18:00:00Z",
        "merchant": {"id": "m-acme", "autonomy": "guarded", "limits": {}},
        "agent": {"id": "growth-marketer", "allowed_tools": ["update_budget"]},
        "args": {"advertiser_id": "adv-1", "object_type": "campaign", "object_id": "c-1", "budget": "110.00"},
        "state": {
            "object_name": "Summer Sale",
            "current_budget": "100.00",
            "start_of_day_budget": "100.00",
            "day": "2024-05-01",
            "account_increase_today": "0",
            "resource_merchant_id": "m-acme",
        },
        "request": {},
    }
    document.update(overrides)
    return document
