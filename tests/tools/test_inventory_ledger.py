"""Cumulative inventory limits: stepping a large stock change over several calls meets the same approval
threshold (default 100 units per SKU per day) as making it at once; the next day starts afresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from shopwarden.agents.specs import AgentSpec
from shopwarden.config import get_settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import InventoryLedgerEntry, Product
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import Gate
from shopwarden.policy import default_limits, load_engine
from shopwarden.tools import ToolContext, registry


class FakeShop:
    def __init__(self, stock: int) -> None:
        self.stock = stock
        self.updates: list[int] = []

    async def get_product(self, product_id: str) -> dict[str, Any]:
        return {"id": product_id, "skus": [{"id": "s1", "inventory": [{"warehouse_id": "w1", "quantity": self.stock}]}]}

    async def update_inventory(self, product_id: str, skus: list[dict[str, Any]]) -> dict[str, Any]:
        self.stock = skus[0]["inventory"][0]["quantity"]
        self.updates.append(self.stock)
        return {"product_id": product_id}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def shop() -> FakeShop:
    return FakeShop(stock=10)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def gate(engine, merchant, shop: FakeShop, clock: Clock) -> Gate:
    with session_scope(engine) as session:
        session.add(Product(merchant_id="m-acme", shop_id="shop1", product_id="p1"))
    agent = AgentSpec(id="growth", allowed_tools=["update_sku_inventory"])
    return Gate(engine=engine, policy=load_engine(get_settings()), agent_specs={"growth": agent},
                default_limits=default_limits(),
                context_for=lambda m: ToolContext(m, engine, shop_factory=lambda: shop, clock=clock),
                clock=clock, tools=registry())


def _set(quantity: int) -> ToolCall:
    return ToolCall(tool="update_sku_inventory", agent_id="growth", merchant_id="m-acme",
                    args={"product_id": "p1", "skus": [{"sku_id": "s1", "warehouse_id": "w1", "quantity": quantity}]})


async def test_steps_that_add_up_past_the_threshold_need_approval(gate: Gate, engine, shop: FakeShop) -> None:
    first = await gate.call(_set(70))  # +60 since the start of the day: runs
    second = await gate.call(_set(105))  # +35 on its own, +95 since the start of the day: runs
    third = await gate.call(_set(140))  # +35 on its own, +130 since the start of the day: a reviewer
    assert [r.outcome for r in (first, second, third)] == [Outcome.EXECUTED, Outcome.EXECUTED,
                                                           Outcome.PENDING_APPROVAL]
    assert third.reason_codes == ["inventory.large_change"]
    assert third.reasons == ["changes the stock of SKU s1 in warehouse w1 to 140, 130 units from its 10 at the start "
                             "of the day (now 105), above the approval threshold of 100 units"]
    assert shop.updates == [70, 105]
    with session_scope(engine) as session:
        entries = session.exec(select(InventoryLedgerEntry).order_by(InventoryLedgerEntry.id)).all()
    assert [(e.start_of_day_quantity, e.quantity_before, e.quantity_after) for e in entries] == [(10, 10, 70),
                                                                                                 (10, 70, 105)]
    assert all(e.execution_id is not None for e in entries)


async def test_one_large_change_and_its_split_twin_get_the_same_answer(gate: Gate, shop: FakeShop) -> None:
    whole = await gate.call(_set(160))
    assert whole.outcome == Outcome.PENDING_APPROVAL
    halves = [await gate.call(_set(85)), await gate.call(_set(160))]
    assert [r.outcome for r in halves] == [Outcome.EXECUTED, Outcome.PENDING_APPROVAL]


async def test_going_back_down_is_measured_from_the_start_of_the_day(gate: Gate, shop: FakeShop) -> None:
    assert (await gate.call(_set(100))).outcome == Outcome.EXECUTED  # +90
    assert (await gate.call(_set(10))).outcome == Outcome.EXECUTED  # back to the start: 0 from it
    assert (await gate.call(_set(110))).outcome == Outcome.EXECUTED  # +100: at the threshold
    assert (await gate.call(_set(111))).outcome == Outcome.PENDING_APPROVAL


async def test_the_next_day_starts_from_the_stock_it_begins_with(gate: Gate, shop: FakeShop, clock: Clock) -> None:
    assert (await gate.call(_set(100))).outcome == Outcome.EXECUTED
    assert (await gate.call(_set(150))).outcome == Outcome.PENDING_APPROVAL
    clock.now += timedelta(days=1)
    assert (await gate.call(_set(150))).outcome == Outcome.EXECUTED  # +50 from today's 100
