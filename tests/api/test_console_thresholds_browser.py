"""In Chromium: an owner edits the agents' thresholds with the 7-day preview before saving (desktop
and a 390 px phone), and /docs (Swagger UI) renders the operations with every request to another
host blocked."""

import pytest
from api_helpers import queue_enable
from browser_support import chromium, serve_app, shot, sign_in
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant, ToolExecution

pytestmark = pytest.mark.browser


def test_owner_previews_then_saves_the_agents_thresholds(engine, runtime, tokens) -> None:
    queue_enable(runtime)
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        for width, name in ((1100, "desktop"), (390, "phone")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            sign_in(page, base, tokens["olga"])
            page.goto(f"{base}/console/merchant")
            agents = page.locator("#limits-agents")
            assert "ROAS at which the agent proposes a raise" in agents.inner_text()
            page.fill("#limit-min_roas_to_scale", "3" if name == "desktop" else "2.5")
            page.fill("#limit-max_roas_to_pause", "1")
            page.fill("#limit-hard_budget_change_pct", "50")
            page.click("button[value=preview]")
            preview = page.locator(".preview")
            text = preview.inner_text()
            assert "1 recorded decision replayed" in text
            if name == "desktop":
                assert "min_roas_to_scale 2.0 → 3" in text and "max_roas_to_pause 0.8 → 1" in text
            else:  # the desktop round saved 3 and 1: only the changed threshold is listed
                assert "min_roas_to_scale 3 → 2.5" in text and "max_roas_to_pause" not in text
            assert page.input_value("#limit-min_roas_to_scale") in ("3", "2.5")  # the form keeps what was typed
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            shot(page, f"thresholds-preview-{name}")
            with session_scope(engine) as session:
                assert (session.get(Merchant, "m-acme").limits or {}).get("min_roas_to_scale") in (None, 3)
            page.click("button[value=save]")
            page.wait_for_selector("p.flash")
            assert "saved: autonomy guarded" in page.inner_text("p.flash")
            assert "your value" in page.locator("#hint-min_roas_to_scale").inner_text()
            page.close()
    with session_scope(engine) as session:
        limits = session.get(Merchant, "m-acme").limits
        saves = session.exec(select(ToolExecution).where(ToolExecution.tool == "merchant.settings")).all()
    assert limits == {"min_roas_to_scale": "2.5", "max_roas_to_pause": 1, "hard_budget_change_pct": 50}
    assert len(saves) == 2 and saves[0].args_redacted["after"]["limits"]["min_roas_to_scale"] == 3


def test_swagger_ui_renders_with_every_other_host_blocked(engine, runtime) -> None:
    with serve_app(create_app(engine, lambda: runtime)) as base, chromium() as browser:
        for width in (1100, 390):
            page = browser.new_page(viewport={"width": width, "height": 900})
            blocked: list[str] = []

            def only_this_server(route, request, blocked: list[str] = blocked) -> None:
                if request.url.startswith(base):
                    route.continue_()
                else:
                    blocked.append(request.url)
                    route.abort()

            page.route("**/*", only_this_server)
            page.goto(f"{base}/docs")
            page.wait_for_selector(".opblock-summary-path", timeout=20_000)
            paths = page.locator(".opblock-summary-path").all_inner_texts()
            assert any("/api/merchant/settings/preview" in p for p in paths), paths
            assert any("/api/approvals/{approval_id}/approve" in p for p in paths), paths
            assert page.locator("button.authorize").count() == 1  # the bearer scheme is offered
            page.locator(".opblock-summary-path", has_text="/api/merchant/settings/preview").first.click()
            page.wait_for_selector(".opblock.is-open .responses-table")
            codes = page.locator(".opblock.is-open .responses-table .response-col_status").all_inner_texts()
            assert {"400", "401", "403"} <= {c.strip().split()[0] for c in codes}, codes
            assert blocked == [], blocked
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"/docs is {scroll} px wide on a {width} px screen"
            shot(page, f"docs-{width}")
            page.close()
