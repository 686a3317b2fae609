"""Anchoring on a schedule: `shopwarden schedule --anchor-dir DIR` writes a signed anchor there regularly.

Point DIR at storage the database's writers cannot change (a mounted write-once bucket, a
synced repository). Each anchor is written only over chains that verify; a chain that does not
is logged as an error and no anchor is written, so tampering is never anchored.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from shopwarden.audit.anchor import AnchorError, build_anchor, write_anchor
from shopwarden.audit.verify import verify_chain

log = logging.getLogger(__name__)


def anchor_into(engine: Engine, directory: Path, *, now: datetime | None = None) -> Path:
    """Verify every chain, then write `anchor-<UTC time>.json` into `directory`; AnchorError when a chain breaks."""
    report = verify_chain(engine)
    if not report.ok:
        raise AnchorError(f"no anchor written: {len(report.problems)} chain problem(s), the first: "
                          f"{report.problems[0]}")
    now = now or datetime.now(UTC)
    out = directory / f"anchor-{now:%Y%m%dT%H%M%SZ}.json"
    write_anchor(build_anchor(engine, now=now), out)
    return out


async def keep_anchoring(engine: Engine, directory: Path, stop: asyncio.Event, *, every_seconds: float) -> None:
    """Anchor at once, then every `every_seconds` until `stop` is set."""
    while not stop.is_set():
        try:
            out = await asyncio.to_thread(anchor_into, engine, directory)
            log.info("audit anchor written to %s", out)
        except (AnchorError, OSError) as exc:
            log.error("audit anchor: %s", exc)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_seconds)
