"""Reconnecting from the connections page in Chromium, against the simulator served over HTTP:
the button leaves for the platform's consent page (the simulator's TikTok Shop authorize page,
Composio's consent link), the platform redirects back, and the page shows the new status.
A consent this browser did not start is not finished."""


import pytest
from browser_support import chromium, shot, sign_in
from served_platforms import SIM_ADVERTISER, console_over_simulator
from sqlmodel import col, select

from shopwarden.api import create_app
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Connection, OAuthState, Shop, ToolExecution

pytestmark = pytest.mark.browser


def _ads_needs_reauth(engine) -> None:
    with session_scope(engine) as session:
        link = session.exec(select(Connection).where(Connection.merchant_id == "m-acme",
                                                     Connection.platform == "ads")).one()
        link.status, link.status_reason = "needs_reauth", "TikTok refused the token (40105)"
        link.details = {"advertiser_ids": [SIM_ADVERTISER]}
        session.add(link)


def _link(engine, platform: str) -> Connection | None:
    with session_scope(engine) as session:
        return session.exec(select(Connection).where(Connection.merchant_id == "m-acme",
                                                     Connection.platform == platform)).first()


def _audited(engine, tool: str) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).where(ToolExecution.tool == tool)
                                 .order_by(col(ToolExecution.id))).all())


def test_owner_connects_the_shop_and_reconnects_ads_through_the_consent_pages(engine, runtime, tokens,
                                                                               monkeypatch) -> None:
    _ads_needs_reauth(engine)
    with console_over_simulator(engine, runtime, monkeypatch) as served, chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        visited: list[str] = []
        page.on("request", lambda r: visited.append(r.url) if r.is_navigation_request() else None)
        sign_in(page, served.base, tokens["olga"])
        page.goto(f"{served.base}/console/merchant#connections")
        shop = page.locator("#connection-shop")
        assert "not connected" in shop.inner_text().lower()
        shot(page, "connections-before")
        shop.locator("button[name=reconnect]").click()
        page.wait_for_selector("p.flash")
        assert "TikTok Shop connected (1 shop)" in page.inner_text("p.flash"), page.inner_text("main")[:500]
        assert any(u.startswith(f"{served.sim_url}/open/authorize?") for u in visited), visited
        assert "status: active" in page.locator("#connection-shop").inner_text().lower()

        ads = page.locator("#connection-ads")
        assert "needs reauth" in ads.inner_text().lower() and "40105" in ads.inner_text()
        assert ads.locator("input[name=advertisers]").input_value() == SIM_ADVERTISER
        ads.locator("button[name=reconnect]").click()
        page.wait_for_selector("p.flash")
        assert f"TikTok Ads connected (ad account {SIM_ADVERTISER})" in page.inner_text("p.flash")
        assert any(u.startswith(f"{served.sim_url}/sim/consent/") for u in visited), visited
        assert "status: active" in page.locator("#connection-ads").inner_text().lower()
        assert page.locator("#connection-ads button[name=reconnect]").count() == 0  # active: disconnect only
        shot(page, "connections-after")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{served.base}/console/merchant")  # a new document, not a jump to #connections
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the merchant page is {width} px wide on a 390 px screen"
        shot(page, "connections-phone")
    shop_link, ads_link = _link(engine, "shop"), _link(engine, "ads")
    assert shop_link.status == "active" and shop_link.access_token_enc is not None
    assert (ads_link.status, ads_link.details["advertiser_ids"]) == ("active", [SIM_ADVERTISER])
    with session_scope(engine) as session:
        assert [s.merchant_id for s in session.exec(select(Shop)).all()] == ["m-acme"]
        assert all(s.used_at is not None for s in session.exec(select(OAuthState)).all())
    assert [r.args_redacted["platform"] for r in _audited(engine, "connections.reconnected")] == ["shop", "ads"]
    assert all(r.agent_id == "reviewer:olga" for r in _audited(engine, "connections.reconnect"))
    assert verify_chain(engine).ok


def test_a_consent_started_in_another_session_is_not_finished_here(engine, runtime, tokens, monkeypatch) -> None:
    """Another session (here a script signed in as the same owner) starts a Shop authorization; its
    callback link opened in olga's browser finishes nothing, and the state stays unused."""
    from api_helpers import SAME_ORIGIN, console_sign_in
    from fastapi.testclient import TestClient

    with console_over_simulator(engine, runtime, monkeypatch) as served, chromium() as browser:
        other = TestClient(create_app(engine, lambda: runtime))
        csrf = console_sign_in(other, tokens["olga"])
        started = other.post("/console/merchant/connections/shop/reconnect", data={"csrf": csrf},
                             headers=SAME_ORIGIN, follow_redirects=False)
        assert started.status_code == 303, started.text[:300]
        state = started.headers["location"].split("state=")[1].split("&")[0]
        code = served.sim.issue_auth_code(None)  # what the platform would have sent back
        olga = browser.new_page()
        sign_in(olga, served.base, tokens["olga"])
        olga.goto(f"{served.base}/console/merchant/connections/shop/callback?code={code}&state={state}")
        olga.wait_for_selector("p.flash")
        assert "not started from this browser's console session" in olga.inner_text("p.flash")
    assert _link(engine, "shop") is None
    with session_scope(engine) as session:
        assert session.get(OAuthState, state).used_at is None


def test_reconnect_refuses_viewers_and_other_origins(engine, runtime, tokens, monkeypatch) -> None:
    from api_helpers import SAME_ORIGIN as same
    from api_helpers import console_sign_in
    from fastapi.testclient import TestClient

    with console_over_simulator(engine, runtime, monkeypatch):
        client = TestClient(create_app(engine, lambda: runtime))
        csrf = console_sign_in(client, tokens["vic"])
        assert client.post("/console/merchant/connections/shop/reconnect", data={"csrf": csrf},
                           headers=same, follow_redirects=False).status_code == 403
        owner = TestClient(create_app(engine, lambda: runtime))
        csrf = console_sign_in(owner, tokens["olga"])
        for headers in ({"origin": "http://evil.test"}, {"sec-fetch-site": "same-site"}, {}):
            tried = owner.post("/console/merchant/connections/shop/reconnect",
                               data={"csrf": csrf if headers else "0" * 64}, headers=headers,
                               follow_redirects=False)
            assert tried.status_code == 403, headers
        started = owner.post("/console/merchant/connections/shop/reconnect", data={"csrf": csrf}, headers=same,
                             follow_redirects=False)
        assert started.status_code == 303 and "/open/authorize?" in started.headers["location"]
        finish = owner.get("/console/merchant/connections/shop/finish?code=x&state=y",
                           headers={"sec-fetch-site": "cross-site"}, follow_redirects=False)
        assert finish.status_code == 403
    with session_scope(engine) as session:
        assert len(session.exec(select(OAuthState)).all()) == 1  # only the owner's same-origin start
