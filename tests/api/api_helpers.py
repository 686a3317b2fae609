"""Helpers shared by the reviewer API tests."""

import asyncio
from types import SimpleNamespace

from gate_fakes import ADVERTISER

from shopwarden.gate.calls import Outcome, ToolCall


def queue_enable(runtime: SimpleNamespace, merchant_id: str = "m-acme") -> int:
    result = asyncio.run(runtime.gate.call(ToolCall(
        tool="enable_ads", agent_id="growth", merchant_id=merchant_id, rationale="best ROAS this week",
        args={"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1"})))
    assert result.outcome == Outcome.PENDING_APPROVAL, result
    return result.approval_id
