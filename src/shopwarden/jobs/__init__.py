"""Running cycles on a schedule: in-process (`scheduler`) and as procrastinate jobs on PostgreSQL (`worker`)."""

# Names resolve lazily (PEP 562): importing one submodule, e.g. `shopwarden.jobs.scheduler`,
# does not import its siblings, so the package adds no import cycles. Modules inside the package
# import each other by submodule; this façade is for other packages.

from __future__ import annotations

from typing import TYPE_CHECKING

from shopwarden.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from shopwarden.jobs.scheduler import current_slot, merchant_schedules, run_due, run_forever, slot_key
    from shopwarden.jobs.worker import (
        CYCLE_TASK,
        EXECUTE_TASK,
        QUEUE,
        build_app,
        defer_approved_execution,
        defer_slots,
        enqueue_execution,
        ensure_schema,
        worker_options,
    )

_EXPORTS = {
    "current_slot": "scheduler",
    "merchant_schedules": "scheduler",
    "run_due": "scheduler",
    "run_forever": "scheduler",
    "slot_key": "scheduler",
    "CYCLE_TASK": "worker",
    "EXECUTE_TASK": "worker",
    "QUEUE": "worker",
    "build_app": "worker",
    "defer_approved_execution": "worker",
    "defer_slots": "worker",
    "enqueue_execution": "worker",
    "ensure_schema": "worker",
    "worker_options": "worker",
}

__all__ = [
    "CYCLE_TASK",
    "EXECUTE_TASK",
    "QUEUE",
    "build_app",
    "current_slot",
    "defer_approved_execution",
    "defer_slots",
    "enqueue_execution",
    "ensure_schema",
    "merchant_schedules",
    "run_due",
    "run_forever",
    "slot_key",
    "worker_options",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
