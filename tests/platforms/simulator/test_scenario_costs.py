"""Product costs in the scenario format: a SKU's own cost wins over its product's, and negatives are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopwarden.platforms.simulator.scenario import ScenarioError, load_scenario, unit_costs


def _world(product_cost: str | None, sku_cost: str | None) -> dict:
    data = load_scenario("small_shop").model_dump(mode="json")
    product = data["merchants"][0]["shops"][0]["products"][0]
    product["cost"] = product_cost
    product["skus"][0]["cost"] = sku_cost
    return data


def test_a_skus_cost_wins_over_its_products():
    costs = unit_costs(load_scenario(_world("7.00", "9.50")))
    assert costs["1729000000000001001"] == Decimal("9.50")  # its own
    assert costs["1729000000000001002"] == Decimal("7.00")  # its product's


def test_skus_without_any_cost_are_left_out():
    costs = unit_costs(load_scenario(_world(None, None)))
    assert "1729000000000001001" not in costs and "1729000000000001002" not in costs


def test_the_shipped_demo_world_has_a_cost_for_every_sku():
    scenario = load_scenario("small_shop")
    skus = [k.id for s in scenario.merchants[0].shops for p in s.products for k in p.skus]
    assert set(unit_costs(scenario)) == set(skus)


def test_a_negative_cost_names_the_field():
    with pytest.raises(ScenarioError, match=r"merchants.0.shops.0.products.0.skus.0.cost: Input should be greater"):
        load_scenario(_world("7.00", "-1"))
