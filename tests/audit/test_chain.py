import itertools
import logging
import threading

import pytest
from sqlalchemy import text

from shopwarden.audit.chain import AuditEntry, list_executions, record
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope
from shopwarden.security.redaction import MASK, install_log_redaction, register_secret


def _entry(merchant_id: str = "m-acme", tool: str = "list_campaigns", **kw) -> AuditEntry:
    return AuditEntry(merchant_id=merchant_id, agent_id="growth_marketer", run_id=kw.pop("run_id", "r1"), tool=tool,
                      outcome=kw.pop("outcome", "read"), **kw)


def _seed(engine, n: int = 5, merchant_id: str = "m-acme") -> None:
    for i in range(n):
        record(engine, _entry(merchant_id, args={"i": i}))


def test_rows_chain_per_merchant_and_verify(engine, merchant) -> None:
    _seed(engine, 4)
    _seed(engine, 2, merchant_id="m-other")
    rows = sorted(list_executions(engine, merchant_id="m-acme"), key=lambda r: r.seq)
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.row_hash for a, b in itertools.pairwise(rows))
    report = verify_chain(engine)
    assert report.ok, report.problems
    assert (report.rows_checked, report.merchants_checked) == (6, 2)


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ("UPDATE tool_executions SET outcome='executed' WHERE merchant_id='m-acme' AND seq=2", "was edited"),
        ("DELETE FROM tool_executions WHERE merchant_id='m-acme' AND seq=3", "expected seq 3"),
        ("DELETE FROM tool_executions WHERE merchant_id='m-acme' AND seq=5", "deleted from the end"),
        ("UPDATE tool_executions SET seq = -1 WHERE merchant_id='m-acme' AND seq = 2;"
         "UPDATE tool_executions SET seq = 2 WHERE merchant_id='m-acme' AND seq = 4;"
         "UPDATE tool_executions SET seq = 4 WHERE merchant_id='m-acme' AND seq = -1", "prev_hash does not match"),
    ],
    ids=["edit", "delete-middle", "delete-tail", "reorder"],
)
def test_tampering_is_detected(engine, merchant, tamper: str, message: str) -> None:
    _seed(engine, 5)
    with session_scope(engine) as session:
        for statement in tamper.split(";"):
            session.execute(text(statement))
    report = verify_chain(engine, "m-acme")
    assert not report.ok
    assert message in report.problems[0]


def test_inserted_row_is_detected(engine, merchant) -> None:
    _seed(engine, 3)
    with session_scope(engine) as session:
        session.execute(text(
            "INSERT INTO tool_executions (merchant_id, seq, created_at, agent_id, run_id, tool, surface, mutating, "
            "input_bytes, args_redacted, reasons, reason_codes, policy_input, duration_ms, outcome, result_summary, "
            "prev_hash, key_id, row_hash) SELECT merchant_id, 4, created_at, agent_id, run_id, tool, surface, "
            "mutating, "
            "input_bytes, args_redacted, reasons, reason_codes, policy_input, duration_ms, 'executed', "
            "result_summary, row_hash, key_id, 'forged' FROM tool_executions WHERE seq = 3 AND merchant_id = 'm-acme'"))
    report = verify_chain(engine, "m-acme")
    assert not report.ok and "edited" in report.problems[0]


def test_concurrent_writers_never_fork_the_chain(engine, merchant) -> None:
    threads = [threading.Thread(target=_seed, args=(engine, 5)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = list_executions(engine, merchant_id="m-acme", limit=100)
    assert sorted(r.seq for r in rows) == list(range(1, 41))
    assert verify_chain(engine).ok


def test_secrets_never_reach_rows_or_logs(engine, merchant, caplog) -> None:
    token = "ROW_LIVE_ACCESS_TOKEN_7781"
    register_secret(token)
    install_log_redaction(logging.getLogger("shopwarden.test"))
    caplog.set_level(logging.INFO)
    record(engine, _entry(args={"access_token": "whatever-value", "note": f"bearer {token}", "budget": "120"},
                          reasons=[f"failed with {token}"], policy_input={"request": {"app_secret": "s3cr3t-value"}}))
    logging.getLogger("shopwarden.test").info("calling with %s", token)
    [row] = list_executions(engine, merchant_id="m-acme")
    assert row.args_redacted == {"access_token": MASK, "note": f"bearer {MASK}", "budget": "120"}
    assert row.policy_input == {"request": {"app_secret": MASK}}
    dumped = str(row.model_dump())
    assert token not in dumped and "s3cr3t-value" not in dumped and "whatever-value" not in dumped
    assert token not in caplog.text and MASK in caplog.text


def test_a_head_out_of_step_is_reported_not_forked(engine, merchant) -> None:
    from shopwarden.errors import DatabaseError

    _seed(engine, 2)
    with session_scope(engine) as session:
        session.execute(text("UPDATE audit_heads SET seq = 1 WHERE merchant_id = 'm-acme'"))
    with pytest.raises(DatabaseError, match="audit chain of merchant 'm-acme' is out of step with its head"):
        record(engine, _entry())
    assert sorted(r.seq for r in list_executions(engine, merchant_id="m-acme")) == [1, 2]


def test_decimals_and_datetimes_hash_the_same_after_a_round_trip(engine, merchant) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    row = record(engine, _entry(args={"budget": Decimal("12.50"), "at": datetime(2026, 11, 20, tzinfo=UTC)},
                                policy_input={"state": {"current_budget": Decimal("100")}}, duration_ms=1.23456,
                                result_summary={"ids": ["c1"]}))
    assert row.args_redacted == {"budget": "12.50", "at": "2026-11-20 00:00:00+00:00"}
    assert verify_chain(engine).ok


def test_edits_to_json_fields_and_a_wiped_log_are_detected(engine, merchant) -> None:
    _seed(engine, 3)
    _seed(engine, 2, merchant_id="m-other")
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET args_redacted = '{\"i\": 9}' "
                             "WHERE merchant_id = 'm-acme' AND seq = 1"))
        session.execute(text("DELETE FROM tool_executions WHERE merchant_id = 'm-other'"))
    report = verify_chain(engine)
    assert report.problems == [
        "merchant m-acme, row seq 1 (id 1): content does not match its hash; the row was edited",
        "merchant m-other: the newest row should be seq 2 but the log ends at seq 0; rows were deleted from the end",
    ]
    assert verify_chain(engine, "m-other").merchants_checked == 1
    assert len(verify_chain(engine, "m-other").problems) == 1


def test_list_executions_filters_newest_first(engine, merchant) -> None:
    from datetime import timedelta

    from shopwarden.db.models import utcnow

    _seed(engine, 3)
    record(engine, _entry(run_id="r2"))
    _seed(engine, 1, merchant_id="m-other")
    assert [r.seq for r in list_executions(engine, merchant_id="m-acme", limit=2)] == [4, 3]
    assert [r.run_id for r in list_executions(engine, run_id="r2")] == ["r2"]
    assert list_executions(engine, since=utcnow() + timedelta(minutes=1)) == []
    assert len(list_executions(engine, since=utcnow() - timedelta(minutes=1))) == 5
