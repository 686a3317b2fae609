"""Recovery of interrupted executions, run by every long-lived process: at start, then periodically.

`shopwarden worker`, `schedule` and `serve` each wrap their work in `recovering(gate)`; the lease
recovery takes on each approval (`gate_recovery`) makes it safe for any number of them to run at
once. `shopwarden approvals recover` calls `recover_now` on demand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime, timedelta

from shopwarden.errors import ShopwardenError
from shopwarden.gate.calls import ToolResult
from shopwarden.gate.pipeline import Gate

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)  # an execution claimed longer ago than this is taken to be interrupted
EVERY_SECONDS = 60.0
PERIODIC_LOOK_BACK = timedelta(days=2)  # each round; `shopwarden approvals recover` searches everything


async def recover_now(gate: Gate, *, merchant_id: str | None = None, older_than: timedelta = STALE_AFTER,
                      look_back: timedelta | None = None) -> list[ToolResult]:
    """Settle what is stuck now; each settled approval is logged with its outcome. `look_back` bounds the
    search for settled approvals missing their audit row (None: all of them)."""
    since = None if look_back is None else datetime.now(UTC) - look_back
    results = await gate.recover_stuck(merchant_id, older_than=older_than, settled_since=since)
    for result in results:
        log.warning("recovery settled approval %s (%s): %s — %s", result.approval_id, result.tool,
                    result.outcome.value, "; ".join(result.reasons))
    return results


async def keep_recovering(gate: Gate, stop: asyncio.Event, *, every_seconds: float = EVERY_SECONDS,
                          older_than: timedelta = STALE_AFTER) -> None:
    """Recover at once, then every `every_seconds` until `stop` is set; a failed round never ends the loop."""
    while not stop.is_set():
        try:
            await recover_now(gate, older_than=older_than, look_back=PERIODIC_LOOK_BACK)
        except (ShopwardenError, OSError) as exc:  # database or platform trouble: the next round tries again
            log.error("recovery round failed: %s", exc)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)


@asynccontextmanager
async def recovering(gate: Gate, *, every_seconds: float = EVERY_SECONDS,
                     older_than: timedelta = STALE_AFTER) -> AsyncIterator[asyncio.Task[None]]:
    """Run `keep_recovering` beside the body; stopped (and awaited) when the body ends."""
    stop = asyncio.Event()
    task = asyncio.create_task(keep_recovering(gate, stop, every_seconds=every_seconds, older_than=older_than))
    try:
        yield task
    finally:
        stop.set()
        await task
