import re

from api_helpers import console_sign_in, queue_budget, queue_enable
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


def test_the_api_ignores_the_console_cookie(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    console_sign_in(client, tokens["alice"])
    assert client.cookies.get("sw_session")
    refused = client.post(f"/api/approvals/{approval_id}/approve")
    assert refused.status_code == 401 and "Bearer" in refused.json()["detail"]
    assert client.get("/api/approvals").status_code == 401
    assert fake_ads.mutations() == []


def test_openapi_declares_the_bearer_scheme_and_errors(engine, runtime) -> None:
    client = _client(engine, runtime)
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["reviewerToken"] == {
        "type": "http", "scheme": "bearer",
        "description": "A reviewer token from `shopwarden merchant reviewer token MERCHANT NAME`."}
    approve = schema["paths"]["/api/approvals/{approval_id}/approve"]["post"]
    assert approve["security"] == [{"reviewerToken": []}]
    assert {"401", "403", "404", "409", "413", "422"} <= set(approve["responses"])
    assert all(not path.startswith(("/console", "/signin")) for path in schema["paths"])
    for path, item in schema["paths"].items():  # every operation: the bearer scheme and its errors
        for method, op in item.items():
            assert op["security"] == [{"reviewerToken": []}], (method, path)
            assert {"401", "422"} <= set(op["responses"]), (method, path)
            if path.startswith("/api/merchant"):
                assert {"400", "403", "404"} <= set(op["responses"]), (method, path)
    assert {"/api/merchant/settings/preview", "/api/merchant/connections/{platform}/reconnect",
            "/api/merchant/reviewers/{reviewer_id}/revoke", "/api/activity"} <= set(schema["paths"])
    plain = client.get("/docs/plain")
    assert plain.status_code == 200 and "POST /api/approvals/{approval_id}/approve" in plain.text
    assert "PUT /api/merchant/settings" in plain.text
    assert "cdn" not in plain.text.lower() and "<script" not in plain.text
    docs = client.get("/docs")  # Swagger UI: its scripts and styles come from this server only
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert "/docs/assets/swagger-ui-bundle.js" in sources
    assert all(s.startswith(("/", "data:")) for s in sources), sources
    for source in sources:
        if not source.startswith("data:"):
            assert client.get(source).status_code == 200, source
    assert client.get("/docs/assets/swagger-editor-bundle.js").status_code == 404  # only what /docs uses


def test_an_owner_edits_then_approves_over_the_api(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_budget(runtime, "150")
    client = _client(engine, runtime)
    path = f"/api/approvals/{approval_id}/edit-approve"
    by_reviewer = client.post(path, headers=_auth(tokens["alice"]), json={"changes": {"budget": "115"}})
    assert by_reviewer.status_code == 403 and "only owners edit actions" in by_reviewer.json()["detail"]
    assert client.post(path, headers=_auth(tokens["olga"]), json={"changes": {}}).status_code == 422
    done = client.post(path, headers=_auth(tokens["olga"]), json={"changes": {"budget": "115"}, "note": "smaller"})
    assert done.status_code == 200, done.text
    assert (done.json()["approval"]["args"]["budget"], done.json()["result"]["outcome"]) == ("115", "executed")
    assert fake_ads.mutations() == ["update_budget c1 115"]
    assert verify_chain(engine).ok
