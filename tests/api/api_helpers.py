"""Helpers shared by the reviewer API tests."""

import asyncio
import re
from types import SimpleNamespace

from fastapi.testclient import TestClient
from gate_fakes import ADVERTISER
from sqlalchemy.engine import Engine

from shopwarden import audit
from shopwarden.db.engine import session_scope
from shopwarden.gate.calls import Outcome, ToolCall


def queue_enable(runtime: SimpleNamespace, merchant_id: str = "m-acme") -> int:
    result = asyncio.run(runtime.gate.call(ToolCall(
        tool="enable_ads", agent_id="growth", merchant_id=merchant_id, rationale="best ROAS this week",
        args={"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1"})))
    assert result.outcome == Outcome.PENDING_APPROVAL, result
    return result.approval_id


def queue_budget(runtime: SimpleNamespace, budget: str, merchant_id: str = "m-acme") -> int:
    """The agent asks to set campaign c1 (100 USD/day) to `budget`; above the 20 % day limit it waits."""
    result = asyncio.run(runtime.gate.call(ToolCall(
        tool="update_budget", agent_id="growth", merchant_id=merchant_id, rationale="ROAS 4.1 for 3 days",
        args={"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1", "budget": budget})))
    assert result.outcome == Outcome.PENDING_APPROVAL, result
    return result.approval_id


def queue_launch(engine: Engine, runtime: SimpleNamespace, run_id: str = "run-launch") -> tuple[int, int]:
    """One cycle created ad group g1 in campaign c1 (its audit row) and asks to switch both on."""
    with session_scope(engine) as session:
        audit.record_execution(session, audit.AuditEntry(
            merchant_id="m-acme", agent_id="growth", run_id=run_id, tool="create_adgroup", surface="ads",
            mutating=True, args={"advertiser_id": ADVERTISER, "campaign_id": "c1", "adgroup_name": "tents"},
            outcome="executed", result_summary={"adgroup_id": "g1"}))
    ids = []
    for object_type, object_id in (("campaign", "c1"), ("adgroup", "g1")):
        result = asyncio.run(runtime.gate.call(ToolCall(
            tool="enable_ads", agent_id="growth", merchant_id="m-acme", run_id=run_id, rationale="launch",
            args={"advertiser_id": ADVERTISER, "object_type": object_type, "object_id": object_id})))
        assert result.outcome == Outcome.PENDING_APPROVAL, result
        ids.append(result.approval_id)
    return ids[0], ids[1]


SAME_ORIGIN = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def console_sign_in(client: TestClient, token: str) -> str:
    """Sign in through the page like a browser (same origin); returns the new session's CSRF token."""
    page = client.get("/signin")
    signed_in = client.post("/signin", data={"token": token, "csrf": csrf_of(page.text)},
                            headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"})
    assert signed_in.status_code == 200 and "signed in as" in signed_in.text, signed_in.text[:500]
    return csrf_of(signed_in.text)
