"""`recovering(gate)`: the loop worker, schedule and serve run beside their work."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gate_fakes import FakeAds
from test_recovery import crash_during_execution, status

from shopwarden.gate.pipeline import Gate
from shopwarden.jobs.recovering import recovering


def test_the_loop_settles_a_crashed_execution_once_and_stops_with_its_body(gate: Gate, engine, db_url: str,
                                                                            policy, fake_ads: FakeAds) -> None:
    approval_id = crash_during_execution(gate, engine, db_url, policy, fake_ads, applied=False)

    async def body() -> asyncio.Task[None]:
        async with recovering(gate, every_seconds=0.05, older_than=timedelta(0)) as task:
            for _ in range(200):
                if status(engine, approval_id) == "executed":
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.2)  # a few more rounds: nothing runs twice
        return task

    task = asyncio.run(body())
    assert task.done() and task.exception() is None
    assert status(engine, approval_id) == "executed"
    assert fake_ads.mutations() == ["update_budget c1 150"]
