"""The upgrade story: a log written at revision 0003 (plain SHA-256 chain), migrated to 0004a, re-keyed."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import text

from shopwarden.audit.rekey import rekey
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import make_engine, session_scope, upgrade


def _legacy_hash(prev: str, content: dict) -> str:
    """How revision 0003 hashed a row: sha256(prev_hash + canonical JSON of its content)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + canonical).encode()).hexdigest()


def test_a_0003_log_is_reported_after_the_upgrade_until_rekeyed(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0003")
    created = datetime(2026, 11, 1, 12, tzinfo=UTC)
    prev = "0" * 64
    with session_scope(engine) as session:
        session.execute(text("INSERT INTO merchants (id, name, autonomy, limits, settings, created_at) "
                             "VALUES ('m-old', 'Old', 'suggest', '{}', '{}', :t)"), {"t": created})
        for seq in (1, 2):
            content = {"merchant_id": "m-old", "seq": seq, "created_at": created.isoformat(timespec="microseconds"),
                       "agent_id": "growth_marketer", "run_id": "r1", "tool": "list_campaigns", "surface": "ads",
                       "mutating": False, "input_bytes": 2, "args_redacted": {}, "decision": None, "reasons": [],
                       "reason_codes": [], "policy_version": None, "policy_input": {}, "approval_id": None,
                       "duration_ms": 1.0, "outcome": "read", "error_code": None, "platform_request_id": None,
                       "result_summary": {}}
            row_hash = _legacy_hash(prev, content)
            session.execute(text(
                "INSERT INTO tool_executions (merchant_id, seq, created_at, agent_id, run_id, tool, surface, mutating, "
                "input_bytes, args_redacted, reasons, reason_codes, policy_input, duration_ms, outcome, "
                "result_summary, prev_hash, row_hash) VALUES ('m-old', :seq, :t, 'growth_marketer', 'r1', "
                "'list_campaigns', 'ads', false, 2, '{}', '[]', '[]', '{}', 1.0, 'read', '{}', :prev, :hash)"),
                {"seq": seq, "t": created, "prev": prev, "hash": row_hash})
            prev = row_hash
        session.execute(text("INSERT INTO audit_heads (merchant_id, seq, row_hash) VALUES ('m-old', 2, :h)"),
                        {"h": prev})
    upgrade(engine)
    [problem] = verify_chain(engine).problems
    assert "row seq 1 (id 1): the row is not keyed" in problem
    result = rekey(engine)
    assert (result.chains_rekeyed, result.rows_rekeyed, result.refused) == (1, 2, [])
    report = verify_chain(engine)
    assert report.ok and report.rows_checked == 2
