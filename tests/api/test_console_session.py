"""Console sessions over HTTP: server-side ids, CSRF on every post, cross-origin refusal, flash."""

import hashlib

from api_helpers import console_sign_in, csrf_of, queue_enable
from fastapi.testclient import TestClient
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, ConsoleSession

SAME = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _client(engine, runtime) -> TestClient:
    return TestClient(create_app(engine, lambda: runtime))


def _status(engine, approval_id: int) -> str:
    with session_scope(engine) as session:
        return session.get(Approval, approval_id).status


def test_the_cookie_is_a_random_session_id_stored_only_hashed(engine, runtime, tokens) -> None:
    client = _client(engine, runtime)
    client.get("/signin")
    anonymous = client.cookies.get("sw_session")
    console_sign_in(client, tokens["alice"])
    raw = client.cookies.get("sw_session")
    assert raw and raw != anonymous, "sign-in must start a new session id"
    assert tokens["alice"] not in raw
    with session_scope(engine) as session:
        rows = session.exec(select(ConsoleSession)).all()
        assert [r.id_hash for r in rows if r.person_id] == [hashlib.sha256(raw.encode()).hexdigest()]
        assert all(r.id_hash != raw for r in rows)
    header = client.get("/signin").headers.get("set-cookie") or ""
    assert header == ""  # a live session is not re-issued
    fresh = TestClient(create_app(engine, lambda: runtime)).get("/signin").headers["set-cookie"]
    assert "HttpOnly" in fresh and "SameSite=strict" in fresh and "Path=/" in fresh


def test_posts_without_the_csrf_token_change_nothing(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["alice"])
    path = f"/console/approvals/{approval_id}/approve"
    missing = client.post(path, data={"note": "x"}, headers=SAME)
    assert missing.status_code == 403 and "CSRF token is missing or wrong" in missing.text
    wrong = client.post(path, data={"note": "x", "csrf": "0" * 64}, headers=SAME)
    assert wrong.status_code == 403
    assert _status(engine, approval_id) == "pending"
    done = client.post(path, data={"note": "fine", "csrf": csrf}, headers=SAME)
    assert done.status_code == 200 and f"approval {approval_id}: executed" in done.text
    assert _status(engine, approval_id) == "executed"


def test_cross_origin_posts_are_refused_even_with_the_token(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["alice"])
    path = f"/console/approvals/{approval_id}/reject"
    for headers in ({"origin": "http://testserver:8001"}, {"origin": "http://localhost"}, {"origin": "null"},
                    {"sec-fetch-site": "same-site"}, {"sec-fetch-site": "cross-site"},
                    {"origin": "http://testserver", "sec-fetch-site": "same-site"}):
        refused = client.post(path, data={"reason": "x", "csrf": csrf}, headers=headers)
        assert refused.status_code == 403 and "nothing was changed" in refused.text, headers
    assert _status(engine, approval_id) == "pending"


def test_sign_in_and_sign_out_need_the_token_and_the_same_origin(engine, runtime, tokens) -> None:
    client = _client(engine, runtime)
    page = client.get("/signin")
    forged = client.post("/signin", data={"token": tokens["mallory"]}, headers=SAME)
    assert forged.status_code == 403  # no CSRF token: a login-forgery post signs nobody in
    cross = client.post("/signin", data={"token": tokens["mallory"], "csrf": csrf_of(page.text)},
                        headers={"origin": "http://127.0.0.1:9999"})
    assert cross.status_code == 403
    assert "Reviewer token" in client.get("/console/approvals").text  # still signed out
    cookieless = TestClient(create_app(engine, lambda: runtime)).post(
        "/signin", data={"token": tokens["alice"], "csrf": csrf_of(page.text)}, headers=SAME)
    assert cookieless.status_code == 403 and "session has ended" in cookieless.text
    csrf = console_sign_in(client, tokens["alice"])
    assert client.post("/signout", data={"other": "1"}, headers=SAME).status_code == 403
    assert "Approvals" in client.get("/console/approvals").text
    out = client.post("/signout", data={"csrf": csrf}, headers=SAME)
    assert "signed out" in out.text and "Reviewer token" in out.text


def test_banner_text_comes_from_the_server_not_the_url(engine, runtime, tokens) -> None:
    client = _client(engine, runtime)
    console_sign_in(client, tokens["alice"])
    page = client.get("/console/approvals?msg=Your+account+is+locked&err=call+555")
    assert "account is locked" not in page.text and "555" not in page.text
    assert "signed in as" not in page.text  # the flash was shown once, on the redirect after sign-in


def test_only_urlencoded_forms_are_read(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["alice"])
    path = f"/console/approvals/{approval_id}/approve"
    plain = client.post(path, content=f"csrf={csrf}", headers={**SAME, "content-type": "text/plain"})
    assert plain.status_code == 415
    multipart = client.post(path, files={"csrf": (None, csrf)}, headers=SAME)
    assert multipart.status_code == 415
    assert _status(engine, approval_id) == "pending"


def test_viewer_sees_no_buttons_and_cannot_post(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["vic"])
    page = client.get("/console/approvals")
    assert f'id="approval-{approval_id}"' in page.text
    assert "Confirm approval" not in page.text and "Reject…" not in page.text
    tried = client.post(f"/console/approvals/{approval_id}/approve", data={"csrf": csrf}, headers=SAME)
    assert "role viewer, which may not decide" in tried.text
    assert _status(engine, approval_id) == "pending"


def test_a_redirect_to_sign_in_stores_no_session(engine, runtime) -> None:
    client = _client(engine, runtime)
    for _ in range(5):
        response = client.get("/console/approvals", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/signin"
        assert "set-cookie" not in response.headers
    with session_scope(engine) as session:
        assert session.exec(select(ConsoleSession)).all() == []
