"""The gate pipeline: validate -> authorize -> observe -> decide -> act -> record, on both databases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from gate_fakes import ADVERTISER, FakeAds
from sqlmodel import col, select

from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, BudgetLedgerEntry, Merchant, ToolExecution
from shopwarden.errors import ApprovalConflict, RateLimited
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import Gate


def budget_call(budget: str, **extra: object) -> ToolCall:
    args = {"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1", "budget": budget, **extra}
    return ToolCall(tool="update_budget", args=args, agent_id="growth", merchant_id="m-acme", run_id="run-1",
                    rationale="ROAS is 4.1 over 7 days")


def audit_rows(engine) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).order_by(col(ToolExecution.id))))


def set_autonomy(engine, autonomy: str) -> None:
    with session_scope(engine) as session:
        merchant = session.get(Merchant, "m-acme")
        assert merchant is not None
        merchant.autonomy = autonomy
        session.add(merchant)


async def test_unknown_tool_is_invalid_and_recorded(gate: Gate, engine, fake_ads: FakeAds) -> None:
    result = await gate.call(ToolCall(tool="delete_everything", agent_id="growth", merchant_id="m-acme"))
    assert result.outcome == Outcome.INVALID
    assert result.reasons[0].startswith(
        "there is no tool named 'delete_everything'; the tools are: create_campaign, enable_ads, get_gmv_max_report")
    [row] = audit_rows(engine)
    assert (row.id, row.tool, row.outcome) == (result.execution_id, "delete_everything", "invalid")
    assert fake_ads.mutations() == []


async def test_extra_and_mistyped_fields_come_back_per_field(gate: Gate, engine, fake_ads: FakeAds) -> None:
    result = await gate.call(budget_call("lots", objective_type="REACH"))
    assert result.outcome == Outcome.INVALID
    assert result.error is not None
    assert sorted(result.error["fields"]) == ["budget", "objective_type"]
    assert result.error["fields"]["objective_type"] == "is not an argument of update_budget"
    assert "args.objective_type: is not an argument of update_budget" in result.reasons
    assert any(r.startswith("args.budget: ") for r in result.reasons)
    [row] = audit_rows(engine)
    assert (row.outcome, row.mutating, row.surface) == ("invalid", True, "ads")
    assert fake_ads.mutations() == [] and fake_ads.reads == 0


async def test_a_tool_outside_the_agents_allowlist_is_denied_before_any_platform_read(
        gate: Gate, engine, fake_ads: FakeAds) -> None:
    call = budget_call("110").model_copy(update={"agent_id": "creative"})
    result = await gate.call(call)
    assert result.outcome == Outcome.DENIED
    assert result.reasons == ["agent creative is not allowed to use the tool update_budget"]
    assert result.reason_codes == ["allowlist.tool_not_allowed"]
    assert fake_ads.reads == 0
    assert audit_rows(engine)[0].outcome == "denied"


async def test_reads_take_the_fast_path_and_are_recorded(gate: Gate, engine) -> None:
    call = ToolCall(tool="list_campaigns", args={"advertiser_id": ADVERTISER}, agent_id="growth",
                    merchant_id="m-acme")
    result = await gate.call(call)
    assert result.outcome == Outcome.READ
    assert [c["campaign_id"] for c in result.data] == ["c1"]
    [row] = audit_rows(engine)
    assert (row.outcome, row.decision, row.mutating, row.policy_input) == ("read", "allow", False, {})
    assert row.result_summary == {"items": 1}


async def test_reading_another_merchants_ad_account_is_denied(gate: Gate, engine) -> None:
    with session_scope(engine) as session:
        session.add(Merchant(id="m-other", name="Other"))
    call = ToolCall(tool="list_campaigns", args={"advertiser_id": ADVERTISER}, agent_id="growth",
                    merchant_id="m-other")
    result = await gate.call(call)
    assert result.outcome == Outcome.DENIED
    assert result.reason_codes == ["tenancy.cross_tenant"]
    assert "m-acme" not in " ".join(result.reasons)


async def test_a_change_inside_the_limits_executes_once_and_enters_the_ledger(
        gate: Gate, engine, fake_ads: FakeAds) -> None:
    result = await gate.call(budget_call("115"))
    assert result.outcome == Outcome.EXECUTED, result.reasons
    assert result.decision == "allow"
    assert fake_ads.mutations() == ["update_budget c1 115"]
    with session_scope(engine) as session:
        [entry] = session.exec(select(BudgetLedgerEntry)).all()
    assert (entry.start_of_day_budget, entry.budget_before, entry.budget_after) == (
        Decimal("100"), Decimal("100"), Decimal("115"))
    assert entry.execution_id == result.execution_id
    [row] = audit_rows(engine)
    assert Decimal(row.policy_input["state"]["start_of_day_budget"]) == 100
    assert row.policy_version == result.policy_version


async def test_ping_pong_through_the_gate_cannot_escape_the_daily_limit(gate: Gate, fake_ads: FakeAds) -> None:
    assert (await gate.call(budget_call("120"))).outcome == Outcome.EXECUTED
    assert (await gate.call(budget_call("90"))).outcome == Outcome.EXECUTED
    result = await gate.call(budget_call("125"))
    assert result.outcome == Outcome.PENDING_APPROVAL
    assert "budget.daily_change_limit" in result.reason_codes
    assert fake_ads.mutations() == ["update_budget c1 120", "update_budget c1 90"]


async def test_a_change_above_the_limit_waits_for_approval(gate: Gate, engine, fake_ads: FakeAds) -> None:
    result = await gate.call(budget_call("150"))
    assert result.outcome == Outcome.PENDING_APPROVAL
    assert result.approval_id is not None
    with session_scope(engine) as session:
        approval = session.get(Approval, result.approval_id)
    assert approval is not None
    assert (approval.status, approval.tool) == ("pending", "update_budget")
    assert approval.rationale == "ROAS is 4.1 over 7 days"
    assert approval.reasons == result.reasons
    assert audit_rows(engine)[0].approval_id == result.approval_id
    assert fake_ads.mutations() == []


async def test_observe_autonomy_denies_mutations_with_a_readable_reason(gate: Gate, engine, fake_ads: FakeAds) -> None:
    set_autonomy(engine, "observe")
    result = await gate.call(budget_call("105"))
    assert result.outcome == Outcome.DENIED
    assert result.reasons == ["the merchant's autonomy level is observe, so this budget change is recorded as a "
                              "recommendation and not carried out"]
    assert fake_ads.mutations() == []


async def test_a_platform_error_is_a_failed_result_with_code_and_request_id(gate: Gate, engine,
                                                                            fake_ads: FakeAds) -> None:
    fake_ads.fail_with = RateLimited("too many requests", platform="ads", code=40100, request_id="req-9")
    result = await gate.call(budget_call("110"))
    assert result.outcome == Outcome.FAILED
    assert result.error is not None
    assert (result.error["error"], result.error["code"], result.error["request_id"]) == ("RateLimited", 40100, "req-9")
    assert len(fake_ads.mutations()) == 1  # recorded, not retried in a loop
    [row] = audit_rows(engine)
    assert (row.outcome, row.error_code, row.platform_request_id) == ("failed", "40100", "req-9")


async def test_an_approved_action_runs_once_after_a_second_policy_pass(gate: Gate, engine, fake_ads: FakeAds) -> None:
    pending = await gate.call(budget_call("150"))
    assert pending.approval_id is not None
    approvals.approve(engine, pending.approval_id, reviewer="alice")
    result = await gate.execute_approved(pending.approval_id)
    assert result.outcome == Outcome.EXECUTED
    assert result.reasons[0] == "approved by alice"
    assert fake_ads.mutations() == ["update_budget c1 150"]
    with pytest.raises(ApprovalConflict, match=f"approval {pending.approval_id} cannot be executed: it is executed"):
        await gate.execute_approved(pending.approval_id)
    assert fake_ads.mutations() == ["update_budget c1 150"]
    rows = audit_rows(engine)
    assert [(r.outcome, r.approval_id) for r in rows] == [("pending_approval", pending.approval_id),
                                                          ("approved", pending.approval_id),
                                                          ("executed", pending.approval_id)]


async def test_an_approved_action_that_the_fresh_policy_denies_is_not_executed(gate: Gate, engine,
                                                                               fake_ads: FakeAds) -> None:
    pending = await gate.call(budget_call("150"))
    assert pending.approval_id is not None
    approvals.approve(engine, pending.approval_id, reviewer="alice")
    set_autonomy(engine, "observe")  # the merchant switched to observe after the approval
    result = await gate.execute_approved(pending.approval_id)
    assert result.outcome == Outcome.DENIED
    assert "autonomy.observe" in result.reason_codes
    assert fake_ads.mutations() == []
    with session_scope(engine) as session:
        approval = session.get(Approval, pending.approval_id)
    assert approval is not None and approval.status == "failed"
    assert "a fresh policy check before execution refused it" in (approval.error or "")
