"""The console in Debian's Chromium: sign in with the keyboard, approve and reject with a
confirmation, a viewer sees no buttons, a person switches merchant, a 390 px phone."""

import pytest
from api_helpers import queue_enable, queue_launch
from browser_support import chromium, serve_app, shot, sign_in
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.api.auth import grant_role, person_of_token
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, Connection, Merchant

pytestmark = pytest.mark.browser


def _approval(engine, approval_id: int) -> Approval:
    with session_scope(engine) as session:
        return session.get(Approval, approval_id)


def test_reviewer_approves_with_a_note_and_rejects_with_a_reason(engine, runtime, tokens, fake_ads) -> None:
    first, second = queue_enable(runtime), queue_enable(runtime)
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        sign_in(page, base, tokens["alice"])
        card = page.locator(f"#approval-{first}")
        assert "Switch on campaign Spring Sale" in card.inner_text()
        assert "best ROAS this week" in card.inner_text() and "min left" in card.inner_text()
        shot(page, "inbox-desktop")
        card.locator("summary", has_text="Approve…").click()
        card.locator("textarea[name=note]").fill("ok for the weekend")
        card.locator("button[name=approve]").click()
        page.wait_for_selector("p.flash")
        assert f"approval {first}: executed" in page.inner_text("p.flash")
        other = page.locator(f"#approval-{second}")
        other.locator("summary", has_text="Reject…").click()
        other.locator("textarea[name=reason]").fill("not during the sale")
        other.locator("button[name=reject]").click()
        assert f"approval {second} rejected" in page.inner_text("p.flash")
        page.select_option("select[name=status]", "all")
        page.click("text=Filter")
        decided = page.locator(f"#approval-{first}").inner_text()
        assert "by alice" in decided and "ok for the weekend" in decided and "EXECUTED" in decided.upper()
        shot(page, "inbox-decided")
    assert (_approval(engine, first).status, _approval(engine, second).status) == ("executed", "rejected")
    assert _approval(engine, second).review_note == "not during the sale"
    assert fake_ads.mutations() == ["set_status c1 ENABLE"]


def test_viewer_sees_no_buttons(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        page = browser.new_page()
        sign_in(page, base, tokens["vic"])
        assert page.locator(f"#approval-{approval_id}").count() == 1
        assert page.locator("button[name=approve], button[name=reject], summary.button").count() == 0
        assert "viewer" in page.inner_text("header.top")


def test_a_person_switches_between_merchants(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    grant_role(engine, person_of_token(engine, tokens["alice"]), "m-other", "alice", "viewer")
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        page = browser.new_page()
        sign_in(page, base, tokens["alice"])
        assert page.locator(f"#approval-{approval_id}").count() == 1
        page.select_option("#merchant-switch", "m-other")
        page.click("text=Switch")
        assert "now working on m-other as viewer" in page.inner_text("p.flash")
        assert page.locator(f"#approval-{approval_id}").count() == 0
        assert "Nothing here" in page.inner_text("main")
        page.select_option("#merchant-switch", "m-acme")
        page.click("text=Switch")
        assert page.locator(f"#approval-{approval_id}").count() == 1


def test_the_inbox_fits_a_390_px_phone(engine, runtime, tokens) -> None:
    queue_enable(runtime)
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
        sign_in(page, base, tokens["alice"])
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px screen"
        page.locator("summary", has_text="Approve…").first.click()
        shot(page, "inbox-phone")
        for path in ("/console/activity", "/docs"):
            page.goto(f"{base}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{path} is {width} px wide on a 390 px screen"
            shot(page, f"phone-{path.strip('/').replace('/', '-')}")
        assert page.goto(f"{base}/signout").status == 405  # a link cannot sign anyone out
        page.goto(f"{base}/console/approvals")
        assert "alice" in page.inner_text("header.top")


def test_owner_previews_then_saves_autonomy_and_disconnects(engine, runtime, tokens) -> None:
    queue_enable(runtime)
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        sign_in(page, base, tokens["olga"])
        page.click("nav >> text=Merchant")
        shot(page, "merchant")
        page.check("input[name=autonomy][value=observe]")
        page.fill("#limit-daily_budget_change_pct", "10")
        page.click("button[value=preview]")
        preview = page.inner_text(".preview")
        assert "1 action that waited for approval would have been refused" in preview
        shot(page, "merchant-preview")
        assert page.is_checked("input[name=autonomy][value=observe]")  # the form keeps what was previewed
        page.click("button[value=save]")
        assert "saved: autonomy observe" in page.inner_text("p.flash")
        card = page.locator("#connection-ads")
        card.locator("summary", has_text="Disconnect…").click()
        card.locator("button[name=disconnect]").click()
        assert "TikTok Ads disconnected" in page.inner_text("p.flash")
        assert "disconnected" in page.locator("#connection-ads").inner_text()
    with session_scope(engine) as session:
        assert session.get(Merchant, "m-acme").autonomy == "observe"
        assert [c.status for c in session.exec(select(Connection)).all()] == ["disconnected"]


def test_a_group_is_approved_with_the_keyboard_only(engine, runtime, tokens, fake_ads) -> None:
    campaign, adgroup = queue_launch(engine, runtime)
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        page = browser.new_page()
        sign_in(page, base, tokens["alice"])
        page.focus("summary:has-text('Approve all 2')")
        page.keyboard.press("Enter")  # opens the confirmation
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == "note"
        page.keyboard.type("launch it")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.name") == "approve-group"
        page.keyboard.press("Enter")
        page.wait_for_selector("p.flash")
        assert f"approved together: {campaign}: executed; {adgroup}: executed" in page.inner_text("p.flash")
        page.keyboard.press("Tab")  # the skip link comes first and is visible when focused
        assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert fake_ads.mutations() == ["set_status c1 ENABLE", "set_status g1 ENABLE"]
