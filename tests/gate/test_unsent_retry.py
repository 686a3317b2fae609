"""An approved action whose execution never reached the platform stays retryable; one that was sent does not."""

from __future__ import annotations

from decimal import Decimal

from gate_fakes import ADVERTISER, FakeAds

from shopwarden.approvals import queue as approvals
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval
from shopwarden.errors import PlatformUnavailable
from shopwarden.gate.calls import Outcome, ToolCall
from shopwarden.gate.pipeline import NOT_SENT, Gate


def _budget_call(budget: str) -> ToolCall:
    args = {"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1", "budget": budget}
    return ToolCall(tool="update_budget", args=args, agent_id="growth", merchant_id="m-acme", run_id="run-1",
                    rationale="ROAS is 4.1")


def _approval(engine, approval_id: int) -> Approval:
    with session_scope(engine) as session:
        row = session.get(Approval, approval_id)
        assert row is not None
        session.expunge(row)
        return row


async def test_a_failed_fresh_read_puts_the_approval_back_to_pending_and_a_retry_runs_once(
        gate: Gate, engine, fake_ads: FakeAds, monkeypatch) -> None:
    pending = await gate.call(_budget_call("150"))
    assert pending.approval_id is not None
    approvals.approve(engine, pending.approval_id, reviewer="alice")
    real_read = fake_ads.list_campaigns

    async def unreachable(*_a: object, **_k: object) -> list[dict]:
        raise PlatformUnavailable("TikTok answered HTTP 503", platform="tiktok_ads", endpoint="campaign/get/")

    monkeypatch.setattr(fake_ads, "list_campaigns", unreachable)
    first = await gate.execute_approved(pending.approval_id)
    assert first.outcome == Outcome.FAILED
    assert first.reasons[-1] == NOT_SENT
    row = _approval(engine, pending.approval_id)
    assert (row.status, row.reviewer, row.decided_at) == ("pending", None, None)
    assert "not executed: tiktok_ads campaign/get/: TikTok answered HTTP 503" in (row.error or "")
    assert fake_ads.mutations() == []

    monkeypatch.setattr(fake_ads, "list_campaigns", real_read)
    approvals.approve(engine, pending.approval_id, reviewer="alice")
    second = await gate.execute_approved(pending.approval_id)
    assert second.outcome == Outcome.EXECUTED
    assert fake_ads.mutations() == ["update_budget c1 150"]
    assert _approval(engine, pending.approval_id).status == "executed"


async def test_a_write_that_was_sent_and_failed_is_not_put_back(gate: Gate, engine, fake_ads: FakeAds) -> None:
    pending = await gate.call(_budget_call("150"))
    assert pending.approval_id is not None
    approvals.approve(engine, pending.approval_id, reviewer="alice")
    fake_ads.fail_with = PlatformUnavailable("TikTok timed out; the outcome is unknown", platform="tiktok_ads")
    result = await gate.execute_approved(pending.approval_id)
    assert result.outcome == Outcome.FAILED and NOT_SENT not in result.reasons
    assert _approval(engine, pending.approval_id).status == "failed"
    assert fake_ads.mutations() == [f"failed c1 {Decimal('150')}"]
