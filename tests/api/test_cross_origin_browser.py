"""A signed-in reviewer's Chromium visits a stranger's page on another port of the same host
(same site, so SameSite cookies are sent) and on another host name; the page tries every
cross-origin trick against every state-changing route. Nothing changes."""

import json
import re

import pytest
from api_helpers import queue_enable
from browser_support import chromium, serve_app, serve_html, sign_in
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.api.app import ROUTERS
from shopwarden.audit.verify import verify_chain
from shopwarden.config import Settings
from shopwarden.db.engine import session_scope
from shopwarden.db.models import (
    Approval,
    Connection,
    ConsoleSession,
    DeletionRequest,
    Merchant,
    OAuthState,
    Reviewer,
    ToolExecution,
)

pytestmark = pytest.mark.browser

ENCTYPES = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"]


def _attack_page(base: str, routes: list[tuple[str, dict[str, str]]], puts: list[tuple[str, dict[str, str]]],
                 gets: list[str]) -> str:
    """Form posts of each enctype into hidden frames, no-cors fetches with credentials, credentialed
    cross-origin PUTs (which need a preflight), and frames and top-level-like loads of state-changing GETs."""
    return """<!doctype html><html><body><script>
const base = BASE, routes = ROUTES, enctypes = ENCTYPES, puts = PUTS, gets = GETS;
const tries = [];
let n = 0;
for (const [path, fields] of puts) {
  tries.push(fetch(base + path, {method: "PUT", mode: "cors", credentials: "include",
                                 headers: {"content-type": "application/json"},
                                 body: JSON.stringify(fields)}).catch(() => null));
}
for (const path of gets) {
  const frame = document.createElement("iframe"); document.body.appendChild(frame);
  tries.push(new Promise(done => { frame.onload = done; setTimeout(done, 4000); }));
  frame.src = base + path;
  tries.push(fetch(base + path, {mode: "no-cors", credentials: "include"}).catch(() => null));
  const img = new Image(); img.src = base + path + "&img=1";
}
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
        .replace("ENCTYPES", json.dumps(ENCTYPES)).replace("PUTS", json.dumps(puts)).replace("GETS", json.dumps(gets))


STATE_CHANGING_GETS = {"/console/merchant/connections/{platform}/finish"}


def _state_changing_routes() -> set[tuple[str, str]]:
    """(method, path template) of every route that can change something."""
    found = set()
    for router in ROUTERS:
        for route in router.routes:
            for method in route.methods - {"GET", "HEAD"}:
                found.add((method, route.path))
            if route.path in STATE_CHANGING_GETS:
                found.add(("GET", route.path))
    return found


def _covered(attacked: set[tuple[str, str]], route: tuple[str, str]) -> bool:
    method, template = route
    pattern = re.sub(r"\{[a-z_]+\}", "[^/]+", template)
    return any(m == method and re.fullmatch(pattern, p.split("?")[0]) for m, p in attacked)


@pytest.mark.parametrize("attacker_host", ["127.0.0.1", "localhost"])
def test_a_strangers_page_changes_nothing(engine, runtime, tokens, fake_ads, attacker_host: str) -> None:
    first, second = queue_enable(runtime), queue_enable(runtime)
    with session_scope(engine) as session:
        alice_row = session.exec(select(Reviewer).where(Reviewer.name == "alice")).one().id
    app = create_app(engine, lambda: runtime)
    seen: list[tuple[str, str, str]] = []

    async def recording(scope, receive, send) -> None:  # proves the attacks reached the server
        if scope["type"] == "http" and (scope["method"] != "GET" or scope["path"].endswith("/finish")):
            seen.append((scope["method"], scope["path"], dict(scope["headers"]).get(b"sec-fetch-site", b"").decode()))
        await app(scope, receive, send)

    with serve_app(recording) as base, chromium() as browser:
        # TikTok Shop is configured, so a reconnect that got through would store a new state
        runtime.settings = Settings(shop_service_id="svc-test", shop_authorize_base=f"{base}/healthz")
        context = browser.new_context()
        page = context.new_page()
        sign_in(page, base, tokens["olga"])  # an owner: every route is open to her
        page.goto(f"{base}/console/merchant#connections")
        page.locator("#connection-shop button[name=reconnect]").click()  # really started: the binding cookie
        page.wait_for_url(f"{base}/healthz?**")
        started_state = page.url.split("state=")[1].split("&")[0]
        with session_scope(engine) as session:
            before = _snapshot(session)
        note = {"note": "pwned", "reason": "pwned", "csrf": "0" * 64}
        bad = {"csrf": "0" * 64}
        routes = [
            (f"/console/approvals/{first}/approve", note), (f"/console/approvals/{second}/reject", note),
            (f"/api/approvals/{first}/approve", {"note": "pwned"}), (f"/api/approvals/{second}/reject", note),
            (f"/api/approvals/{first}/edit-approve", {"changes": "budget=1"}),
            (f"/console/approvals/{first}/approve-group", note), (f"/console/approvals/{second}/reject-group", note),
            (f"/console/approvals/{first}/edit-approve", {**note, "arg_budget": "999"}),
            ("/console/switch", {"merchant_id": "m-other", **bad}),
            ("/console/merchant/settings", {"autonomy": "guarded", "daily_budget_change_pct": "100",
                                            "min_roas_to_scale": "0.1", "action": "save", **bad}),
            ("/console/merchant/connections/ads/disconnect", bad),
            ("/console/merchant/connections/shop/reconnect", bad),
            ("/console/merchant/data/delete", bad),
            ("/console/merchant/reviewers", {"name": "eve", "role": "owner", **bad}),
            (f"/console/merchant/reviewers/{alice_row}", {"action": "revoke", **bad}),
            ("/api/merchant/connections/ads/disconnect", {}),
            ("/api/merchant/connections/shop/reconnect", {}),
            ("/api/merchant/connections/shop/complete", {"code": "c", "state": "s"}),
            ("/api/merchant/data/delete", {}),
            ("/api/merchant/settings/preview", {"autonomy": "observe"}),
            ("/api/merchant/reviewers", {"name": "eve", "role": "owner"}),
            (f"/api/merchant/reviewers/{alice_row}/role", {"role": "viewer"}),
            (f"/api/merchant/reviewers/{alice_row}/revoke", {}),
            ("/signin", {"token": tokens["mallory"]}),  # sign-in forgery: make alice act as mallory
            ("/signout", bad),
        ]
        puts = [("/api/merchant/settings", {"autonomy": "observe", "limits": {"min_roas_to_scale": "0.1"}})]
        # an authorization olga really started in this browser (binding cookie set), finished by a stranger
        gets = [f"/console/merchant/connections/shop/finish?code=stolen&state={started_state}"]
        attacked = {("POST", p) for p, _ in routes} | {("PUT", p) for p, _ in puts} | {("GET", p) for p in gets}
        missing = sorted(r for r in _state_changing_routes() if not _covered(attacked, r))
        assert missing == [], f"state-changing routes the attack page does not try: {missing}"
        seen.clear()  # alice's own sign-in is not part of the attack
        with serve_html({"/": _attack_page(base, routes, puts, gets)}) as port:
            stranger = context.new_page()
            stranger.goto(f"http://{attacker_host}:{port}/")
            stranger.wait_for_function("window.done === true", timeout=30_000)
            stranger.close()
        attack = list(seen)
        page.goto(f"{base}/console/approvals")
        assert "olga" in page.inner_text("header.top"), "the owner was signed out or swapped"
        assert page.locator(f"#approval-{first} button[name=approve]").count() == 1
    for path, _fields in routes:
        arrived = [site for m, p, site in attack if m == "POST" and p == path]
        assert len(arrived) >= len(ENCTYPES) + 1, (path, arrived)
        assert set(arrived) <= {"same-site", "cross-site"}, arrived
    finishes = [site for m, p, site in attack if m == "GET" and p.endswith("/finish")]
    assert len(finishes) >= 2 and set(finishes) <= {"same-site", "cross-site"}, finishes
    assert [m for m, _p, _site in attack if m == "PUT"] == []  # the preflight is refused: no PUT is sent
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
        "oauth_states": sorted((o.state, o.used_at is None) for o in session.exec(select(OAuthState)).all()),
        "audit_rows": len(session.exec(select(ToolExecution)).all()),
        "approvals": sorted((a.id, a.status, json.dumps(a.args, sort_keys=True))
                            for a in session.exec(select(Approval)).all()),
    }
