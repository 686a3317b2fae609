"""Scenario files: bad ones are refused with the file, the field and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import LARGE_CATALOG, SMALL_SHOP
from shopwarden.platforms.simulator import ScenarioError, Simulator, load_scenario


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _small() -> dict:
    return yaml.safe_load(SMALL_SHOP.read_text())


def test_small_shop_has_the_promised_shape() -> None:
    scenario = load_scenario(SMALL_SHOP)
    shop = scenario.merchants[0].shops[0]
    assert len(shop.products) == 12
    assert sum(len(p.skus) for p in shop.products) == 30
    assert scenario.merchants[0].advertisers[0].timezone == "America/Los_Angeles"
    assert len(scenario.merchants[0].advertisers[0].campaigns) == 5


def test_large_catalog_generates_10000_products_with_30000_skus() -> None:
    sim = Simulator.from_scenario(LARGE_CATALOG)
    [shop] = sim.world.shops.values()
    assert len(shop.products) == 10_000
    assert sum(len(p.skus) for p in shop.products.values()) == 30_000


def test_a_wrong_type_names_file_field_and_reason(tmp_path: Path) -> None:
    data = _small()
    data["merchant"]["shops"][0]["products"][0]["skus"][0]["price"] = "cheap"
    path = _write(tmp_path, data)
    with pytest.raises(ScenarioError) as caught:
        Simulator.from_scenario(path)
    assert caught.value.source == str(path)
    assert caught.value.field == "merchants.0.shops.0.products.0.skus.0.price"
    assert str(caught.value).startswith(f"{path}: merchants.0.shops.0.products.0.skus.0.price: ")


def test_an_unknown_field_is_refused(tmp_path: Path) -> None:
    data = _small()
    data["merchant"]["advertisers"][0]["campaigns"][0]["budgett"] = 5
    with pytest.raises(ScenarioError, match=r"campaigns\.0\.budgett: Extra inputs are not permitted"):
        Simulator.from_scenario(_write(tmp_path, data))


def test_stock_in_an_unknown_warehouse_is_refused(tmp_path: Path) -> None:
    data = _small()
    data["merchant"]["shops"][0]["products"][0]["skus"][0]["stock"] = {"nowhere": 3}
    with pytest.raises(ScenarioError, match="names unknown warehouse 'nowhere'"):
        Simulator.from_scenario(_write(tmp_path, data))


def test_a_campaign_promoting_an_unknown_product_is_refused(tmp_path: Path) -> None:
    data = _small()
    data["merchant"]["advertisers"][0]["campaigns"][0]["product_ids"] = ["404"]
    with pytest.raises(ScenarioError, match="promotes unknown product '404'"):
        Simulator.from_scenario(_write(tmp_path, data))


def test_an_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    data = _small()
    data["merchant"]["advertisers"][0]["timezone"] = "Mars/Olympus"
    with pytest.raises(ScenarioError, match="unknown time zone 'Mars/Olympus'"):
        Simulator.from_scenario(_write(tmp_path, data))


def test_a_naive_start_time_is_refused(tmp_path: Path) -> None:
    data = _small()
    data["start"] = "2026-03-02T08:00:00"
    with pytest.raises(ScenarioError, match=r"start: .*must carry a time zone"):
        Simulator.from_scenario(_write(tmp_path, data))


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\nstart: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"broken\.yaml: line \d+: not valid YAML"):
        Simulator.from_scenario(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"missing\.yaml: cannot read the file"):
        Simulator.from_scenario(tmp_path / "missing.yaml")


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    data = _small()
    campaigns = data["merchant"]["advertisers"][0]["campaigns"]
    campaigns[1]["id"] = campaigns[0]["id"]
    with pytest.raises(ScenarioError, match="campaign id '1800000000000000001' is used twice"):
        Simulator.from_scenario(_write(tmp_path, data))
