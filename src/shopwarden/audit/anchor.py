"""Audit anchors: a signed statement of every merchant's chain head, kept outside the database.

An anchor file (JSON) lists, per merchant, the newest seq and row hash at the time it was
written, and carries an HMAC-SHA256 signature under the anchor key (derived from the master
key like the chain key, with a purpose of its own). Kept somewhere the database's writers
cannot reach (an object store, a ticket, a git repository), it lets `audit verify --anchor`
find what the chain alone cannot: newest rows truncated with the head moved back, and a
chain that vanished with its merchant.

An anchor is only written over chains that verify: tampering is never laundered into one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from shopwarden.audit.key import AuditKeys, current_audit_keys, mac, same
from shopwarden.db.models import ToolExecution
from shopwarden.db.tables import table_of
from shopwarden.errors import ShopwardenError

FORMAT = "shopwarden-audit-anchor/1"
_rows = table_of(ToolExecution)


class AnchorError(ShopwardenError):
    """An anchor file that cannot be trusted: unreadable, malformed, or its signature does not match."""


@dataclass(frozen=True)
class AnchoredHead:
    seq: int
    row_hash: str


@dataclass(frozen=True)
class Anchor:
    source: str
    created_at: str
    key_id: str
    chains: dict[str, AnchoredHead]


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _heads(engine: Engine) -> dict[str, AnchoredHead]:
    """The newest row of each chain, read from the rows themselves (the verified chain, not audit_heads)."""
    newest = (select(_rows.c.merchant_id, func.max(_rows.c.seq).label("seq"))
              .group_by(_rows.c.merchant_id).subquery())
    query = (select(_rows.c.merchant_id, _rows.c.seq, _rows.c.row_hash)
             .join(newest, (_rows.c.merchant_id == newest.c.merchant_id) & (_rows.c.seq == newest.c.seq)))
    with engine.connect() as conn:
        return {r.merchant_id: AnchoredHead(r.seq, r.row_hash) for r in conn.execute(query)}


def build_anchor(engine: Engine, keys: AuditKeys | None = None, *, now: datetime | None = None) -> dict[str, Any]:
    """The signed anchor document for the chains as they are now (the caller verifies them first)."""
    keys = keys or current_audit_keys()
    body: dict[str, Any] = {
        "format": FORMAT,
        "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "key_id": keys.primary_id,
        "chains": [{"merchant_id": m, "seq": h.seq, "row_hash": h.row_hash}
                   for m, h in sorted(_heads(engine).items())],
    }
    return {**body, "signature": mac(keys.anchor_key(keys.primary_id), _canonical(body))}


def write_anchor(document: dict[str, Any], out: Path) -> None:
    """Write atomically: a half-written anchor would fail its signature later, when it is needed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, out)


def load_anchor(path: Path, keys: AuditKeys | None = None) -> Anchor:
    """Read and check an anchor file; AnchorError names what is wrong with it."""
    keys = keys or current_audit_keys()
    try:
        document = json.loads(path.read_text())
    except OSError as exc:
        raise AnchorError(f"anchor {path} cannot be read: {exc.strerror}") from None
    except ValueError:
        raise AnchorError(f"anchor {path} is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise AnchorError(f"anchor {path} is not a {FORMAT} document")
    signature = document.pop("signature", None)
    key_id = document.get("key_id")
    if not isinstance(signature, str) or not isinstance(key_id, str):
        raise AnchorError(f"anchor {path} has no signature or key id")
    if not keys.has(key_id):
        raise AnchorError(f"anchor {path} is signed with audit key {key_id}, which is not configured")
    if not same(mac(keys.anchor_key(key_id), _canonical(document)), signature):
        raise AnchorError(f"anchor {path}: the signature does not match its content; it was altered or forged")
    try:
        chains = {str(c["merchant_id"]): AnchoredHead(int(c["seq"]), str(c["row_hash"]))
                  for c in document["chains"]}
    except (KeyError, TypeError, ValueError):
        raise AnchorError(f"anchor {path} lists its chains in an unexpected shape") from None
    return Anchor(source=str(path), created_at=str(document.get("created_at", "")), key_id=key_id, chains=chains)
