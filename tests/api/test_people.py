"""One person, roles at several merchants: `shopwarden merchant reviewer grant`, then the console switches."""

import subprocess
import sys

from api_helpers import console_sign_in

from shopwarden.api.auth import memberships, person_of_token
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant

SAME = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shopwarden", *args], capture_output=True, text=True, timeout=60)


def test_grant_links_a_person_to_another_merchant(engine, runtime, tokens) -> None:
    with session_scope(engine) as session:
        session.add(Merchant(id="m-beta", name="Beta Bikes"))
    granted = _cli("merchant", "reviewer", "grant", "m-beta", "alice", "--same-person-as", "m-acme:alice",
                   "--role", "owner")
    assert granted.returncode == 0, granted.stderr
    person = person_of_token(engine, tokens["alice"])
    assert [(r.merchant_id, r.role) for r in memberships(engine, person)] == [("m-acme", "reviewer"),
                                                                              ("m-beta", "owner")]
    unknown = _cli("merchant", "reviewer", "grant", "m-beta", "zed", "--same-person-as", "m-acme:nobody")
    assert unknown.returncode != 0 and "nobody is not a reviewer of merchant m-acme" in unknown.stdout + unknown.stderr


def test_switching_needs_a_role_at_the_merchant(engine, runtime, tokens) -> None:
    from fastapi.testclient import TestClient

    from shopwarden.api import create_app

    client = TestClient(create_app(engine, lambda: runtime))
    csrf = console_sign_in(client, tokens["alice"])
    refused = client.post("/console/switch", data={"csrf": csrf, "merchant_id": "m-other"}, headers=SAME)
    assert "you have no role at that merchant" in refused.text
    assert 'Approvals <span class="muted">· Acme Outdoor' in refused.text
