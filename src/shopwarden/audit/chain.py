"""The `tool_executions` audit log: one append-only row per tool call, hash-chained per merchant.

Each row stores `prev_hash` (the previous row's hash for the same merchant) and
`row_hash = sha256(prev_hash + canonical JSON of the row's content)`. `audit_heads` keeps
the newest (seq, hash) per merchant in the same transaction, so editing, deleting
(including the newest row), inserting or reordering rows is detected by `verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import AuditHead, ToolExecution, utcnow
from shopwarden.errors import DatabaseError
from shopwarden.security.redaction import redact

GENESIS = "0" * 64
_CONTENT_FIELDS = (
    "merchant_id", "seq", "created_at", "agent_id", "run_id", "tool", "surface", "mutating", "input_bytes",
    "args_redacted", "decision", "reasons", "reason_codes", "policy_version", "policy_input", "approval_id",
    "duration_ms", "outcome", "error_code", "platform_request_id", "result_summary",
)


class AuditEntry(BaseModel):
    """What the gate (or the approval queue) hands the audit log; `args` are redacted here."""

    merchant_id: str
    agent_id: str = ""
    run_id: str = ""
    tool: str
    surface: str = ""
    mutating: bool = False
    args: dict[str, Any] = Field(default_factory=dict)
    input_bytes: int = 0
    decision: str | None = None
    reasons: list[str] = Field(default_factory=list)
    reason_codes: list[str] = Field(default_factory=list)
    policy_version: str | None = None
    policy_input: dict[str, Any] = Field(default_factory=dict)
    approval_id: int | None = None
    duration_ms: float = 0.0
    outcome: str
    error_code: str | None = None
    platform_request_id: str | None = None
    result_summary: dict[str, Any] = Field(default_factory=dict)


def _plain(value: Any) -> Any:
    """JSON-safe and stable: what is stored is exactly what was hashed."""
    return json.loads(json.dumps(value, default=str))


def row_hash(row: ToolExecution) -> str:
    return _content_hash(row.prev_hash, {name: getattr(row, name) for name in _CONTENT_FIELDS})


def _content_hash(prev_hash: str, content: dict[str, Any]) -> str:
    content = {**content, "created_at": content["created_at"].isoformat(timespec="microseconds"),
               "duration_ms": round(float(content["duration_ms"]), 3)}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _lock_chain(session: Session, merchant_id: str) -> None:
    # PostgreSQL: serialize writers of one merchant's chain. SQLite: BEGIN IMMEDIATE already did.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:m))"), {"m": f"audit:{merchant_id}"})


# Core statements built once: an audit write is on every tool call's path, and the ORM's unit of
# work costs more than the three statements themselves.
_rows = ToolExecution.__table__  # type: ignore[attr-defined]
_heads = AuditHead.__table__  # type: ignore[attr-defined]
_HEAD = select(_heads.c.seq, _heads.c.row_hash).where(_heads.c.merchant_id == bindparam("merchant_id"))
_INSERT_ROW = insert(_rows).returning(_rows.c.id)
_NEW_HEAD = insert(_heads)
_MOVE_HEAD = (update(_heads).where(_heads.c.merchant_id == bindparam("head_merchant_id"))
              .values(seq=bindparam("new_seq"), row_hash=bindparam("new_hash")))


def record_execution(session: Session, entry: AuditEntry) -> ToolExecution:
    """Append one row to the merchant's chain inside the caller's transaction."""
    row_id, values = _append(session, entry)
    return ToolExecution(id=row_id, **values)


def append_execution(session: Session, entry: AuditEntry) -> int:
    """`record_execution` for callers that only need the new row's id (the gate, on every call)."""
    return _append(session, entry)[0]


def _append(session: Session, entry: AuditEntry) -> tuple[int, dict[str, Any]]:
    _lock_chain(session, entry.merchant_id)
    connection = session.connection()
    head = connection.execute(_HEAD, {"merchant_id": entry.merchant_id}).first()
    prev_seq, prev_hash = (head.seq, head.row_hash) if head is not None else (0, GENESIS)
    content: dict[str, Any] = {
        "merchant_id": entry.merchant_id, "seq": prev_seq + 1, "created_at": utcnow(), "agent_id": entry.agent_id,
        "run_id": entry.run_id, "tool": entry.tool, "surface": entry.surface, "mutating": entry.mutating,
        "input_bytes": entry.input_bytes, "args_redacted": _plain(redact(entry.args)), "decision": entry.decision,
        "reasons": _plain(redact(entry.reasons)), "reason_codes": list(entry.reason_codes),
        "policy_version": entry.policy_version, "policy_input": _plain(redact(entry.policy_input)),
        "approval_id": entry.approval_id, "duration_ms": round(entry.duration_ms, 3), "outcome": entry.outcome,
        "error_code": entry.error_code, "platform_request_id": entry.platform_request_id,
        "result_summary": _plain(redact(entry.result_summary)),
    }
    values = {**content, "prev_hash": prev_hash, "row_hash": _content_hash(prev_hash, content)}
    row_id = connection.execute(_INSERT_ROW, values).scalar_one()
    if head is None:
        connection.execute(_NEW_HEAD, {"merchant_id": entry.merchant_id, "seq": values["seq"],
                                       "row_hash": values["row_hash"]})
    else:
        connection.execute(_MOVE_HEAD, {"head_merchant_id": entry.merchant_id, "new_seq": values["seq"],
                                        "new_hash": values["row_hash"]})
    _forget_cached_head(session, entry.merchant_id)
    return row_id, values


def _forget_cached_head(session: Session, merchant_id: str) -> None:
    """The head moved behind the ORM's back: a copy it loaded earlier in this session is stale."""
    cached = session.identity_map.get(session.identity_key(AuditHead, merchant_id))  # type: ignore[call-overload]
    if cached is not None:
        session.expire(cached)


_CONFLICT_RETRIES = 3


def record(engine: Engine, entry: AuditEntry) -> ToolExecution:
    """Record in a transaction of its own.

    The chain lock (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL) keeps writers in
    line; the (merchant_id, seq) unique constraint is the backstop if a writer bypassed it: retry
    a few times, then report a chain that is out of step with its head instead of forking it.
    """
    for _ in range(_CONFLICT_RETRIES):
        try:
            with session_scope(engine) as session:
                return record_execution(session, entry)
        except IntegrityError:
            continue
    raise DatabaseError(f"the audit chain of merchant {entry.merchant_id!r} is out of step with its head "
                        "(seq already taken); run `shopwarden audit verify`")


@dataclass
class VerifyReport:
    rows_checked: int = 0
    merchants_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_VERIFY_COLUMNS = [_rows.c[name] for name in ("id", *_CONTENT_FIELDS, "prev_hash", "row_hash")]


def _verify_merchant(rows: Iterable[Any], head: Any, merchant_id: str) -> tuple[int, list[str]]:
    """(rows read, the first problem of this merchant's chain, if any). Rows arrive ordered by seq."""
    previous, last_seq, count = GENESIS, 0, 0
    for count, row in enumerate(rows, start=1):
        where = f"merchant {merchant_id}, row seq {row.seq} (id {row.id})"
        if row.seq != count:
            return count, [f"{where}: expected seq {count}; a row was deleted, inserted or reordered"]
        if row.prev_hash != previous:
            return count, [f"{where}: prev_hash does not match the previous row; the chain was broken here"]
        if _content_hash(row.prev_hash, {name: row._mapping[name] for name in _CONTENT_FIELDS}) != row.row_hash:
            return count, [f"{where}: content does not match its hash; the row was edited"]
        previous, last_seq = row.row_hash, row.seq
    if head is None and count:
        return count, [f"merchant {merchant_id}: audit head is missing"]
    if head is not None and (head.seq != last_seq or head.row_hash != previous):
        return count, [f"merchant {merchant_id}: the newest row should be seq {head.seq} but the log ends at seq "
                       f"{last_seq}; rows were deleted from the end"]
    return count, []


def verify_chain(engine: Engine, merchant_id: str | None = None) -> VerifyReport:
    """Check every merchant's chain (or one merchant's) and report the first break of each.

    Rows are streamed in batches through Core (no ORM objects), so a long log verifies in
    constant memory.
    """
    report = VerifyReport()
    with engine.connect() as conn:
        heads = {h.merchant_id: h for h in conn.execute(select(_heads.c.merchant_id, _heads.c.seq,
                                                                _heads.c.row_hash))}
        merchants = set(heads) | set(conn.execute(select(_rows.c.merchant_id).distinct()).scalars())
        if merchant_id is not None:
            merchants = {merchant_id} & merchants
        for mid in sorted(merchants):
            query = (select(*_VERIFY_COLUMNS).where(_rows.c.merchant_id == mid)
                     .order_by(_rows.c.seq, _rows.c.id))
            result = conn.execution_options(yield_per=2000).execute(query)
            try:
                checked, problems = _verify_merchant(result, heads.get(mid), mid)
            finally:
                result.close()
            report.rows_checked += checked
            report.merchants_checked += 1
            report.problems.extend(problems)
    return report


def list_executions(engine: Engine, *, merchant_id: str | None = None, since: datetime | None = None,
                    run_id: str | None = None, limit: int = 200) -> list[ToolExecution]:
    """Newest first."""
    query = select(ToolExecution).order_by(col(ToolExecution.id).desc()).limit(limit)
    if merchant_id is not None:
        query = query.where(ToolExecution.merchant_id == merchant_id)
    if since is not None:
        query = query.where(col(ToolExecution.created_at) >= since)
    if run_id is not None:
        query = query.where(ToolExecution.run_id == run_id)
    with session_scope(engine) as session:
        return list(session.exec(query).all())


def summarize_outcomes(rows: list[ToolExecution]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.outcome] = counts.get(row.outcome, 0) + 1
    return counts
