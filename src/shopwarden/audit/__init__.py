"""The audit log: the keyed hash chain (`chain`, key in `key`), its verification (`verify`), signed
chain-head anchors (`anchor`, scheduled by `anchoring`), re-keying (`rekey`), and policy replay over
past decisions (`replay`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.audit.chain`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.audit.chain import (
        GENESIS,
        AuditEntry,
        append_execution,
        list_executions,
        record,
        record_execution,
        row_hash,
        start_chain,
        summarize_outcomes,
    )
    from shopwarden.audit.replay import ReplayedDecision, ReplayReport, replay
    from shopwarden.audit.verify import VerifyReport, verify_chain

_EXPORTS = {
    "GENESIS": "chain",
    "AuditEntry": "chain",
    "VerifyReport": "verify",
    "append_execution": "chain",
    "list_executions": "chain",
    "record": "chain",
    "record_execution": "chain",
    "row_hash": "chain",
    "summarize_outcomes": "chain",
    "verify_chain": "verify",
    "start_chain": "chain",
    "ReplayReport": "replay",
    "ReplayedDecision": "replay",
    "replay": "replay",
}

__all__ = [
    "GENESIS",
    "AuditEntry",
    "ReplayReport",
    "ReplayedDecision",
    "VerifyReport",
    "append_execution",
    "list_executions",
    "record",
    "record_execution",
    "replay",
    "row_hash",
    "start_chain",
    "summarize_outcomes",
    "verify_chain",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
