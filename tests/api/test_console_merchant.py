"""Merchant pages over HTTP (owner role): overview, settings with the 7-day preview, connections, reviewers."""

import html

import pytest
from api_helpers import console_sign_in, queue_enable
from fastapi.testclient import TestClient
from sqlmodel import select

from shopwarden.agents.limits import LIMITS, parse_limit
from shopwarden.api import create_app
from shopwarden.api.auth import identify
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, DeletionRequest, Merchant, Reviewer, ToolExecution
from shopwarden.errors import ConfigError

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
    """The page refuses what `shopwarden merchant set` refuses, with the same reason (one validation)."""
    client, csrf = _owner(engine, runtime, tokens)
    for field, value, message in (("daily_budget_change_pct", "250", "must be at least 0 and at most 100, not 250"),
                                  ("daily_budget_change_pct", "NaN", "must be a finite number"),
                                  ("inventory_change_approval_threshold", "2.5", "must be a whole number"),
                                  ("min_roas_to_scale", "1e9", "at most 1000"),
                                  ("max_roas_to_pause", "'; DROP TABLE x; --", "is not a number"),
                                  ("max_skus_per_call", "0", "must be at least 1"),
                                  ("max_roas_to_pause", "5", "must be below min_roas_to_scale 2.0"),
                                  ("hard_budget_change_pct", "5", "is below daily_budget_change_pct 20"),
                                  ("autonomy", "yolo", "autonomy must be one of")):
        form = {"csrf": csrf, "autonomy": "suggest", field: value, "action": "save"}
        page = client.post("/console/merchant/settings", data=form, headers=SAME)
        assert html.escape(message, quote=True) in page.text, (field, value)
        if field in LIMITS and "below" not in message:
            with pytest.raises(ConfigError) as cli_refusal:
                parse_limit(field, value)
            assert str(cli_refusal.value).partition(": ")[2] in html.unescape(page.text)
    with session_scope(engine) as session:
        merchant = session.get(Merchant, "m-acme")
        assert (merchant.autonomy, merchant.limits) == ("guarded", {})


def test_agents_thresholds_are_saved_with_a_preview_that_names_them(engine, runtime, tokens) -> None:
    queue_enable(runtime)
    client, csrf = _owner(engine, runtime, tokens)
    page = client.get("/console/merchant").text
    for name in ("min_roas_to_scale", "max_roas_to_pause", "hard_budget_change_pct", "min_spend_to_judge",
                 "restock_days_of_cover"):
        assert f'name="{name}"' in page, name
    form = {"csrf": csrf, "autonomy": "guarded", "min_roas_to_scale": "3.5", "max_roas_to_pause": "1.2",
            "daily_budget_change_pct": "20", "action": "preview"}
    preview = client.post("/console/merchant/settings", data=form, headers=SAME).text
    assert "1 recorded decision replayed" in preview and "Nothing would have been decided differently" in preview
    assert "<code>min_roas_to_scale</code> 2.0 → 3.5" in preview
    assert "<code>max_roas_to_pause</code> 0.8 → 1.2" in preview
    with session_scope(engine) as session:
        assert session.get(Merchant, "m-acme").limits == {}
    client.post("/console/merchant/settings", data={**form, "action": "save"}, headers=SAME)
    with session_scope(engine) as session:
        # the unchanged default (daily_budget_change_pct 20) does not become the merchant's own value
        assert session.get(Merchant, "m-acme").limits == {"min_roas_to_scale": "3.5", "max_roas_to_pause": "1.2"}


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
