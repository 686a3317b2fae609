"""One kind of cycle runner per database: `shopwarden schedule` or `shopwarden worker`s, never both.

Both run growth cycles, but they settle interrupted work differently: a worker puts back the jobs of
a silent worker and continues any cycle its slot finds `running`, which is how it would take a cycle
the scheduler is still running for one a crash left behind. Any number of workers may share a
database, and so may several schedulers (slots are claimed once); the two kinds may not.

On PostgreSQL each runner holds, for its life, a shared advisory lock on its own kind's key in a
session of its own, and at start looks in `pg_locks` for a holder of the other kind's key (looking,
not taking it: two workers starting together must not see each other's probe). Each takes its own
key before looking, so of two runners of different kinds starting at the same moment at least one
sees the other (both may refuse; starting again then works). An idle session holding an
advisory lock is no transaction, so it blocks neither migrations nor LangGraph's concurrent index
builds. A runner killed with -9 loses its session and with it the lock. SQLite has no workers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from sqlalchemy.engine import Engine

from shopwarden.agents.checkpoint import postgres_conninfo
from shopwarden.errors import RunnerConflict

Runner = Literal["schedule", "worker"]
# Fixed 64-bit keys in a range nothing else in shopwarden uses (other locks hash text into int32).
LOCK_KEYS: dict[Runner, int] = {"schedule": 0x5357_0001_5343_4844, "worker": 0x5357_0001_574B_5252}
OTHER: dict[Runner, Runner] = {"schedule": "worker", "worker": "schedule"}
# A bigint advisory key shows in pg_locks as classid (high 32 bits), objid (low 32 bits), objsubid 1.
_HELD = """
    SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                     AND classid = %s::bigint::oid AND objid = %s::bigint::oid)"""


@asynccontextmanager
async def sole_kind_of_runner(engine: Engine, runner: Runner) -> AsyncIterator[None]:
    """Hold this runner's place on the database; RunnerConflict when the other kind is running."""
    conninfo = postgres_conninfo(engine)
    if conninfo is None:
        yield
        return
    import psycopg

    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True,
                                                     application_name=f"shopwarden {runner}") as session:
        await session.execute("SELECT pg_advisory_lock_shared(%s)", (LOCK_KEYS[runner],))
        other = OTHER[runner]
        cursor = await session.execute(_HELD, (LOCK_KEYS[other] >> 32, LOCK_KEYS[other] & 0xFFFF_FFFF))
        row = await cursor.fetchone()
        if row is not None and row[0]:
            raise RunnerConflict(
                f"`shopwarden {other}` is running on this database; run cycles with either `shopwarden schedule` "
                f"or `shopwarden worker` processes, not both (stop the {other} first)")
        yield
