"""Re-chain the audit log under the primary audit key: after upgrading past 0004a, and at key rotation.

Only a chain that verifies is re-chained: every row must match its hash under the key it
names (or, for a row written before keyed chaining, its plain SHA-256) and follow its
predecessor. A chain with a problem is left untouched and reported, so re-keying never
launders tampering. Each chain is rewritten in one transaction under the chain's writer lock.
A registered merchant with no chain at all (created before every merchant got a first row, and
never used) gets its first row. Anchors written before a re-key no longer match (every hash changes): write a new anchor
right after, and keep the old one with a note of the re-key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.engine import Engine

from shopwarden.audit.chain import GENESIS, STORED_FIELDS, _lock_chain, chain_hash, chained_content, start_chain
from shopwarden.audit.key import AuditKeys, current_audit_keys, same
from shopwarden.db.engine import session_scope
from shopwarden.db.models import AuditHead, Merchant, ToolExecution
from shopwarden.db.tables import table_of

_rows = table_of(ToolExecution)
_heads = table_of(AuditHead)
_merchants = table_of(Merchant)
_COLUMNS = [_rows.c[name] for name in ("id", *STORED_FIELDS, "prev_hash", "key_id", "row_hash")]
_SET_HASH = (update(_rows).where(_rows.c.id == bindparam("row_id"))
             .values(prev_hash=bindparam("new_prev"), key_id=bindparam("new_key"), row_hash=bindparam("new_hash")))


@dataclass
class RekeyResult:
    key_id: str
    chains_rekeyed: int = 0
    chains_started: int = 0
    rows_rekeyed: int = 0
    refused: list[str] = field(default_factory=list)


def rekey(engine: Engine, keys: AuditKeys | None = None) -> RekeyResult:
    """Check each chain as it stands and re-chain it under `keys.primary_id`."""
    keys = keys or current_audit_keys()
    result = RekeyResult(keys.primary_id)
    with engine.connect() as conn:
        merchants = sorted(conn.execute(select(_rows.c.merchant_id).distinct()).scalars())
        registered = set(conn.execute(select(_merchants.c.id)).scalars())
    for merchant_id in sorted(registered - set(merchants) - _heads_of(engine)):
        # Created before every merchant got a first row, and never used since: start its chain now.
        with session_scope(engine) as session:
            start_chain(session, merchant_id, created_by="audit rekey")
        result.chains_started += 1
    for merchant_id in merchants:
        with session_scope(engine) as session:
            _lock_chain(session, merchant_id)
            connection = session.connection()
            rows = connection.execute(select(*_COLUMNS).where(_rows.c.merchant_id == merchant_id)
                                      .order_by(_rows.c.seq, _rows.c.id)).all()
            problem = _check(rows, merchant_id, keys)
            if problem is not None:
                result.refused.append(problem)
                continue
            previous = GENESIS
            for row in rows:
                content = chained_content(row._mapping)
                new_hash = chain_hash(previous, content, keys.primary_id, keys)
                connection.execute(_SET_HASH, {"row_id": row.id, "new_prev": previous, "new_key": keys.primary_id,
                                               "new_hash": new_hash})
                previous = new_hash
            connection.execute(update(_heads).where(_heads.c.merchant_id == merchant_id)
                               .values(seq=len(rows), row_hash=previous))
            result.chains_rekeyed += 1
            result.rows_rekeyed += len(rows)
    return result


def _heads_of(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(_heads.c.merchant_id)).scalars())


def _check(rows: Sequence[Row[*tuple[Any, ...]]], merchant_id: str, keys: AuditKeys) -> str | None:
    previous, keyed_seen = GENESIS, False
    for count, row in enumerate(rows, start=1):
        where = f"merchant {merchant_id}, row seq {row.seq} (id {row.id})"
        if row.seq != count or row.prev_hash != previous:
            return f"{where}: the chain is broken here; not re-keyed (run `shopwarden audit verify`)"
        # Legacy rows predate keyed chaining, so they can only come first: one after a keyed row was forged.
        if row.key_id is None and keyed_seen:
            return f"{where}: an unkeyed row after keyed rows was not written by shopwarden; not re-keyed"
        keyed_seen = keyed_seen or row.key_id is not None
        if row.key_id is not None and not keys.has(row.key_id):
            return f"{where}: chained under audit key {row.key_id}, which is not configured; not re-keyed"
        content = chained_content(row._mapping)
        if not same(chain_hash(row.prev_hash, content, row.key_id, keys), row.row_hash):
            return f"{where}: content does not match its hash; not re-keyed (run `shopwarden audit verify`)"
        previous = row.row_hash
    return None
