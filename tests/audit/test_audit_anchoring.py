"""Anchors written on a schedule: only over chains that verify, each one checkable later."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from shopwarden.audit.anchor import AnchorError, load_anchor
from shopwarden.audit.anchoring import anchor_into, keep_anchoring
from shopwarden.audit.chain import AuditEntry, record
from shopwarden.audit.verify import verify_chain
from shopwarden.db.engine import session_scope


def _seed(engine, n: int) -> None:
    for i in range(n):
        record(engine, AuditEntry(merchant_id="m-acme", tool="list_campaigns", outcome="read", args={"i": i}))


def test_a_scheduled_anchor_is_named_by_its_time_and_verifies(engine, merchant, tmp_path) -> None:
    _seed(engine, 3)
    out = anchor_into(engine, tmp_path, now=datetime(2026, 11, 20, 6, 0, tzinfo=UTC))
    assert out.name == "anchor-20261120T060000Z.json"
    anchor = load_anchor(out)
    assert anchor.chains["m-acme"].seq == 3 and verify_chain(engine, anchors=[anchor]).ok


def test_a_broken_chain_is_never_anchored(engine, merchant, tmp_path) -> None:
    _seed(engine, 2)
    with session_scope(engine) as session:
        session.execute(text("UPDATE tool_executions SET outcome = 'executed' WHERE seq = 1"))
    with pytest.raises(AnchorError, match="no anchor written: 1 chain problem"):
        anchor_into(engine, tmp_path)
    assert list(tmp_path.glob("anchor-*")) == []


def test_the_loop_anchors_at_once_and_stops(engine, merchant, tmp_path) -> None:
    _seed(engine, 1)

    async def run() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(keep_anchoring(engine, tmp_path, stop, every_seconds=3600))
        for _ in range(100):
            if list(tmp_path.glob("anchor-*.json")):
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task

    asyncio.run(run())
    [written] = list(tmp_path.glob("anchor-*.json"))
    assert load_anchor(written).chains["m-acme"].seq == 1
