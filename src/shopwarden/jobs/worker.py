"""Scale-out on PostgreSQL: growth cycles and approved actions as procrastinate jobs.

    app = build_app(conninfo, deps_factory)
    await app.run_worker_async()                 # `shopwarden worker`, on as many machines as needed

- `schedule_slots` is periodic (every 10 minutes): it defers one `growth_cycle` job per merchant
  for the merchant's current slot (on the runtime's clock: a served simulator's time, when there
  is one), with the queueing lock `cycle:<merchant>:<slot>` — however often it fires, and however
  many workers there are, a slot is queued once; the unique (merchant, slot) row in cycle_runs
  makes a slot that already ran a no-op. The same string is the job's lock, so no two jobs of one
  slot ever run at once: a job that finds its slot's cycle still `running` knows the process that
  ran it died (`shopwarden.jobs.stalled` put the job back), and continues it from its checkpoint.
- `execute_approved` runs an approved action through the gate (exactly once by its own
  compare-and-set), then resumes the cycle that waited for it. `defer_approved_execution(connection,
  approval_id)` defers that job inside the approval's own transaction (`enqueue_execution` is the
  same as an `after_approve` hook for `shopwarden.approvals.approve`), so an approval is never left
  without its execution job.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import Connection, text
from sqlmodel import Session

from shopwarden.agents import CycleDeps, SlotTaken, continue_interrupted, resume_decided, run_cycle
from shopwarden.db.models import Approval
from shopwarden.errors import ApprovalConflict, ConfigError
from shopwarden.jobs.scheduler import current_slot, merchant_schedules, slot_key

log = logging.getLogger(__name__)

QUEUE = "shopwarden"
CYCLE_TASK = "shopwarden.growth_cycle"
EXECUTE_TASK = "shopwarden.execute_approved"
SCHEDULE_CRON = "*/10 * * * *"

DepsFactory = Callable[[], CycleDeps]


def cycle_lock(merchant_id: str, slot: str) -> str:
    return f"cycle:{merchant_id}:{slot}"


def build_app(conninfo: str, deps_factory: DepsFactory, *, periodic: bool = True,
              clock: Callable[[], datetime] | None = None) -> App:
    """The procrastinate app with shopwarden's tasks; `deps_factory` is called once per worker process.

    `periodic=False` leaves out the schedule (tests and benchmarks defer slots themselves). `clock`
    is what the schedule's slots are read from (the runtime's); without it, the periodic tick's time.
    """
    app = App(connector=PsycopgConnector(conninfo=conninfo))
    cached: dict[str, CycleDeps] = {}

    def deps() -> CycleDeps:
        if "deps" not in cached:
            cached["deps"] = deps_factory()
        return cached["deps"]

    @app.task(name=CYCLE_TASK, queue=QUEUE)
    async def growth_cycle(merchant_id: str, slot: str) -> None:
        try:
            await run_cycle(deps(), merchant_id, slot=slot)
        except SlotTaken:
            # This job holds the slot's lock, so a cycle still `running` lost its process: finish it.
            if await continue_interrupted(deps(), merchant_id, slot) is not None:
                log.warning("cycle of %s for slot %s was interrupted: continued from its checkpoint",
                            merchant_id, slot)
            else:
                log.info("cycle of %s for slot %s already ran", merchant_id, slot)

    @app.task(name=EXECUTE_TASK, queue=QUEUE)
    async def execute_approved(approval_id: int) -> None:
        try:
            await deps().gate.execute_approved(approval_id)
        except ApprovalConflict as exc:  # executed already (by a resumed cycle or another job)
            log.info("%s", exc)
        await resume_decided(deps())

    async def schedule_slots(timestamp: int) -> None:
        await defer_slots(app, deps(), clock() if clock is not None else datetime.fromtimestamp(timestamp, UTC))

    if periodic:
        app.periodic(cron=SCHEDULE_CRON, periodic_id="growth_slots")(
            app.task(name="shopwarden.schedule_slots", queue=QUEUE,
                     queueing_lock="shopwarden.schedule_slots")(schedule_slots))
    return app


async def defer_slots(app: App, deps: CycleDeps, now: datetime) -> int:
    """One growth_cycle job per merchant for its current slot; returns how many were newly queued."""
    queued = 0
    for merchant_id, schedule in (await asyncio.to_thread(merchant_schedules, deps)).items():
        slot = slot_key(current_slot(schedule, now))
        try:
            lock = cycle_lock(merchant_id, slot)
            await app.configure_task(CYCLE_TASK, lock=lock, queueing_lock=lock).defer_async(
                merchant_id=merchant_id, slot=slot)
            queued += 1
        except AlreadyEnqueued:
            continue
    return queued


def defer_approved_execution(connection: Connection | Session, approval_id: int) -> None:
    """Defer the job that executes `approval_id`, inside the caller's open transaction (PostgreSQL only).

    It commits or rolls back with the approval itself, so an approved action never lacks its job and a
    rolled-back approval never leaves one behind. A second job for the same approval is harmless: the
    gate's compare-and-set lets only one of them execute it.
    """
    dialect = connection.get_bind().dialect.name if isinstance(connection, Session) else connection.dialect.name
    if dialect != "postgresql":
        raise ConfigError("SHOPWARDEN_DATABASE_URL", f"approved actions are queued as procrastinate jobs only on "
                                                     f"PostgreSQL, not {dialect}; execute them with the gate instead")
    connection.execute(
        text("SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, CAST(:args AS jsonb), NULL)"
             "::procrastinate_job_to_defer_v1])"),
        {"queue": QUEUE, "task": EXECUTE_TASK, "args": json.dumps({"approval_id": int(approval_id)})},
    )


def enqueue_execution(session: Session, approval: Approval) -> None:
    """`after_approve` hook for `shopwarden.approvals.approve`: defer the approval's execution job."""
    assert approval.id is not None
    defer_approved_execution(session, approval.id)


async def ensure_schema(app: App) -> bool:
    """Apply procrastinate's schema unless it is there; True when it was applied now."""
    async with app.open_async():
        present = await app.connector.execute_query_one_async(
            "SELECT to_regclass('procrastinate_jobs') IS NOT NULL AS present")
        if present["present"]:
            return False
        await app.schema_manager.apply_schema_async()
        return True


def worker_options(concurrency: int, *, wait: bool = True, name: str | None = None) -> dict[str, Any]:
    return {"queues": [QUEUE], "concurrency": concurrency, "wait": wait, "name": name,
            "install_signal_handlers": wait}
