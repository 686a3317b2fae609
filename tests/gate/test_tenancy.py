"""Tenancy before the platform: a call naming a resource our tables do not attribute to the merchant is
denied, audited, and sends nothing to any platform, for reads, writes and approved executions alike."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from gate_fakes import ADVERTISER
from sqlmodel import select

from shopwarden.agents.specs import AgentSpec
from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import (
    BudgetLedgerEntry,
    Connection,
    Merchant,
    Product,
    Reviewer,
    Shop,
    ToolExecution,
)
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import Gate
from shopwarden.policy import default_limits
from shopwarden.tools import ToolContext, registry


class Tripwire:
    """A platform adapter that records every request made of it (and answers none)."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def __getattr__(self, name: str) -> Any:
        async def request(*_args: Any, **_kw: Any) -> Any:
            self.requests.append(name)
            raise AssertionError(f"the platform was asked {name}")

        return request


@pytest.fixture
def world(engine, merchant) -> None:
    with session_scope(engine) as session:
        session.add(Merchant(id="m-other", name="Other"))
        session.flush()
        session.add(Connection(merchant_id="m-acme", platform="ads", details={"advertiser_ids": [ADVERTISER]}))
        session.add(Connection(merchant_id="m-other", platform="ads", details={"advertiser_ids": ["adv-other"]}))
        session.add(Shop(merchant_id="m-acme", shop_id="shop-acme", cipher="c1"))
        session.add(Shop(merchant_id="m-other", shop_id="shop-other", cipher="c2"))
        session.add(Product(merchant_id="m-acme", shop_id="shop-acme", product_id="p-acme"))
        session.add(Product(merchant_id="m-other", shop_id="shop-other", product_id="p-other"))
        session.add(BudgetLedgerEntry(merchant_id="m-other", advertiser_id="adv-other", object_type="campaign",
                                      object_id="c-other", day=date(2026, 11, 20), start_of_day_budget=Decimal(100),
                                      budget_before=Decimal(100), budget_after=Decimal(110)))
        session.add(Reviewer(merchant_id="m-acme", name="alice", role="reviewer"))


@pytest.fixture
def platform() -> Tripwire:
    return Tripwire()


@pytest.fixture
def gate(engine, world, policy, platform: Tripwire) -> Gate:
    everything = AgentSpec(id="everything", allowed_tools=sorted(registry()))
    return Gate(engine=engine, policy=policy, agent_specs={"everything": everything}, default_limits=default_limits(),
                context_for=lambda m: ToolContext(m, engine, ads_factory=lambda: platform,
                                                  shop_factory=lambda: platform),
                tools=registry())


BUDGET = {"object_type": "campaign", "budget": "120"}
CASES = [
    ("list_campaigns", {"advertiser_id": "adv-other"}, "tenancy.cross_tenant"),
    ("list_campaigns", {"advertiser_id": "adv-nobody"}, "tenancy.not_attributed"),
    ("get_performance_report", {"advertiser_id": "adv-other", "level": "campaign"}, "tenancy.cross_tenant"),
    ("update_budget", {"advertiser_id": "adv-other", "object_id": "c1", **BUDGET}, "tenancy.cross_tenant"),
    ("update_budget", {"advertiser_id": "adv-nobody", "object_id": "c1", **BUDGET}, "tenancy.not_attributed"),
    ("update_budget", {"advertiser_id": ADVERTISER, "object_id": "c-other", **BUDGET}, "tenancy.cross_tenant"),
    ("pause_ads", {"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c-other"},
     "tenancy.cross_tenant"),
    ("list_adgroups", {"advertiser_id": ADVERTISER, "campaign_id": "c-other"}, "tenancy.cross_tenant"),
    ("sync_catalog", {"shop_id": "shop-other"}, "tenancy.cross_tenant"),
    ("sync_catalog", {"shop_id": "shop-nobody"}, "tenancy.not_attributed"),
    ("get_product", {"product_id": "p-other"}, "tenancy.cross_tenant"),
    ("get_product", {"product_id": "p-never-synced"}, "tenancy.not_attributed"),
    ("update_sku_inventory", {"product_id": "p-other", "skus": [{"sku_id": "s1", "warehouse_id": "w1",
                                                                 "quantity": 5}]}, "tenancy.cross_tenant"),
]


@pytest.mark.parametrize(("tool", "args", "code"), CASES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(CASES)])
async def test_a_foreign_or_unknown_resource_is_denied_before_any_platform_request(
        gate: Gate, engine, platform: Tripwire, tool: str, args: dict[str, Any], code: str) -> None:
    result = await gate.call(ToolCall(tool=tool, args=args, agent_id="everything", merchant_id="m-acme"))
    assert (result.outcome, result.reason_codes) == (Outcome.DENIED, [code])
    assert platform.requests == []
    assert "m-other" not in " ".join(result.reasons)  # nothing about the other merchant leaks
    with session_scope(engine) as session:
        row = session.get(ToolExecution, result.execution_id)
    assert row is not None and (row.tool, row.outcome, row.reason_codes) == (tool, "denied", [code])


async def test_the_merchants_own_resources_pass_to_the_platform(gate: Gate, platform: Tripwire) -> None:
    result = await gate.call(ToolCall(tool="get_product", args={"product_id": "p-acme"}, agent_id="everything",
                                      merchant_id="m-acme"))
    assert platform.requests == ["get_product"]  # it got as far as the platform (which the tripwire refuses)
    assert result.outcome == Outcome.FAILED


async def test_an_approved_action_whose_account_was_disconnected_never_reaches_the_platform(
        gate: Gate, engine, platform: Tripwire) -> None:
    with session_scope(engine) as session:
        approval = approvals.create_approval(
            session, merchant_id="m-acme", run_id="r1", agent_id="everything", tool="pause_ads",
            args={"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1"}, reasons=["x"],
            reason_codes=["approval.required"], rationale="", policy_version="t", requested_by="everything")
        approval_id = approval.id
    approvals.approve(engine, approval_id, reviewer="alice")
    with session_scope(engine) as session:
        ads = session.exec(select(Connection).where(Connection.merchant_id == "m-acme")).one()
        ads.details = {"advertiser_ids": []}
        session.add(ads)
    result = await gate.execute_approved(approval_id)
    assert (result.outcome, result.reason_codes) == (Outcome.DENIED, ["tenancy.not_attributed"])
    assert platform.requests == []
    assert approvals.get_approval(engine, approval_id).status == "failed"


def test_ids_that_look_like_sql_or_json_are_just_unknown(gate: Gate, platform: Tripwire) -> None:
    for hostile in ("' OR 1=1 --", '{"advertiser_ids": ["adv1"]}', "adv1\\", "adv1%"):
        result = asyncio.run(gate.call(ToolCall(tool="list_campaigns", args={"advertiser_id": hostile},
                                                agent_id="everything", merchant_id="m-acme")))
        assert result.outcome in (Outcome.DENIED, Outcome.INVALID), hostile
        assert platform.requests == []
