"""Hostile input: bounded bodies (before authentication), no echo in 422s, bounded ids,
control characters refused with a clear message and audited, one note length everywhere."""

from collections.abc import Iterator

from api_helpers import console_sign_in, queue_enable
from fastapi.testclient import TestClient
from sqlmodel import select

from shopwarden.api import create_app
from shopwarden.api.limits import MAX_BODY_BYTES
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Approval, ToolExecution
from shopwarden.domain.notes import NOTE_MAX_CHARS

SAME = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}


def _client(engine, runtime) -> TestClient:
    return TestClient(create_app(engine, lambda: runtime))


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _chunks(total: int, size: int = 16 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size


def test_large_bodies_are_refused_before_authentication(engine, runtime) -> None:
    client = _client(engine, runtime)
    big = b"token=" + b"a" * (MAX_BODY_BYTES + 1)
    declared = client.post("/signin", content=big, headers={"content-type": "application/x-www-form-urlencoded"})
    assert declared.status_code == 413 and "larger than" in declared.text
    client.get("/signin")  # a live anonymous session, so the sign-in post gets as far as reading its body
    chunked = client.post("/signin", content=_chunks(5 * 1024 * 1024),
                          headers={**SAME, "content-type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413 and "larger than" in chunked.text
    api = client.post("/api/approvals/1/reject", content=_chunks(5 * 1024 * 1024),
                      headers={"content-type": "application/json"})
    assert api.status_code == 413  # no token at all: refused for size before the 401


def test_validation_errors_do_not_echo_the_input(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    huge = "x" * (MAX_BODY_BYTES - 100)
    response = client.post(f"/api/approvals/{approval_id}/reject", headers=_auth(tokens["alice"]),
                           json={"reason": huge})
    assert response.status_code == 422
    assert len(response.content) < 1000 and "xxxx" not in response.text
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert "at most 2000 characters" in response.json()["detail"][0]["msg"]


def test_ids_out_of_range_are_not_found(engine, runtime, tokens) -> None:
    client = _client(engine, runtime)
    for bad in ("10000000000000000000000", "2147483648", "0", "-1", "１２"):
        response = client.get(f"/api/approvals/{bad}", headers=_auth(tokens["alice"]))
        assert response.status_code == 404, (bad, response.text)
        posted = client.post(f"/api/approvals/{bad}/approve", headers=_auth(tokens["alice"]))
        assert posted.status_code == 404
    csrf = console_sign_in(client, tokens["alice"])
    page = client.post("/console/approvals/100000000000000000000000/approve", data={"csrf": csrf}, headers=SAME)
    assert page.status_code == 404 and "not found" in page.text


def _refusals(engine, approval_id: int) -> list[ToolExecution]:
    with session_scope(engine) as session:
        return list(session.exec(select(ToolExecution).where(ToolExecution.approval_id == approval_id,
                                                             ToolExecution.outcome == "denied")).all())


def test_control_characters_in_a_note_are_refused_and_audited(engine, runtime, tokens, fake_ads) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    api = client.post(f"/api/approvals/{approval_id}/approve", headers=_auth(tokens["alice"]),
                      json={"note": "ok\u0000; DROP"})
    assert api.status_code == 403 and "control characters" in api.json()["detail"]
    csrf = console_sign_in(client, tokens["alice"])
    page = client.post(f"/console/approvals/{approval_id}/reject", data={"reason": "no\x00pe\x1b[2J", "csrf": csrf},
                       headers=SAME)
    assert "the reason contains control characters" in page.text
    refusals = _refusals(engine, approval_id)
    assert [r.tool for r in refusals] == ["approvals.approve", "approvals.reject"]
    assert all("\x00" not in " ".join(r.reasons) for r in refusals)
    with session_scope(engine) as session:
        assert session.get(Approval, approval_id).status == "pending"
    assert fake_ads.mutations() == []
    assert verify_chain(engine).ok


def test_the_note_limit_is_the_same_on_the_page_and_the_api(engine, runtime, tokens) -> None:
    approval_id = queue_enable(runtime)
    client = _client(engine, runtime)
    csrf = console_sign_in(client, tokens["alice"])
    assert f'maxlength="{NOTE_MAX_CHARS}"' in client.get("/console/approvals").text
    too_long = "n" * (NOTE_MAX_CHARS + 1)
    page = client.post(f"/console/approvals/{approval_id}/reject", data={"reason": too_long, "csrf": csrf},
                       headers=SAME)
    assert f"at most {NOTE_MAX_CHARS} are allowed" in page.text
    api = client.post(f"/api/approvals/{approval_id}/reject", headers=_auth(tokens["alice"]),
                      json={"reason": too_long})
    assert api.status_code == 422
    exact = client.post(f"/api/approvals/{approval_id}/reject", headers=_auth(tokens["alice"]),
                        json={"reason": "n" * NOTE_MAX_CHARS})
    assert exact.status_code == 200


def test_search_with_a_nul_is_a_clear_error(engine, runtime, tokens) -> None:
    client = _client(engine, runtime)
    console_sign_in(client, tokens["alice"])
    page = client.get("/console/approvals", params={"q": "a\x00b"})
    assert page.status_code == 200 and "control characters" in page.text
