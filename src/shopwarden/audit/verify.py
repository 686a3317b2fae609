"""Verify the audit chains: every chain that must exist, every row's keyed hash, the anchors.

Which chains must exist comes from outside the rows themselves: every merchant in the
merchants table, every head in `audit_heads`, and every chain an anchor names. So deleting
a merchant's whole chain (with its head), or every row, is a problem, not "0 rows, intact".

Per chain, rows are read in seq order and must count 1, 2, 3...; each `prev_hash` must be
the previous row's hash; each `row_hash` must be the HMAC under the audit key its `key_id`
names. An anchor (a signed head written earlier, kept outside the database) must still be
on the chain: the row at the anchored seq must carry the anchored hash, so truncating the
newest rows or rolling the head back is found even though the chain that is left is intact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from shopwarden.audit.anchor import Anchor
from shopwarden.audit.chain import GENESIS, STORED_FIELDS, chain_hash, chained_content
from shopwarden.audit.key import AuditKeys, current_audit_keys, same
from shopwarden.db.models import AuditHead, Merchant, ToolExecution
from shopwarden.db.tables import table_of

_rows = table_of(ToolExecution)
_heads = table_of(AuditHead)
_merchants = table_of(Merchant)
_COLUMNS = [_rows.c[name] for name in ("id", *STORED_FIELDS, "prev_hash", "key_id", "row_hash")]


@dataclass
class VerifyReport:
    rows_checked: int = 0
    merchants_checked: int = 0
    merchants_registered: int = 0
    anchored_chains: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Walk:
    """What one pass over a chain found."""

    count: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS
    hashes_at: dict[int, str] = field(default_factory=dict)
    problem: str | None = None


def _walk(rows: Iterable[Any], merchant_id: str, keys: AuditKeys, watch: set[int]) -> _Walk:
    walk = _Walk()
    for count, row in enumerate(rows, start=1):
        walk.count = count
        where = f"merchant {merchant_id}, row seq {row.seq} (id {row.id})"
        if row.seq != count:
            walk.problem = f"{where}: expected seq {count}; a row was deleted, inserted or reordered"
            return walk
        if row.prev_hash != walk.last_hash:
            walk.problem = f"{where}: prev_hash does not match the previous row; the chain was broken here"
            return walk
        if row.key_id is None:
            walk.problem = (f"{where}: the row is not keyed (written before keyed chaining, or re-hashed by someone "
                            "without the audit key); if the log predates revision 0004a run `shopwarden audit rekey`")
            return walk
        if not keys.has(row.key_id):
            walk.problem = (f"{where}: chained under audit key {row.key_id}, which is not configured (retired master "
                            "key, or a different key is set), so it cannot be checked")
            return walk
        content = chained_content(row._mapping)
        if not same(chain_hash(row.prev_hash, content, row.key_id, keys), row.row_hash):
            walk.problem = f"{where}: content does not match its hash; the row was edited"
            return walk
        walk.last_seq, walk.last_hash = row.seq, row.row_hash
        if row.seq in watch:
            walk.hashes_at[row.seq] = row.row_hash
    return walk


def _chain_problems(walk: _Walk, merchant_id: str, head: Any, registered: bool,
                    anchors: Sequence[Anchor]) -> list[str]:
    if walk.problem is not None:
        return [walk.problem]
    problems: list[str] = []
    if walk.count == 0 and head is None:
        why = "a registered merchant" if registered else "named by an anchor"
        problems.append(f"merchant {merchant_id}: no audit chain, although it is {why}; its rows and head were "
                        "deleted" + (" (or it predates revision 0004a and was never used: `shopwarden audit rekey` "
                                     "starts its chain)" if registered else ""))
    elif head is None:
        problems.append(f"merchant {merchant_id}: audit head is missing")
    elif head.seq != walk.last_seq or head.row_hash != walk.last_hash:
        problems.append(f"merchant {merchant_id}: the newest row should be seq {head.seq} but the log ends at seq "
                        f"{walk.last_seq}; rows were deleted from the end")
    for anchor in anchors:
        anchored = anchor.chains.get(merchant_id)
        if anchored is None or walk.count == 0:
            continue
        if walk.last_seq < anchored.seq:
            problems.append(f"merchant {merchant_id}: the chain ends at seq {walk.last_seq}, behind the anchor "
                            f"{anchor.source} at seq {anchored.seq}; rows were truncated or rolled back")
        elif not same(walk.hashes_at.get(anchored.seq, ""), anchored.row_hash):
            problems.append(f"merchant {merchant_id}: row seq {anchored.seq} is not the row anchored in "
                            f"{anchor.source}; the chain was rewritten since the anchor")
    return problems


def verify_chain(engine: Engine, merchant_id: str | None = None, *, anchors: Sequence[Anchor] | None = None,
                 keys: AuditKeys | None = None) -> VerifyReport:
    """Check every chain that must exist (or one merchant's) and report the first break of each.

    Rows are streamed in batches through Core (no ORM objects), so a long log verifies in
    constant memory.
    """
    keys = keys or current_audit_keys()
    anchors = list(anchors or [])
    report = VerifyReport(anchored_chains=sum(len(a.chains) for a in anchors))
    with engine.connect() as conn:
        heads = {h.merchant_id: h for h in conn.execute(select(_heads.c.merchant_id, _heads.c.seq,
                                                                _heads.c.row_hash))}
        registered = set(conn.execute(select(_merchants.c.id)).scalars())
        report.merchants_registered = len(registered)
        chains = (set(heads) | registered | set(conn.execute(select(_rows.c.merchant_id).distinct()).scalars())
                  | {m for a in anchors for m in a.chains})
        if merchant_id is not None:
            chains &= {merchant_id}
        for mid in sorted(chains):
            watch = {a.chains[mid].seq for a in anchors if mid in a.chains}
            query = select(*_COLUMNS).where(_rows.c.merchant_id == mid).order_by(_rows.c.seq, _rows.c.id)
            result = conn.execution_options(yield_per=2000).execute(query)
            try:
                walk = _walk(result, mid, keys, watch)
            finally:
                result.close()
            report.rows_checked += walk.count
            report.merchants_checked += 1
            report.problems.extend(_chain_problems(walk, mid, heads.get(mid), mid in registered, anchors))
    return report
