"""Re-keying: legacy (pre-0004a) rows, key rotation, and chains that must not be laundered."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from shopwarden.audit.chain import _CONTENT_FIELDS, GENESIS, AuditEntry, chain_hash, record
from shopwarden.audit.key import AuditKeys, current_audit_keys
from shopwarden.audit.rekey import rekey
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import AuditHead, ToolExecution
from shopwarden.security.vault import Keyring

_rows = ToolExecution.__table__
_heads = AuditHead.__table__


def _seed(engine, n: int, merchant_id: str = "m-acme") -> None:
    for i in range(n):
        record(engine, AuditEntry(merchant_id=merchant_id, tool="list_campaigns", outcome="read", args={"i": i}))


def _make_legacy(engine, merchant_id: str = "m-acme", upto: int | None = None) -> None:
    """Turn the chain (or its first `upto` rows) into what revision 0003 wrote: unkeyed SHA-256."""
    with session_scope(engine) as session:
        conn = session.connection()
        rows = conn.execute(select(_rows).where(_rows.c.merchant_id == merchant_id).order_by(_rows.c.seq)).all()
        previous = GENESIS
        for row in rows[:upto]:
            content = {name: row._mapping[name] for name in _CONTENT_FIELDS}
            previous_hash, previous = previous, chain_hash(previous, content, None, current_audit_keys())
            conn.execute(update(_rows).where(_rows.c.id == row.id)
                         .values(prev_hash=previous_hash, key_id=None, row_hash=previous))
        conn.execute(update(_heads).where(_heads.c.merchant_id == merchant_id).values(row_hash=previous))


def test_legacy_rows_are_reported_until_rekeyed(engine, merchant) -> None:
    _seed(engine, 4)
    _make_legacy(engine)
    [problem] = verify_chain(engine).problems
    assert "row seq 1 (id 1): the row is not keyed" in problem and "shopwarden audit rekey" in problem
    result = rekey(engine)
    assert (result.chains_rekeyed, result.rows_rekeyed, result.refused) == (1, 4, [])
    assert verify_chain(engine).ok
    _seed(engine, 1)  # the chain goes on from the re-keyed head
    assert verify_chain(engine).ok


def test_rekey_starts_the_chain_of_a_merchant_that_never_had_one(engine, merchant) -> None:
    """A merchant created before every merchant got a first row, and never used since."""
    assert not verify_chain(engine).ok
    result = rekey(engine)
    assert (result.chains_started, result.chains_rekeyed) == (1, 0)
    assert verify_chain(engine).ok
    assert rekey(engine).chains_started == 0


def test_rekey_refuses_a_tampered_legacy_chain(engine, merchant) -> None:
    _seed(engine, 3)
    _make_legacy(engine)
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET outcome = 'executed' WHERE seq = 2"))
    result = rekey(engine)
    assert result.chains_rekeyed == 0
    assert result.refused == ["merchant m-acme, row seq 2 (id 2): content does not match its hash; not re-keyed "
                              "(run `shopwarden audit verify`)"]
    assert not verify_chain(engine).ok


def test_rekey_refuses_unkeyed_rows_after_keyed_ones(engine, merchant) -> None:
    """Rewriting a keyed chain's tail as 'legacy' rows is a forgery, not an old log."""
    _seed(engine, 4)
    with session_scope(engine) as session:
        conn = session.connection()
        rows = conn.execute(select(_rows).order_by(_rows.c.seq)).all()
        previous = rows[1].row_hash
        for row in rows[2:]:
            content = {name: row._mapping[name] for name in _CONTENT_FIELDS}
            new = chain_hash(previous, content, None, current_audit_keys())
            conn.execute(update(_rows).where(_rows.c.id == row.id)
                         .values(prev_hash=previous, key_id=None, row_hash=new))
            previous = new
    [refused] = rekey(engine).refused
    assert "row seq 3 (id 3): an unkeyed row after keyed rows was not written by shopwarden" in refused


def test_rotation_old_rows_verify_while_the_old_key_is_kept_and_after_rekey_without_it(engine, merchant) -> None:
    _seed(engine, 3)
    old = current_audit_keys().keyring
    new_key = b"n" * 32
    during = AuditKeys(old.with_primary(new_key))
    assert verify_chain(engine, keys=during).ok  # old rows name the old key, still in the keyring
    only_new = AuditKeys(Keyring([new_key]))
    [problem] = verify_chain(engine, keys=only_new).problems
    assert f"chained under audit key {old.primary_id}, which is not configured" in problem
    assert rekey(engine, during).rows_rekeyed == 3
    assert verify_chain(engine, keys=only_new).ok
    with engine.connect() as conn:
        assert set(conn.execute(select(_rows.c.key_id)).scalars()) == {only_new.primary_id}



def test_master_key_rotation_rechains_the_audit_log(engine, merchant, tmp_path, monkeypatch) -> None:
    from shopwarden.config import get_settings
    from shopwarden.security.connections import reset_vault_cache
    from shopwarden.security.keys import rotate_master_key
    from shopwarden.security.vault import init_key_file

    key_file = tmp_path / "master.key"
    init_key_file(key_file)
    monkeypatch.delenv("SHOPWARDEN_MASTER_KEY")
    monkeypatch.setenv("SHOPWARDEN_MASTER_KEY_FILE", str(key_file))
    get_settings.cache_clear()
    reset_vault_cache()
    _seed(engine, 3)
    result = rotate_master_key(get_settings(), engine)
    assert current_audit_keys().keyring.key_ids == [result.new_key_id]
    assert verify_chain(engine).ok
    with engine.connect() as conn:
        assert set(conn.execute(select(_rows.c.key_id)).scalars()) == {result.new_key_id}


def test_rotation_stops_on_a_broken_chain_and_keeps_both_keys(engine, merchant, tmp_path, monkeypatch) -> None:
    from shopwarden.config import get_settings
    from shopwarden.errors import ConfigError
    from shopwarden.security.connections import reset_vault_cache
    from shopwarden.security.keys import rotate_master_key
    from shopwarden.security.vault import init_key_file

    key_file = tmp_path / "master.key"
    init_key_file(key_file)
    monkeypatch.delenv("SHOPWARDEN_MASTER_KEY")
    monkeypatch.setenv("SHOPWARDEN_MASTER_KEY_FILE", str(key_file))
    get_settings.cache_clear()
    reset_vault_cache()
    _seed(engine, 2)
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET tool = 'forged' WHERE seq = 1"))
    with pytest.raises(ConfigError, match="a chain does not verify, so it was not re-keyed"):
        rotate_master_key(get_settings(), engine)
    assert len(Keyring.from_file(key_file).key_ids) == 2
