"""The in-process schedule: each merchant's growth cycle once per slot of its cron schedule.

A slot is the most recent time the cron expression fired; the cycle_runs table's unique
(merchant, slot) means a slot runs once however many schedulers (or workers) look at it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from croniter import croniter
from sqlmodel import col, select

from shopwarden.agents import GROWTH, CycleDeps, CycleSummary, SlotTaken, resume_decided, run_cycle
from shopwarden.db.engine import session_scope
from shopwarden.db.models import Merchant
from shopwarden.errors import ConfigError, ShopwardenError

log = logging.getLogger(__name__)


def current_slot(schedule: str, now: datetime) -> datetime:
    """The latest time at or before `now` when `schedule` fired (UTC)."""
    if not croniter.is_valid(schedule):
        raise ConfigError("schedule", f"{schedule!r} is not a valid cron expression")
    now = now.astimezone(UTC)
    itr = croniter(schedule, now)
    return now if croniter.match(schedule, now) else itr.get_prev(datetime)


def slot_key(slot: datetime) -> str:
    return slot.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def merchant_schedules(deps: CycleDeps) -> dict[str, str]:
    """Every merchant's schedule: its own (merchant settings `schedule`) or the Growth Marketer's."""
    default = deps.spec(GROWTH).schedule
    with session_scope(deps.engine) as session:
        rows = session.exec(select(Merchant.id, Merchant.settings).order_by(col(Merchant.id))).all()
    return {merchant_id: (settings or {}).get("schedule") or default for merchant_id, settings in rows}


async def run_due(deps: CycleDeps, now: datetime) -> list[CycleSummary]:
    """Resume cycles whose approvals were decided, then start every merchant's cycle for its current slot."""
    summaries = await resume_decided(deps)
    for merchant_id, schedule in (await asyncio.to_thread(merchant_schedules, deps)).items():
        slot = slot_key(current_slot(schedule, now))
        try:
            summaries.append(await run_cycle(deps, merchant_id, slot=slot))
        except SlotTaken:
            continue
        except ShopwardenError as exc:  # one merchant's trouble never stops the others
            log.error("cycle of merchant %s for slot %s failed: %s", merchant_id, slot, exc)
    return summaries


async def run_forever(deps: CycleDeps, clock: Callable[[], datetime], *, tick_seconds: float = 60,
                      on_summary: Callable[[CycleSummary], None] | None = None,
                      stop: asyncio.Event | None = None) -> None:
    """Check the schedule every `tick_seconds` until `stop` is set."""
    stop = stop or asyncio.Event()
    while not stop.is_set():
        for summary in await run_due(deps, clock()):
            if on_summary is not None:
                on_summary(summary)
        try:
            await asyncio.wait_for(stop.wait(), timeout=tick_seconds)
        except TimeoutError:
            continue
