"""An inventory change for one warehouse of a multi-warehouse SKU sends every warehouse of that SKU
(the others at their current quantities), through the real gate and simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from stack import MERCHANT, make_stack

from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.tools.shop import with_every_warehouse

PRODUCT, SKU = "1729000000000000001", "1729000000000001001"
WH_A, WH_B = "7300000000000000101", "7300000000000000102"


def test_the_other_warehouses_keep_their_current_quantities() -> None:
    product = {"skus": [{"id": "s1", "inventory": [{"warehouse_id": "a", "quantity": 9},
                                                  {"warehouse_id": "b", "quantity": 4}]}]}
    lines = [{"id": "s1", "inventory": [{"warehouse_id": "a", "quantity": 12}]}]
    assert with_every_warehouse(lines, product) == [
        {"id": "s1", "inventory": [{"warehouse_id": "a", "quantity": 12}, {"warehouse_id": "b", "quantity": 4}]}]


async def test_a_one_warehouse_change_sends_both_warehouses(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    stack = await make_stack(monkeypatch, tmp_path, autonomy="guarded", days=0)
    sku = next(s for s in stack.sim.world.shops["7494000000000000001"].products[PRODUCT].skus if s.id == SKU)
    other = sku.stock[WH_B]
    # Tenancy before the platform: the product must be in the merchant's synced catalogue first.
    synced = await stack.runtime.gate.call(ToolCall(tool="sync_catalog", agent_id="growth_marketer",
                                                    merchant_id=MERCHANT, args={}))
    assert synced.ok, synced.reasons
    result = await stack.runtime.gate.call(ToolCall(
        tool="update_sku_inventory", agent_id="growth_marketer", merchant_id=MERCHANT,
        args={"product_id": PRODUCT, "skus": [{"sku_id": SKU, "warehouse_id": WH_A, "quantity": 80}]}))
    assert result.outcome == Outcome.EXECUTED, result.reasons
    (sent,) = [r for r in stack.sim.requests if r.path.endswith(f"/products/{PRODUCT}/inventory/update")]
    assert sent.body == {"skus": [{"id": SKU, "inventory": [{"warehouse_id": WH_A, "quantity": 80},
                                                            {"warehouse_id": WH_B, "quantity": other}]}]}
    assert sku.stock == {WH_A: 80, WH_B: other}
