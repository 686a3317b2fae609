"""The activity page: audit timeline filters, links to approvals, daily charts with change days."""

from datetime import date, timedelta
from decimal import Decimal

from api_helpers import console_sign_in, queue_enable
from fastapi.testclient import TestClient
from sqlmodel import select

from shopwarden import audit
from shopwarden.api import create_app
from shopwarden.api.activity import performance
from shopwarden.api.charts import line_chart
from shopwarden.db.engine import session_scope
from shopwarden.db.models import BudgetLedgerEntry, CachedPerformance, ToolExecution, utcnow

SAME = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def test_timeline_filters_and_links_each_row_to_its_approval(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    client = TestClient(create_app(engine, lambda: runtime))
    csrf = console_sign_in(client, tokens["alice"])
    client.post(f"/console/approvals/{approval_id}/reject", data={"csrf": csrf, "reason": "later"}, headers=SAME)
    page = client.get("/console/activity").text
    assert f"approval #{approval_id}" in page and f"id={approval_id}#approval-{approval_id}" in page
    assert "approvals.reject" in page and "pending_approval" in page
    only_rejections = client.get("/console/activity", params={"tool": "approvals.reject"}).text
    assert "approvals.reject" in only_rejections and "<code>enable_ads</code>" not in only_rejections
    future = (utcnow() + timedelta(days=2)).date().isoformat()
    assert "No activity matches" in client.get("/console/activity", params={"since": future}).text
    linked = client.get("/console/approvals", params={"status": "all", "id": approval_id}).text
    assert f'id="approval-{approval_id}"' in linked and "1 approval" in linked
    assert client.get("/console/activity", params={"since": "not-a-day"}).status_code == 422


def test_reads_are_hidden_unless_asked_for(engine, runtime, tokens) -> None:
    with session_scope(engine) as session:
        audit.record_execution(session, audit.AuditEntry(merchant_id="m-acme", agent_id="growth",
                                                         tool="list_campaigns", outcome="read"))
    queue_enable(runtime)
    client = TestClient(create_app(engine, lambda: runtime))
    console_sign_in(client, tokens["alice"])
    assert "<code>list_campaigns</code>" not in client.get("/console/activity").text
    assert "<code>list_campaigns</code>" in client.get("/console/activity", params={"reads": "true"}).text
    assert "<code>list_campaigns</code>" in client.get("/console/activity", params={"outcome": "read"}).text


def test_other_merchants_activity_is_not_shown(engine, runtime, tokens) -> None:
    queue_enable(runtime)
    client = TestClient(create_app(engine, lambda: runtime))
    console_sign_in(client, tokens["mallory"])
    page = client.get("/console/activity").text
    with session_scope(engine) as session:
        ids = {m: [r.id for r in session.exec(select(ToolExecution).where(ToolExecution.merchant_id == m))]
               for m in ("m-acme", "m-other")}
    assert "enable_ads" not in page
    # Only the merchant's own chain (its opening `merchant.create` row) is listed, none of m-acme's rows.
    assert all(f'id="event-{i}"' in page for i in ids["m-other"]) and ids["m-other"]
    assert not any(f'id="event-{i}"' in page for i in ids["m-acme"])


def test_performance_sums_the_shop_and_marks_change_days(engine, runtime) -> None:
    today = utcnow().date()
    with session_scope(engine) as session:
        for day, cid, spend, value in ((today, "c1", "10", "40"), (today, "c2", "30", "20"),
                                       (today - timedelta(days=1), "c1", "5", "0")):
            session.add(CachedPerformance(merchant_id="m-acme", advertiser_id="adv1", level="campaign",
                                          object_id=cid, stat_date=day, spend=Decimal(spend),
                                          conversion_value=Decimal(value)))
    perf = performance(engine, "m-acme", today)
    assert perf.shop["spend"].points[today] == Decimal("40")
    assert perf.shop["sales"].points[today] == Decimal("60")
    assert perf.shop["roas"].points[today] == Decimal("1.5")
    assert perf.shop["roas"].points[today - timedelta(days=1)] == Decimal(0)
    assert [c[0] for c in perf.campaigns] == ["c1", "c2"]
    assert perf.changed_days == set()  # nothing executed yet
    assert len(perf.days) == 7 and perf.days[-1] == today  # two days of data: a week, not 14 empty days
    with session_scope(engine) as session:
        audit.record_execution(session, audit.AuditEntry(merchant_id="m-acme", agent_id="growth", tool="update_budget",
                                                         mutating=True, outcome="executed"))
        audit.record_execution(session, audit.AuditEntry(merchant_id="m-acme", agent_id="growth", tool="list_campaigns",
                                                         outcome="read"))
    assert performance(engine, "m-acme", today).changed_days == {utcnow().date()}


def test_charts_follow_the_reported_calendar_and_mark_budget_change_days(engine, runtime) -> None:
    """The simulator's calendar is not ours: the window ends at the newest reported day, and budget
    changes are marked on their advertiser day from the ledger."""
    reported = date(2026, 3, 4)
    with session_scope(engine) as session:
        session.add(CachedPerformance(merchant_id="m-acme", advertiser_id="adv1", level="campaign", object_id="c1",
                                      stat_date=reported, spend=Decimal("12"), conversion_value=Decimal("48")))
        session.add(BudgetLedgerEntry(merchant_id="m-acme", advertiser_id="adv1", object_type="campaign",
                                      object_id="c1", day=date(2026, 3, 3), start_of_day_budget=Decimal(100),
                                      budget_before=Decimal(100), budget_after=Decimal(120)))
    perf = performance(engine, "m-acme")
    assert perf.days[-1] == reported and perf.shop["roas"].points[reported] == Decimal(4)
    assert perf.changed_days == {date(2026, 3, 3)}
    svg = str(line_chart("t", perf.days, [perf.shop["spend"]], perf.changed_days))
    assert svg.count('class="mark"') == 1 and "<title" in svg and "03-04" in svg
