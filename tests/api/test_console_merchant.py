"""Merchant pages over HTTP (owner role): overview, settings with the 7-day preview, connections, reviewers."""

from api_helpers import console_sign_in, queue_enable
from fastapi.testclient import TestClient
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.api.auth import identify
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, DeletionRequest, Merchant, Reviewer, ToolExecution

SAME = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _owner(engine, runtime, tokens) -> tuple[TestClient, str]:
    client = TestClient(create_app(engine, lambda: runtime))
    return client, console_sign_in(client, tokens["olga"])


def test_only_owners_see_the_merchant_pages(engine, runtime, tokens) -> None:
    client = TestClient(create_app(engine, lambda: runtime))
    console_sign_in(client, tokens["alice"])
    refused = client.get("/console/merchant")
    assert refused.status_code == 403 and "only owners of the merchant" in refused.text
    owner, _ = _owner(engine, runtime, tokens)
    page = owner.get("/console/merchant")
    assert page.status_code == 200 and "Acme Outdoor" in page.text and "1 pending approval" not in page.text


def test_preview_replays_the_last_7_days_before_saving(engine, runtime, tokens) -> None:
    queue_enable(runtime)  # one recorded decision: require_approval (enabling always needs a reviewer)
    client, csrf = _owner(engine, runtime, tokens)
    form = {"csrf": csrf, "autonomy": "observe", "daily_budget_change_pct": "10", "action": "preview"}
    page = client.post("/console/merchant/settings", data=form, headers=SAME)
    assert "1 recorded decision replayed" in page.text
    assert "1 action that waited for approval would have been refused" in page.text
    with session_scope(engine) as session:
        assert session.get(Merchant, "m-acme").autonomy == "guarded"  # a preview saves nothing
    saved = client.post("/console/merchant/settings", data={**form, "action": "save"}, headers=SAME)
    assert "saved: autonomy observe" in saved.text
    with session_scope(engine) as session:
        merchant = session.get(Merchant, "m-acme")
        assert (merchant.autonomy, merchant.limits["daily_budget_change_pct"]) == ("observe", 10)
        row = session.exec(select(ToolExecution).where(ToolExecution.tool == "merchant.settings")).one()
        assert row.args_redacted["before"]["autonomy"] == "guarded" and row.agent_id == "reviewer:olga"
    assert verify_chain(engine).ok


def test_settings_outside_the_policy_data_are_refused(engine, runtime, tokens) -> None:
    client, csrf = _owner(engine, runtime, tokens)
    for field, value, message in (("daily_budget_change_pct", "250", "between 0 and 100"),
                                  ("daily_budget_change_pct", "NaN", "between 0 and 100"),
                                  ("inventory_change_approval_threshold", "2.5", "a whole number"),
                                  ("autonomy", "yolo", "autonomy must be one of")):
        form = {"csrf": csrf, "autonomy": "suggest", field: value, "action": "save"}
        page = client.post("/console/merchant/settings", data=form, headers=SAME)
        assert message in page.text, (field, value)
    with session_scope(engine) as session:
        assert session.get(Merchant, "m-acme").autonomy == "guarded"


def test_disconnect_deletes_the_tokens_and_records_it(engine, runtime, tokens) -> None:
    client, csrf = _owner(engine, runtime, tokens)
    assert 'id="connection-ads"' in client.get("/console/merchant").text
    done = client.post("/console/merchant/connections/ads/disconnect", data={"csrf": csrf}, headers=SAME)
    assert "TikTok Ads disconnected; its tokens are deleted" in done.text
    with session_scope(engine) as session:
        link = session.exec(select(Connection).where(Connection.merchant_id == "m-acme")).one()
        assert (link.status, link.access_token_enc) == ("disconnected", None)
        scopes = [d.scope for d in session.exec(select(DeletionRequest)).all()]
    assert scopes == ["ads_tokens"]
    cache = client.post("/console/merchant/data/delete", data={"csrf": csrf}, headers=SAME)
    assert "cached TikTok data deleted" in cache.text and "all_cached" in cache.text


def test_owner_invites_changes_role_and_revokes(engine, runtime, tokens) -> None:
    client, csrf = _owner(engine, runtime, tokens)
    invited = client.post("/console/merchant/reviewers", data={"csrf": csrf, "name": "dana", "role": "viewer"},
                          headers=SAME)
    token = invited.text.split('<code class="token">')[1].split("</code>")[0]
    assert identify(engine, token).role == "viewer"
    with session_scope(engine) as session:
        dana = session.exec(select(Reviewer).where(Reviewer.name == "dana")).one()
    client.post(f"/console/merchant/reviewers/{dana.id}", data={"csrf": csrf, "action": "role", "role": "reviewer"},
                headers=SAME)
    assert identify(engine, token).role == "reviewer"
    revoked = client.post(f"/console/merchant/reviewers/{dana.id}", data={"csrf": csrf, "action": "revoke"},
                          headers=SAME)
    assert "dana&#39;s token is revoked" in revoked.text and identify(engine, token) is None
    assert token not in revoked.text


def test_an_owner_cannot_touch_another_merchants_reviewers(engine, runtime, tokens) -> None:
    with session_scope(engine) as session:
        mallory = session.exec(select(Reviewer).where(Reviewer.name == "mallory")).one()
    client, csrf = _owner(engine, runtime, tokens)
    tried = client.post(f"/console/merchant/reviewers/{mallory.id}", data={"csrf": csrf, "action": "revoke"},
                        headers=SAME)
    assert tried.status_code == 404
    assert identify(engine, tokens["mallory"]) is not None
