"""A signed-in reviewer's Chromium visits a stranger's page on another port of the same host
(same site, so SameSite cookies are sent) and on another host name; the page tries every
cross-origin trick against every state-changing route. Nothing changes."""

import json

import pytest
from api_helpers import queue_enable
from browser_support import chromium, serve_app, serve_html, sign_in
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, Connection, ConsoleSession, DeletionRequest, Merchant, Reviewer

pytestmark = pytest.mark.browser

ENCTYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]


def _attack_page(base: str, routes: list[tuple[str, dict[str, str]]]) -> str:
    """Form posts of each enctype into hidden frames, and no-cors fetches with credentials."""
    return """<!doctype html><html><body><script>
const base = BASE, routes = ROUTES, enctypes = ENCTYPES;
const tries = [];
let n = 0;
for (const [path, fields] of routes) {
  for (const enctype of enctypes) {
    const name = "f" + (n++);
    const frame = document.createElement("iframe"); frame.name = name; document.body.appendChild(frame);
    tries.push(new Promise(done => { frame.onload = done; setTimeout(done, 4000); }));
    const form = document.createElement("form");
    form.method = "post"; form.action = base + path; form.enctype = enctype; form.target = name;
    for (const [k, v] of Object.entries(fields)) {
      const input = document.createElement("input"); input.name = k; input.value = v; form.appendChild(input);
    }
    document.body.appendChild(form); form.submit();
  }
  const body = new URLSearchParams(fields).toString();
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]) {
    tries.push(fetch(base + path, {method: "POST", mode: "no-cors", credentials: "include",
                                   headers: {"content-type": type}, body}).catch(() => null));
  }
  tries.push(fetch(base + path, {method: "POST", mode: "no-cors", credentials: "include",
                                 body: JSON.stringify(fields)}).catch(() => null));
}
Promise.all(tries).then(() => { window.done = true; });
</script></body></html>""".replace("BASE", json.dumps(base)).replace("ROUTES", json.dumps(routes)) \
        .replace("ENCTYPES", json.dumps(ENCTYPES))


@pytest.mark.parametrize("attacker_host", ["127.0.0.1", "localhost"])
def test_a_strangers_page_changes_nothing(engine, runtime, tokens, fake_ads, attacker_host: str) -> None:
    first, second = queue_enable(runtime), queue_enable(runtime)
    with session_scope(engine) as session:
        alice_row = session.exec(select(Reviewer).where(Reviewer.name == "alice")).one().id
        before = _snapshot(session)
    app = create_app(engine, lambda: runtime)
    seen: list[tuple[str, str]] = []

    async def recording(scope, receive, send) -> None:  # proves the attacks reached the server
        if scope["type"] == "http" and scope["method"] == "POST":
            seen.append((scope["path"], dict(scope["headers"]).get(b"sec-fetch-site", b"").decode()))
        await app(scope, receive, send)

    with serve_app(recording) as base, chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, base, tokens["olga"])  # an owner: every route is open to her
        note = {"note": "pwned", "reason": "pwned", "csrf": "0" * 64}
        routes = [
            (f"/console/approvals/{first}/approve", note), (f"/console/approvals/{second}/reject", note),
            (f"/api/approvals/{first}/approve", {"note": "pwned"}), (f"/api/approvals/{second}/reject", note),
            (f"/api/approvals/{first}/edit-approve", {"changes": "budget=1"}),
            (f"/console/approvals/{first}/approve-group", note), (f"/console/approvals/{second}/reject-group", note),
            (f"/console/approvals/{first}/edit-approve", {**note, "arg_budget": "999"}),
            ("/console/switch", {"merchant_id": "m-other", "csrf": "0" * 64}),
            ("/console/merchant/settings", {"autonomy": "guarded", "daily_budget_change_pct": "100",
                                            "action": "save", "csrf": "0" * 64}),
            ("/console/merchant/connections/ads/disconnect", {"csrf": "0" * 64}),
            ("/console/merchant/data/delete", {"csrf": "0" * 64}),
            ("/console/merchant/reviewers", {"name": "eve", "role": "owner", "csrf": "0" * 64}),
            (f"/console/merchant/reviewers/{alice_row}", {"action": "revoke", "csrf": "0" * 64}),
            ("/signin", {"token": tokens["mallory"]}),  # sign-in forgery: make alice act as mallory
            ("/signout", {"csrf": "0" * 64}),
        ]
        seen.clear()  # alice's own sign-in is not part of the attack
        with serve_html({"/": _attack_page(base, routes)}) as port:
            stranger = context.new_page()
            stranger.goto(f"http://{attacker_host}:{port}/")
            stranger.wait_for_function("window.done === true", timeout=30_000)
            stranger.close()
        attack = list(seen)
        page.goto(f"{base}/console/approvals")
        assert "olga" in page.inner_text("header.top"), "the owner was signed out or swapped"
        assert page.locator(f"#approval-{first} button[name=approve]").count() == 1
    for path, _fields in routes:
        arrived = [site for p, site in attack if p == path]
        assert len(arrived) >= len(ENCTYPES) + 1, (path, arrived)
        assert set(arrived) <= {"same-site", "cross-site"}, arrived
    with session_scope(engine) as session:
        assert [session.get(Approval, i).status for i in (first, second)] == ["pending", "pending"]
        signed_in = session.exec(select(ConsoleSession).where(ConsoleSession.person_id.is_not(None))).all()
        assert {s.merchant_id for s in signed_in} == {"m-acme"}
        assert _snapshot(session) == before
    assert fake_ads.mutations() == []
    assert verify_chain(engine).ok


def _snapshot(session) -> dict:
    """Everything the attacked routes could change."""
    merchant = session.get(Merchant, "m-acme")
    return {
        "merchant": (merchant.autonomy, dict(merchant.limits or {})),
        "reviewers": sorted((r.name, r.role, r.token_hash) for r in session.exec(select(Reviewer)).all()),
        "connections": sorted((c.platform, c.status) for c in session.exec(select(Connection)).all()),
        "deletions": len(session.exec(select(DeletionRequest)).all()),
        "approvals": sorted((a.id, a.status, json.dumps(a.args, sort_keys=True))
                            for a in session.exec(select(Approval)).all()),
    }
