"""The gate's audit write chains onto the head its read pass saw (PostgreSQL: no lock taken first); when
another writer moved the head in between, the row still chains onto the real head, never beside it."""

from __future__ import annotations

import itertools
import threading

from sqlmodel import select

from shopwarden.audit.chain import AuditEntry, ChainHead, append_execution, list_executions, record
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.db.models import AuditHead


def _entry(i: int) -> AuditEntry:
    return AuditEntry(merchant_id="m-acme", agent_id="growth", tool="update_budget", outcome="executed",
                      args={"i": i})


def _head(engine) -> ChainHead:
    with session_scope(engine) as session:
        head = session.exec(select(AuditHead).where(AuditHead.merchant_id == "m-acme")).one()
        return ChainHead(head.seq, head.row_hash)


def _chained_in_order(engine, rows: int) -> None:
    chain = sorted(list_executions(engine, merchant_id="m-acme"), key=lambda r: r.seq)
    assert [r.seq for r in chain] == list(range(1, rows + 1))
    assert all(b.prev_hash == a.row_hash for a, b in itertools.pairwise(chain))
    assert _head(engine) == ChainHead(chain[-1].seq, chain[-1].row_hash)
    report = verify_chain(engine, "m-acme")
    assert report.ok, report.problems


def test_the_head_the_read_saw_is_chained_onto(engine, merchant) -> None:
    record(engine, _entry(0))
    seen = _head(engine)
    with session_scope(engine) as session:
        row_id = append_execution(session, _entry(1), expected_head=seen)
    [newest, *_] = list_executions(engine, merchant_id="m-acme")
    assert (newest.id, newest.seq, newest.prev_hash) == (row_id, seen.seq + 1, seen.row_hash)
    _chained_in_order(engine, 2)


def test_a_head_moved_since_the_read_is_not_forked(engine, merchant) -> None:
    record(engine, _entry(0))
    stale = _head(engine)
    record(engine, _entry(1))  # another writer, between the read pass and the write
    with session_scope(engine) as session:
        append_execution(session, _entry(2), expected_head=stale)
    _chained_in_order(engine, 3)


def test_concurrent_writers_with_the_same_stale_head_all_chain(engine, merchant) -> None:
    record(engine, _entry(0))
    stale = _head(engine)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            with session_scope(engine) as session:
                append_execution(session, _entry(i), expected_head=stale)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(1, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    _chained_in_order(engine, 7)
