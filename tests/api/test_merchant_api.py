"""The merchant pages' JSON API over HTTP: bearer tokens of owners only, the same validation as the
page and the CLI, every change audited with surface "api"; reconnect against the served simulator."""

import httpx
import pytest
from api_helpers import console_sign_in, queue_enable
from fastapi.testclient import TestClient
from served_platforms import console_over_simulator
from sqlmodel import select

from shopwarden.agents.limits import parse_limit
from shopwarden.api import create_app
from shopwarden.api.auth import identify
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, Merchant, Reviewer, ToolExecution
from shopwarden.errors import ConfigError


def _client(engine, runtime) -> TestClient:
    return TestClient(create_app(engine, lambda: runtime))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _api_rows(engine, tool: str) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).where(ToolExecution.tool == tool,
                                                             ToolExecution.surface == "api")).all())


def test_only_an_owners_bearer_token_opens_the_merchant_api(engine, runtime, tokens) -> None:
    client = _client(engine, runtime)
    assert client.get("/api/merchant").status_code == 401
    for name in ("alice", "vic"):
        refused = client.get("/api/merchant/settings", headers=_auth(tokens[name]))
        assert refused.status_code == 403 and "only owners" in refused.json()["detail"]
    console_sign_in(client, tokens["olga"])  # a signed-in console session's cookie opens nothing here
    assert client.get("/api/merchant").status_code == 401
    assert client.put("/api/merchant/settings", json={"autonomy": "observe"}).status_code == 401
    overview = client.get("/api/merchant", headers=_auth(tokens["olga"]))
    assert overview.status_code == 200
    assert (overview.json()["merchant_id"], overview.json()["pending_approvals"]) == ("m-acme", 0)
    mallory = client.get("/api/merchant", headers=_auth(tokens["mallory"])).json()
    assert mallory["merchant_id"] == "m-other"  # a token acts at its own merchant only


def test_settings_preview_then_save_with_the_clis_validation(engine, runtime, tokens) -> None:
    queue_enable(runtime)
    client, auth = _client(engine, runtime), _auth(tokens["olga"])
    shown = client.get("/api/merchant/settings", headers=auth).json()
    assert {"min_roas_to_scale", "max_roas_to_pause", "min_spend_to_judge"} <= set(shown["agent_thresholds"])
    assert "hard_budget_change_pct" in shown["gate_limits"] and shown["limits"]["min_roas_to_scale"] == "2.0"
    body = {"autonomy": "observe", "limits": {"min_roas_to_scale": "3", "daily_budget_change_pct": 10}}
    preview = client.post("/api/merchant/settings/preview", headers=auth, json=body).json()
    assert preview["replayed"] == 1
    assert preview["changes"] == ["1 action that waited for approval would have been refused"]
    assert preview["threshold_changes"] == [{"name": "min_roas_to_scale", "now": "2.0", "after": 3}]
    assert preview["limit_changes"] == [{"name": "daily_budget_change_pct", "now": 20, "after": 10}]
    with session_scope(engine) as session:
        assert session.get(Merchant, "m-acme").autonomy == "guarded"  # a preview saves nothing
    for limits, reason in (({"min_roas_to_scale": "1e9"}, None), ({"max_skus_per_call": "2.5"}, None),
                           ({"daily_budget_change_pct": "NaN"}, None),
                           ({"max_roas_to_pause": "9"}, "must be below min_roas_to_scale 2.0"),
                           ({"yolo": "1"}, "unknown limit 'yolo'")):
        refused = client.put("/api/merchant/settings", headers=auth, json={"autonomy": "guarded", "limits": limits})
        assert refused.status_code == 400, (limits, refused.text)
        if reason is None:  # the CLI's own refusal, word for word
            name, raw = next(iter(limits.items()))
            with pytest.raises(ConfigError) as cli:
                parse_limit(name, raw)
            reason = str(cli.value).partition(": ")[2]
        assert reason in refused.json()["detail"], refused.json()
    assert client.put("/api/merchant/settings", headers=auth,
                      json={"autonomy": "guarded", "extra": 1}).status_code == 422
    huge = client.put("/api/merchant/settings", headers={**auth, "content-type": "application/json"},
                      content=b'{"autonomy": "guarded", "limits": {"x": "' + b"9" * 200_000 + b'"}}')
    assert huge.status_code == 413 and len(huge.content) < 1000
    saved = client.put("/api/merchant/settings", headers=auth, json=body)
    assert saved.status_code == 200 and saved.json()["own_limits"] == {"min_roas_to_scale": 3,
                                                                       "daily_budget_change_pct": 10}
    with session_scope(engine) as session:
        assert session.get(Merchant, "m-acme").autonomy == "observe"
    assert len(_api_rows(engine, "merchant.settings")) == 1
    assert verify_chain(engine).ok


def test_reviewers_invite_role_and_revoke_over_the_api(engine, runtime, tokens) -> None:
    client, auth = _client(engine, runtime), _auth(tokens["olga"])
    invited = client.post("/api/merchant/reviewers", headers=auth, json={"name": "dana", "role": "viewer"})
    assert invited.status_code == 200
    token = invited.json()["token"]
    assert identify(engine, token).role == "viewer"
    people = {p["name"]: p for p in client.get("/api/merchant/reviewers", headers=auth).json()}
    assert set(people) == {"alice", "dana", "olga", "vic"} and people["dana"]["has_token"]
    dana = people["dana"]["id"]
    assert client.post(f"/api/merchant/reviewers/{dana}/role", headers=auth,
                       json={"role": "reviewer"}).json()["detail"] == "dana is now reviewer"
    assert identify(engine, token).role == "reviewer"
    assert client.post(f"/api/merchant/reviewers/{dana}/role", headers=auth,
                       json={"role": "god"}).status_code == 422
    assert client.post(f"/api/merchant/reviewers/{dana}/revoke", headers=auth).status_code == 200
    assert identify(engine, token) is None
    with session_scope(engine) as session:
        mallory = session.exec(select(Reviewer).where(Reviewer.name == "mallory")).one().id
        olga = session.exec(select(Reviewer).where(Reviewer.name == "olga")).one().id
    for reviewer_id in (mallory, 10**22, 0, "x"):
        assert client.post(f"/api/merchant/reviewers/{reviewer_id}/revoke", headers=auth).status_code == 404
    assert identify(engine, tokens["mallory"]) is not None
    own = client.post(f"/api/merchant/reviewers/{olga}/revoke", headers=auth)
    assert own.status_code == 400 and "your own" in own.json()["detail"]
    assert [r.tool for r in _api_rows(engine, "reviewers.revoke")] == ["reviewers.revoke"]


def test_disconnect_delete_data_and_activity_over_the_api(engine, runtime, tokens) -> None:
    queue_enable(runtime)
    client, auth = _client(engine, runtime), _auth(tokens["olga"])
    before = client.get("/api/merchant/connections", headers=auth).json()
    assert [(c["platform"], c["status"]) for c in before["connections"]] == [("shop", "not_connected"),
                                                                            ("ads", "active")]
    assert client.post("/api/merchant/connections/tiktok/disconnect", headers=auth).status_code == 404
    done = client.post("/api/merchant/connections/ads/disconnect", headers=auth)
    assert done.status_code == 200 and "its tokens are deleted" in done.json()["detail"]
    after = client.get("/api/merchant/connections", headers=auth).json()
    assert after["connections"][1]["status"] == "disconnected"
    assert [(d["scope"], d["status"]) for d in after["deletions"]] == [("ads_tokens", "done")]
    assert client.post("/api/merchant/data/delete", headers=auth).json() == {"performance_rows": 0,
                                                                             "order_rows": 0}
    rows = client.get("/api/activity", headers=_auth(tokens["vic"]), params={"tool": "enable_ads"}).json()
    assert [r["decision"] for r in rows] == ["require_approval"]
    assert client.get("/api/activity", headers=_auth(tokens["vic"]), params={"agent": "a\x00b"}).status_code == 400
    assert client.get("/api/activity", headers=_auth(tokens["vic"]), params={"tool": "x" * 101}).status_code == 422
    tools = {r["tool"] for r in client.get("/api/activity", headers=auth).json()}
    assert {"connections.disconnect", "data.delete"} <= tools


def test_reconnect_the_shop_over_the_api_against_the_simulator(engine, runtime, tokens, monkeypatch) -> None:
    with console_over_simulator(engine, runtime, monkeypatch) as served:
        client, auth = _client(engine, runtime), _auth(tokens["olga"])
        started = client.post("/api/merchant/connections/shop/reconnect", headers=auth)
        assert started.status_code == 200, started.text
        url = started.json()["authorize_url"]
        assert url.startswith(f"{served.sim_url}/open/authorize?")
        consent = httpx.get(url, follow_redirects=False)  # the seller clicks Authorize
        assert consent.status_code == 302
        back = httpx.URL(consent.headers["location"])
        assert back.path == "/console/merchant/connections/shop/callback"
        wrong = client.post("/api/merchant/connections/shop/complete", headers=_auth(tokens["mallory"]),
                            json={"code": back.params["code"], "state": back.params["state"]})
        assert wrong.status_code == 400 and "another merchant" in wrong.json()["detail"]
        done = client.post("/api/merchant/connections/shop/complete", headers=auth,
                           json={"code": back.params["code"], "state": back.params["state"]})
        assert done.status_code == 200, done.text
        assert done.json()["connections"][0]["status"] == "active"
        again = client.post("/api/merchant/connections/shop/complete", headers=auth,
                            json={"code": back.params["code"], "state": back.params["state"]})
        assert again.status_code == 400 and "already used" in again.json()["detail"]
        no_ads = client.post("/api/merchant/connections/ads/reconnect", headers=auth, json={})
        assert no_ads.status_code == 400, no_ads.text  # Composio needs the advertiser ids to verify
    with session_scope(engine) as session:
        link = session.exec(select(Connection).where(Connection.merchant_id == "m-acme",
                                                     Connection.platform == "shop")).one()
    assert link.status == "active"
    assert [r.surface for r in _api_rows(engine, "connections.reconnected")] == ["api"]


def test_hostile_values_get_a_clear_refusal_never_a_500(engine, runtime, tokens) -> None:
    client, auth = _client(engine, runtime), _auth(tokens["olga"])
    for body in ({"code": "c", "state": "\x00"}, {"code": "c\x00", "state": "s"}, {"code": "'\"\\", "state": "x" * 128},
                 {"code": "c", "state": '{"state": 1}'}):
        refused = client.post("/api/merchant/connections/shop/complete", headers=auth, json=body)
        assert refused.status_code == 400, (body, refused.text)
    assert client.post("/api/merchant/connections/shop/complete", headers=auth,
                       json={"code": "c", "state": "x" * 129}).status_code == 422
    named = client.post("/api/merchant/reviewers", headers=auth, json={"name": "da\x00na", "role": "viewer"})
    assert named.status_code == 400 and "control characters" in named.json()["detail"]
    quoted = client.post("/api/merchant/reviewers", headers=auth, json={"name": "O'Brien \"\\ <b>", "role": "viewer"})
    assert quoted.status_code == 200 and identify(engine, quoted.json()["token"]).name == "O'Brien \"\\ <b>"
    settings = client.put("/api/merchant/settings", headers=auth,
                          json={"autonomy": "guarded", "limits": {"min_roas_to_scale": "\x00", "a\x00": "1"}})
    assert settings.status_code == 400 and len(settings.text) < 500
