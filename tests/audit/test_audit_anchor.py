"""Anchors: what only an anchor kept outside the database can catch, and anchors that cannot be trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text

from shopwarden.audit.anchor import AnchorError, build_anchor, load_anchor, write_anchor
from shopwarden.audit.chain import AuditEntry, record
from shopwarden.audit.key import AuditKeys
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.security.vault import Keyring


def _seed(engine, n: int, merchant_id: str = "m-acme") -> None:
    for i in range(n):
        record(engine, AuditEntry(merchant_id=merchant_id, tool="list_campaigns", outcome="read", args={"i": i}))


def _anchor(engine, tmp_path: Path, name: str = "anchor.json") -> Path:
    path = tmp_path / name
    write_anchor(build_anchor(engine), path)
    return path


def _truncate_to(engine, seq: int, merchant_id: str = "m-acme") -> None:
    """Delete the newest rows and move the head back onto the last row kept: the chain left is intact."""
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM tool_executions WHERE merchant_id = :m AND seq > :s"),
                        {"m": merchant_id, "s": seq})
        session.execute(text("UPDATE audit_heads SET seq = :s, row_hash = (SELECT row_hash FROM tool_executions "
                             "WHERE merchant_id = :m AND seq = :s) WHERE merchant_id = :m"),
                        {"m": merchant_id, "s": seq})


def test_anchor_lists_every_chain_head_and_is_signed(engine, merchant, tmp_path) -> None:
    _seed(engine, 3)
    _seed(engine, 2, merchant_id="m-other")
    anchor = load_anchor(_anchor(engine, tmp_path))
    assert {m: h.seq for m, h in anchor.chains.items()} == {"m-acme": 3, "m-other": 2}
    assert verify_chain(engine, anchors=[anchor]).ok


def test_truncation_behind_an_anchor_is_detected_only_with_it(engine, merchant, tmp_path) -> None:
    _seed(engine, 5)
    anchor = load_anchor(_anchor(engine, tmp_path))
    _truncate_to(engine, 3)
    assert verify_chain(engine).ok  # the limit without an anchor: what is left is a valid chain
    report = verify_chain(engine, anchors=[anchor])
    assert report.problems == [f"merchant m-acme: the chain ends at seq 3, behind the anchor {anchor.source} at seq 5; "
                               "rows were truncated or rolled back"]


def test_rollback_then_new_rows_is_detected(engine, merchant, tmp_path) -> None:
    _seed(engine, 5)
    anchor = load_anchor(_anchor(engine, tmp_path))
    _truncate_to(engine, 2)
    _seed(engine, 4)  # the application goes on writing after the rollback: seq 3..6 under the real key
    assert verify_chain(engine).ok
    [problem] = verify_chain(engine, anchors=[anchor]).problems
    assert problem == f"merchant m-acme: row seq 5 is not the row anchored in {anchor.source}; the chain was " \
                      "rewritten since the anchor"


def test_a_chain_vanished_with_its_merchant_is_detected_by_the_anchor(engine, merchant, tmp_path) -> None:
    _seed(engine, 2)
    _seed(engine, 2, merchant_id="m-gone")
    anchor = load_anchor(_anchor(engine, tmp_path))
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM tool_executions WHERE merchant_id = 'm-gone'"))
        session.execute(text("DELETE FROM audit_heads WHERE merchant_id = 'm-gone'"))
    assert verify_chain(engine).ok
    assert verify_chain(engine, anchors=[anchor]).problems == [
        "merchant m-gone: no audit chain, although it is named by an anchor; its rows and head were deleted"]


def test_appending_after_an_anchor_is_fine(engine, merchant, tmp_path) -> None:
    _seed(engine, 2)
    anchor = load_anchor(_anchor(engine, tmp_path))
    _seed(engine, 3)
    assert verify_chain(engine, anchors=[anchor]).ok


def test_an_edited_anchor_fails_its_signature(engine, merchant, tmp_path) -> None:
    _seed(engine, 4)
    path = _anchor(engine, tmp_path)
    document = json.loads(path.read_text())
    document["chains"][0]["seq"] = 2  # moving the anchor back to cover a truncation
    path.write_text(json.dumps(document))
    with pytest.raises(AnchorError, match="the signature does not match its content; it was altered or forged"):
        load_anchor(path)


def test_an_anchor_forged_under_another_key_is_refused(engine, merchant, tmp_path) -> None:
    _seed(engine, 2)
    forger = AuditKeys(Keyring([b"F" * 32]))
    path = tmp_path / "forged.json"
    write_anchor(build_anchor(engine, forger), path)
    with pytest.raises(AnchorError, match=f"signed with audit key {forger.primary_id}, which is not configured"):
        load_anchor(path)


@pytest.mark.parametrize(("content", "message"), [
    ("not json {", "is not JSON"),
    ('{"format": "something-else"}', "is not a shopwarden-audit-anchor/1 document"),
    ('{"format": "shopwarden-audit-anchor/1", "chains": []}', "has no signature or key id"),
    ('[1, 2, 3]', "is not a shopwarden-audit-anchor/1 document"),
])
def test_malformed_anchors_are_named(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(AnchorError, match=message):
        load_anchor(path)


def test_a_missing_anchor_file_is_named(tmp_path) -> None:
    with pytest.raises(AnchorError, match="cannot be read"):
        load_anchor(tmp_path / "nowhere.json")
