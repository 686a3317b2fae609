"""Tool argument models: field allowlists, bounds and clear per-field errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from shopwarden.tools.inputs import (
    CreateCampaignArgs,
    ReadTrendsArgs,
    SearchOrdersArgs,
    UpdateBudgetArgs,
    UpdateSkuInventoryArgs,
)

BUDGET = {"advertiser_id": "adv1", "object_type": "campaign", "object_id": "c1", "budget": "120.50"}


def _error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {".".join(map(str, e["loc"])): e["type"] for e in exc.value.errors()}


def test_budget_update_parses_money_as_decimal() -> None:
    args = UpdateBudgetArgs.model_validate(BUDGET)
    assert args.budget == Decimal("120.50")
    assert args.budget_mode is None


@pytest.mark.parametrize("field", ["objective_type", "targeting", "creative_id", "operation_status", "campaign_name"])
def test_budget_update_refuses_every_field_outside_its_allowlist(field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        UpdateBudgetArgs.model_validate({**BUDGET, field: "x"})
    assert _error_fields(exc) == {field: "extra_forbidden"}


@pytest.mark.parametrize("budget", ["0", "-5", "abc", "NaN", "1.234"])
def test_budget_must_be_a_positive_amount_in_cents(budget: str) -> None:
    with pytest.raises(ValidationError) as exc:
        UpdateBudgetArgs.model_validate({**BUDGET, "budget": budget})
    assert list(_error_fields(exc)) == ["budget"]


def test_create_campaign_has_no_status_field() -> None:
    base = {"advertiser_id": "adv1", "campaign_name": "Spring", "objective_type": "TRAFFIC",
            "budget_mode": "BUDGET_MODE_DAY", "budget": 60}
    assert CreateCampaignArgs.model_validate(base).budget == Decimal(60)
    with pytest.raises(ValidationError) as exc:
        CreateCampaignArgs.model_validate({**base, "operation_status": "ENABLE"})
    assert _error_fields(exc) == {"operation_status": "extra_forbidden"}


def test_inventory_update_needs_non_negative_quantities_and_at_least_one_sku() -> None:
    with pytest.raises(ValidationError) as exc:
        UpdateSkuInventoryArgs.model_validate(
            {"product_id": "p1", "skus": [{"sku_id": "s1", "warehouse_id": "w1", "quantity": -1}]})
    assert _error_fields(exc) == {"skus.0.quantity": "greater_than_equal"}
    with pytest.raises(ValidationError) as exc:
        UpdateSkuInventoryArgs.model_validate({"product_id": "p1", "skus": []})
    assert _error_fields(exc) == {"skus": "too_short"}


def test_inventory_update_refuses_the_same_sku_and_warehouse_twice() -> None:
    line = {"sku_id": "s1", "warehouse_id": "w1", "quantity": 3}
    with pytest.raises(ValidationError, match="SKU s1 in warehouse w1 is listed twice"):
        UpdateSkuInventoryArgs.model_validate({"product_id": "p1", "skus": [line, {**line, "quantity": 4}]})


def test_bounds_on_read_tools() -> None:
    assert SearchOrdersArgs().since_hours == 24
    with pytest.raises(ValidationError):
        SearchOrdersArgs(since_hours=721)
    with pytest.raises(ValidationError):
        ReadTrendsArgs.model_validate({"kind": "hashtags", "limit": 51})
    with pytest.raises(ValidationError):
        ReadTrendsArgs.model_validate({"kind": "sounds"})


def test_ids_cannot_smuggle_paths_or_queries() -> None:
    with pytest.raises(ValidationError) as exc:
        UpdateBudgetArgs.model_validate({**BUDGET, "object_id": "c1/../../advertiser"})
    assert list(_error_fields(exc)) == ["object_id"]
