"""Helpers shared by the reviewer API tests."""

import asyncio
import re
from types import SimpleNamespace

from fastapi.testclient import TestClient
from gate_fakes import ADVERTISER

from shopwarden.calls import Outcome, ToolCall


def queue_enable(runtime: SimpleNamespace, merchant_id: str = "m-acme") -> int:
    result = asyncio.run(runtime.gate.call(ToolCall(
        tool="enable_ads", agent_id="growth", merchant_id=merchant_id, rationale="best ROAS this week",
        args={"advertiser_id": ADVERTISER, "object_type": "campaign", "object_id": "c1"})))
    assert result.outcome == Outcome.PENDING_APPROVAL, result
    return result.approval_id


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
