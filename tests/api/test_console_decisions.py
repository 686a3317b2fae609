"""Deciding in the console: a launched campaign and its ad group together, an owner's edit-then-approve."""

from api_helpers import console_sign_in, queue_budget, queue_enable, queue_launch
from fastapi.testclient import TestClient
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, ToolExecution

SAME = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _client(engine, runtime) -> TestClient:
    return TestClient(create_app(engine, lambda: runtime))


def _approval(engine, approval_id: int) -> Approval:
    with session_scope(engine) as session:
        return session.get(Approval, approval_id)


def test_the_inbox_shows_names_and_the_budget_change(engine, runtime, tokens) -> None:
    approval_id = queue_budget(runtime, "150")
    client = _client(engine, runtime)
    console_sign_in(client, tokens["alice"])
    page = client.get("/console/approvals").text
    assert "Change the budget of campaign Spring Sale" in page
    assert "100.00 -&gt; 150.00 USD/day (+50.0 %, +50.00 USD per day)" in page
    assert f'id="approval-{approval_id}"' in page and "ROAS 4.1 for 3 days" in page
    assert "Edit, then approve" not in page  # alice is a reviewer, not an owner


def test_a_campaign_and_its_ad_group_are_approved_together(engine, runtime, tokens, fake_ads) -> None:
    campaign, adgroup = queue_launch(engine, runtime)
    lone = queue_enable(runtime)
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["alice"])
    page = client.get("/console/approvals").text
    assert "These 2 actions belong together" in page and "Switch on ad group Spring Sale - tents" in page
    assert page.index(f'id="approval-{campaign}"') < page.index(f'id="approval-{adgroup}"')  # campaign first
    start = page.index("These 2 actions")
    group = page[start:page.index("</section>", start)]
    assert "Approve all 2" in group and 'name="approve"' not in group  # decided together, not one by one
    done = client.post(f"/console/approvals/{adgroup}/approve-group", data={"csrf": csrf, "note": "launch"},
                       headers=SAME)
    assert f"approved together: {campaign}: executed; {adgroup}: executed" in done.text
    assert fake_ads.mutations() == ["set_status c1 ENABLE", "set_status g1 ENABLE"]  # campaign first
    assert _approval(engine, lone).status == "pending"  # not part of the group
    assert _approval(engine, adgroup).review_note == "launch"


def test_a_group_is_rejected_together_with_one_reason(engine, runtime, tokens, fake_ads) -> None:
    campaign, adgroup = queue_launch(engine, runtime)
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["alice"])
    done = client.post(f"/console/approvals/{campaign}/reject-group", data={"csrf": csrf, "reason": "wait"},
                       headers=SAME)
    assert f"rejected together: {campaign}, {adgroup}" in done.text
    assert [_approval(engine, i).status for i in (campaign, adgroup)] == ["rejected", "rejected"]
    assert fake_ads.mutations() == []


def test_an_owner_edits_the_budget_then_approves(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_budget(runtime, "150")
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["olga"])
    assert "Edit, then approve" in client.get("/console/approvals").text
    done = client.post(f"/console/approvals/{approval_id}/edit-approve",
                       data={"csrf": csrf, "arg_budget": "115", "note": "a smaller step"}, headers=SAME)
    assert f"approval {approval_id} edited and approved: executed" in done.text
    assert fake_ads.mutations() == ["update_budget c1 115"]
    edited = _approval(engine, approval_id)
    assert (edited.args["budget"], edited.reviewer, edited.status) == ("115", "olga", "executed")
    with session_scope(engine) as session:
        row = session.exec(select(ToolExecution).where(ToolExecution.tool == "approvals.edit")).one()
    assert row.args_redacted["changed"] == {"budget": {"from": "150", "to": "115"}}
    assert row.agent_id == "reviewer:olga" and row.outcome == "edited"
    assert verify_chain(engine).ok


def test_edits_are_for_owners_and_allowed_fields_only(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_budget(runtime, "150")
    client = _client(engine, runtime)
    alice = console_sign_in(client, tokens["alice"])
    by_reviewer = client.post(f"/console/approvals/{approval_id}/edit-approve",
                              data={"csrf": alice, "arg_budget": "115"}, headers=SAME)
    assert "only owners edit actions" in by_reviewer.text
    owner = _client(engine, runtime)
    csrf = console_sign_in(owner, tokens["olga"])
    field = owner.post(f"/console/approvals/{approval_id}/edit-approve",
                       data={"csrf": csrf, "arg_object_id": "c2"}, headers=SAME)
    assert "update_budget allows editing only budget, not object_id" in field.text
    invalid = owner.post(f"/console/approvals/{approval_id}/edit-approve",
                         data={"csrf": csrf, "arg_budget": "-5"}, headers=SAME)
    assert "the edited action is not valid: budget" in invalid.text
    assert _approval(engine, approval_id).args["budget"] == "150"
    assert _approval(engine, approval_id).status == "pending"
    assert fake_ads.mutations() == []


def test_an_edit_the_fresh_policy_check_refuses_does_not_run(engine, runtime, tokens, fake_ads) -> None:
    """Above the hard limit (+100 % in a day, policies/data.json) no reviewer can wave it through."""
    approval_id = queue_budget(runtime, "150")
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["olga"])
    done = client.post(f"/console/approvals/{approval_id}/edit-approve",
                       data={"csrf": csrf, "arg_budget": "100000"}, headers=SAME)
    assert f"approval {approval_id} edited and approved: denied" in done.text
    assert "a fresh policy check before execution refused it" in done.text
    assert _approval(engine, approval_id).status == "failed"
    assert fake_ads.mutations() == []


def test_filters_search_and_pages(engine, runtime, tokens) -> None:
    ids = [queue_enable(runtime) for _ in range(22)]
    budget = queue_budget(runtime, "150")
    client = _client(engine, runtime)
    console_sign_in(client, tokens["alice"])
    first = client.get("/console/approvals").text
    assert "23 approvals · page 1 of 2" in first and f'id="approval-{budget}"' in first
    second = client.get("/console/approvals", params={"page": 2}).text
    assert f'id="approval-{ids[0]}"' in second and f'id="approval-{budget}"' not in second
    only_budget = client.get("/console/approvals", params={"tool": "update_budget"}).text
    assert "1 approval" in only_budget and f'id="approval-{ids[0]}"' not in only_budget
    found = client.get("/console/approvals", params={"q": "ROAS 4.1"}).text
    assert f'id="approval-{budget}"' in found and "1 approval" in found
    wildcard = client.get("/console/approvals", params={"q": "%"}).text  # not a LIKE wildcard
    assert "23 approvals" in wildcard
    none = client.get("/console/approvals", params={"status": "rejected"}).text
    assert "No approval matches these filters." in none
