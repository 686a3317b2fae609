"""The agent's rationale in the audit row (revision 0007r), on SQLite and PostgreSQL: chained when set,
so an edited, added or removed rationale breaks verification, while rows without one hash as before."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from sqlalchemy import select, update

from shopwarden.audit.chain import _CONTENT_FIELDS, AuditEntry, chain_hash, record
from shopwarden.audit.key import current_audit_keys
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import ToolExecution
from shopwarden.db.tables import table_of

_rows = table_of(ToolExecution)
MERCHANT = "m-acme"
WHY = 'raise gmv_max_campaign g1 from 100 to 120 (+20%): ROAS 5.80, break-even 2.00; "quoted" \\ and \x01'


def _seed(engine: Any) -> None:
    record(engine, AuditEntry(merchant_id=MERCHANT, tool="list_campaigns", outcome="read"))  # no rationale
    record(engine, AuditEntry(merchant_id=MERCHANT, agent_id="growth_marketer", tool="update_budget",
                              outcome="executed", mutating=True, args={"budget": "120"}, rationale=WHY))
    record(engine, AuditEntry(merchant_id=MERCHANT, tool="list_adgroups", outcome="read", rationale=""))


def _set_rationale(engine: Any, seq: int, value: str | None) -> None:
    with session_scope(engine) as session:
        session.execute(update(_rows).where(_rows.c.merchant_id == MERCHANT, _rows.c.seq == seq)
                        .values(rationale=value))


def _problems(engine: Any) -> list[str]:
    return verify_chain(engine).problems


def test_the_rationale_is_stored_as_given_and_the_chain_verifies(engine, merchant) -> None:
    _seed(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(_rows.c.seq, _rows.c.rationale).where(_rows.c.merchant_id == MERCHANT)
                              .order_by(_rows.c.seq)).all()
    assert [tuple(r) for r in stored] == [(1, None), (2, WHY), (3, None)]  # an empty rationale is no rationale
    assert _problems(engine) == []


def test_an_edited_rationale_breaks_verification(engine, merchant) -> None:
    _seed(engine)
    _set_rationale(engine, 2, WHY.replace("+20%", "+2%"))
    assert _problems(engine) == [
        f"merchant {MERCHANT}, row seq 2 (id 2): content does not match its hash; the row was edited"]


def test_a_removed_rationale_breaks_verification(engine, merchant) -> None:
    _seed(engine)
    _set_rationale(engine, 2, None)
    assert len(_problems(engine)) == 1 and "row seq 2" in _problems(engine)[0]


def test_a_rationale_added_to_a_row_written_without_one_breaks_verification(engine, merchant) -> None:
    _seed(engine)
    _set_rationale(engine, 1, "a reason invented afterwards")
    assert len(_problems(engine)) == 1 and "row seq 1" in _problems(engine)[0]
    _set_rationale(engine, 1, None)
    _set_rationale(engine, 3, "")  # an empty string is still something that was not there
    assert len(_problems(engine)) == 1 and "row seq 3" in _problems(engine)[0]


def test_rows_without_a_rationale_hash_exactly_as_before_revision_0007r(engine, merchant) -> None:
    """Old rows (NULL rationale) keep the pre-0007r formula: only the original content fields."""
    _seed(engine)
    keys = current_audit_keys()
    with engine.connect() as conn:
        rows = conn.execute(select(_rows).where(_rows.c.merchant_id == MERCHANT).order_by(_rows.c.seq)).all()
    for row in (rows[0], rows[2]):
        old_formula = chain_hash(row.prev_hash, {name: row._mapping[name] for name in _CONTENT_FIELDS},
                                 row.key_id, keys)
        assert old_formula == row.row_hash
    with_rationale = rows[1]
    without = chain_hash(with_rationale.prev_hash, {n: with_rationale._mapping[n] for n in _CONTENT_FIELDS},
                         with_rationale.key_id, keys)
    assert without != with_rationale.row_hash  # the rationale really is inside the hash


def test_a_nul_in_a_rationale_is_stored_and_verifies_on_both_databases(engine, merchant) -> None:
    record(engine, AuditEntry(merchant_id=MERCHANT, tool="pause_ads", outcome="executed", rationale="a\x00b"))
    with engine.connect() as conn:
        assert conn.execute(select(_rows.c.rationale)).scalar_one() == "a\ufffdb"
    assert _problems(engine) == []


def test_audit_verify_on_the_command_line_catches_an_edited_rationale(engine, merchant) -> None:
    _seed(engine)
    shopwarden = shutil.which("shopwarden") or "/work/main/.venv/bin/shopwarden"
    env = {**os.environ, "COLUMNS": "200"}
    ok = subprocess.run([shopwarden, "audit", "verify"], capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    _set_rationale(engine, 2, "nothing to see here")
    broken = subprocess.run([shopwarden, "audit", "verify"], capture_output=True, text=True, env=env, timeout=120)
    assert broken.returncode == 1
    assert f"merchant {MERCHANT}, row seq 2" in broken.stdout and "the row was edited" in broken.stdout
