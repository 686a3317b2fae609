"""Each attack on the keyed chain, on SQLite and PostgreSQL: what `verify_chain` says about it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text, update

from shopwarden.audit.chain import _CONTENT_FIELDS, GENESIS, AuditEntry, chain_hash, record
from shopwarden.audit.key import AuditKeys, current_audit_keys
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import AuditHead, ToolExecution
from shopwarden.security.vault import Keyring

_rows = ToolExecution.__table__
_heads = AuditHead.__table__


def _seed(engine, n: int = 5, merchant_id: str = "m-acme") -> None:
    for i in range(n):
        record(engine, AuditEntry(merchant_id=merchant_id, agent_id="growth_marketer", tool="list_campaigns",
                                  outcome="read", args={"i": i}))


def _rehash_from(engine, seq: int, keys: AuditKeys, key_id: str | None, merchant_id: str = "m-acme") -> None:
    """What an attacker who can write the database does after an edit: recompute every hash from `seq` on,
    with a key of their own (or none), and move the head along."""
    with session_scope(engine) as session:
        conn = session.connection()
        rows = conn.execute(select(_rows).where(_rows.c.merchant_id == merchant_id).order_by(_rows.c.seq)).all()
        previous = GENESIS
        for row in rows:
            if row.seq >= seq:
                content: dict[str, Any] = {name: row._mapping[name] for name in _CONTENT_FIELDS}
                new_hash = chain_hash(previous, content, key_id, keys)
                conn.execute(update(_rows).where(_rows.c.id == row.id)
                             .values(prev_hash=previous, key_id=key_id, row_hash=new_hash))
                previous = new_hash
            else:
                previous = row.row_hash
        conn.execute(update(_heads).where(_heads.c.merchant_id == merchant_id).values(row_hash=previous))


class _StolenKeyId(AuditKeys):
    """An attacker's key presented under the real key id (they can read the id, not the key)."""

    def __init__(self, real_id: str) -> None:
        super().__init__(Keyring([b"A" * 32]))
        object.__setattr__(self, "_real_id", real_id)

    def chain_key(self, key_id: str) -> bytes:
        return b"attacker-guess-of-the-audit-key!"


def test_an_intact_keyed_chain_verifies_and_rows_name_their_key(engine, merchant) -> None:
    _seed(engine, 3)
    with engine.connect() as conn:
        key_ids = set(conn.execute(select(_rows.c.key_id)).scalars())
    assert key_ids == {current_audit_keys().primary_id}
    report = verify_chain(engine)
    assert report.ok, report.problems
    assert (report.rows_checked, report.merchants_checked, report.merchants_registered) == (3, 1, 1)


def test_the_hash_is_keyed_not_plain_sha256(engine, merchant) -> None:
    _seed(engine, 1)
    with engine.connect() as conn:
        row = conn.execute(select(_rows)).one()
    content = {name: row._mapping[name] for name in _CONTENT_FIELDS}
    keys = current_audit_keys()
    assert row.row_hash == chain_hash(GENESIS, content, keys.primary_id, keys)
    assert row.row_hash != chain_hash(GENESIS, content, None, keys)
    other = AuditKeys(Keyring([b"z" * 32]))
    assert row.row_hash != chain_hash(GENESIS, content, other.primary_id, other)


def test_edit_then_rehash_with_a_guessed_key_is_detected(engine, merchant) -> None:
    _seed(engine, 5)
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET outcome = 'executed' "
                             "WHERE merchant_id = 'm-acme' AND seq = 2"))
    real_id = current_audit_keys().primary_id
    _rehash_from(engine, 2, _StolenKeyId(real_id), real_id)
    report = verify_chain(engine)
    assert report.problems == ["merchant m-acme, row seq 2 (id 2): content does not match its hash; the row was edited"]


def test_edit_then_rehash_unkeyed_is_detected(engine, merchant) -> None:
    _seed(engine, 5)
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET outcome = 'denied' WHERE merchant_id = 'm-acme' AND seq = 4"))
    _rehash_from(engine, 4, current_audit_keys(), None)
    [problem] = verify_chain(engine).problems
    assert problem.startswith("merchant m-acme, row seq 4 (id 4): the row is not keyed")


def test_rehash_under_a_key_of_the_attackers_own_is_detected(engine, merchant) -> None:
    _seed(engine, 4)
    attacker = AuditKeys(Keyring([b"B" * 32]))
    _rehash_from(engine, 1, attacker, attacker.primary_id)
    [problem] = verify_chain(engine).problems
    assert f"chained under audit key {attacker.primary_id}, which is not configured" in problem


def test_delete_then_rehash_the_rest_is_detected(engine, merchant) -> None:
    _seed(engine, 5)
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM tool_executions WHERE merchant_id = 'm-acme' AND seq = 3"))
        session.execute(text("UPDATE tool_executions SET seq = seq - 1 WHERE merchant_id = 'm-acme' AND seq > 3"))
        session.execute(text("UPDATE audit_heads SET seq = 4 WHERE merchant_id = 'm-acme'"))
    real_id = current_audit_keys().primary_id
    _rehash_from(engine, 3, _StolenKeyId(real_id), real_id)
    [problem] = verify_chain(engine).problems
    assert "row seq 3 (id 4): content does not match its hash" in problem


def test_reorder_then_rehash_is_detected(engine, merchant) -> None:
    _seed(engine, 4)
    with session_scope(engine) as session:
        for statement in ("UPDATE tool_executions SET seq = -1 WHERE merchant_id = 'm-acme' AND seq = 2",
                          "UPDATE tool_executions SET seq = 2 WHERE merchant_id = 'm-acme' AND seq = 3",
                          "UPDATE tool_executions SET seq = 3 WHERE merchant_id = 'm-acme' AND seq = -1"):
            session.execute(text(statement))
    real_id = current_audit_keys().primary_id
    _rehash_from(engine, 2, _StolenKeyId(real_id), real_id)
    assert "content does not match its hash" in verify_chain(engine).problems[0]


def test_a_vanished_chain_of_a_registered_merchant_is_a_problem(engine, merchant) -> None:
    _seed(engine, 3)
    _seed(engine, 2, merchant_id="m-other")
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM tool_executions WHERE merchant_id = 'm-acme'"))
        session.execute(text("DELETE FROM audit_heads WHERE merchant_id = 'm-acme'"))
    report = verify_chain(engine)
    assert report.problems == ["merchant m-acme: no audit chain, although it is a registered merchant; its rows and "
                               "head were deleted (or it predates revision 0004a and was never used: "
                               "`shopwarden audit rekey` starts its chain)"]


def test_zero_rows_while_merchants_exist_is_not_intact(engine, merchant) -> None:
    _seed(engine, 3)
    with session_scope(engine) as session:
        session.execute(text("DELETE FROM tool_executions"))
        session.execute(text("DELETE FROM audit_heads"))
    report = verify_chain(engine)
    assert not report.ok and report.rows_checked == 0
    assert "m-acme: no audit chain" in report.problems[0]
