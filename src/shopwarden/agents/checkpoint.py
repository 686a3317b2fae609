"""The durable checkpointer behind paused cycles: SQLite file in the data dir, or the PostgreSQL database.

It follows the database choice, so a cycle paused by one process can be resumed by another.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy.engine import Engine

CHECKPOINT_FILE = "checkpoints.sqlite"
_SETUP_LOCK_KEY = 7_214_901_335  # pg advisory lock: one process migrates the checkpoint tables at a time
_prepared: set[str] = set()
_setup_lock = asyncio.Lock()


def postgres_conninfo(engine: Engine) -> str | None:
    """A libpq URL for the engine's database, or None when it is not PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return None
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def open_checkpointer(engine: Engine, data_dir: Path) -> AsyncIterator[BaseCheckpointSaver]:
    conninfo = postgres_conninfo(engine)
    if conninfo is not None:
        from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

        async with AsyncPostgresSaver.from_conn_string(conninfo) as saver:
            await _set_up_once(saver, conninfo)
            yield saver
        return
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    data_dir.mkdir(parents=True, exist_ok=True)
    async with AsyncSqliteSaver.from_conn_string(str(data_dir / CHECKPOINT_FILE)) as saver:
        yield saver


async def _set_up_once(saver: Any, conninfo: str) -> None:
    """LangGraph's setup() is not safe to run concurrently: serialise it across workers and processes."""
    if conninfo in _prepared:
        return
    async with _setup_lock:
        if conninfo in _prepared:
            return
        await set_up_exclusively(saver, conninfo)
        _prepared.add(conninfo)


async def set_up_exclusively(saver: Any, conninfo: str, *, poll_seconds: float = 0.1) -> None:
    """`saver.setup()` while holding a PostgreSQL advisory lock, taken by polling `pg_try_advisory_lock`.

    Not a blocking `pg_advisory_lock`: setup() runs CREATE INDEX CONCURRENTLY, which waits for every
    transaction older than itself in the database, and a session blocked in `pg_advisory_lock` is
    such a transaction. The holder would wait for the waiter, the waiter for the holder, and
    PostgreSQL cannot see the cycle (the lock is held by another connection of the same process):
    two workers starting on a fresh database hung for ever (found by bench/soak.py).
    """
    import psycopg

    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as lock_conn:
        while True:
            cursor = await lock_conn.execute("SELECT pg_try_advisory_lock(%s)", (_SETUP_LOCK_KEY,))
            row = await cursor.fetchone()
            if row is not None and row[0]:
                break
            await asyncio.sleep(poll_seconds)
        try:
            await saver.setup()
        finally:
            await lock_conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK_KEY,))
