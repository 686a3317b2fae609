"""The in-process schedule: one cycle per merchant per slot, a new slot runs again, trouble stays local."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cycle_fakes import MERCHANT, FakeGate, make_deps
from sqlmodel import select

from shopwarden.db.engine import session_scope
from shopwarden.db.models import CycleRun, Merchant
from shopwarden.errors import ConfigError
from shopwarden.jobs.scheduler import current_slot, run_due, slot_key


def test_the_current_slot_is_the_latest_firing_at_or_before_now():
    assert slot_key(current_slot("0 */6 * * *", datetime(2026, 3, 2, 13, 5, tzinfo=UTC))) == "2026-03-02T12:00Z"
    assert slot_key(current_slot("0 */6 * * *", datetime(2026, 3, 2, 12, 0, tzinfo=UTC))) == "2026-03-02T12:00Z"


def test_a_bad_schedule_names_itself():
    with pytest.raises(ConfigError, match="'every day' is not a valid cron expression"):
        current_slot("every day", datetime(2026, 3, 2, tzinfo=UTC))


async def test_each_merchant_runs_once_per_slot_on_its_own_schedule(fake_gate: FakeGate, sqlite_engine,
                                                                    tmp_path: Path):
    with session_scope(sqlite_engine) as session:
        session.add(Merchant(id="m-hourly", name="Hourly", autonomy="observe", settings={"schedule": "0 * * * *"}))
    deps = make_deps(fake_gate, sqlite_engine, tmp_path)

    first = await run_due(deps, datetime(2026, 3, 2, 13, 5, tzinfo=UTC))
    same_slot = await run_due(deps, datetime(2026, 3, 2, 13, 40, tzinfo=UTC))
    next_hour = await run_due(deps, datetime(2026, 3, 2, 14, 1, tzinfo=UTC))

    assert sorted(s.merchant_id for s in first) == [MERCHANT, "m-hourly"]
    assert same_slot == []
    assert [s.merchant_id for s in next_hour] == ["m-hourly"]  # the 6-hourly merchant's slot has not moved
    with session_scope(sqlite_engine) as session:
        slots = sorted(session.exec(select(CycleRun.merchant_id, CycleRun.slot)).all())
    assert slots == [(MERCHANT, "2026-03-02T12:00Z"), ("m-hourly", "2026-03-02T13:00Z"),
                     ("m-hourly", "2026-03-02T14:00Z")]
