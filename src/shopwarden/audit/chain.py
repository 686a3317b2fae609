"""The `tool_executions` audit log: one append-only row per tool call, chained per merchant.

Each row stores `prev_hash` (the previous row's hash for the same merchant), the id of the
audit key it was chained under, and `row_hash = HMAC-SHA256(audit key, key id + prev_hash +
canonical JSON of the row's content)`. The audit key derives from the master key and is not in
the database (`audit_key`), so a row cannot be re-hashed by someone who can only write the
database. `audit_heads` keeps the newest (seq, hash) per merchant in the same transaction.
Verification (`audit_verify`) and anchors (`audit_anchor`) build on these hashes; rows written
before keyed chaining (key id NULL) are re-chained by `audit_rekey`.

The proposing agent's `rationale` (revision 0007r) is chained when it is there: the content
hashed carries it exactly when the column is not NULL. Rows written before the column existed
(NULL) hash as they always did, so they still verify; setting a rationale on such a row, or
editing or removing one a row was written with, changes what is hashed and fails verification.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, NamedTuple

from pydantic import BaseModel, Field
from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from shopwarden.audit.key import AuditKeys, current_audit_keys, mac
from shopwarden.db.engine import session_scope
from shopwarden.db.models import AuditHead, ToolExecution, utcnow
from shopwarden.db.tables import table_of
from shopwarden.errors import DatabaseError
from shopwarden.security.redaction import MASK, is_secret_key, redact_text

GENESIS = "0" * 64
_CONTENT_FIELDS = (
    "merchant_id", "seq", "created_at", "agent_id", "run_id", "tool", "surface", "mutating", "input_bytes",
    "args_redacted", "decision", "reasons", "reason_codes", "policy_version", "policy_input", "approval_id",
    "duration_ms", "outcome", "error_code", "platform_request_id", "result_summary",
)
# Chained only when not NULL (see the module docstring): older rows never had them.
_OPTIONAL_FIELDS = ("rationale", "call_key")
STORED_FIELDS = (*_CONTENT_FIELDS, *_OPTIONAL_FIELDS)


def chained_content(row: Any) -> dict[str, Any]:
    """What a stored row's hash covers: every content field, and each optional one that is set."""
    content = {name: row[name] for name in _CONTENT_FIELDS}
    content.update({name: row[name] for name in _OPTIONAL_FIELDS if row[name] is not None})
    return content


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
    rationale: str | None = None  # why the agent proposed the call (its own words), when it said
    call_key: str | None = None  # ToolCall.replay_key: how a resumed cycle finds this call again


def stored(value: Any) -> Any:
    """JSON-safe and stable, so that what is stored is exactly what was hashed, with secrets masked.

    One walk, giving what `json.loads(json.dumps(redact(value), default=str))` gives (a redacting walk
    and a JSON round trip): containers become plain dicts and lists, keys are written as JSON writes
    them, and anything JSON cannot hold becomes its str()."""
    if isinstance(value, str):
        return str.__str__(redact_text(value))
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dict):
        return {_json_key(key): MASK if isinstance(key, str) and is_secret_key(key) and item not in (None, "")
                else stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [stored(item) for item in value]
    return str(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return str.__str__(key)
    if key is None or isinstance(key, bool | int | float):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def row_hash(row: ToolExecution, keys: AuditKeys | None = None) -> str:
    """What the row's hash must be, under the key its `key_id` names (unkeyed for a legacy row)."""
    content = chained_content({name: getattr(row, name) for name in STORED_FIELDS})
    return chain_hash(row.prev_hash, content, row.key_id, keys or current_audit_keys())


def chain_hash(prev_hash: str, content: dict[str, Any], key_id: str | None, keys: AuditKeys) -> str:
    """HMAC-SHA256 of the row under the audit key `key_id`; a legacy (key id None) row's plain SHA-256."""
    content = {**content, "created_at": content["created_at"].isoformat(timespec="microseconds"),
               "duration_ms": round(float(content["duration_ms"]), 3)}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    if key_id is None:
        return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()
    return mac(keys.chain_key(key_id), f"{key_id}|{prev_hash}|{canonical}".encode())


# Core statements built once: an audit write is on every tool call's path, and the ORM's unit of
# work costs more than the three statements themselves.
_rows = table_of(ToolExecution)
_heads = table_of(AuditHead)
_HEAD = select(_heads.c.seq, _heads.c.row_hash).where(_heads.c.merchant_id == bindparam("merchant_id"))
_HEAD_LOCKED = _HEAD.with_for_update()
_CHAIN_LOCK = text("SELECT pg_advisory_xact_lock(hashtext(:m))")
_INSERT_ROW = insert(_rows).returning(_rows.c.id)
_NEW_HEAD = insert(_heads)
_MOVE_HEAD = (update(_heads).where(_heads.c.merchant_id == bindparam("head_merchant_id"))
              .values(seq=bindparam("new_seq"), row_hash=bindparam("new_hash")))


def _insert_moving_head(move: Any) -> Any:
    """PostgreSQL: the row's INSERT and the head's UPDATE in one statement (one round trip, not two).

    The row is inserted from the UPDATE's RETURNING, so it exists exactly when the head moved."""
    moved = move.returning(_heads.c.merchant_id).cte("moved")
    names = [column.name for column in _rows.c if column.name != "id"]
    # Prefixed: a parameter named like a column of the table would add itself to the UPDATE's SET clause.
    row = select(*[bindparam(f"row_{name}", type_=_rows.c[name].type) for name in names]).select_from(moved)
    return insert(_rows).from_select(names, row).returning(_rows.c.id).add_cte(moved)


_INSERT_MOVING_HEAD = _insert_moving_head(_MOVE_HEAD)
# Moving the head only if it is still the one read before the transaction (see ChainHead).
_MOVE_HEAD_IF_STILL = _MOVE_HEAD.where(_heads.c.seq == bindparam("prev_seq"),
                                       _heads.c.row_hash == bindparam("prev_hash"))
_INSERT_IF_HEAD_IS = _insert_moving_head(_MOVE_HEAD_IF_STILL)  # PostgreSQL: no lock taken first


class ChainHead(NamedTuple):
    """A chain's head as a read outside the write transaction found it (it may have moved since)."""

    seq: int
    row_hash: str


def _locked_head(connection: Connection, merchant_id: str) -> Row[Any] | None:
    """The chain's head, with the chain locked against other writers until the transaction ends.

    SQLite: BEGIN IMMEDIATE already holds the database's write lock. PostgreSQL: the head row's lock
    (one round trip); a chain without a head yet (its first row) is locked by an advisory lock on the
    merchant, and the head is read again under it (another writer may have just created it).
    """
    if connection.dialect.name != "postgresql":
        return connection.execute(_HEAD, {"merchant_id": merchant_id}).first()
    head = connection.execute(_HEAD_LOCKED, {"merchant_id": merchant_id}).first()
    if head is None:
        connection.execute(_CHAIN_LOCK, {"m": f"audit:{merchant_id}"})
        head = connection.execute(_HEAD_LOCKED, {"merchant_id": merchant_id}).first()
    return head


def _lock_chain(session: Session, merchant_id: str) -> None:
    """Serialize writers of one merchant's chain for the rest of the transaction (see `_locked_head`)."""
    _locked_head(session.connection(), merchant_id)


def record_execution(session: Session, entry: AuditEntry) -> ToolExecution:
    """Append one row to the merchant's chain inside the caller's transaction."""
    row_id, values = _append(session, entry)
    return ToolExecution(id=row_id, **values)


def append_execution(session: Session, entry: AuditEntry, expected_head: ChainHead | None = None) -> int:
    """`record_execution` for callers that only need the new row's id (the gate, on every call).

    `expected_head`: the head as the caller read it before its transaction. The row is then chained onto it,
    and the head moved only if it is still that head, without reading it again: on PostgreSQL one statement
    and no lock taken first (a round trip fewer), on SQLite (whose BEGIN IMMEDIATE holds the lock already)
    the UPDATE then the INSERT. If another writer moved the head meanwhile, nothing was written and the row
    is chained as without it, onto the head read under the lock."""
    connection = session.connection()
    if expected_head is not None:
        values = _row_values(entry, expected_head.seq, expected_head.row_hash, utcnow())
        still = {**_moves(values), "prev_seq": expected_head.seq, "prev_hash": expected_head.row_hash}
        row_id: int | None
        if connection.dialect.name == "postgresql":
            row_id = connection.execute(_INSERT_IF_HEAD_IS, {**_row_parameters(values), **still}).scalar()
        elif connection.execute(_MOVE_HEAD_IF_STILL, still).rowcount == 1:
            row_id = connection.execute(_INSERT_ROW, values).scalar_one()
        else:
            row_id = None
        if row_id is not None:
            _forget_cached_head(session, entry.merchant_id)
            return int(row_id)
    return _append(session, entry)[0]


def _append(session: Session, entry: AuditEntry) -> tuple[int, dict[str, Any]]:
    connection = session.connection()
    head = _locked_head(connection, entry.merchant_id)
    prev_seq, prev_hash = (head.seq, head.row_hash) if head is not None else (0, GENESIS)
    values = _row_values(entry, prev_seq, prev_hash, utcnow())
    if head is not None and connection.dialect.name == "postgresql":
        # The head is locked (FOR UPDATE), so the UPDATE finds it: scalar_one fails loudly if it did not.
        row_id = connection.execute(_INSERT_MOVING_HEAD, {**_row_parameters(values), **_moves(values)}).scalar_one()
    else:
        row_id = connection.execute(_INSERT_ROW, values).scalar_one()
        if head is None:
            connection.execute(_NEW_HEAD, {"merchant_id": entry.merchant_id, "seq": values["seq"],
                                           "row_hash": values["row_hash"]})
        else:
            connection.execute(_MOVE_HEAD, _moves(values))
    _forget_cached_head(session, entry.merchant_id)
    return row_id, values


def _row_parameters(values: dict[str, Any]) -> dict[str, Any]:
    return {f"row_{name}": value for name, value in values.items()}


def _moves(values: dict[str, Any]) -> dict[str, Any]:
    return {"head_merchant_id": values["merchant_id"], "new_seq": values["seq"], "new_hash": values["row_hash"]}


def _row_values(entry: AuditEntry, prev_seq: int, prev_hash: str, created_at: datetime) -> dict[str, Any]:
    """Every column of the row chained after (prev_seq, prev_hash), its hash included."""
    content: dict[str, Any] = {
        "merchant_id": entry.merchant_id, "seq": prev_seq + 1, "created_at": created_at, "agent_id": entry.agent_id,
        "run_id": entry.run_id, "tool": entry.tool, "surface": entry.surface, "mutating": entry.mutating,
        "input_bytes": entry.input_bytes, "args_redacted": stored(entry.args), "decision": entry.decision,
        "reasons": stored(entry.reasons), "reason_codes": list(entry.reason_codes),
        "policy_version": entry.policy_version, "policy_input": stored(entry.policy_input),
        "approval_id": entry.approval_id, "duration_ms": round(entry.duration_ms, 3), "outcome": entry.outcome,
        "error_code": entry.error_code, "platform_request_id": entry.platform_request_id,
        "result_summary": stored(entry.result_summary),
    }
    if entry.rationale:
        # PostgreSQL text cannot hold NUL: it is stored (and hashed) as U+FFFD, as on SQLite.
        content["rationale"] = redact_text(entry.rationale).replace("\x00", "\ufffd")
    if entry.call_key:
        content["call_key"] = entry.call_key
    keys = current_audit_keys()
    return {"rationale": None, "call_key": None, **content, "prev_hash": prev_hash, "key_id": keys.primary_id,
            "row_hash": chain_hash(prev_hash, content, keys.primary_id, keys)}


def _forget_cached_head(session: Session, merchant_id: str) -> None:
    """The head moved behind the ORM's back: a copy it loaded earlier in this session is stale."""
    cached = session.identity_map.get(session.identity_key(AuditHead, merchant_id))
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


def start_chain(session: Session, merchant_id: str, *, created_by: str) -> None:
    """The first row of a new merchant's chain, so that every merchant has a chain to verify."""
    append_execution(session, AuditEntry(merchant_id=merchant_id, agent_id=created_by, tool="merchant.create",
                                         surface="merchants", outcome="executed"))


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
