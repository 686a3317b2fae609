from api_helpers import queue_enable
from fastapi.testclient import TestClient

from shopwarden.api import create_app
from shopwarden.audit.verify import verify_chain


def _client(engine, runtime) -> TestClient:
    return TestClient(create_app(engine, lambda: runtime))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_requests_without_a_reviewer_token_are_refused(engine, runtime, tokens) -> None:
    client = _client(engine, runtime)
    assert client.get("/api/approvals").status_code == 401
    assert client.get("/api/approvals", headers=_auth("swr_not-a-real-token")).status_code == 401


def test_approve_executes_once_through_the_gate(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    [listed] = client.get("/api/approvals", headers=_auth(tokens["alice"])).json()
    assert (listed["id"], listed["status"], listed["tool"]) == (approval_id, "pending", "enable_ads")
    assert "idempotency_key" not in listed
    response = client.post(f"/api/approvals/{approval_id}/approve", headers=_auth(tokens["alice"]),
                           json={"note": "go"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["approval"]["status"], body["approval"]["reviewer"]) == ("executed", "alice")
    assert body["result"]["outcome"] == "executed"
    assert fake_ads.mutations() == ["set_status c1 ENABLE"]
    again = client.post(f"/api/approvals/{approval_id}/approve", headers=_auth(tokens["alice"]))
    assert again.status_code == 409 and "already executed" in again.json()["detail"]
    assert fake_ads.mutations() == ["set_status c1 ENABLE"]
    assert verify_chain(engine).ok


def test_viewer_may_look_but_not_decide(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    assert client.get(f"/api/approvals/{approval_id}", headers=_auth(tokens["vic"])).status_code == 200
    refused = client.post(f"/api/approvals/{approval_id}/approve", headers=_auth(tokens["vic"]))
    assert refused.status_code == 403 and "role viewer" in refused.json()["detail"]
    assert fake_ads.mutations() == []


def test_another_merchants_reviewer_cannot_see_or_decide(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    assert client.get("/api/approvals", headers=_auth(tokens["mallory"])).json() == []
    assert client.get(f"/api/approvals/{approval_id}", headers=_auth(tokens["mallory"])).status_code == 404
    response = client.post(f"/api/approvals/{approval_id}/approve", headers=_auth(tokens["mallory"]))
    assert response.status_code == 404
    assert client.get("/api/audit", headers=_auth(tokens["mallory"])).json()[0]["merchant_id"] == "m-other"
    assert fake_ads.mutations() == []


def test_reject_needs_a_reason_and_extra_fields_are_refused(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    path = f"/api/approvals/{approval_id}/reject"
    assert client.post(path, headers=_auth(tokens["alice"]), json={}).status_code == 422
    assert client.post(path, headers=_auth(tokens["alice"]),
                       json={"reason": "no", "status": "approved"}).status_code == 422
    done = client.post(path, headers=_auth(tokens["alice"]), json={"reason": "not during the sale"})
    assert done.status_code == 200 and done.json()["status"] == "rejected"
    assert fake_ads.mutations() == []


def test_review_page_sign_in_and_approve(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    assert "Reviewer token" in client.get("/review").text
    bad = client.post("/review/login", data={"token": "swr_wrong"})
    assert "not valid" in bad.text
    page = client.post("/review/login", data={"token": tokens["alice"]})
    assert f"id=approval-{approval_id}" in page.text and "best ROAS this week" in page.text
    cross_site = client.post(f"/review/{approval_id}/approve", headers={"origin": "https://evil.example"})
    assert cross_site.status_code == 403
    done = client.post(f"/review/{approval_id}/approve", data={"note": ""})
    assert f"approval {approval_id}: executed" in done.text
    assert fake_ads.mutations() == ["set_status c1 ENABLE"]
