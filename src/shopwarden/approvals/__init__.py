"""Approvals: the queue's state machine and reviewer rules (`queue`) and the one approve path
reviewers use (`reviewing`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.approvals.queue`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.approvals.queue import (
        APPROVING_ROLES,
        AUTOMATION_PREFIXES,
        OBSERVED_BEFORE_EXECUTION,
        REVIEWER_ROLES,
        UNSCOPED_MERCHANT,
        ReviewerNotAllowed,
        add_reviewer,
        approve,
        claim_for_execution,
        create_approval,
        expire_due,
        finish_execution,
        get_approval,
        list_approvals,
        note_observed_state,
        reject,
        ttl_of,
    )
    from shopwarden.approvals.reviewing import Reviewed, approve_and_execute

_EXPORTS = {
    "APPROVING_ROLES": "queue",
    "AUTOMATION_PREFIXES": "queue",
    "OBSERVED_BEFORE_EXECUTION": "queue",
    "REVIEWER_ROLES": "queue",
    "UNSCOPED_MERCHANT": "queue",
    "ReviewerNotAllowed": "queue",
    "add_reviewer": "queue",
    "approve": "queue",
    "claim_for_execution": "queue",
    "create_approval": "queue",
    "expire_due": "queue",
    "finish_execution": "queue",
    "get_approval": "queue",
    "list_approvals": "queue",
    "note_observed_state": "queue",
    "reject": "queue",
    "ttl_of": "queue",
    "Reviewed": "reviewing",
    "approve_and_execute": "reviewing",
}

__all__ = [
    "APPROVING_ROLES",
    "AUTOMATION_PREFIXES",
    "OBSERVED_BEFORE_EXECUTION",
    "REVIEWER_ROLES",
    "UNSCOPED_MERCHANT",
    "Reviewed",
    "ReviewerNotAllowed",
    "add_reviewer",
    "approve",
    "approve_and_execute",
    "claim_for_execution",
    "create_approval",
    "expire_due",
    "finish_execution",
    "get_approval",
    "list_approvals",
    "note_observed_state",
    "reject",
    "ttl_of",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
